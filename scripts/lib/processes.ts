/**
 * Starts the three real processes (node bin/run.mjs …) on free ports with their own DATA_DIR,
 * collects their log lines, and stops them. Ports are chosen by the processes themselves
 * (port 0) and read back from their "listening" log line, so parallel test files never clash.
 * Shared by the tests and the scripts (chaos, screenshots); `root` is the repository folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';

const START_TIMEOUT_MS = 20_000;

export type ServiceName = 'network' | 'processing' | 'ui';

export interface RunningService {
  name: ServiceName;
  child: ChildProcess;
  url: string;
  port: number;
  /** Every stdout and stderr line the process printed so far. */
  lines: string[];
  /** Resolves with the exit code when the process ends. */
  exited: Promise<number | null>;
}

/** A port that was free a moment ago, for a process that must come back on the same port after a restart. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The runtime flags npm's scripts start every process with (bin/node-flags.json), so that what
 * the tests and benchmarks run is what a user runs.
 */
export function nodeFlags(root: string): string[] {
  return JSON.parse(fs.readFileSync(path.join(root, 'bin', 'node-flags.json'), 'utf8')) as string[];
}

/**
 * The port a started process says it listens on (its JSON "listening" log line). Every line it
 * prints goes to `onLine`. Rejects, saying `context()`, when the process ends first or says
 * nothing of the kind within `timeoutMs` (and is then killed).
 */
export function listeningPort(child: ChildProcess, options: { name: string; timeoutMs: number; onLine: (line: string) => void; context?: () => string }): Promise<number> {
  const context = () => (options.context ? `:\n${options.context()}` : '');
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${options.name} did not start listening within ${options.timeoutMs} ms${context()}`));
    }, options.timeoutMs);
    const onLine = (line: string): void => {
      options.onLine(line);
      const match = /"port":(\d+).*"msg":"listening"/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    readline.createInterface({ input: child.stdout! }).on('line', onLine);
    readline.createInterface({ input: child.stderr! }).on('line', onLine);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} ended (${signal ?? `exit code ${code}`}) before it listened${context()}`));
    });
  });
}

export async function startService(root: string, name: ServiceName, env: Record<string, string>): Promise<RunningService> {
  const child = spawn(process.execPath, [...nodeFlags(root), path.join(root, 'bin', 'run.mjs'), name], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await listeningPort(child, { name, timeoutMs: START_TIMEOUT_MS, onLine: (line) => lines.push(line), context: () => lines.join('\n') });
  return { name, child, url: `http://127.0.0.1:${port}`, port, lines, exited };
}

export async function stopService(service: RunningService, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return service.child.exitCode;
  service.child.kill(signal);
  return service.exited;
}

export interface System {
  network: RunningService;
  processing: RunningService;
  ui: RunningService;
  dataDir: string;
  stop(): Promise<void>;
}

export const NETWORK_KEY = 'e2e-network-key';
export const PROCESSING_KEY = 'e2e-processing-key';

/** The card company first, then the processing server pointed at it, then the UI server. */
export async function startSystem(
  root: string, dataDir: string, extraEnv: Partial<Record<ServiceName, Record<string, string>>> = {},
): Promise<System> {
  const common = { DATA_DIR: dataDir, NETWORK_API_KEY: NETWORK_KEY, PROCESSING_API_KEY: PROCESSING_KEY };
  const network = await startService(root, 'network', { ...common, NETWORK_PORT: '0', ...extraEnv.network });
  const processing = await startService(root, 'processing', {
    ...common, PROCESSING_PORT: '0', NETWORK_URL: network.url, SETTLEMENT_CRON: 'off', ...extraEnv.processing,
  });
  const ui = await startService(root, 'ui', {
    ...common, UI_PORT: '0', PROCESSING_URL: processing.url, NETWORK_PUBLIC_URL: network.url, UI_RATE_LIMIT_PER_MINUTE: '0', ...extraEnv.ui,
  });
  return {
    network, processing, ui, dataDir,
    async stop() {
      await Promise.all([stopService(ui), stopService(processing), stopService(network)]);
    },
  };
}
