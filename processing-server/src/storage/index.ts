/** Chooses the store from the configuration: SQLite under DATA_DIR by default. */
import path from 'node:path';
import type { ProcessingConfig } from '../config.ts';
import type { PaymentRepository } from './repository.ts';
import { openSqliteDatabase } from './sqlite/database.ts';
import { createSqlitePaymentRepository } from './sqlite/payment-repository.ts';

export const SQLITE_FILE_NAME = 'processing.sqlite';

export async function openRepository(config: Pick<ProcessingConfig, 'DATA_DIR' | 'DATABASE_URL'>): Promise<PaymentRepository> {
  if (config.DATABASE_URL) {
    throw new Error('DATABASE_URL is set, but this build of the processing server stores payments in SQLite only; unset DATABASE_URL.');
  }
  return createSqlitePaymentRepository(openSqliteDatabase(path.join(config.DATA_DIR, SQLITE_FILE_NAME)));
}
