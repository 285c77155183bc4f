/**
 * Settlement benchmark (not part of npm test): seeds N settle-ready payments into a fresh
 * DATA_DIR, starts the real card-network simulator, settles them the way a user would
 * (`node bin/run.mjs settle`, the `npm run settle` command; or with `--via server`, the real
 * processing server and POST /v1/settlements), and reports wall time, items/s and the peak
 * resident memory of each process. It checks the outcome before it believes the numbers: the
 * run completed, every item settled (each with its `payment.settled` event, and the run with its
 * `settlement.completed`), and the merchant account holds the sum of the amounts. It also reports
 * what the events cost on disk: the pages of the events table and its indexes, and how much the
 * processing database grew during the run.
 *
 *   npm run bench:settlement -- --items 100000,1000000 --repeat 3 [--via cli|server]
 *
 * Seeding is timed apart and is not part of the measurement; each attempt settles its own copy
 * of the seeded files. `--keep true` keeps the seeded folders and `--seeded DIR` reuses them
 * (seeding a million payments takes minutes). For experiments: `--profile DIR` writes a CPU
 * profile of every process, `--node-options '…'` passes runtime flags to them. All traffic goes
 * to 127.0.0.1; every process it starts is stopped and every temporary folder removed at the end.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { nodeFlags, startService, stopService, type RunningService } from '../scripts/lib/processes.ts';
import { followPeakRss, machineDescription, median, parseFlags, procStatusKb } from './lib/measure.ts';
import { PROCESSING_DATABASE_FILE_NAME, seed } from './lib/seed.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const BATCH_SIZE_MAX = 5000;
const NETWORK_KEY = 'bench-network-key';
const PROCESSING_KEY = 'bench-processing-key';
/** A bound on one settlement run, so that the benchmark always stops by itself. */
const RUN_TIMEOUT_MS = 15 * 60_000;
const POLL_INTERVAL_MS = 100;

interface Measurement {
  items: number;
  /** From starting the settle command (or POST /v1/settlements) to the run being completed. */
  seconds: number;
  /** The run's own startedAt → completedAt, as the processing server recorded it. */
  runSeconds: number;
  itemsPerSecond: number;
  /** Peak resident set, MB, by process: the one that settles, and the simulator. */
  settlerPeakMb: number;
  networkPeakMb: number;
  /** Pages of the events table, its indexes and the outbox after the run (the seeded payments' events included), MB. */
  eventsMb: number;
  /** Events on record after the run. */
  eventCount: number;
  /** The processing database's growth during the run (its file and write-ahead log), MB. */
  databaseGrowthMb: number;
}

const EVENT_TABLES = ['events', 'sqlite_autoindex_events_1', 'events_payment', 'events_type', 'event_outbox'];

function databaseMb(dataDir: string): number {
  const file = path.join(dataDir, PROCESSING_DATABASE_FILE_NAME);
  const sizeOf = (name: string) => (fs.existsSync(name) ? fs.statSync(name).size : 0);
  return (sizeOf(file) + sizeOf(`${file}-wal`)) / 2 ** 20;
}

const flags = parseFlags(process.argv.slice(2), { items: '100000,1000000', repeat: '1', via: 'cli', keep: 'false', profile: '', seeded: '', 'node-options': '' });
const sizes = flags.items!.split(',').map((text) => Number(text.replaceAll('_', '')));
const repeat = Number(flags.repeat);
const via = flags.via;
if (sizes.some((size) => !Number.isSafeInteger(size) || size < 1) || !(repeat >= 1 && repeat <= 20) || (via !== 'cli' && via !== 'server')) {
  throw new Error('usage: --items N[,N…] (positive integers) --repeat 1..20 --via cli|server');
}

function commonEnv(dataDir: string, vaultKey: string): Record<string, string> {
  // --profile DIR: every process writes a V8 CPU profile there when it exits (for Chrome DevTools).
  // --node-options '…': runtime flags for every process (experiments only: the measurement runs them as npm does).
  const nodeOptions = [flags['node-options'], flags.profile ? `--cpu-prof --cpu-prof-dir=${path.resolve(flags.profile)}` : ''].filter(Boolean).join(' ');
  const profiling: Record<string, string> = nodeOptions ? { NODE_OPTIONS: nodeOptions } : {};
  return {
    ...profiling,
    NODE_ENV: 'production', DATA_DIR: dataDir, NETWORK_API_KEY: NETWORK_KEY, PROCESSING_API_KEY: PROCESSING_KEY, WEBHOOK_SECRET: 'bench-webhook-secret',
    CARD_VAULT_KEY: vaultKey, SETTLEMENT_BATCH_MAX: String(BATCH_SIZE_MAX), SETTLEMENT_CRON: 'off', LOG_LEVEL: 'info',
  };
}

/** `node bin/run.mjs settle` as `npm run settle` starts it; resolves when it exits. */
async function settleWithCli(env: Record<string, string>): Promise<{ peakMb: number; output: string }> {
  const child = spawn(process.execPath, [...nodeFlags(ROOT), path.join(ROOT, 'bin', 'run.mjs'), 'settle'], {
    cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const peak = followPeakRss(child.pid!);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  const peakMb = peak.stop();
  if (code !== 0) throw new Error(`the settle command exited with ${code}:\n${output.slice(-4000)}`);
  return { peakMb, output };
}

/** POST /v1/settlements on the real processing server, then its run polled until it is no longer running. */
async function settleWithServer(processing: RunningService): Promise<void> {
  const headers = { Authorization: `Bearer ${PROCESSING_KEY}`, 'Content-Type': 'application/json' };
  const started = await fetch(`${processing.url}/v1/settlements`, { method: 'POST', headers, body: '{}' });
  let run = await started.json() as { id: string; status: string };
  if (started.status !== 201 && started.status !== 202) throw new Error(`POST /v1/settlements answered ${started.status}: ${JSON.stringify(run)}`);
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  while (run.status === 'running') {
    if (Date.now() > deadline) throw new Error(`run ${run.id} still running after ${RUN_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    run = await (await fetch(`${processing.url}/v1/settlements/${run.id}`, { headers })).json() as typeof run;
  }
}

interface RunRow { status: string; item_count: number; settled_count: number; rejected_count: number; started_at: string; completed_at: string }

/** Checks the run, the payments, their events and the merchant account; returns the run's own duration and the events' size. */
async function verify(
  dataDir: string, network: RunningService, items: number, totals: Record<string, number>,
): Promise<{ runSeconds: number; eventsMb: number; eventCount: number }> {
  const database = new DatabaseSync(path.join(dataDir, PROCESSING_DATABASE_FILE_NAME), { readOnly: true });
  try {
    const runs = database.prepare('SELECT * FROM settlement_runs').all() as unknown as RunRow[];
    const run = runs[0];
    if (runs.length !== 1 || !run) throw new Error(`expected one settlement run, found ${runs.length}`);
    if (run.status !== 'completed' || run.item_count !== items || run.settled_count !== items || run.rejected_count !== 0) {
      throw new Error(`run not fully settled: ${JSON.stringify(run)}`);
    }
    const settled = database.prepare("SELECT COUNT(*) AS count FROM payments WHERE status = 'settled' AND settlement_id IS NOT NULL").get() as { count: number };
    if (settled.count !== items) throw new Error(`${settled.count} payments settled, expected ${items}`);
    const eventsOf = (type: string) => (database.prepare('SELECT COUNT(*) AS count FROM events WHERE type = ?').get(type) as { count: number }).count;
    if (eventsOf('payment.settled') !== items || eventsOf('settlement.completed') !== 1) {
      throw new Error(`${eventsOf('payment.settled')} payment.settled and ${eventsOf('settlement.completed')} settlement.completed events, expected ${items} and 1`);
    }
    const eventCount = (database.prepare('SELECT COUNT(*) AS count FROM events').get() as { count: number }).count;
    const eventBytes = database.prepare(`SELECT SUM(pgsize) AS bytes FROM dbstat WHERE name IN (${EVENT_TABLES.map(() => '?').join(', ')})`).get(...EVENT_TABLES) as { bytes: number };
    const answer = await fetch(`${network.url}/v1/merchant-account`, { headers: { Authorization: `Bearer ${NETWORK_KEY}` } });
    const account = await answer.json() as { balances: Record<string, number>; deposits: unknown[] };
    for (const [currency, total] of Object.entries(totals)) {
      if (account.balances[currency] !== total) throw new Error(`merchant balance ${currency} ${account.balances[currency]}, expected ${total}`);
    }
    if (Object.keys(account.balances).length !== Object.keys(totals).length) throw new Error(`unexpected balances ${JSON.stringify(account.balances)}`);
    return { runSeconds: (Date.parse(run.completed_at) - Date.parse(run.started_at)) / 1000, eventsMb: eventBytes.bytes / 2 ** 20, eventCount };
  } finally {
    database.close();
  }
}

async function measureOnce(dataDir: string, vaultKey: string, items: number, totals: Record<string, number>): Promise<Measurement> {
  const env = commonEnv(dataDir, vaultKey);
  const databaseBeforeMb = databaseMb(dataDir);
  const network = await startService(ROOT, 'network', { ...env, NETWORK_PORT: '0' });
  const networkPeak = followPeakRss(network.child.pid!);
  let processing: RunningService | null = null;
  try {
    let settlerPeakMb: number;
    let startedMs: number;
    if (via === 'cli') {
      startedMs = performance.now();
      settlerPeakMb = (await settleWithCli({ ...env, NETWORK_URL: network.url })).peakMb;
    } else {
      processing = await startService(ROOT, 'processing', { ...env, PROCESSING_PORT: '0', NETWORK_URL: network.url });
      const processingPeak = followPeakRss(processing.child.pid!);
      startedMs = performance.now();
      await settleWithServer(processing);
      settlerPeakMb = processingPeak.stop();
    }
    const seconds = (performance.now() - startedMs) / 1000;
    const networkPeakMb = networkPeak.stop();
    const databaseGrowthMb = databaseMb(dataDir) - databaseBeforeMb;
    const { runSeconds, eventsMb, eventCount } = await verify(dataDir, network, items, totals);
    return { items, seconds, runSeconds, itemsPerSecond: items / seconds, settlerPeakMb, networkPeakMb, eventsMb, eventCount, databaseGrowthMb };
  } finally {
    networkPeak.stop();
    if (processing) await stopService(processing);
    await stopService(network);
  }
}

function formatRow(measurement: Measurement): string {
  return `| ${measurement.items.toLocaleString('en-US')} | ${measurement.seconds.toFixed(2)} | ${measurement.runSeconds.toFixed(2)} | `
    + `${Math.round(measurement.itemsPerSecond).toLocaleString('en-US')} | ${measurement.settlerPeakMb.toFixed(0)} | ${measurement.networkPeakMb.toFixed(0)} | `
    + `${measurement.databaseGrowthMb.toFixed(0)} | ${measurement.eventsMb.toFixed(0)} (${measurement.eventCount.toLocaleString('en-US')}, `
    + `${Math.round((measurement.eventsMb * 2 ** 20) / Math.max(1, measurement.eventCount))} B each) |`;
}

interface SeedFile {
  items: number;
  vaultKey: string;
  totals: Record<string, number>;
}

/** Seeds a fresh folder (timed apart), or reuses one that an earlier `--keep true` run left behind. */
function seededFolder(workDir: string, items: number): { dir: string; seeded: SeedFile; reused: boolean } {
  if (flags.seeded) {
    const dir = path.resolve(flags.seeded, String(items));
    const seeded = JSON.parse(fs.readFileSync(path.join(dir, 'seed.json'), 'utf8')) as SeedFile;
    process.stdout.write(`reusing ${items.toLocaleString('en-US')} seeded payments from ${dir}\n`);
    return { dir, seeded, reused: true };
  }
  const dir = path.join(workDir, String(items));
  const vaultKey = randomBytes(32).toString('base64');
  const startedMs = performance.now();
  const result = seed({ dataDir: dir, itemCount: items, vaultKey, now: new Date() });
  const seeded: SeedFile = { items, vaultKey, totals: result.totals };
  fs.writeFileSync(path.join(dir, 'seed.json'), JSON.stringify(seeded));
  process.stdout.write(`seeded ${items.toLocaleString('en-US')} payments in ${((performance.now() - startedMs) / 1000).toFixed(1)} s `
    + `(inserts: processing ${(result.processingMs / 1000).toFixed(1)} s, simulator ${(result.networkMs / 1000).toFixed(1)} s; not measured)\n`);
  return { dir, seeded, reused: false };
}

async function benchmarkSize(workDir: string, items: number): Promise<Measurement[]> {
  const { dir: seededDir, seeded, reused } = seededFolder(workDir, items);
  const measurements: Measurement[] = [];
  for (let attempt = 1; attempt <= repeat; attempt += 1) {
    // Every attempt settles its own copy of the seeded files; the last one may use them in place.
    const inPlace = !reused && attempt === repeat && flags.keep !== 'true';
    const runDir = inPlace ? seededDir : path.join(workDir, `run-${items}-${attempt}`);
    if (!inPlace) fs.cpSync(seededDir, runDir, { recursive: true });
    try {
      const measurement = await measureOnce(runDir, seeded.vaultKey, items, seeded.totals);
      measurements.push(measurement);
      process.stdout.write(`${formatRow(measurement)}   (attempt ${attempt}/${repeat}, verified)\n`);
    } finally {
      fs.rmSync(runDir, { recursive: true, force: true });
    }
  }
  return measurements;
}

function summary(all: Map<number, Measurement[]>): string {
  const lines = [
    '| items | seconds | run seconds | items/s | peak RSS settler MB | peak RSS simulator MB | database growth MB | events on disk MB |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const bestSeconds = new Map<number, number>();
  const medianSeconds = new Map<number, number>();
  for (const [items, measurements] of all) {
    const best = measurements.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    bestSeconds.set(items, best.seconds);
    medianSeconds.set(items, median(measurements.map((measurement) => measurement.seconds)));
    lines.push(`${formatRow(best)} best of ${measurements.length}`);
    if (measurements.length > 1) {
      const seconds = medianSeconds.get(items)!;
      lines.push(`| ${items.toLocaleString('en-US')} | ${seconds.toFixed(2)} | ${median(measurements.map((m) => m.runSeconds)).toFixed(2)} | `
        + `${Math.round(items / seconds).toLocaleString('en-US')} | ${Math.max(...measurements.map((m) => m.settlerPeakMb)).toFixed(0)} | `
        + `${Math.max(...measurements.map((m) => m.networkPeakMb)).toFixed(0)} | ${median(measurements.map((m) => m.databaseGrowthMb)).toFixed(0)} | `
        + `${median(measurements.map((m) => m.eventsMb)).toFixed(0)} | median (peak RSS: the highest)`);
    }
  }
  const [small, large] = [Math.min(...all.keys()), Math.max(...all.keys())];
  if (small !== large) {
    const factor = (seconds: Map<number, number>): string => ((seconds.get(large)! / seconds.get(small)!) / (large / small)).toFixed(2);
    lines.push('', `scaling factor time(${large})/time(${small})/${large / small}: best ${factor(bestSeconds)}, median ${factor(medianSeconds)}`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  if (procStatusKb(process.pid, 'VmHWM') === null) throw new Error('this benchmark reads /proc/<pid>/status and runs on Linux only');
  process.stdout.write(`machine: ${machineDescription()}\nsettling via ${via === 'cli' ? 'node bin/run.mjs settle' : 'POST /v1/settlements'}, SETTLEMENT_BATCH_MAX=${BATCH_SIZE_MAX}\n`);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cardlane-bench-settlement-'));
  const all = new Map<number, Measurement[]>();
  try {
    for (const items of sizes) all.set(items, await benchmarkSize(workDir, items));
  } finally {
    if (flags.keep === 'true') process.stdout.write(`kept the seeded folders in ${workDir}; reuse them with --seeded ${workDir}\n`);
    else fs.rmSync(workDir, { recursive: true, force: true });
  }
  process.stdout.write(`\n${summary(all)}\n`);
}

await main();
