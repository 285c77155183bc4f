/**
 * `npm run start:cluster` as a test runs it: the script started as a process of its own, its
 * prefixed JSON lines collected and read back by process name, and the addresses it announces.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import axios from 'axios';
import { findPostgresBinDir } from '../../scripts/lib/postgres-server.ts';
import { ROOT } from './processes.ts';

const READY_TIMEOUT_MS = 90_000;
/** How long the script may take to stop everything (each process has 15 s to finish its requests). */
const STOP_TIMEOUT_MS = 45_000;

export interface ClusterScript {
  child: ChildProcess;
  /** Every line the script printed (stdout and stderr), as printed. */
  lines: string[];
  checkoutUrl: string;
  uiUrl: string;
  networkUrl: string;
  processing: Array<{ instance: string; pid: number; url: string }>;
  /** The JSON lines of one process (`proc1`, `ui`, `net`, `cluster`, …). */
  linesOf(name: string): Array<Record<string, unknown>>;
  exited: Promise<number | null>;
  /**
   * SIGTERM (or another signal), then waits for the script to end; when it does not end cleanly,
   * it is killed with every process it started, and its own PostgreSQL.
   */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

function parseLine(line: string): { name: string; record: Record<string, unknown> } | null {
  const match = /^\[([a-z0-9]+)\]\s+(\{.*\})$/.exec(line);
  if (!match) return null;
  try {
    return { name: match[1]!, record: JSON.parse(match[2]!) as Record<string, unknown> };
  } catch {
    return null;
  }
}

export async function startClusterScript(env: Record<string, string>): Promise<ClusterScript> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'run.mjs'), 'cluster'], {
    cwd: ROOT, env: { PATH: process.env.PATH ?? '', LOG_FORMAT: 'json', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const linesOf = (name: string) => lines.map(parseLine).filter((parsed) => parsed?.name === name).map((parsed) => parsed!.record);
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      killLeftovers(linesOf('cluster'), env.DATA_DIR);
      reject(new Error(`the cluster was not ready in ${READY_TIMEOUT_MS} ms:\n${lines.join('\n')}`));
    }, READY_TIMEOUT_MS);
    const onLine = (line: string): void => {
      lines.push(line);
      const parsed = parseLine(line);
      if (parsed?.name === 'cluster' && String(parsed.record.msg).startsWith('cluster ready')) {
        clearTimeout(timer);
        resolve(parsed.record);
      }
    };
    readline.createInterface({ input: child.stdout! }).on('line', onLine);
    readline.createInterface({ input: child.stderr! }).on('line', onLine);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the cluster script ended with ${code} before it was ready:\n${lines.join('\n')}`));
    });
  });
  const checkoutUrl = String(ready.checkout);
  return {
    child, lines, checkoutUrl, uiUrl: new URL(checkoutUrl).origin, networkUrl: String(ready.network), linesOf, exited,
    processing: linesOf('cluster').filter((record) => record.msg === 'processing instance listening')
      .map((record) => ({ instance: String(record.instance), pid: Number(record.pid), url: String(record.url) })),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const code = await Promise.race([exited, sleep(STOP_TIMEOUT_MS, 'timeout' as const, { ref: false })]);
      if (code === 0) return code;
      // It did not stop cleanly: nothing it started may outlive the test.
      child.kill('SIGKILL');
      killLeftovers(linesOf('cluster'), env.DATA_DIR);
      return code === 'timeout' ? null : code;
    },
  };
}

/** SIGKILL for every process the script started that still runs (checked to be ours), and an immediate stop of its PostgreSQL. */
function killLeftovers(clusterLines: Array<Record<string, unknown>>, dataDir: string | undefined): void {
  for (const record of clusterLines.filter((line) => line.msg === 'process started')) {
    const pid = Number(record.pid);
    let commandLine = '';
    try {
      commandLine = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (commandLine.includes(path.join(ROOT, 'bin', 'run.mjs'))) process.kill(pid, 'SIGKILL');
  }
  const binDir = findPostgresBinDir(process.env.POSTGRES_BIN_DIR, process.env.PATH);
  if (!dataDir || !binDir) return;
  const stop = [path.join(binDir, 'pg_ctl'), 'stop', '-D', path.join(dataDir, 'postgres', 'data'), '-m', 'immediate', '-w', '-s'];
  try {
    if (process.getuid?.() === 0) execFileSync('runuser', ['-u', 'postgres', '--', ...stop], { stdio: 'ignore', timeout: 30_000 });
    else execFileSync(stop[0]!, stop.slice(1), { stdio: 'ignore', timeout: 30_000 });
  } catch {
    // No server was running there.
  }
}

/** How many payments an instance created or declined, from its own access log. */
export function paymentsServedBy(script: ClusterScript, instance: string): number {
  return script.linesOf(instance).filter((record) => {
    const request = record.req as { method?: string; url?: string } | undefined;
    const response = record.res as { statusCode?: number } | undefined;
    return request?.method === 'POST' && request.url === '/v1/payments' && (response?.statusCode === 201 || response?.statusCode === 402);
  }).length;
}

/** A shopper at the checkout (JSON), keeping the cookies the UI server sets, as a browser does. */
export function checkoutShopper(uiUrl: string) {
  const cookies = new Map<string, string>();
  return async (idempotencyKey: string, amount = '10.00'): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await axios.post(`${uiUrl}/make-payment`, {
      cardholderName: 'Cluster Shopper', cardNumber: '4242 4242 4242 4242', expiry: '12/34', cvv: '123', amount, currency: 'USD', idempotencyKey,
    }, {
      headers: { Accept: 'application/json', Cookie: [...cookies.entries()].map(([name, value]) => `${name}=${value}`).join('; ') },
      validateStatus: () => true, timeout: 30_000,
    });
    for (const cookie of (response.headers['set-cookie'] ?? [])) {
      const [pair] = cookie.split(';');
      const [name, value] = (pair ?? '').split('=');
      if (name && value !== undefined) cookies.set(name, value);
    }
    return { status: response.status, body: response.data as Record<string, unknown> };
  };
}
