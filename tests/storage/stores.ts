/**
 * The stores the storage contract runs against, empty for each test: SQLite (a temp file per
 * test) on the calling thread, the same SQLite store as the processing server runs it (behind its
 * writer thread, with group commit and a read connection), and PostgreSQL (a database per test file, emptied before each test). `openAnother()` opens a second instance on the same
 * data, as a second processing server (or `npm run settle`) would: for PostgreSQL its own pool,
 * for SQLite its own connection to the file.
 */
import path from 'node:path';
import type { Store } from '../../processing-server/src/domain/ports/store.ts';
import { openSqliteStore, openSqliteWriterStore } from '../../processing-server/src/storage/index.ts';
import {
  createTestDatabase, postgresAvailability, storesOn, type PostgresAvailability, type TestDatabase,
} from '../helpers/postgres.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';
import { asIfBehindAWorker } from '../helpers/worker-boundary.ts';

export interface StoreUnderTest {
  store: Store;
  openAnother(): Promise<Store>;
  close(): Promise<void>;
}

export interface StoreFactory {
  name: 'sqlite' | 'sqlite-writer' | 'postgres';
  availability: PostgresAvailability | { kind: 'ready' };
  /** A store with no data in it. */
  open(): Promise<StoreUnderTest>;
  /** After the last test: releases what the factory keeps between tests. */
  finish(): Promise<void>;
}

/** A temp SQLite file per test; `open` opens a store on it (each a connection, or a writer thread, of its own). */
function sqliteFactory(name: 'sqlite' | 'sqlite-writer', open: (filePath: string) => Promise<Store>): StoreFactory {
  return {
    name,
    availability: { kind: 'ready' },
    async open() {
      const directory = makeTempDir('storage');
      const filePath = path.join(directory, 'processing.sqlite');
      const opened = [await open(filePath)];
      return {
        store: asIfBehindAWorker(opened[0]!),
        async openAnother() {
          const another = await open(filePath);
          opened.push(another);
          return asIfBehindAWorker(another);
        },
        async close() {
          await Promise.all(opened.map((store) => store.close()));
          removeDir(directory);
        },
      };
    },
    finish: async () => undefined,
  };
}

/**
 * One database per test file, emptied before each test: creating and migrating a database per
 * test would cost more than the tests. Its migrations run when the first test opens it; later
 * opens find them applied.
 */
function postgresFactory(): StoreFactory {
  const availability = postgresAvailability();
  let database: TestDatabase | null = null;
  return {
    name: 'postgres',
    availability,
    async open() {
      if (availability.kind !== 'ready') throw new Error('PostgreSQL is not available');
      if (database) await database.reset();
      else database = await createTestDatabase(availability.adminUrl);
      const stores = storesOn(database, { dropOnClose: false });
      return { store: asIfBehindAWorker(await stores.open()), openAnother: async () => asIfBehindAWorker(await stores.open()), close: () => stores.close() };
    },
    async finish() {
      await database?.drop();
      database = null;
    },
  };
}

export const STORE_FACTORIES: readonly StoreFactory[] = [
  sqliteFactory('sqlite', async (filePath) => openSqliteStore(filePath)),
  sqliteFactory('sqlite-writer', (filePath) => openSqliteWriterStore(filePath)),
  postgresFactory(),
];

/**
 * One suite of behaviours, written once, run against every store: `body` gets the store of the
 * running test. A store that is not available fails one test with the reason (CI) or is skipped.
 */
export function describeEachStore(title: string, body: (current: () => StoreUnderTest) => void): void {
  describe.each(STORE_FACTORIES.map((factory) => [factory.name, factory] as const))(`${title} (%s)`, (_name, factory) => {
    const { availability } = factory;
    if (availability.kind === 'fail') {
      test('the store is available', () => {
        throw new Error(availability.reason);
      });
      return;
    }
    if (availability.kind === 'skip') {
      test.skip(`skipped: ${availability.reason}`, () => undefined);
      return;
    }
    let store: StoreUnderTest | null = null;
    beforeEach(async () => {
      store = await factory.open();
    });
    afterEach(async () => {
      await store?.close();
      store = null;
    });
    afterAll(() => factory.finish());
    body(() => {
      if (!store) throw new Error('the store is opened before each test');
      return store;
    });
  });
}
