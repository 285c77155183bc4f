/**
 * The chaos test: the real processes, a card company and points provider that lose answers, fail
 * and lag, processing servers killed with SIGKILL at random moments, card checkouts and points
 * payments mixed — and then the audit of every promise. One UI server and one processing server
 * on SQLite by default; with `cluster`, two UI servers and three processing servers on
 * PostgreSQL, repeats landing on another UI server than the first post. Used by `npm run chaos`
 * and, smaller, by `npm test`.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import axios from 'axios';
import { auditChaos, type Audit } from './chaos-audit.ts';
import { chaosPointsAccounts, createClients, makeSpecs, postCheckout, seededRandom, type ChaosClients, type CheckoutRecord } from './chaos-driver.ts';
import { paymentsServedPerSlot, saveTopologyLogs, startTopology, type Topology } from './topology.ts';
import { NETWORK_KEY, PROCESSING_KEY } from './processes.ts';

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
  /** Several instances on PostgreSQL; `databaseServerUrl` names a server to make the run's database on (else a throwaway one). */
  cluster?: { uiInstances: number; processingInstances: number; databaseServerUrl?: string | undefined } | undefined;
}

export const CHAOS_DEFAULTS = {
  payments: 2000, concurrency: 20, kills: 3, lostAnswerRate: 0.1, errorRate: 0.05, latencyMs: '0-300', settleTimeoutMs: 120_000,
};

export const CHAOS_CLUSTER = { uiInstances: 2, processingInstances: 3 };

/** How soon a shopper told "pending" reloads the page during the run. */
const RELOAD_AFTER_MS = 300;

export interface ChaosReport extends Audit {
  actions: Record<string, number | string>;
}

/** SIGKILLs at random moments, each of a processing instance picked at random, which starts again on its port. */
async function drive(topology: Topology, records: CheckoutRecord[], options: ChaosOptions, random: () => number): Promise<number> {
  const clients = createClients(topology.uis.map((ui) => ui.url));
  const killPoints = Array.from({ length: options.kills }, () => Math.floor((0.1 + 0.8 * random()) * records.length)).sort((a, b) => a - b);
  let next = 0;
  let done = 0;
  let kills = 0;
  let killing: Promise<void> | null = null;
  const worker = async () => {
    while (next < records.length) {
      const record = records[next]!;
      next += 1;
      // A shopper told "we are confirming" reloads the page at once: the same key, perhaps while
      // the instance that had the first request is down, and on another UI server.
      if (await postCheckout(clients, record) === null) {
        await sleep(RELOAD_AFTER_MS);
        await postCheckout(clients, record);
      }
      done += 1;
      if (kills < killPoints.length && done >= killPoints[kills]! && !killing) {
        kills += 1;
        const slotIndex = Math.floor(random() * topology.slots.length);
        options.log(`chaos: SIGKILL processing instance ${slotIndex + 1} (#${kills}) after ${done} checkouts`);
        killing = topology.killAndRestart(topology.slots[slotIndex]!).finally(() => { killing = null; });
      }
      if (done % Math.max(1, Math.floor(records.length / 10)) === 0) options.log(`chaos: ${done}/${records.length} checkouts`);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  await killing;
  return kills;
}

/** Repeats every unanswered checkout with its key until all have a final answer (bounded). */
async function awaitFinalAnswers(clients: ChaosClients, records: CheckoutRecord[], options: ChaosOptions): Promise<number> {
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

async function settleAll(processingUrl: string, options: ChaosOptions): Promise<string> {
  const deadline = Date.now() + options.settleTimeoutMs;
  while (Date.now() < deadline) {
    const response = await axios.post(`${processingUrl}/v1/settlements`, undefined, {
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

/** The run is over: the audit reads everything back without injected faults in the way. */
async function stopFaults(topology: Topology): Promise<void> {
  await axios.post(`${topology.network.url}/admin/faults`, { latencyMs: 0, errorRate: 0, lostAnswerRate: 0 }, {
    headers: { Authorization: `Bearer ${NETWORK_KEY}` }, timeout: 10_000,
  });
}

/** The promise of several instances besides the rest: every processing instance took part. */
function auditInstances(topology: Topology, audit: Audit): Audit {
  if (topology.slots.length === 1) return audit;
  const served = paymentsServedPerSlot(topology);
  const violations = [...audit.violations];
  served.forEach((count, index) => { if (count === 0) violations.push(`processing instance ${index + 1} served no payment`); });
  return { violations, findings: { ...audit.findings, 'payments served per processing instance': served.join(' / ') } };
}

function describeActions(topology: Topology, records: CheckoutRecord[], facts: { kills: number; rounds: number; runId: string; driveSeconds: number; started: number }, options: ChaosOptions): Record<string, number | string> {
  const told = (status: string) => records.filter((record) => record.final === status).length;
  return {
    'instances (UI / processing)': `${topology.uis.length} / ${topology.slots.length}`, storage: topology.storage,
    checkouts: records.length,
    'of them points payments': records.filter((record) => record.spec.method === 'points').length,
    'HTTP posts to the UI server': records.reduce((sum, record) => sum + record.attempts, 0),
    'answers "pending" (then asked again)': records.reduce((sum, record) => sum + record.pendingAnswers, 0),
    'SIGKILLs of processing instances': facts.kills, 'rounds of asking again': facts.rounds,
    'shoppers told approved': told('approved'), 'told declined': told('declined'), 'told not charged': told('error'),
    'settlement run': facts.runId, 'checkout phase (s)': facts.driveSeconds.toFixed(1), 'total (s)': ((Date.now() - facts.started) / 1000).toFixed(1),
    faults: `lost answers ${options.lostAnswerRate * 100}%, 5xx ${options.errorRate * 100}%, latency ${options.latencyMs} ms`,
  };
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const random = seededRandom(options.seed);
  const runTag = randomUUID().slice(0, 8).toUpperCase();
  const pointsAccounts = chaosPointsAccounts(runTag);
  const topology = await startTopology({
    root: options.root, uiInstances: options.cluster?.uiInstances ?? 1, processingInstances: options.cluster?.processingInstances ?? 1,
    storage: options.cluster ? 'postgres' : 'sqlite',
    databaseServerUrl: options.cluster?.databaseServerUrl, lostAnswerRate: options.lostAnswerRate, errorRate: options.errorRate,
    latencyMs: options.latencyMs, pointsAccounts,
  });
  const records: CheckoutRecord[] = makeSpecs(options.payments, random, runTag, pointsAccounts)
    .map((spec, index) => ({ spec, index, cookie: null, paymentIds: new Set<string>(), final: null, attempts: 0, pendingAnswers: 0, unexpected: null }));
  try {
    options.log(`chaos: ${options.payments} checkouts, concurrency ${options.concurrency}, ${options.kills} kills, seed ${options.seed}, `
      + `UI servers: ${topology.uis.length}, processing servers: ${topology.slots.length}, on ${topology.storage}`);
    const kills = await drive(topology, records, options, random);
    const driveSeconds = (Date.now() - started) / 1000;
    const rounds = await awaitFinalAnswers(createClients(topology.uis.map((ui) => ui.url)), records, options);
    const processingUrl = topology.slots[0]!.current.url;
    const runId = await settleAll(processingUrl, options);
    await stopFaults(topology);
    const audit = auditInstances(topology, await auditChaos({
      processingUrl, processingKey: PROCESSING_KEY, networkUrl: topology.network.url, networkKey: NETWORK_KEY, records, pointsAccounts,
    }));
    if (audit.violations.length > 0 && options.artifactsDir) {
      saveTopologyLogs(topology, options.artifactsDir, records);
      options.log(`chaos: logs of every process written to ${options.artifactsDir}`);
    }
    return { ...audit, actions: describeActions(topology, records, { kills, rounds, runId, driveSeconds, started }, options) };
  } finally {
    await topology.close();
  }
}

export function formatReport(report: ChaosReport): string {
  const rows = (title: string, entries: Record<string, number | string>) => [
    `| ${title} | |`, '|---|---|', ...Object.entries(entries).map(([name, value]) => `| ${name} | ${value} |`),
  ].join('\n');
  const verdict = report.violations.length === 0
    ? 'All invariants hold: no double holds, no orphan holds (card or points), nothing pending, one payment per key, shoppers told the truth, '
      + 'deposits = settled − refunded, every points account = its opening balance − points redeemed, holding only what live payments hold'
      + `${'payments served per processing instance' in report.findings ? ', every processing instance served payments.' : '.'}`
    : `VIOLATIONS (${report.violations.length}):\n${report.violations.map((violation) => `- ${violation}`).join('\n')}`;
  return `${rows('what the chaos run did', report.actions)}\n\n${rows('what it found', report.findings)}\n\n${verdict}\n`;
}
