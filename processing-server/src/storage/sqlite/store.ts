/** The store on one SQLite file: every repository over one connection, writing events through one writer. */
import type { Store } from '../../domain/ports/store.ts';
import { createSqliteAdjustmentRepository } from './adjustment-repository.ts';
import { openSqliteDatabase } from './database.ts';
import { createSqliteEventRepository, createSqliteEventWriter } from './event-repository.ts';
import { createSqliteLeaseRepository } from './lease-repository.ts';
import { createSqlitePaymentRepositories } from './payment-repository.ts';
import { createSqliteRefundRepository } from './refund-repository.ts';
import { createSqliteSettlementRepository } from './settlement-repository.ts';
import { createSqliteWebhookRepository } from './webhook-repository.ts';

export function openSqliteStore(filePath: string): Store {
  const database = openSqliteDatabase(filePath);
  const events = createSqliteEventWriter(database);
  return {
    ...createSqlitePaymentRepositories(database, events),
    adjustments: createSqliteAdjustmentRepository(database, events),
    refunds: createSqliteRefundRepository(database, events),
    settlements: createSqliteSettlementRepository(database, events),
    leases: createSqliteLeaseRepository(database),
    events: createSqliteEventRepository(database),
    webhooks: createSqliteWebhookRepository(database),
    description: `sqlite:${filePath}`,
    ping: async () => { database.prepare('SELECT 1').get(); },
    close: async () => { if (database.isOpen) database.close(); },
  };
}
