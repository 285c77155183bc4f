/**
 * The ceilings of the authorization benchmark: three relay processes (bench/relay.ts) chained
 * as cardlane's three processes are, started last-first so that each knows the next.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { nodeFlags } from '../../scripts/lib/processes.ts';

const START_TIMEOUT_MS = 20_000;

export type RelayKind = 'express' | 'raw';

export interface RelayProcess {
  name: string;
  child: ChildProcess;
  url: string;
}

export interface RelayChain {
  /** The first relay: where the load goes. */
  url: string;
  relays: RelayProcess[];
  stop(): Promise<void>;
}

async function startRelay(root: string, kind: RelayKind, name: string, next: string): Promise<RelayProcess> {
  const child = spawn(process.execPath, [...nodeFlags(root), path.join(root, 'bench', 'relay.ts'), '--kind', kind, ...(next ? ['--next', next] : [])], {
    cwd: root, env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`relay ${name} did not start in ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    readline.createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      const match = /^listening (\d+)$/.exec(line);
      if (match) resolve(Number(match[1]));
      else reject(new Error(`relay ${name} said ${line}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`relay ${name} exited with ${code} before listening`));
    });
  });
  return { name, child, url: `http://127.0.0.1:${port}` };
}

function stopRelay(relay: RelayProcess): Promise<void> {
  if (relay.child.exitCode !== null || relay.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    relay.child.once('exit', () => resolve());
    relay.child.kill('SIGTERM');
  });
}

/** Relay 3 (answers), then relay 2 → 3, then relay 1 → 2. */
export async function startRelayChain(root: string, kind: RelayKind): Promise<RelayChain> {
  const relays: RelayProcess[] = [];
  try {
    let next = '';
    for (const hop of [3, 2, 1]) {
      const relay = await startRelay(root, kind, `${kind} relay ${hop}`, next);
      relays.unshift(relay);
      next = relay.url;
    }
  } catch (error) {
    await Promise.all(relays.map(stopRelay));
    throw error;
  }
  // Front to back: a relay finishes its calls in flight before the next one goes (stopped all at
  // once, a relay still answering the load's last requests lost its next hop: socket hang up).
  const stop = async (): Promise<void> => {
    for (const relay of relays) await stopRelay(relay);
  };
  return { url: relays[0]!.url, relays, stop };
}
