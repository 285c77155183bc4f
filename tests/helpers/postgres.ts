/**
 * PostgreSQL for tests: whether it is available (decided once by the jest global setup, see
 * postgres-global-setup.ts), and a fresh database per test, so that test files in parallel jest
 * workers never see each other's rows, locks or leases.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Store } from '../../processing-server/src/domain/ports/store.ts';
import { openPostgresStore } from '../../processing-server/src/storage/index.ts';
import { POSTGRES_TEST_ENV } from './postgres-cluster.ts';

export { POSTGRES_TEST_ENV };

export type PostgresAvailability =
  | { kind: 'ready'; adminUrl: string }
  | { kind: 'skip'; reason: string }
  | { kind: 'fail'; reason: string };

export function postgresAvailability(): PostgresAvailability {
  const adminUrl = process.env[POSTGRES_TEST_ENV.adminUrl];
  if (adminUrl) return { kind: 'ready', adminUrl };
  const skip = process.env[POSTGRES_TEST_ENV.skip];
  if (skip) return { kind: 'skip', reason: skip };
  return {
    kind: 'fail',
    reason: process.env[POSTGRES_TEST_ENV.failure]
      ?? 'no PostgreSQL was provided: run the tests through jest.config.cjs, whose global setup starts one',
  };
}

/**
 * `describe` for tests that need PostgreSQL: runs them when it is available; otherwise one test
 * fails with the reason (CI, or a broken setup), or the block is skipped with it in its name.
 */
export function describeWithPostgres(name: string, body: (adminUrl: string) => void): void {
  const availability = postgresAvailability();
  if (availability.kind === 'ready') {
    describe(name, () => body(availability.adminUrl));
  } else if (availability.kind === 'fail') {
    describe(name, () => {
      test('PostgreSQL is available', () => {
        throw new Error(availability.reason);
      });
    });
  } else {
    describe.skip(`${name} (skipped: ${availability.reason})`, () => body(''));
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  /** Empties every table (the schema and its migrations stay): cheaper than a new database per test. */
  reset(): Promise<void>;
  drop(): Promise<void>;
}

let databaseSequence = 0;

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function withClient<Result>(url: string, work: (client: pg.Client) => Promise<Result>): Promise<Result> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function truncateTables(url: string): Promise<void> {
  await withClient(url, async (client) => {
    const { rows } = await client.query<{ name: string }>(
      "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'",
    );
    if (rows.length === 0) return;
    await client.query(`TRUNCATE ${rows.map((row) => `"${row.name}"`).join(', ')} RESTART IDENTITY CASCADE`);
  });
}

/** An empty database of its own on the test server; `drop()` removes it, closing leftover connections. */
export async function createTestDatabase(adminUrl: string): Promise<TestDatabase> {
  databaseSequence += 1;
  // Names are unique across workers (pid) and across runs on a shared TEST_DATABASE_URL server (random).
  const name = `cardlane_test_${process.pid}_${databaseSequence}_${randomBytes(3).toString('hex')}`;
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = withDatabase(adminUrl, name);
  return {
    name,
    url,
    reset: () => truncateTables(url),
    drop: async () => { await withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)); },
  };
}

/**
 * Any number of processing-server stores on one database, each with its own pool, as separate
 * instances of the server would have; `close()` closes them all (and drops the database when the
 * stores own it).
 */
export interface PostgresTestStores {
  database: TestDatabase;
  open(): Promise<Store>;
  close(): Promise<void>;
}

export function storesOn(database: TestDatabase, options: { dropOnClose: boolean }): PostgresTestStores {
  const opened: Store[] = [];
  return {
    database,
    async open() {
      const store = await openPostgresStore(database.url);
      opened.push(store);
      return store;
    },
    async close() {
      await Promise.all(opened.map((store) => store.close()));
      if (options.dropOnClose) await database.drop();
    },
  };
}

/** Stores on a new database of their own, dropped on close. */
export async function createPostgresTestStores(adminUrl: string): Promise<PostgresTestStores> {
  return storesOn(await createTestDatabase(adminUrl), { dropOnClose: true });
}
