/**
 * Runs the processes of `npm run start:cluster` side by side in one terminal: each line a process
 * prints comes out prefixed with its name (pretty for a person, JSON for a machine), each process
 * is known by the port it reports listening on, and `stop` ends them one group after another.
 * Children run in process groups of their own, so Ctrl-C reaches only the supervisor, which then
 * stops them in order instead of all at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import pinoPretty from 'pino-pretty';
import { listeningPort, nodeFlags, type ServiceName } from './processes.ts';

const START_TIMEOUT_MS = 30_000;
/** How long a process may take to finish its requests after SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 15_000;
const COLORS = [36, 35, 33, 32, 34, 91, 92, 93, 94, 95, 96];

export interface Supervised {
  name: string;
  child: ChildProcess;
  port: number;
  /** Resolves when the process has ended, with its code or signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface Supervisor {
  /** A line of the supervisor's own, as one of its children's would look. */
  say(fields: Record<string, unknown>, message: string): void;
  start(name: string, service: ServiceName, env: Record<string, string>): Promise<Supervised>;
  /** SIGTERM, then SIGKILL after the bound; resolves once the process is gone. */
  stop(process: Supervised): Promise<void>;
}

export interface SupervisorOptions {
  root: string;
  pretty: boolean;
  /** The environment every child starts from (the user's settings). */
  baseEnv: Record<string, string | undefined>;
  write: (text: string) => void;
}

export function createSupervisor(options: SupervisorOptions): Supervisor {
  const prettify = pinoPretty.prettyFactory({ colorize: true, ignore: 'pid,hostname,service', singleLine: false });
  const names: string[] = [];
  const width = () => Math.max(7, ...names.map((name) => name.length));
  const prefix = (name: string) => {
    const color = COLORS[Math.max(0, names.indexOf(name)) % COLORS.length];
    const label = `[${name}]`.padEnd(width() + 2);
    return options.pretty ? `\u001b[${color}m${label}\u001b[0m ` : `${label} `;
  };
  const emit = (name: string, line: string): void => {
    if (!options.pretty || !line.startsWith('{')) {
      options.write(`${prefix(name)}${line}\n`);
      return;
    }
    for (const pretty of prettify(line).trimEnd().split('\n')) options.write(`${prefix(name)}${pretty}\n`);
  };
  names.push('cluster');

  return {
    say(fields, message) {
      emit('cluster', JSON.stringify({ level: 30, time: new Date().toISOString(), service: 'cluster', ...fields, msg: message }));
    },

    start(name, service, env) {
      names.push(name);
      const child = spawn(process.execPath, [...nodeFlags(options.root), path.join(options.root, 'bin', 'run.mjs'), service], {
        cwd: options.root,
        // JSON always: the supervisor reads the port from it and makes it pretty itself.
        env: { ...options.baseEnv, ...env, LOG_FORMAT: 'json' },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
        // 'close' comes after the last line of its output, so nothing it printed is reported after its end.
        child.once('close', (code, signal) => resolve({ code, signal }));
      });
      this.say({ process: name, pid: child.pid }, 'process started');
      const port = listeningPort(child, { name, timeoutMs: START_TIMEOUT_MS, onLine: (line) => emit(name, line) });
      return port.then((listening) => ({ name, child, port: listening, exited }));
    },

    async stop(supervised) {
      const { child } = supervised;
      const running = child.exitCode === null && child.signalCode === null;
      if (running) child.kill('SIGTERM');
      const timer = running ? setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS) : undefined;
      await supervised.exited;
      clearTimeout(timer);
    },
  };
}
