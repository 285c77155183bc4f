/** Chooses the store from the configuration: SQLite under DATA_DIR by default, PostgreSQL when DATABASE_URL is set. */
import path from 'node:path';
import type { ProcessingConfig } from '../config.ts';
import { createPostgresPool, describePostgresUrl, migratePostgres } from './postgres/database.ts';
import { createPostgresPaymentRepository } from './postgres/payment-repository.ts';
import { createPostgresSettlementRepository } from './postgres/settlement-repository.ts';
import type { PaymentRepository } from './repository.ts';
import type { SettlementRepository } from './settlement-repository.ts';
import { openSqliteDatabase } from './sqlite/database.ts';
import { createSqlitePaymentRepository } from './sqlite/payment-repository.ts';
import { createSqliteSettlementRepository } from './sqlite/settlement-repository.ts';

export const SQLITE_FILE_NAME = 'processing.sqlite';

export interface Storage {
  repository: PaymentRepository;
  settlements: SettlementRepository;
  /** Human-readable description for the start-up log line (no credentials). */
  description: string;
  close(): Promise<void>;
}

export function openSqliteStorage(filePath: string): Storage {
  const database = openSqliteDatabase(filePath);
  const repository = createSqlitePaymentRepository(database);
  return {
    repository,
    settlements: createSqliteSettlementRepository(database),
    description: `sqlite:${filePath}`,
    close: () => repository.close(),
  };
}

export interface PostgresStorageOptions {
  /** Connections this instance may hold; defaults to POOL_SIZE_MAX_DEFAULT. */
  poolSizeMax?: number;
}

/** Opens a pool on `connectionString` and applies the migrations before anything else uses it. */
export async function openPostgresStorage(connectionString: string, options: PostgresStorageOptions = {}): Promise<Storage> {
  const pool = createPostgresPool({ connectionString, ...options });
  try {
    await migratePostgres(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  const repository = createPostgresPaymentRepository(pool);
  return {
    repository,
    settlements: createPostgresSettlementRepository(pool),
    description: describePostgresUrl(connectionString),
    close: () => repository.close(),
  };
}

export async function openStorage(config: Pick<ProcessingConfig, 'DATA_DIR' | 'DATABASE_URL'> & { DATABASE_POOL_MAX?: number }): Promise<Storage> {
  if (config.DATABASE_URL) {
    return openPostgresStorage(config.DATABASE_URL, config.DATABASE_POOL_MAX ? { poolSizeMax: config.DATABASE_POOL_MAX } : {});
  }
  return openSqliteStorage(path.join(config.DATA_DIR, SQLITE_FILE_NAME));
}
