/**
 * The job leases on PostgreSQL: one row per job, taken with one conditional UPSERT. Of two
 * instances racing for a free or expired lease, the second waits on the row and re-evaluates the
 * condition against the first one's write, so exactly one of them gets a row back.
 */
import assert from 'node:assert/strict';
import type pg from 'pg';
import type { LeaseRepository } from '../../domain/ports/store.ts';
import { queryRows } from './database.ts';
import { SETTLEMENT_SQL as SQL } from './settlement-sql.ts';

export function createPostgresLeaseRepository(pool: pg.Pool): LeaseRepository {
  return {
    acquire: async ({ name, owner, now, expiresAt }) => {
      const [row] = await queryRows(pool, SQL.acquireLease, [name, owner, expiresAt, now]);
      assert.ok(!row || row.owner === owner, 'a lease row returned is ours');
      return row !== undefined;
    },
    release: async (name, owner) => { await pool.query(SQL.releaseLease, [name, owner]); },
  };
}
