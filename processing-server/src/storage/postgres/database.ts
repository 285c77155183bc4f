/**
 * The processing server's PostgreSQL connection pool: bounded in size, with connection, statement
 * and idle-in-transaction timeouts, and the migrations applied in order under an advisory lock
 * so that two instances starting together do not both apply them.
 */
import assert from 'node:assert/strict';
import pg from 'pg';
import { POSTGRES_MIGRATIONS, type Migration } from './migrations.ts';

export type Row = Record<string, unknown>;

/** Anything that runs a query: the pool (one statement, autocommit) or a client inside a transaction. */
export type Queryable = pg.Pool | pg.PoolClient;

export interface PostgresPoolOptions {
  connectionString: string;
  /** Connections per instance; several instances share the server's max_connections. */
  poolSizeMax?: number;
  connectionTimeoutMs?: number;
  statementTimeoutMs?: number;
}

export const POOL_SIZE_MAX_DEFAULT = 10;
const CONNECTION_TIMEOUT_MS = 5_000;
// Long enough for a 5,000-item batch update or a run's item assignment; a statement that takes
// longer than this is stuck (a lock wait included) and is better failed and retried.
const STATEMENT_TIMEOUT_MS = 15_000;
// A transaction never waits for the network in this code; an idle open one is a bug or a dead client.
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 30_000;
const IDLE_CONNECTION_TIMEOUT_MS = 30_000;

/** The two-key advisory lock space is apart from the one-key space the spending limit uses. */
const MIGRATION_LOCK = { namespace: 0x63617264, id: 1 } as const;

export function createPostgresPool(options: PostgresPoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSizeMax ?? POOL_SIZE_MAX_DEFAULT,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? CONNECTION_TIMEOUT_MS,
    idleTimeoutMillis: IDLE_CONNECTION_TIMEOUT_MS,
    statement_timeout: options.statementTimeoutMs ?? STATEMENT_TIMEOUT_MS,
    idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
    application_name: 'cardlane-processing',
    keepAlive: true,
  });
  // An idle connection that the server drops (restart, failover) is discarded by the pool and the
  // next query opens a new one; without a listener the 'error' event would crash the process.
  // A lasting outage shows as failing queries and a failing /readyz.
  pool.on('error', () => undefined);
  return pool;
}

/** Runs `work` in one transaction on one connection: COMMIT when it resolves, ROLLBACK when it throws. */
export async function inTransaction<Result>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<Result>): Promise<Result> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackError) {
      // The connection is unusable; release(error) destroys it instead of returning it to the pool.
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    }
    throw error;
  } finally {
    client.release(broken);
  }
}

export async function queryRows(database: Queryable, text: string, values: unknown[] = []): Promise<Row[]> {
  const result = await database.query<Row>(text, values);
  return result.rows;
}

/** A BIGINT or NUMERIC that node-postgres hands back as a string, as a safe JavaScript integer. */
export function toSafeInteger(value: unknown): number {
  const number = Number(value ?? 0);
  assert.ok(Number.isSafeInteger(number), `${String(value)} is not a safe integer`);
  return number;
}

/**
 * Applies the migrations this build knows and the database lacks, each in its own transaction.
 * A session-level advisory lock makes a second instance wait until the first is done. On
 * failure the connection is destroyed rather than returned, which also releases the lock.
 */
export async function migratePostgres(pool: pg.Pool, migrations: readonly Migration[] = POSTGRES_MIGRATIONS): Promise<number[]> {
  // Ascending, but not necessarily without gaps: a version is a name, and what matters is that
  // each one is applied once, in order.
  for (const [index, migration] of migrations.entries()) {
    assert.ok(Number.isSafeInteger(migration.version) && migration.version > (migrations[index - 1]?.version ?? 0), 'migrations are numbered in ascending order');
  }
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1, $2)', [MIGRATION_LOCK.namespace, MIGRATION_LOCK.id]);
    const appliedNow = await applyMissing(client, migrations);
    await client.query('SELECT pg_advisory_unlock($1, $2)', [MIGRATION_LOCK.namespace, MIGRATION_LOCK.id]);
    client.release();
    return appliedNow;
  } catch (error) {
    client.release(error instanceof Error ? error : new Error(String(error)));
    throw error;
  }
}

async function applyMissing(client: pg.PoolClient, migrations: readonly Migration[]): Promise<number[]> {
  await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  const rows = await queryRows(client, 'SELECT version FROM schema_migrations');
  const applied = new Set(rows.map((row) => Number(row.version)));
  const appliedNow: number[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    await client.query('BEGIN');
    try {
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [migration.version, new Date().toISOString()]);
      await client.query('COMMIT');
    } catch (error) {
      // The caller destroys this connection; the migration's own error is the one worth reporting.
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    appliedNow.push(migration.version);
  }
  return appliedNow;
}

/** The URL without its password or query (which may carry one): for logs and `Storage.description`. */
export function describePostgresUrl(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    const user = url.username ? `${decodeURIComponent(url.username)}@` : '';
    return `postgres://${user}${url.host}${url.pathname}`;
  } catch {
    return 'postgres (connection string not shown)';
  }
}
