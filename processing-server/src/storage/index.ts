/** Chooses the store from the configuration: SQLite under DATA_DIR by default. */
import path from 'node:path';
import type { ProcessingConfig } from '../config.ts';
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

export async function openStorage(config: Pick<ProcessingConfig, 'DATA_DIR' | 'DATABASE_URL'>): Promise<Storage> {
  if (config.DATABASE_URL) {
    throw new Error('DATABASE_URL is set, but this build of the processing server stores payments in SQLite only; unset DATABASE_URL.');
  }
  return openSqliteStorage(path.join(config.DATA_DIR, SQLITE_FILE_NAME));
}
