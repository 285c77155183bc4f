/**
 * `npm run start:cluster` end to end: on the test run's PostgreSQL (DATABASE_URL), payments
 * through the UI server reach both processing instances; one is SIGKILLed with payments in flight
 * and the shop goes on, the other's recovery worker resolving what the dead one left pending. On
 * its own local PostgreSQL (a temp DATA_DIR), the script makes the server, stops it last on
 * Ctrl-C, and finds its data again on the next start.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import axios from 'axios';
import { checkoutShopper, paymentsServedBy, startClusterScript, type ClusterScript } from '../helpers/cluster-script.ts';
import { NETWORK_KEY, PROCESSING_KEY, ROOT } from '../helpers/processes.ts';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../helpers/postgres.ts';

const COMMON_ENV = {
  NODE_ENV: 'test', PROCESSING_API_KEY: PROCESSING_KEY, NETWORK_API_KEY: NETWORK_KEY, UI_RATE_LIMIT_PER_MINUTE: '0',
  SETTLEMENT_CRON: 'off', UI_PORT: '0', PROCESSING_PORT: '0', NETWORK_PORT: '0',
};
/** The card company answers after this (within NETWORK_TIMEOUT_MS): long enough to kill an instance while its payments wait. */
const SLOW_NETWORK_MS = 3_000;
const NETWORK_TIMEOUT_MS = 8_000;
/** Recovery leaves a payment to the request working on it this long: past the slow answer. */
const RECOVERY_GRACE_MS = 4_000;

const processingApi = (url: string) => axios.create({ baseURL: url, headers: { Authorization: `Bearer ${PROCESSING_KEY}` }, timeout: 10_000 });

/** A temp folder the postgres user can reach when the tests run as root (mkdtemp makes it private). */
function reachableTempDir(): string {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'cardlane-cluster-'));
  fs.chmodSync(directory, 0o755);
  return directory;
}

async function setNetworkLatency(script: ClusterScript, latencyMs: number): Promise<void> {
  await axios.post(`${script.networkUrl}/admin/faults`, { latencyMs }, { headers: { Authorization: `Bearer ${NETWORK_KEY}` }, timeout: 10_000 });
}

async function pendingPaymentIds(processingUrl: string): Promise<string[]> {
  const { data } = await processingApi(processingUrl).get('/v1/payments', { params: { status: 'pending', limit: 100 } });
  return (data.data as Array<{ id: string }>).map((payment) => payment.id);
}

async function until<Value>(what: string, read: () => Promise<Value>, done: (value: Value) => boolean, timeoutMs = 30_000): Promise<Value> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

describeWithPostgres('npm run start:cluster', (adminUrl) => {
  const dataDirs: string[] = [];
  const scripts: ClusterScript[] = [];
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(adminUrl);
  });

  afterAll(async () => {
    await Promise.all(scripts.map((script) => script.stop('SIGTERM')));
    await database.drop();
    for (const directory of dataDirs) fs.rmSync(directory, { recursive: true, force: true });
  });

  test('when one of two processing instances is SIGKILLed mid-payment, then payments go on and its pending payments are resolved by the other', async () => {
    const dataDir = reachableTempDir();
    dataDirs.push(dataDir);
    const script = await startClusterScript({
      ...COMMON_ENV, DATA_DIR: dataDir, DATABASE_URL: database.url, NETWORK_TIMEOUT_MS: String(NETWORK_TIMEOUT_MS),
      RECOVERY_GRACE_MS: String(RECOVERY_GRACE_MS), RECOVERY_INTERVAL_MS: '300',
    });
    scripts.push(script);
    const pay = checkoutShopper(script.uiUrl);
    const [victim, survivor] = script.processing;
    expect(script.processing).toHaveLength(2);

    const first = await Promise.all(['one', 'two', 'three', 'four'].map((key) => pay(`cluster-${key}`)));
    expect(first.map((answer) => answer.body.status)).toEqual(['approved', 'approved', 'approved', 'approved']);
    // The instances' log lines reach the test through the script, a moment after the answers.
    const served = await until('payments served by each instance', async () => [paymentsServedBy(script, 'proc1'), paymentsServedBy(script, 'proc2')],
      (counts) => counts[0]! + counts[1]! === 4);
    expect(served.every((count) => count > 0)).toBe(true);

    // Four checkouts wait on a slow card company, two on each instance; then one instance dies.
    await setNetworkLatency(script, SLOW_NETWORK_MS);
    const inFlightKeys = ['slow-1', 'slow-2', 'slow-3', 'slow-4'];
    const inFlight = Promise.all(inFlightKeys.map((key) => pay(key)));
    const pendingAtKill = await until('pending payments', () => pendingPaymentIds(survivor!.url), (ids) => ids.length === 4);
    process.kill(victim!.pid, 'SIGKILL');
    const answers = await inFlight;
    await setNetworkLatency(script, 0);

    const approvedIds = answers.filter((answer) => answer.body.status === 'approved').map((answer) => String(answer.body.paymentId));
    const toldPending = inFlightKeys.filter((_key, index) => answers[index]!.body.status === 'pending');
    expect(approvedIds).toHaveLength(2);
    expect(toldPending).toHaveLength(2);
    const leftByVictim = pendingAtKill.filter((id) => !approvedIds.includes(id));

    const after = await Promise.all(['five', 'six', 'seven', 'eight'].map((key) => pay(`cluster-${key}`)));
    expect(after.map((answer) => answer.body.status)).toEqual(['approved', 'approved', 'approved', 'approved']);

    // The shoppers told "pending" ask again with their keys: the survivor answers once its recovery
    // worker resolved the payment from the card company's record, and the answer is what happened
    // (the dead instance's request may never have been read by the card company: then "not charged").
    for (const key of toldPending) {
      const final = await until(`the answer for ${key}`, () => pay(key), (answer) => answer.body.status !== 'pending');
      expect(leftByVictim).toContain(final.body.paymentId);
      const { data: payment } = await processingApi(survivor!.url).get(`/v1/payments/${String(final.body.paymentId)}`);
      if (final.body.status === 'approved') expect(payment.status).toBe('authorized');
      else expect([final.body.status, payment.status]).toEqual(['error', expect.stringMatching(/^(failed|voided)$/)]);
    }
    expect(await pendingPaymentIds(survivor!.url)).toEqual([]);
    const recovered = await until('the survivor\'s recovery log lines', async () => script.linesOf('proc2')
      .filter((record) => String(record.msg).startsWith('recovered a pending payment')).map((record) => String(record.paymentId)).sort(),
    (ids) => ids.length >= leftByVictim.length);
    expect(recovered).toEqual([...leftByVictim].sort());
    expect(script.linesOf('cluster').some((record) => record.msg === 'processing instance ended; the others go on serving' && record.instance === 'proc1')).toBe(true);

    expect(await script.stop('SIGTERM')).toBe(0);
  }, 120_000);

  test('when the cluster keeps its own PostgreSQL in DATA_DIR, then Ctrl-C stops it last and the next start finds the payments made before', async () => {
    const dataDir = reachableTempDir();
    dataDirs.push(dataDir);
    const env = { ...COMMON_ENV, DATA_DIR: dataDir, CLUSTER_PROCESSING_INSTANCES: '1' };
    const firstRun = await startClusterScript(env);
    scripts.push(firstRun);
    const paid = await checkoutShopper(firstRun.uiUrl)('kept-1');
    expect(paid.body.status).toBe('approved');

    expect(await firstRun.stop('SIGINT')).toBe(0);
    const order = firstRun.linesOf('cluster').map((record) => String(record.msg));
    const clusterLines = firstRun.lines.filter((line) => /^\[(cluster|proc1|ui|net)\]/.test(line));
    const lastProcessLine = Math.max(...['proc1', 'ui', 'net'].map((name) => clusterLines.map((line) => line.startsWith(`[${name}]`)).lastIndexOf(true)));
    const postgresStopped = clusterLines.findIndex((line) => line.includes('local PostgreSQL stopped'));
    expect(order[0]).toBe('local PostgreSQL made (initdb) and started');
    expect(postgresStopped).toBeGreaterThan(lastProcessLine);
    expect(fs.existsSync(path.join(dataDir, 'postgres', 'data', 'postmaster.pid'))).toBe(false);

    const secondRun = await startClusterScript(env);
    scripts.push(secondRun);
    const { data: payment } = await processingApi(secondRun.processing[0]!.url).get(`/v1/payments/${String(paid.body.paymentId)}`);
    // A third start on the same DATA_DIR while the second runs finds its PostgreSQL and says so.
    const third = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'run.mjs'), 'cluster'], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 30_000 });

    expect(secondRun.linesOf('cluster')[0]?.msg).toBe('local PostgreSQL started again (its data kept from the last run)');
    expect(payment.status).toBe('authorized');
    expect(third.status).toBe(1);
    expect(third.stderr).toMatch(/^start:cluster: a PostgreSQL server \(pid \d+\) is already running in /);
    expect(await secondRun.stop('SIGTERM')).toBe(0);
  }, 120_000);
});

describe('npm run start:cluster without PostgreSQL', () => {
  test('when the server binaries cannot be found and DATABASE_URL is unset, then one line says how to install them and nothing starts', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cardlane-cluster-'));
    try {
      const result = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'run.mjs'), 'cluster'], {
        env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, POSTGRES_BIN_DIR: path.join(dataDir, 'no-such-folder') }, encoding: 'utf8', timeout: 30_000,
      });

      expect(result.status).toBe(1);
      expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringContaining('apt-get install -y postgresql')]);
      expect(result.stdout).toBe('');
      expect(fs.readdirSync(dataDir)).toEqual([]);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
