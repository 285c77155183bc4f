/** Chooses the store from the configuration: SQLite under DATA_DIR by default, PostgreSQL when DATABASE_URL is set. */
import path from 'node:path';
import type { ProcessingConfig } from '../config.ts';
import type { Store } from '../domain/ports/store.ts';
import { openPostgresStore } from './postgres/store.ts';
import { openSqliteStore } from './sqlite/store.ts';
import { openSqliteWriterStore, type SqliteWriterOptions, type SqliteWriterStore } from './sqlite/writer.ts';

export { openPostgresStore, openSqliteStore, openSqliteWriterStore, type SqliteWriterStore };

export const SQLITE_FILE_NAME = 'processing.sqlite';

export interface SqliteStoreOptions extends SqliteWriterOptions {
  /**
   * SQLite behind its writer thread (the default: the server's event loop never waits for the
   * disk, and calls that arrive together share one commit), or on the calling thread (a command
   * that is the store's only user, such as `npm run settle`, and keeps its memory that way).
   */
  writerThread?: boolean;
}

export async function openStore(
  config: Pick<ProcessingConfig, 'DATA_DIR' | 'DATABASE_URL'> & { DATABASE_POOL_MAX?: number },
  sqliteOptions: SqliteStoreOptions = {},
): Promise<Store> {
  if (config.DATABASE_URL) {
    return openPostgresStore(config.DATABASE_URL, config.DATABASE_POOL_MAX ? { poolSizeMax: config.DATABASE_POOL_MAX } : {});
  }
  const filePath = path.join(config.DATA_DIR, SQLITE_FILE_NAME);
  return sqliteOptions.writerThread === false ? openSqliteStore(filePath) : openSqliteWriterStore(filePath, sqliteOptions);
}
