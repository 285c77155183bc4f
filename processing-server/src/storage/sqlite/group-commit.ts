/**
 * Group commit: the calls that arrived together share one transaction and one commit, so one
 * wait for the disk (synchronous=FULL) makes all of them durable. Each call runs in a savepoint
 * of its own, so its checks (the idempotency key, the spending limit, a status guard) are atomic
 * for it exactly as in a transaction of its own, and its error rolls back its own writes only.
 * Nothing is reported before the COMMIT has returned: a caller told "done" finds its write on
 * disk, and if the commit fails every call of the group is told so.
 */
import type { DatabaseSync } from 'node:sqlite';

/** A call of the store on this connection. It must do its work synchronously (node:sqlite is). */
export type GroupCall = () => unknown;

export type CallOutcome = { ok: true; value: unknown } | { ok: false; error: unknown };

function rollbackIfOpen(database: DatabaseSync): void {
  if (database.isTransaction) database.exec('ROLLBACK');
}

function commitOrFail(database: DatabaseSync, outcomes: CallOutcome[]): CallOutcome[] {
  try {
    database.exec('COMMIT');
    return outcomes;
  } catch (error) {
    rollbackIfOpen(database);
    return outcomes.map((outcome) => (outcome.ok ? { ok: false, error } : outcome));
  }
}

/** One call alone: a plain transaction, with no savepoint to keep. */
async function commitOne(database: DatabaseSync, call: GroupCall): Promise<CallOutcome[]> {
  database.exec('BEGIN IMMEDIATE');
  let value: unknown;
  try {
    value = await call();
  } catch (error) {
    rollbackIfOpen(database);
    return [{ ok: false, error }];
  }
  return commitOrFail(database, [{ ok: true, value }]);
}

/**
 * Runs `calls` in order in one transaction, each in its own savepoint, and commits once. Returns
 * one outcome per call, in order. A call's error is its own outcome; an error that ends the whole
 * transaction (a full disk, an I/O error: SQLite rolls everything back) or a failed COMMIT is the
 * outcome of every call of the group, since none of their writes were kept.
 */
export async function commitGroup(database: DatabaseSync, calls: readonly GroupCall[]): Promise<CallOutcome[]> {
  try {
    if (calls.length === 1) return await commitOne(database, calls[0]!);
    database.exec('BEGIN IMMEDIATE');
  } catch (error) {
    // The write lock was not had (another process held it past busy_timeout): nothing ran.
    return calls.map(() => ({ ok: false, error }));
  }
  const outcomes: CallOutcome[] = [];
  for (const call of calls) {
    database.exec('SAVEPOINT call');
    try {
      // Awaited one by one: a store method is synchronous inside, so no other call interleaves.
      const value = await call();
      database.exec('RELEASE call');
      outcomes.push({ ok: true, value });
    } catch (error) {
      if (!database.isTransaction) return calls.map(() => ({ ok: false, error }));
      database.exec('ROLLBACK TO call; RELEASE call');
      outcomes.push({ ok: false, error });
    }
  }
  return commitOrFail(database, outcomes);
}
