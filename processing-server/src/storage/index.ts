/** Chooses the store from the configuration: SQLite under DATA_DIR by default, PostgreSQL when DATABASE_URL is set. */
import path from 'node:path';
import type { ProcessingConfig } from '../config.ts';
import type { Store } from '../domain/ports/store.ts';
import { openPostgresStore } from './postgres/store.ts';
import { openSqliteStore } from './sqlite/store.ts';

export { openPostgresStore, openSqliteStore };

export const SQLITE_FILE_NAME = 'processing.sqlite';

export async function openStore(config: Pick<ProcessingConfig, 'DATA_DIR' | 'DATABASE_URL'> & { DATABASE_POOL_MAX?: number }): Promise<Store> {
  if (config.DATABASE_URL) {
    return openPostgresStore(config.DATABASE_URL, config.DATABASE_POOL_MAX ? { poolSizeMax: config.DATABASE_POOL_MAX } : {});
  }
  return openSqliteStore(path.join(config.DATA_DIR, SQLITE_FILE_NAME));
}
