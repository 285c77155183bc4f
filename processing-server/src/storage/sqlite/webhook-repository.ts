/**
 * Webhook deliveries on node:sqlite: each step (taking events out of the outbox, claiming due
 * deliveries, recording an attempt) is one `BEGIN IMMEDIATE` transaction. SQLite has one writer
 * at a time, so a claim is never taken twice; the claim token still guards the record, as on
 * PostgreSQL, against a dispatcher whose claim lapsed.
 */
import assert from 'node:assert/strict';
import type { DatabaseSync } from 'node:sqlite';
import type { AttemptRecord, ClaimedDelivery, WebhookRepository } from '../../domain/ports/store.ts';
import { attemptFromRow, deliveryStatusAfter, eventFromRow } from '../sql/event-rows.ts';
import type { Row } from '../sql/payment-rows.ts';
import { inTransaction } from './database.ts';

export function createSqliteWebhookRepository(database: DatabaseSync): WebhookRepository {
  const statements = {
    // The oldest events of the outbox, as one delivery per URL (:urls, a JSON array), due now.
    makeDeliveries: database.prepare(`INSERT INTO webhook_deliveries (event_seq, url, status, attempts, next_attempt_at, created_at)
      SELECT outbox.seq, endpoint.value, 'pending', 0, :now, :now
      FROM (SELECT seq FROM event_outbox ORDER BY seq LIMIT :limit) AS outbox CROSS JOIN json_each(:urls) AS endpoint
      WHERE true -- SQLite needs a WHERE before ON CONFLICT in an INSERT … SELECT, to tell it from a join's ON
      ON CONFLICT (event_seq, url) DO NOTHING`),
    takeFromOutbox: database.prepare('DELETE FROM event_outbox WHERE seq IN (SELECT seq FROM event_outbox ORDER BY seq LIMIT :limit)'),
    claim: database.prepare(`UPDATE webhook_deliveries SET claim = :claim, next_attempt_at = :claimedUntil
      WHERE rowid IN (SELECT rowid FROM webhook_deliveries WHERE status = 'pending' AND url = :url AND next_attempt_at <= :now
                      ORDER BY next_attempt_at LIMIT :limit)
      RETURNING event_seq, url, attempts, first_attempt_at`),
    event: database.prepare('SELECT * FROM events WHERE seq = ?'),
    record: database.prepare(`UPDATE webhook_deliveries SET status = :status, attempts = :attempt, claim = NULL,
        next_attempt_at = COALESCE(:nextAttemptAt, next_attempt_at), first_attempt_at = COALESCE(first_attempt_at, :at)
      WHERE event_seq = :eventSeq AND url = :url AND claim = :claim AND attempts = :attempt - 1 AND status = 'pending'`),
    insertAttempt: database.prepare(`INSERT INTO webhook_attempts (event_seq, url, attempt, status, response_status, error, at)
      VALUES (:eventSeq, :url, :attempt, :status, :responseStatus, :error, :at)`),
    seqOf: database.prepare('SELECT seq FROM events WHERE id = ?'),
    attempts: database.prepare(`SELECT :eventId AS event_id, url, attempt, status, response_status, error, at FROM webhook_attempts
      WHERE event_seq = :eventSeq ORDER BY at, attempt, url`),
    oldest: database.prepare(`SELECT MIN(created_at) AS at FROM events WHERE seq IN (
      (SELECT MIN(seq) FROM event_outbox),
      (SELECT MIN(event_seq) FROM webhook_deliveries WHERE status = 'pending' AND url IN (SELECT value FROM json_each(:urls))))`),
  };

  function fanOut(urls: readonly string[], limit: number, now: string): number {
    if (urls.length > 0) statements.makeDeliveries.run({ urls: JSON.stringify(urls), limit, now });
    return Number(statements.takeFromOutbox.run({ limit }).changes);
  }

  function claimDue(command: { url: string; limit: number; now: string; claim: string; claimedUntil: string }): ClaimedDelivery[] {
    const rows = statements.claim.all(command) as Row[];
    return rows.map((row) => {
      const event = statements.event.get(Number(row.event_seq)) as Row | undefined;
      assert.ok(event, 'a delivery\'s event exists');
      return {
        eventSeq: Number(row.event_seq), url: String(row.url), attempt: Number(row.attempts) + 1,
        firstAttemptAt: row.first_attempt_at === null ? null : String(row.first_attempt_at), claim: command.claim, event: eventFromRow(event),
      };
    });
  }

  function recordAttempt(attempt: AttemptRecord): boolean {
    const changed = Number(statements.record.run({
      status: deliveryStatusAfter(attempt.status), attempt: attempt.attempt, nextAttemptAt: attempt.nextAttemptAt, at: attempt.at,
      eventSeq: attempt.eventSeq, url: attempt.url, claim: attempt.claim,
    }).changes);
    if (changed === 0) return false;
    statements.insertAttempt.run({
      eventSeq: attempt.eventSeq, url: attempt.url, attempt: attempt.attempt, status: attempt.status,
      responseStatus: attempt.responseStatus, error: attempt.error, at: attempt.at,
    });
    return true;
  }

  return {
    fanOut: async ({ urls, limit, now }) => inTransaction(database, () => fanOut(urls, limit, now)),
    claimDue: async (command) => inTransaction(database, () => claimDue(command)),
    recordAttempt: async (attempt) => inTransaction(database, () => recordAttempt(attempt)),
    attemptsOf: async (eventId) => {
      const event = statements.seqOf.get(eventId) as Row | undefined;
      if (!event) return null;
      return (statements.attempts.all({ eventId, eventSeq: Number(event.seq) }) as Row[]).map(attemptFromRow);
    },
    oldestUndelivered: async (urls) => {
      const row = statements.oldest.get({ urls: JSON.stringify(urls) }) as Row;
      return row.at === null ? null : String(row.at);
    },
  };
}
