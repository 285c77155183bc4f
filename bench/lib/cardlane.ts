/**
 * cardlane's three processes for the authorization benchmark, each writing its log to a file
 * (as a deployment does) rather than to a pipe the benchmark would have to read: the process that
 * drives the load never spends its CPU on the log lines of the processes it measures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { nodeFlags, type ServiceName } from '../../scripts/lib/processes.ts';

const START_TIMEOUT_MS = 20_000;
const POLL_MS = 50;

export interface LoggedService {
  name: ServiceName;
  child: ChildProcess;
  url: string;
  logFile: string;
}

/** Starts `node bin/run.mjs <name>` from `root`, its stdout and stderr appended to `logFile`; waits until it listens. */
export async function startLoggedService(root: string, name: ServiceName, env: Record<string, string>, logFile: string): Promise<LoggedService> {
  const output = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, [...nodeFlags(root), path.join(root, 'bin', 'run.mjs'), name], {
    cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', output, output],
  });
  fs.closeSync(output);
  for (let waitedMs = 0; waitedMs < START_TIMEOUT_MS; waitedMs += POLL_MS) {
    if (child.exitCode !== null) break;
    const match = /"port":(\d+)[^\n]*"msg":"listening"/.exec(fs.readFileSync(logFile, 'utf8'));
    if (match) return { name, child, url: `http://127.0.0.1:${match[1]}`, logFile };
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  child.kill('SIGKILL');
  throw new Error(`${name} did not start listening (its log: ${logFile}):\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
}

export function stopLoggedService(service: LoggedService): Promise<void> {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    service.child.once('exit', () => resolve());
    service.child.kill('SIGTERM');
  });
}
