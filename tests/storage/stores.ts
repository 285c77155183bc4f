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
import { openPostgresVaultStore, openSqliteVaultStore, VAULT_SQLITE_FILE_NAME } from '../../processing-server/src/vault/storage/index.ts';
import type { VaultStore } from '../../processing-server/src/vault/store.ts';
import {
  createTestDatabase, postgresAvailability, storesOn, type PostgresAvailability, type TestDatabase,
} from '../helpers/postgres.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';
import { asIfBehindAWorker } from '../helpers/worker-boundary.ts';

export interface StoreUnderTest {
  store: Store;
  openAnother(): Promise<Store>;
  /** The card vault's store beside it: its own file next to the SQLite one, or its tables in the same PostgreSQL database. */
  openVault(): Promise<VaultStore>;
  close(): Promise<void>;
}

export type StoreFactory = Factory<StoreUnderTest>;

/** A temp SQLite file per test; `open` opens a store on it (each a connection, or a writer thread, of its own). */
function sqliteFactory(name: 'sqlite' | 'sqlite-writer', open: (filePath: string) => Promise<Store>): StoreFactory {
  return {
    name,
    availability: { kind: 'ready' },
    async open() {
      const directory = makeTempDir('storage');
      const filePath = path.join(directory, 'processing.sqlite');
      const first = await open(filePath);
      const opened: Array<{ close(): Promise<void> }> = [first];
      return {
        store: asIfBehindAWorker(first),
        async openAnother() {
          const another = await open(filePath);
          opened.push(another);
          return asIfBehindAWorker(another);
        },
        async openVault() {
          const vault = openSqliteVaultStore(path.join(directory, VAULT_SQLITE_FILE_NAME));
          opened.push(vault);
          return vault;
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
export function databasePerFile(): { availability: PostgresAvailability; empty(): Promise<TestDatabase>; drop(): Promise<void> } {
  const availability = postgresAvailability();
  let database: TestDatabase | null = null;
  return {
    availability,
    async empty() {
      if (availability.kind !== 'ready') throw new Error('PostgreSQL is not available');
      if (database) await database.reset();
      else database = await createTestDatabase(availability.adminUrl);
      return database;
    },
    async drop() {
      await database?.drop();
      database = null;
    },
  };
}

function postgresFactory(): StoreFactory {
  const perFile = databasePerFile();
  return {
    name: 'postgres',
    availability: perFile.availability,
    async open() {
      const database = await perFile.empty();
      const stores = storesOn(database, { dropOnClose: false });
      const vaults: VaultStore[] = [];
      const url = database.url;
      return {
        store: asIfBehindAWorker(await stores.open()),
        openAnother: async () => asIfBehindAWorker(await stores.open()),
        async openVault() {
          const vault = await openPostgresVaultStore(url);
          vaults.push(vault);
          return vault;
        },
        close: async () => {
          await Promise.all(vaults.map((vault) => vault.close()));
          await stores.close();
        },
      };
    },
    finish: () => perFile.drop(),
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
  describeEachFactory(title, STORE_FACTORIES, body);
}

/** What a suite run against several stores needs of each: its name, whether it can run, and a fresh store per test. */
export interface Factory<Opened extends { close(): Promise<void> }> {
  name: string;
  availability: PostgresAvailability | { kind: 'ready' };
  /** A store with no data in it. */
  open(): Promise<Opened>;
  /** After the last test: releases what the factory keeps between tests. */
  finish(): Promise<void>;
}

/** `body` once per factory: a store opened before each test and closed after it. */
export function describeEachFactory<Opened extends { close(): Promise<void> }>(
  title: string, factories: readonly Factory<Opened>[], body: (current: () => Opened) => void,
): void {
  describe.each(factories.map((factory) => [factory.name, factory] as const))(`${title} (%s)`, (_name, factory) => {
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
    let store: Opened | null = null;
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
