/**
 * The store on one SQLite file: every repository over one connection, writing events through one
 * writer, run on the thread that calls it. The processing server runs this same store on a writer
 * thread (writer.ts), which holds the connection to commit groups of calls, and reads on a second
 * connection of its own.
 */
import type { DatabaseSync } from 'node:sqlite';
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
  return sqliteStoreOn(openSqliteDatabase(filePath), filePath);
}

/** The store over a connection the caller opened (the writer thread, a read connection). */
export function sqliteStoreOn(database: DatabaseSync, filePath: string): Store {
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
