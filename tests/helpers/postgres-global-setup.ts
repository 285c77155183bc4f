/**
 * Jest global setup: provides the PostgreSQL that the storage tests use, once per test run, and
 * tells the test workers through environment variables (set here, inherited by every worker):
 * - TEST_DATABASE_URL set: that server is used (each test file makes and drops its own databases);
 * - otherwise a temporary cluster is started from the local server binaries;
 * - no binaries: the PostgreSQL suites skip, or fail when CI=true, with a message saying why.
 * Global teardown stops the cluster; an exit or signal handler does it too if the run is cut short.
 */
import pg from 'pg';
import {
  INSTALL_HINT, POSTGRES_TEST_ENV, findPostgresBinDir, startTemporaryCluster, stopTemporaryCluster, type TemporaryCluster,
} from './postgres-cluster.ts';

const CONNECT_TIMEOUT_MS = 5_000;

let cluster: TemporaryCluster | null = null;

function stopOnce(): void {
  const running = cluster;
  cluster = null;
  if (running) stopTemporaryCluster(running);
}

/** Stops the cluster if this process ends without reaching global teardown (Ctrl-C, a crash). */
function stopOnUnexpectedExit(): void {
  process.once('exit', stopOnce);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      stopOnce();
      process.kill(process.pid, signal);
    });
  }
}

async function checkConnection(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function provide(): Promise<void> {
  // What an outer process may have left in the environment must not stand for this run.
  for (const name of Object.values(POSTGRES_TEST_ENV)) delete process.env[name];
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    try {
      await checkConnection(external);
      process.env[POSTGRES_TEST_ENV.adminUrl] = external;
    } catch (error) {
      process.env[POSTGRES_TEST_ENV.failure] = `TEST_DATABASE_URL is set but cannot be reached: ${(error as Error).message}`;
    }
    return;
  }
  const binDir = findPostgresBinDir();
  if (!binDir) {
    const reason = `PostgreSQL server binaries (initdb, pg_ctl) were not found; ${INSTALL_HINT}.`;
    if (process.env.CI === 'true') {
      process.env[POSTGRES_TEST_ENV.failure] = `CI=true and ${reason}`;
      process.stderr.write(`\nPostgreSQL storage tests will FAIL: ${reason}\n`);
    } else {
      process.env[POSTGRES_TEST_ENV.skip] = reason;
      process.stderr.write(`\nPostgreSQL storage tests are skipped: ${reason}\n`);
    }
    return;
  }
  try {
    cluster = await startTemporaryCluster(binDir);
    stopOnUnexpectedExit();
    process.env[POSTGRES_TEST_ENV.adminUrl] = cluster.adminUrl;
    process.env[POSTGRES_TEST_ENV.cluster] = JSON.stringify(cluster);
  } catch (error) {
    process.env[POSTGRES_TEST_ENV.failure] = `a temporary PostgreSQL cluster could not be started from ${binDir}: ${(error as Error).message}`;
  }
}

export default async function globalSetup(): Promise<void> {
  await provide();
}
