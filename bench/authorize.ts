/**
 * Authorization load benchmark (not part of npm test): starts the three real processes on a fresh
 * DATA_DIR, then drives `POST /v1/payments` on the processing server, and the shopper's path
 * `POST /make-payment` (JSON) on the UI server, with autocannon: N connections for a bounded time,
 * a fresh idempotency key and one of 1,000 cards per request. Reports requests/s, latency p50 and
 * p99, and each process's peak RSS; checks that every 2xx answer is an authorized payment.
 *
 *   npm run bench:authorize -- --connections 20 --duration 10 [--warmup 2] [--targets processing,ui] [--profile DIR]
 *
 * All traffic goes to 127.0.0.1; the processes are stopped and the folder removed at the end.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import autocannon, { type Request, type Result } from 'autocannon';
import { startService, stopService, type RunningService } from '../scripts/lib/processes.ts';
import { followPeakRss, machineDescription, parseFlags } from './lib/measure.ts';
import { PROCESSING_DATABASE_FILE_NAME, cardNumber } from './lib/seed.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const NETWORK_KEY = 'bench-network-key';
const PROCESSING_KEY = 'bench-processing-key';
const CARD_COUNT = 1000;
/** 10.00 USD a payment: a card takes a few dozen payments in a run, far below any limit. */
const AMOUNT_MINOR = 1000;
const REQUEST_TIMEOUT_SECONDS = 10;

const flags = parseFlags(process.argv.slice(2), { connections: '20', duration: '10', warmup: '2', targets: 'processing,ui', profile: '' });
const connections = Number(flags.connections);
const durationSeconds = Number(flags.duration);
const warmupSeconds = Number(flags.warmup);
const targets = flags.targets!.split(',');
if (!(connections >= 1 && connections <= 500) || !(durationSeconds >= 1 && durationSeconds <= 120) || !(warmupSeconds >= 0 && warmupSeconds <= 30)
  || targets.some((target) => target !== 'processing' && target !== 'ui')) {
  throw new Error('usage: --connections 1..500 --duration 1..120 --warmup 0..30 --targets processing,ui');
}

const cards = Array.from({ length: CARD_COUNT }, (_unused, index) => cardNumber(100_000 + index));
const expYear = new Date().getUTCFullYear() + 3;
let requestCount = 0;
const nextCard = (): string => cards[(requestCount += 1) % cards.length]!;

/** The processing API: the merchant's own back end calling it, as the UI server does. */
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

/** The shopper's path: the checkout page's JSON post to the UI server. */
function uiRequest(): Request {
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

async function load(url: string, request: Request, seconds: number): Promise<Result> {
  return autocannon({ url, connections, duration: seconds, timeout: REQUEST_TIMEOUT_SECONDS, requests: [request] });
}

interface Row { target: string; result: Result }

function formatRow({ target, result }: Row): string {
  return `| ${target} | ${connections} | ${result.duration.toFixed(0)} | ${Math.round(result.requests.average).toLocaleString('en-US')} | `
    + `${result.latency.p50} | ${result.latency.p99} | ${result['2xx']} | ${result.non2xx} | ${result.errors + result.timeouts} |`;
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

async function main(): Promise<void> {
  process.stdout.write(`machine: ${machineDescription()}\n`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cardlane-bench-authorize-'));
  const common = {
    NODE_ENV: 'production', DATA_DIR: dataDir, NETWORK_API_KEY: NETWORK_KEY, PROCESSING_API_KEY: PROCESSING_KEY, LOG_LEVEL: 'info', WEBHOOK_SECRET: 'bench-webhook-secret',
    // --profile DIR: every process writes a V8 CPU profile there when it stops.
    ...(flags.profile ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${path.resolve(flags.profile)}` } : {}),
  };
  const services: RunningService[] = [];
  try {
    const network = await startService(ROOT, 'network', { ...common, NETWORK_PORT: '0' });
    services.push(network);
    const processing = await startService(ROOT, 'processing', {
      ...common, PROCESSING_PORT: '0', NETWORK_URL: network.url, SETTLEMENT_CRON: 'off',
      CARD_VAULT_KEY: randomBytes(32).toString('base64'), CARD_SPEND_LIMIT: '999999999.00',
    });
    services.push(processing);
    const ui = await startService(ROOT, 'ui', {
      ...common, UI_PORT: '0', PROCESSING_URL: processing.url, UI_RATE_LIMIT_PER_MINUTE: '0', ADMIN_PASSWORD: randomUUID(),
    });
    services.push(ui);
    const peaks = services.map((service) => ({ name: service.name, peak: followPeakRss(service.child.pid!) }));
    const rows: Row[] = [];
    let answered = 0;
    for (const target of targets) {
      const [url, request] = target === 'ui' ? [ui.url, uiRequest()] : [processing.url, processingRequest()];
      if (warmupSeconds > 0) answered += (await load(url, request, warmupSeconds))['2xx'];
      const result = await load(url, request, durationSeconds);
      answered += result['2xx'];
      rows.push({ target: target === 'ui' ? 'UI POST /make-payment (JSON)' : 'processing POST /v1/payments', result });
      process.stdout.write(`${formatRow(rows.at(-1)!)}\n`);
    }
    const peakMb = peaks.map(({ name, peak }) => `${name} ${peak.stop().toFixed(0)} MB`).join(', ');
    const statuses = await settledStatuses(dataDir);
    process.stdout.write(`\n| target | connections | seconds | requests/s | latency p50 ms | latency p99 ms | 2xx | non-2xx | errors |\n`
      + '|---|---:|---:|---:|---:|---:|---:|---:|---:|\n'
      + `${rows.map(formatRow).join('\n')}\n\npeak RSS: ${peakMb}\n`
      + `payments by status: ${JSON.stringify(statuses)}; 2xx answers, warm-up included: ${answered}\n`);
    // Every 2xx is an authorized payment; a few more may be authorized whose answers the end of a run cut off.
    const consistent = Object.keys(statuses).every((status) => status === 'authorized') && (statuses.authorized ?? 0) >= answered;
    if (!consistent || rows.some(({ result }) => result.non2xx > 0 || result.errors > 0)) {
      process.stdout.write('CHECK FAILED: non-2xx answers, errors, or payments that are not authorized\n');
      process.exitCode = 1;
    }
  } finally {
    await Promise.all(services.map((service) => stopService(service)));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
