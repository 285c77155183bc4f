/** Chooses the store from the configuration: SQLite under DATA_DIR by default, PostgreSQL when DATABASE_URL is set. */
import path from 'node:path';
import type { ProcessingConfig } from '../config.ts';
import type { Store } from '../domain/ports/store.ts';
import { openPostgresStore } from './postgres/store.ts';
import { openSqliteStore } from './sqlite/store.ts';
import { openSqliteWriterStore, type SqliteWriterOptions } from './sqlite/writer.ts';

export { openPostgresStore, openSqliteStore, openSqliteWriterStore };

export const SQLITE_FILE_NAME = 'processing.sqlite';

/**
 * SQLite runs behind its writer thread (sqlite/writer.ts): its commits wait for the disk there,
 * not on the event loop, and calls that arrive together share one commit.
 */
export async function openStore(
  config: Pick<ProcessingConfig, 'DATA_DIR' | 'DATABASE_URL'> & { DATABASE_POOL_MAX?: number },
  sqliteOptions: SqliteWriterOptions = {},
): Promise<Store> {
  if (config.DATABASE_URL) {
    return openPostgresStore(config.DATABASE_URL, config.DATABASE_POOL_MAX ? { poolSizeMax: config.DATABASE_POOL_MAX } : {});
  }
  return openSqliteWriterStore(path.join(config.DATA_DIR, SQLITE_FILE_NAME), sqliteOptions);
}
