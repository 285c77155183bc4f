/** The store on PostgreSQL: every repository over one bounded pool, migrated before first use. */
import type { Store } from '../../domain/ports/store.ts';
import { createPostgresAdjustmentRepository } from './adjustment-repository.ts';
import { createPostgresPool, describePostgresUrl, migratePostgres } from './database.ts';
import { createPostgresLeaseRepository } from './lease-repository.ts';
import { createPostgresPaymentRepositories } from './payment-repository.ts';
import { createPostgresRefundRepository } from './refund-repository.ts';
import { createPostgresSettlementRepository } from './settlement-repository.ts';

export interface PostgresStoreOptions {
  /** Connections this instance may hold; defaults to POOL_SIZE_MAX_DEFAULT. */
  poolSizeMax?: number;
}

/** Opens a pool on `connectionString` and applies the migrations before anything else uses it. */
export async function openPostgresStore(connectionString: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const pool = createPostgresPool({ connectionString, ...options });
  try {
    await migratePostgres(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  let closed: Promise<void> | null = null;
  return {
    ...createPostgresPaymentRepositories(pool),
    adjustments: createPostgresAdjustmentRepository(pool),
    refunds: createPostgresRefundRepository(pool),
    settlements: createPostgresSettlementRepository(pool),
    leases: createPostgresLeaseRepository(pool),
    description: describePostgresUrl(connectionString),
    ping: async () => { await pool.query('SELECT 1'); },
    // Ending a pool twice would throw; a second close waits for the first.
    close: () => {
      closed ??= pool.end();
      return closed;
    },
  };
}
