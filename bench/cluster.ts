/**
 * Scale-out benchmark (not part of npm test): payments per second with 1, 2 and 3 processing
 * instances on one PostgreSQL, the card company answering in 50–150 ms, and a fixed number of
 * connections per instance, so that the offered load grows with the instances. Each instance
 * count gets fresh processes and a fresh database; the load goes straight to the processing API
 * (`POST /v1/payments`, a fresh idempotency key and one of 1,000 cards per request), spread evenly
 * over the instances. Reports payments/s, latency p50/p99, the CPU each process used (in cores:
 * CPU seconds per second of the run) and the machine's load average before and after, since the
 * machine may be shared.
 *
 *   npm run bench:cluster -- [--instances 1,2,3] [--connections 10] [--duration 10] [--warmup 2] [--repeat 1] [--latency 50-150]
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { findPostgresBinDir, startTemporaryCluster, stopTemporaryCluster, type PostgresServer } from '../scripts/lib/postgres-server.ts';
import { PROCESSING_KEY } from '../scripts/lib/processes.ts';
import { startTopology, type Topology } from '../scripts/lib/topology.ts';
import { closedLoop, percentile, type LoadRequest } from './lib/closed-loop.ts';
import { cpuSeconds, postmasterPid, treeCpuSeconds } from './lib/cpu.ts';
import { machineDescription, median, parseFlags } from './lib/measure.ts';
import { cardNumber } from './lib/seed.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const AMOUNT_MINOR = 1000;

const flags = parseFlags(process.argv.slice(2), { instances: '1,2,3', connections: '10', duration: '10', warmup: '2', repeat: '1', latency: '50-150' });
const instanceCounts = flags.instances!.split(',').map(Number);
const connections = Number(flags.connections);
const durationSeconds = Number(flags.duration);
const warmupSeconds = Number(flags.warmup);
const repeat = Number(flags.repeat);
if (instanceCounts.some((count) => !(count >= 1 && count <= 8)) || !(connections >= 1 && connections <= 200)
  || !(durationSeconds >= 1 && durationSeconds <= 120) || !(warmupSeconds >= 0 && warmupSeconds <= 30) || !(repeat >= 1 && repeat <= 10)
  || !/^\d+(-\d+)?$/.test(flags.latency!)) {
  throw new Error('usage: --instances 1,2,3 (1..8 each) --connections 1..200 --duration 1..120 --warmup 0..30 --repeat 1..10 --latency N or MIN-MAX');
}

const cards = Array.from({ length: 1000 }, (_unused, index) => cardNumber(200_000 + index));
const expYear = new Date().getUTCFullYear() + 3;
let sent = 0;

function paymentRequest(): LoadRequest {
  sent += 1;
  return {
    path: '/v1/payments',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${PROCESSING_KEY}`, 'idempotency-key': randomUUID() },
    body: JSON.stringify({
      amount: AMOUNT_MINOR, currency: 'USD', description: 'benchmark',
      card: { number: cards[sent % cards.length], expMonth: 12, expYear, cvv: '123', holderName: 'Bench Shopper' },
    }),
  };
}

interface Row {
  round: number;
  instances: number;
  paymentsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  statuses: Record<string, number>;
  errors: number;
  /** Cores used during the measured window, by process. */
  cores: { processing: number[]; postgres: number; network: number; loadGenerator: number };
  loadBefore: number;
  loadAfter: number;
}

/** CPU seconds of every process of the run, read twice around the measured window. */
function cpuSnapshot(topology: Topology, postgres: PostgresServer): { processing: number[]; postgres: number; network: number; loadGenerator: number } {
  const self = process.cpuUsage();
  return {
    processing: topology.slots.map((slot) => cpuSeconds(slot.current.child.pid!)),
    postgres: treeCpuSeconds(postmasterPid(postgres.dataDir)),
    network: cpuSeconds(topology.network.child.pid!),
    loadGenerator: (self.user + self.system) / 1e6,
  };
}

async function measure(round: number, instances: number, postgres: PostgresServer): Promise<Row> {
  const topology = await startTopology({
    root: ROOT, uiInstances: 0, processingInstances: instances, storage: 'postgres', databaseServerUrl: postgres.adminUrl,
    lostAnswerRate: 0, errorRate: 0, latencyMs: flags.latency!, pointsAccounts: [],
  });
  try {
    const targets = topology.slots.map((slot) => slot.current.url);
    const load = (seconds: number) => closedLoop({ targets, connectionsPerTarget: connections, durationMs: seconds * 1000, request: paymentRequest });
    if (warmupSeconds > 0) await load(warmupSeconds);
    const loadBefore = os.loadavg()[0]!;
    const before = cpuSnapshot(topology, postgres);
    const result = await load(durationSeconds);
    const after = cpuSnapshot(topology, postgres);
    const perSecond = (seconds: number) => seconds / result.seconds;
    const sorted = [...result.latenciesMs].sort((left, right) => left - right);
    return {
      round, instances, paymentsPerSecond: (result.statuses['201'] ?? 0) / result.seconds,
      p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), statuses: result.statuses, errors: result.errors,
      cores: {
        processing: after.processing.map((seconds, index) => perSecond(seconds - before.processing[index]!)),
        postgres: perSecond(after.postgres - before.postgres), network: perSecond(after.network - before.network),
        loadGenerator: perSecond(after.loadGenerator - before.loadGenerator),
      },
      loadBefore, loadAfter: os.loadavg()[0]!,
    };
  } finally {
    await topology.close();
  }
}

function formatRow(row: Row): string {
  const cores = row.cores;
  const others = Object.entries(row.statuses).filter(([status]) => status !== '201').map(([status, count]) => `${status}: ${count}`);
  return `| ${row.round} | ${row.instances} | ${row.instances * connections} | ${row.paymentsPerSecond.toFixed(0)} | ${row.p50Ms.toFixed(0)} | ${row.p99Ms.toFixed(0)} | `
    + `${cores.processing.map((value) => value.toFixed(2)).join(' + ')} | ${cores.postgres.toFixed(2)} | ${cores.network.toFixed(2)} | ${cores.loadGenerator.toFixed(2)} | `
    + `${row.loadBefore.toFixed(1)} → ${row.loadAfter.toFixed(1)} | ${[...others, ...(row.errors > 0 ? [`errors: ${row.errors}`] : [])].join(', ') || '—'} |`;
}

const HEADER = '| round | processing instances | connections | payments/s | p50 ms | p99 ms | CPU cores: processing (each) | PostgreSQL | simulator | load generator | load average (1 min) before → after | other answers |\n'
  + '|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|---|';

async function main(): Promise<void> {
  process.stdout.write(`machine: ${machineDescription()}\n`);
  const binDir = findPostgresBinDir(process.env.POSTGRES_BIN_DIR, process.env.PATH);
  if (!binDir) throw new Error('PostgreSQL server binaries were not found (apt-get install -y postgresql, or POSTGRES_BIN_DIR)');
  const postgres = await startTemporaryCluster(binDir);
  const client = new pg.Client({ connectionString: postgres.adminUrl, connectionTimeoutMillis: 10_000, query_timeout: 10_000 });
  await client.connect();
  process.stdout.write(`PostgreSQL ${(await client.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version} (throwaway, fsync off); `
    + `card company latency ${flags.latency} ms; ${connections} connections per processing instance; ${durationSeconds} s measured after ${warmupSeconds} s of warm-up\n\n${HEADER}\n`);
  await client.end();
  const rows: Row[] = [];
  try {
    for (let round = 1; round <= repeat; round += 1) {
      for (const instances of instanceCounts) {
        rows.push(await measure(round, instances, postgres));
        process.stdout.write(`${formatRow(rows.at(-1)!)}\n`);
      }
    }
  } finally {
    stopTemporaryCluster(postgres);
  }
  process.stdout.write('\n| processing instances | payments/s, median of the rounds | p99 ms, median |\n|---:|---:|---:|\n');
  for (const instances of instanceCounts) {
    const own = rows.filter((row) => row.instances === instances);
    process.stdout.write(`| ${instances} | ${median(own.map((row) => row.paymentsPerSecond)).toFixed(0)} | ${median(own.map((row) => row.p99Ms)).toFixed(0)} |\n`);
  }
  if (rows.some((row) => row.errors > 0 || Object.keys(row.statuses).some((status) => status !== '201'))) {
    process.stdout.write('CHECK: some answers were not 201 (see "other answers")\n');
    process.exitCode = 1;
  }
}

await main();
