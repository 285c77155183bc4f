/**
 * The card vault's stores the vault contract runs against, empty for each test: SQLite (its own
 * file in a temp folder per test) and PostgreSQL (a database per test file, emptied before each
 * test). `openAnother()` opens a second instance on the same data, as a second processing server
 * (or the key-rotation command) would.
 */
import path from 'node:path';
import { openPostgresVaultStore, openSqliteVaultStore, VAULT_SQLITE_FILE_NAME } from '../../processing-server/src/vault/storage/index.ts';
import type { VaultStore } from '../../processing-server/src/vault/store.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';
import { repositoryBehindAWorker } from '../helpers/worker-boundary.ts';
import { databasePerFile, describeEachFactory, type Factory } from './stores.ts';

export interface VaultStoreUnderTest {
  name: 'sqlite' | 'postgres';
  store: VaultStore;
  openAnother(): Promise<VaultStore>;
  /** The SQLite file's folder (SQLite only), to scan its bytes. */
  directory: string | null;
  close(): Promise<void>;
}

type VaultStoreFactory = Factory<VaultStoreUnderTest>;

/** The store with every argument and result checked to be plain data and copied, as a worker thread's port would pass them. */
export function asIfBehindAWorker(store: VaultStore): VaultStore {
  return {
    cards: repositoryBehindAWorker('cards', store.cards), keys: repositoryBehindAWorker('keys', store.keys),
    requests: repositoryBehindAWorker('requests', store.requests),
    description: store.description, ping: () => store.ping(), close: () => store.close(),
  };
}

const sqliteFactory: VaultStoreFactory = {
  name: 'sqlite',
  availability: { kind: 'ready' },
  async open() {
    const directory = makeTempDir('vault');
    const filePath = path.join(directory, VAULT_SQLITE_FILE_NAME);
    const opened = [openSqliteVaultStore(filePath)];
    return {
      name: 'sqlite',
      store: asIfBehindAWorker(opened[0]!),
      directory,
      async openAnother() {
        const another = openSqliteVaultStore(filePath);
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

function postgresFactory(): VaultStoreFactory {
  const perFile = databasePerFile();
  return {
    name: 'postgres',
    availability: perFile.availability,
    async open() {
      const { url } = await perFile.empty();
      const opened = [await openPostgresVaultStore(url)];
      return {
        name: 'postgres',
        store: asIfBehindAWorker(opened[0]!),
        directory: null,
        async openAnother() {
          const another = await openPostgresVaultStore(url);
          opened.push(another);
          return asIfBehindAWorker(another);
        },
        close: async () => { await Promise.all(opened.map((store) => store.close())); },
      };
    },
    finish: () => perFile.drop(),
  };
}

const VAULT_STORE_FACTORIES: readonly VaultStoreFactory[] = [sqliteFactory, postgresFactory()];

/** One suite, written once, run against the vault's store on SQLite and on PostgreSQL. */
export function describeEachVaultStore(title: string, body: (current: () => VaultStoreUnderTest) => void): void {
  describeEachFactory(title, VAULT_STORE_FACTORIES, body);
}
