/** The store on one SQLite file: every repository over one connection. */
import type { Store } from '../../domain/ports/store.ts';
import { createSqliteAdjustmentRepository } from './adjustment-repository.ts';
import { openSqliteDatabase } from './database.ts';
import { createSqliteLeaseRepository } from './lease-repository.ts';
import { createSqlitePaymentRepositories } from './payment-repository.ts';
import { createSqliteRefundRepository } from './refund-repository.ts';
import { createSqliteSettlementRepository } from './settlement-repository.ts';

export function openSqliteStore(filePath: string): Store {
  const database = openSqliteDatabase(filePath);
  return {
    ...createSqlitePaymentRepositories(database),
    adjustments: createSqliteAdjustmentRepository(database),
    refunds: createSqliteRefundRepository(database),
    settlements: createSqliteSettlementRepository(database),
    leases: createSqliteLeaseRepository(database),
    description: `sqlite:${filePath}`,
    ping: async () => { database.prepare('SELECT 1').get(); },
    close: async () => { if (database.isOpen) database.close(); },
  };
}
