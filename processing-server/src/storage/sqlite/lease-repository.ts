/** The job leases on node:sqlite: read and take in one `BEGIN IMMEDIATE`, so two takers never both win. */
import type { DatabaseSync } from 'node:sqlite';
import type { LeaseRepository } from '../../domain/ports/store.ts';
import type { Row } from '../sql/payment-rows.ts';
import { inTransaction } from './database.ts';

export function createSqliteLeaseRepository(database: DatabaseSync): LeaseRepository {
  const statements = {
    get: database.prepare('SELECT owner, expires_at FROM job_leases WHERE name = ?'),
    upsert: database.prepare(
      'INSERT INTO job_leases (name, owner, expires_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at',
    ),
    release: database.prepare('DELETE FROM job_leases WHERE name = ? AND owner = ?'),
  };

  function acquire(name: string, owner: string, now: string, expiresAt: string): boolean {
    const current = statements.get.get(name) as Row | undefined;
    if (current && current.owner !== owner && String(current.expires_at) > now) return false;
    statements.upsert.run(name, owner, expiresAt);
    return true;
  }

  return {
    acquire: async ({ name, owner, now, expiresAt }) => inTransaction(database, () => acquire(name, owner, now, expiresAt)),
    release: async (name, owner) => { statements.release.run(name, owner); },
  };
}
