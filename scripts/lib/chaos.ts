/**
 * The chaos test: the three real processes, a card company and points provider that lose
 * answers, fail and lag, a processing server killed with SIGKILL at random moments, card
 * checkouts and points payments mixed — and then the audit of every promise. Used by
 * `npm run chaos` and, smaller, by `npm test`.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import axios from 'axios';
import { auditChaos, type Audit } from './chaos-audit.ts';
import {
  chaosPointsAccounts, createClients, makeSpecs, postCheckout, seededRandom, type ChaosClients, type ChaosPointsAccount, type CheckoutRecord,
} from './chaos-driver.ts';
import {
  NETWORK_KEY, PROCESSING_KEY, freePort, startService, stopService, type RunningService,
} from './processes.ts';

export interface ChaosOptions {
  root: string;
  payments: number;
  concurrency: number;
  kills: number;
  seed: number;
  lostAnswerRate: number;
  errorRate: number;
  latencyMs: string;
  /** How long recovery may take after the last checkout before the run gives up. */
  settleTimeoutMs: number;
  log: (line: string) => void;
  /** When set and an invariant fails, every process's log lines are written here. */
  artifactsDir?: string;
}

export const CHAOS_DEFAULTS = {
  payments: 2000, concurrency: 20, kills: 3, lostAnswerRate: 0.1, errorRate: 0.05, latencyMs: '0-300', settleTimeoutMs: 120_000,
};

export interface ChaosReport extends Audit {
  actions: Record<string, number | string>;
}

interface Cluster {
  network: RunningService;
  ui: RunningService;
  processing: RunningService;
  processingPort: number;
  dataDir: string;
  /** The points accounts this run opened at the points provider. */
  pointsAccounts: ChaosPointsAccount[];
  /** Processing servers killed during the run, kept for their logs. */
  retired?: RunningService[];
}

function saveLogs(cluster: Cluster, records: CheckoutRecord[], directory: string, log: (line: string) => void): void {
  fs.mkdirSync(directory, { recursive: true });
  const processing = [...(cluster.retired ?? []), cluster.processing];
  processing.forEach((service, index) => fs.writeFileSync(path.join(directory, `processing-${index + 1}.log`), service.lines.join('\n')));
  fs.writeFileSync(path.join(directory, 'network.log'), cluster.network.lines.join('\n'));
  fs.writeFileSync(path.join(directory, 'ui.log'), cluster.ui.lines.join('\n'));
  fs.writeFileSync(path.join(directory, 'checkouts.json'), JSON.stringify(records.map((record) => ({ ...record, paymentIds: [...record.paymentIds] })), null, 1));
  log(`chaos: logs of every process written to ${directory}`);
}

function processingEnv(dataDir: string, port: number, networkUrl: string): Record<string, string> {
  return {
    DATA_DIR: dataDir, PROCESSING_PORT: String(port), NETWORK_URL: networkUrl, NETWORK_API_KEY: NETWORK_KEY,
    PROCESSING_API_KEY: PROCESSING_KEY, SETTLEMENT_CRON: 'off', CARD_SPEND_LIMIT: '100000000.00',
    RECOVERY_GRACE_MS: '4000', RECOVERY_INTERVAL_MS: '500', LOG_LEVEL: 'info',
  };
}

/** Opens the run's points accounts at the points provider (its admin endpoint, outside the injected faults). */
async function openPointsAccounts(networkUrl: string, accounts: ChaosPointsAccount[]): Promise<void> {
  for (const account of accounts) {
    const response = await axios.post(`${networkUrl}/admin/points-accounts`, account, {
      headers: { Authorization: `Bearer ${NETWORK_KEY}` }, validateStatus: () => true, timeout: 10_000,
    });
    if (response.status !== 201) throw new Error(`could not open points account ${account.accountId}: ${response.status} ${JSON.stringify(response.data)}`);
  }
}

async function startCluster(options: ChaosOptions, runTag: string): Promise<Cluster> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cardlane-chaos-'));
  const network = await startService(options.root, 'network', {
    DATA_DIR: dataDir, NETWORK_PORT: '0', NETWORK_API_KEY: NETWORK_KEY, LOG_LEVEL: 'info',
    NETWORK_FAULT_LOST_ANSWER_RATE: String(options.lostAnswerRate), NETWORK_FAULT_ERROR_RATE: String(options.errorRate),
    NETWORK_FAULT_LATENCY_MS: options.latencyMs,
  });
  const pointsAccounts = chaosPointsAccounts(runTag);
  await openPointsAccounts(network.url, pointsAccounts);
  const processingPort = await freePort();
  const processing = await startService(options.root, 'processing', processingEnv(dataDir, processingPort, network.url));
  const ui = await startService(options.root, 'ui', {
    UI_PORT: '0', PROCESSING_URL: processing.url, NETWORK_PUBLIC_URL: network.url, PROCESSING_API_KEY: PROCESSING_KEY, UI_RATE_LIMIT_PER_MINUTE: '0',
    PROCESSING_TIMEOUT_MS: '10000', LOG_LEVEL: 'info',
  });
  return { network, ui, processing, processingPort, dataDir, pointsAccounts };
}

/** SIGKILL, then start again on the same port (the UI server keeps its PROCESSING_URL). */
async function killAndRestart(cluster: Cluster, options: ChaosOptions): Promise<void> {
  await stopService(cluster.processing, 'SIGKILL');
  cluster.retired?.push(cluster.processing);
  cluster.processing = await startService(options.root, 'processing', processingEnv(cluster.dataDir, cluster.processingPort, cluster.network.url));
}

async function drive(cluster: Cluster, records: CheckoutRecord[], options: ChaosOptions, random: () => number): Promise<number> {
  const clients = clientsOf(cluster);
  const killPoints = Array.from({ length: options.kills }, () => Math.floor((0.1 + 0.8 * random()) * records.length)).sort((a, b) => a - b);
  let next = 0;
  let done = 0;
  let kills = 0;
  let killing: Promise<void> | null = null;
  const worker = async () => {
    while (next < records.length) {
      const record = records[next]!;
      next += 1;
      await postCheckout(clients, record);
      done += 1;
      if (kills < killPoints.length && done >= killPoints[kills]! && !killing) {
        kills += 1;
        options.log(`chaos: SIGKILL processing server #${kills} after ${done} checkouts`);
        killing = killAndRestart(cluster, options).finally(() => { killing = null; });
      }
      if (done % Math.max(1, Math.floor(records.length / 10)) === 0) options.log(`chaos: ${done}/${records.length} checkouts`);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  await killing;
  return kills;
}

/** Repeats every unanswered checkout with its key until all have a final answer (bounded). */
async function awaitFinalAnswers(cluster: Cluster, records: CheckoutRecord[], options: ChaosOptions): Promise<number> {
  const clients = clientsOf(cluster);
  const deadline = Date.now() + options.settleTimeoutMs;
  let rounds = 0;
  while (Date.now() < deadline) {
    const open = records.filter((record) => record.final === null);
    if (open.length === 0) return rounds;
    rounds += 1;
    for (let index = 0; index < open.length; index += options.concurrency) {
      await Promise.all(open.slice(index, index + options.concurrency).map((record) => postCheckout(clients, record)));
    }
    await sleep(1000);
  }
  return rounds;
}

async function settleAll(cluster: Cluster, options: ChaosOptions): Promise<string> {
  const deadline = Date.now() + options.settleTimeoutMs;
  while (Date.now() < deadline) {
    const response = await axios.post(`${cluster.processing.url}/v1/settlements`, undefined, {
      headers: { Authorization: `Bearer ${PROCESSING_KEY}` }, validateStatus: () => true, timeout: 60_000,
    });
    if (response.status === 201 || response.status === 200) return response.status === 201 ? response.data.id : 'nothing to settle';
    if (response.status === 202) {
      await sleep(1000);
      continue;
    }
    options.log(`chaos: settlement answered ${response.status} (${response.data?.code}); trying again`);
    await sleep(1000);
  }
  throw new Error('settlement did not complete in time');
}

/** The processing server comes back on the same port after a kill, so its URL stays good. */
function clientsOf(cluster: Cluster): ChaosClients {
  return createClients(cluster.ui.url, `http://127.0.0.1:${cluster.processingPort}`, PROCESSING_KEY);
}

/** The run is over: the audit reads everything back without injected faults in the way. */
async function stopFaults(cluster: Cluster): Promise<void> {
  await axios.post(`${cluster.network.url}/admin/faults`, { latencyMs: 0, errorRate: 0, lostAnswerRate: 0 }, {
    headers: { Authorization: `Bearer ${NETWORK_KEY}` }, timeout: 10_000,
  });
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const random = seededRandom(options.seed);
  const runTag = randomUUID().slice(0, 8).toUpperCase();
  const cluster = await startCluster(options, runTag);
  const records: CheckoutRecord[] = makeSpecs(options.payments, random, runTag, cluster.pointsAccounts)
    .map((spec) => ({ spec, paymentIds: new Set<string>(), final: null, attempts: 0, pendingAnswers: 0, unexpected: null }));
  cluster.retired = [];
  try {
    options.log(`chaos: ${options.payments} checkouts, concurrency ${options.concurrency}, ${options.kills} kills, seed ${options.seed}`);
    const kills = await drive(cluster, records, options, random);
    const driveSeconds = (Date.now() - started) / 1000;
    const rounds = await awaitFinalAnswers(cluster, records, options);
    const runId = await settleAll(cluster, options);
    await stopFaults(cluster);
    const audit = await auditChaos({
      processingUrl: cluster.processing.url, processingKey: PROCESSING_KEY, networkUrl: cluster.network.url, networkKey: NETWORK_KEY, records,
      pointsAccounts: cluster.pointsAccounts,
    });
    if (audit.violations.length > 0 && options.artifactsDir) saveLogs(cluster, records, options.artifactsDir, options.log);
    const told = (status: string) => records.filter((record) => record.final === status).length;
    return {
      ...audit,
      actions: {
        checkouts: records.length,
        'of them points payments': records.filter((record) => record.spec.method === 'points').length,
        'HTTP posts to the UI server': records.reduce((sum, record) => sum + record.attempts, 0),
        'answers "pending" (then asked again)': records.reduce((sum, record) => sum + record.pendingAnswers, 0),
        'SIGKILLs of the processing server': kills, 'rounds of asking again': rounds,
        'shoppers told approved': told('approved'), 'told declined': told('declined'), 'told not charged': told('error'),
        'settlement run': runId, 'checkout phase (s)': driveSeconds.toFixed(1), 'total (s)': ((Date.now() - started) / 1000).toFixed(1),
        faults: `lost answers ${options.lostAnswerRate * 100}%, 5xx ${options.errorRate * 100}%, latency ${options.latencyMs} ms`,
      },
    };
  } finally {
    await Promise.all([stopService(cluster.ui), stopService(cluster.processing), stopService(cluster.network)]);
    fs.rmSync(cluster.dataDir, { recursive: true, force: true });
  }
}

export function formatReport(report: ChaosReport): string {
  const rows = (title: string, entries: Record<string, number | string>) => [
    `| ${title} | |`, '|---|---|', ...Object.entries(entries).map(([name, value]) => `| ${name} | ${value} |`),
  ].join('\n');
  const verdict = report.violations.length === 0
    ? 'All invariants hold: no double holds, no orphan holds (card or points), nothing pending, one payment per key, shoppers told the truth, '
      + 'deposits = settled − refunded, every points account = its opening balance − points redeemed, holding only what live payments hold.'
    : `VIOLATIONS (${report.violations.length}):\n${report.violations.map((violation) => `- ${violation}`).join('\n')}`;
  return `${rows('what the chaos run did', report.actions)}\n\n${rows('what it found', report.findings)}\n\n${verdict}\n`;
}
