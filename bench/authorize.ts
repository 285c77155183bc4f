/**
 * Authorization load benchmark (not part of npm test). In one run, with the same Node, the same
 * body and the same connections, it measures:
 *
 * - **cardlane**: the three real processes on a fresh DATA_DIR, load on the shopper's path
 *   `POST /make-payment` (JSON) of the UI server, through the processing server and the simulator;
 * - **express**: the ceiling of its own stack, three bare Express 5 + axios relays (bench/relay.ts);
 * - **raw**: the ceiling of Node itself, three bare node:http relays piping the same hops.
 *
 * autocannon drives N connections for a bounded time after a warm-up; every request has a fresh
 * idempotency key and one of 1,000 cards. Reported per system: requests/s, latency p50 and p99,
 * errors, each process's peak RSS and the load average; for cardlane the approved payments/s
 * and its ratios to both ceilings. Every cardlane 2xx answer is checked to be an authorized
 * payment in the database.
 *
 *   npm run bench:authorize -- [--connections 32] [--duration 10] [--warmup 2] [--repeat 3]
 *     [--systems cardlane,express,raw] [--processing true] [--profile DIR]
 *
 * `--processing true` also loads the processing API (`POST /v1/payments`) on its own;
 * `--cardlane DIR` runs cardlane from another checkout of it (an earlier commit, to compare);
 * `--profile DIR` writes a V8 CPU profile of each cardlane process there when it stops.
 * All traffic goes to 127.0.0.1; every process is stopped and every folder removed at the end.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import autocannon, { type Request, type Result } from 'autocannon';
import { startLoggedService, stopLoggedService, type LoggedService } from './lib/cardlane.ts';
import { cpuSeconds, followPeakRss, machineDescription, median, parseFlags } from './lib/measure.ts';
import { startRelayChain, type RelayKind } from './lib/relays.ts';
import { PROCESSING_DATABASE_FILE_NAME, cardNumber } from './lib/seed.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const NETWORK_KEY = 'bench-network-key';
const PROCESSING_KEY = 'bench-processing-key';
const CARD_COUNT = 1000;
/** 10.00 USD a payment: a card takes a few dozen payments in a run, far below any limit. */
const AMOUNT_MINOR = 1000;
const REQUEST_TIMEOUT_SECONDS = 10;
const SYSTEMS = ['cardlane', 'express', 'raw'] as const;
type System = typeof SYSTEMS[number];

/** The goal, as ratios measured side by side, and absolute bounds. */
const GOAL = { ofExpress: 0.6, ofRaw: 0.2, p99Ms: 50, approvedPerSecond: 1000 };

const flags = parseFlags(process.argv.slice(2), {
  connections: '32', duration: '10', warmup: '2', repeat: '1', systems: SYSTEMS.join(','), processing: 'false', profile: '',
  cardlane: ROOT,
});
const cardlaneRoot = path.resolve(flags.cardlane!);
const connections = Number(flags.connections);
const durationSeconds = Number(flags.duration);
const warmupSeconds = Number(flags.warmup);
const repeat = Number(flags.repeat);
const systems = flags.systems!.split(',') as System[];
if (!(connections >= 1 && connections <= 500) || !(durationSeconds >= 1 && durationSeconds <= 120) || !(warmupSeconds >= 0 && warmupSeconds <= 30)
  || !(Number.isInteger(repeat) && repeat >= 1 && repeat <= 10) || systems.some((system) => !SYSTEMS.includes(system))) {
  throw new Error(`usage: --connections 1..500 --duration 1..120 --warmup 0..30 --repeat 1..10 --systems ${SYSTEMS.join(',')}`);
}

const cards = Array.from({ length: CARD_COUNT }, (_unused, index) => cardNumber(100_000 + index));
const expYear = new Date().getUTCFullYear() + 3;
let requestCount = 0;
const nextCard = (): string => cards[(requestCount += 1) % cards.length]!;

/** The shopper's path: the checkout page's JSON post. The relays get the very same requests. */
function checkoutRequest(): Request {
  return {
    method: 'POST',
    path: '/make-payment',
    setupRequest: (request) => ({
      ...request,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        cardholderName: 'Bench Shopper', cardNumber: nextCard(), expiry: `12/${String(expYear).slice(2)}`, cvv: '123',
        amount: (AMOUNT_MINOR / 100).toFixed(2), currency: 'USD', idempotencyKey: randomUUID(),
      }),
    }),
  };
}

/** The processing API alone: the merchant's own back end calling it, as the UI server does. */
function processingRequest(): Request {
  return {
    method: 'POST',
    path: '/v1/payments',
    setupRequest: (request) => ({
      ...request,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${PROCESSING_KEY}`, 'idempotency-key': randomUUID() },
      body: JSON.stringify({
        amount: AMOUNT_MINOR, currency: 'USD', description: 'benchmark',
        card: { number: nextCard(), expMonth: 12, expYear, cvv: '123', holderName: 'Bench Shopper' },
      }),
    }),
  };
}

interface Measurement {
  label: string;
  result: Result;
  peaks: string;
  /** CPU milliseconds per answered request of the measured load, all processes of the system together, and each. */
  cpuMsPerRequest: number;
  cpuByProcess: string;
  load: string;
}

interface Measured {
  name: string;
  pid: number;
}

const loadAverage = (): string => os.loadavg().map((value) => value.toFixed(2)).join(' ');

/**
 * Warm-up, then the measured load: requests/s and latency, each process's peak RSS and the CPU
 * it spent per answered request (what the load cost, whatever else ran on the machine), and the
 * load average before and after. Also returns the 2xx answers of both.
 */
async function measure(label: string, url: string, request: Request, processes: Measured[]): Promise<{ measurement: Measurement; answered: number }> {
  const peaks = processes.map(({ name, pid }) => ({ name, peak: followPeakRss(pid) }));
  const before = loadAverage();
  const warm = warmupSeconds > 0 ? await autocannon({ url, connections, duration: warmupSeconds, timeout: REQUEST_TIMEOUT_SECONDS, requests: [request] }) : null;
  const cpuBefore = processes.map(({ pid }) => cpuSeconds(pid) ?? Number.NaN);
  const result = await autocannon({ url, connections, duration: durationSeconds, timeout: REQUEST_TIMEOUT_SECONDS, requests: [request] });
  const answers = Math.max(1, result['2xx'] + result.non2xx);
  const cpuMs = processes.map(({ pid }, index) => ((cpuSeconds(pid) ?? Number.NaN) - cpuBefore[index]!) * 1000 / answers);
  return {
    measurement: {
      label, result,
      peaks: peaks.map(({ name, peak }) => `${name} ${peak.stop().toFixed(0)} MB`).join(', '),
      cpuMsPerRequest: cpuMs.reduce((sum, value) => sum + value, 0),
      cpuByProcess: processes.map(({ name }, index) => `${name} ${cpuMs[index]!.toFixed(2)}`).join(', '),
      load: `${before} → ${loadAverage()}`,
    },
    answered: result['2xx'] + (warm?.['2xx'] ?? 0),
  };
}

function paymentsByStatus(dataDir: string): Record<string, number> {
  const database = new DatabaseSync(path.join(dataDir, PROCESSING_DATABASE_FILE_NAME), { readOnly: true });
  try {
    const rows = database.prepare('SELECT status, COUNT(*) AS count FROM payments GROUP BY status').all();
    return Object.fromEntries(rows.map((row) => [String(row.status), Number(row.count)]));
  } finally {
    database.close();
  }
}

/** The payments once the last requests cut off by the end of a run have finished (a few seconds at most). */
async function settledStatuses(dataDir: string): Promise<Record<string, number>> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const statuses = paymentsByStatus(dataDir);
    if (!statuses.pending) return statuses;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return paymentsByStatus(dataDir);
}

/** The three processes on `dataDir`, each logging to its own file there. */
async function startCardlane(dataDir: string): Promise<LoggedService[]> {
  const common = {
    NODE_ENV: 'production', DATA_DIR: dataDir, NETWORK_API_KEY: NETWORK_KEY, PROCESSING_API_KEY: PROCESSING_KEY, LOG_LEVEL: 'info', WEBHOOK_SECRET: 'bench-webhook-secret',
    ...(flags.profile ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${path.resolve(flags.profile)}` } : {}),
  };
  const services: LoggedService[] = [];
  const start = async (name: LoggedService['name'], env: Record<string, string>) => {
    const service = await startLoggedService(cardlaneRoot, name, { ...common, ...env }, path.join(dataDir, `${name}.log`));
    services.push(service);
    return service;
  };
  try {
    const network = await start('network', { NETWORK_PORT: '0' });
    const processing = await start('processing', {
      PROCESSING_PORT: '0', NETWORK_URL: network.url, SETTLEMENT_CRON: 'off',
      CARD_VAULT_KEY: randomBytes(32).toString('base64'), CARD_SPEND_LIMIT: '999999999.00',
    });
    await start('ui', { UI_PORT: '0', PROCESSING_URL: processing.url, UI_RATE_LIMIT_PER_MINUTE: '0', ADMIN_PASSWORD: randomUUID() });
    return services;
  } catch (error) {
    await Promise.all(services.map(stopLoggedService));
    throw error;
  }
}

/** cardlane on a fresh DATA_DIR; fails the run when an answer is not an authorized payment. */
async function runCardlane(): Promise<Measurement[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cardlane-bench-authorize-'));
  const services = await startCardlane(dataDir);
  try {
    const [, processing, ui] = services as [LoggedService, LoggedService, LoggedService];
    const measurements: Measurement[] = [];
    let answered = 0;
    const targets = flags.processing === 'true'
      ? [['cardlane UI /make-payment', ui.url, checkoutRequest()], ['cardlane processing /v1/payments', processing.url, processingRequest()]] as const
      : [['cardlane UI /make-payment', ui.url, checkoutRequest()]] as const;
    for (const [label, url, request] of targets) {
      const run = await measure(label, url, request, services.map((service) => ({ name: service.name, pid: service.child.pid! })));
      measurements.push(run.measurement);
      answered += run.answered;
    }
    const statuses = await settledStatuses(dataDir);
    process.stdout.write(`cardlane payments by status: ${JSON.stringify(statuses)}; 2xx answers, warm-up included: ${answered}\n`);
    // Every 2xx is an authorized payment; a few more may be authorized whose answers the end of a run cut off.
    if (!Object.keys(statuses).every((status) => status === 'authorized') || (statuses.authorized ?? 0) < answered) {
      process.stdout.write('CHECK FAILED: payments that are not authorized, or fewer than the approvals answered\n');
      process.exitCode = 1;
    }
    return measurements;
  } finally {
    await Promise.all(services.map(stopLoggedService));
    process.stdout.write(`${groupCommitSummary(path.join(dataDir, 'processing.log'))}\n`);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** How the processing server's SQLite writer grouped its calls, from the line it logs when its store closes. */
function groupCommitSummary(logFile: string): string {
  const line = fs.readFileSync(logFile, 'utf8').split('\n').find((text) => text.includes('"msg":"store closed"'));
  if (!line) return 'SQLite group commit: no summary in the processing log';
  const { groupCommits, calls, largestGroup } = JSON.parse(line) as { groupCommits: number; calls: number; largestGroup: number };
  return `SQLite group commit: ${calls.toLocaleString('en-US')} store calls in ${groupCommits.toLocaleString('en-US')} commits `
    + `(${(calls / Math.max(1, groupCommits)).toFixed(1)} a commit on average, ${largestGroup} at most)`;
}

async function runRelays(kind: RelayKind): Promise<Measurement> {
  const chain = await startRelayChain(ROOT, kind);
  try {
    const label = kind === 'express' ? 'ceiling: 3 Express + axios relays' : 'ceiling: 3 node:http relays';
    return (await measure(label, chain.url, checkoutRequest(), chain.relays.map((relay) => ({ name: relay.name, pid: relay.child.pid! })))).measurement;
  } finally {
    await chain.stop();
  }
}

const TABLE_HEAD = '| system | requests/s | p50 ms | p99 ms | 2xx | non-2xx | errors | CPU ms per request | peak RSS | load average (1, 5, 15 min) before → after |\n'
  + '|---|---:|---:|---:|---:|---:|---:|---|---|---|\n';

function formatRow({ label, result, peaks, cpuMsPerRequest, cpuByProcess, load }: Measurement): string {
  return `| ${label} | ${Math.round(result.requests.average).toLocaleString('en-US')} | ${result.latency.p50} | ${result.latency.p99} | `
    + `${result['2xx']} | ${result.non2xx} | ${result.errors + result.timeouts} | ${cpuMsPerRequest.toFixed(2)} (${cpuByProcess}) | ${peaks} | ${load} |`;
}

/** cardlane's ratios to the ceilings of the same run, and the goal each meets or not. */
function verdict(run: Measurement[]): string {
  const find = (prefix: string) => run.find((measurement) => measurement.label.startsWith(prefix))?.result;
  const cardlane = find('cardlane UI');
  if (!cardlane) return '';
  const express = find('ceiling: 3 Express');
  const raw = find('ceiling: 3 node:http');
  const approvedPerSecond = cardlane['2xx'] / durationSeconds;
  const mark = (met: boolean) => (met ? 'met' : 'NOT met');
  const lines = [
    `approved payments/s: ${approvedPerSecond.toFixed(0)} (goal ≥ ${GOAL.approvedPerSecond} on a quiet machine: ${mark(approvedPerSecond >= GOAL.approvedPerSecond)})`,
    `p99: ${cardlane.latency.p99} ms (goal ≤ ${GOAL.p99Ms}: ${mark(cardlane.latency.p99 <= GOAL.p99Ms)}); errors and non-2xx: ${cardlane.errors + cardlane.timeouts + cardlane.non2xx}`,
  ];
  const cpuOf = (prefix: string) => run.find((measurement) => measurement.label.startsWith(prefix))?.cpuMsPerRequest ?? Number.NaN;
  for (const [name, prefix, ceiling, goal] of [['Express + axios', 'ceiling: 3 Express', express, GOAL.ofExpress], ['node:http', 'ceiling: 3 node:http', raw, GOAL.ofRaw]] as const) {
    if (!ceiling) continue;
    const ratio = cardlane.requests.average / ceiling.requests.average;
    // CPU per request is what decides throughput when the cores are the limit, as on this machine.
    const cpuRatio = cpuOf(prefix) / cpuOf('cardlane UI');
    lines.push(`cardlane / ${name} ceiling: ${ratio.toFixed(2)} (goal ≥ ${goal}: ${mark(ratio >= goal)}); by CPU per request: ${cpuRatio.toFixed(2)}`);
  }
  return `${lines.join('\n')}\n`;
}

async function runOnce(): Promise<Measurement[]> {
  const run: Measurement[] = [];
  for (const system of systems) {
    if (system === 'cardlane') run.push(...await runCardlane());
    else run.push(await runRelays(system));
    process.stdout.write(`${formatRow(run.at(-1)!)}\n`);
  }
  for (const { label, result } of run) {
    if (result.non2xx > 0 || result.errors + result.timeouts > 0) {
      process.stdout.write(`CHECK FAILED: ${label} had non-2xx answers or errors\n`);
      process.exitCode = 1;
    }
  }
  return run;
}

async function main(): Promise<void> {
  process.stdout.write(`machine: ${machineDescription()}\n${connections} connections, ${warmupSeconds} s warm-up, ${durationSeconds} s measured\n`);
  const runs: Measurement[][] = [];
  for (let attempt = 1; attempt <= repeat; attempt += 1) {
    const run = await runOnce();
    runs.push(run);
    process.stdout.write(`\nrun ${attempt} of ${repeat}\n\n${TABLE_HEAD}${run.map(formatRow).join('\n')}\n\n${verdict(run)}\n`);
  }
  if (repeat > 1) {
    const ratios = (prefix: string) => runs.map((run) => {
      const cardlane = run.find((measurement) => measurement.label.startsWith('cardlane UI'))?.result.requests.average;
      const ceiling = run.find((measurement) => measurement.label.startsWith(prefix))?.result.requests.average;
      return cardlane && ceiling ? cardlane / ceiling : Number.NaN;
    });
    const list = (values: number[]) => `${values.map((value) => value.toFixed(2)).join(', ')} (median ${median(values).toFixed(2)})`;
    process.stdout.write(`over ${repeat} runs: cardlane / Express + axios ${list(ratios('ceiling: 3 Express'))}; cardlane / node:http ${list(ratios('ceiling: 3 node:http'))}\n`);
  }
}

await main();
