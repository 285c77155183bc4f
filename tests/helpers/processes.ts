/** The process launcher of scripts/lib, bound to this repository, for the end-to-end and browser tests. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import {
  NETWORK_KEY, PROCESSING_KEY, freePort, nodeFlags, startService as startServiceIn, startSystem as startSystemIn, stopService,
  type RunningService, type ServiceName, type System,
} from '../../scripts/lib/processes.ts';

export const ROOT = path.resolve(__dirname, '..', '..');
export { NETWORK_KEY, PROCESSING_KEY, freePort, stopService, type RunningService, type ServiceName, type System };

export function startService(name: ServiceName, env: Record<string, string>): Promise<RunningService> {
  return startServiceIn(ROOT, name, env);
}

export function startSystem(dataDir: string, extraEnv: Parameters<typeof startSystemIn>[2] = {}): Promise<System> {
  return startSystemIn(ROOT, dataDir, extraEnv);
}

export interface CommandRun {
  status: number | null;
  /** What it printed, stdout and stderr together. */
  output: string;
}

/** A one-shot command of bin/run.mjs (`settle`, `rotate-vault-key`) as npm runs it, killed after 30 s. */
export function runCommand(name: string, args: string[], env: Record<string, string>): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags(ROOT), path.join(ROOT, 'bin', 'run.mjs'), name, ...args], {
      cwd: ROOT, env: { PATH: process.env.PATH ?? '', LOG_FORMAT: 'json', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('error', reject);
    child.once('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}
