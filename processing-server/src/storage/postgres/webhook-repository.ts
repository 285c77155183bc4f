/**
 * Webhook deliveries on PostgreSQL, for any number of instances on one database: events leave
 * the outbox and due deliveries are claimed with `FOR UPDATE SKIP LOCKED` (an instance passes over
 * rows another one is taking, instead of waiting or taking them too), and an attempt is recorded
 * only under the claim that made it. Each step is one statement.
 */
import type pg from 'pg';
import type { AttemptRecord, ClaimedDelivery, WebhookRepository } from '../../domain/ports/store.ts';
import { attemptFromRow, deliveryStatusAfter, eventFromRow } from '../sql/event-rows.ts';
import { queryRows, toSafeInteger } from './database.ts';

const SQL = {
  /** $1 limit, $2 now, $3 the URLs: the outbox's oldest events become one pending delivery per URL, due now. */
  fanOut: `WITH taken AS (
      DELETE FROM event_outbox WHERE seq IN (SELECT seq FROM event_outbox ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED)
      RETURNING seq
    ), made AS (
      INSERT INTO webhook_deliveries (event_seq, url, status, attempts, next_attempt_at, created_at)
      SELECT taken.seq, endpoint.url, 'pending', 0, $2::text, $2::text FROM taken CROSS JOIN unnest($3::text[]) AS endpoint (url)
      ON CONFLICT (event_seq, url) DO NOTHING
    )
    SELECT COUNT(*) AS taken FROM taken`,
  /** $1 url, $2 now, $3 limit, $4 claim, $5 claimed until. The claimed deliveries, with their events. */
  claim: `WITH due AS (
      SELECT event_seq, url FROM webhook_deliveries
      WHERE status = 'pending' AND url = $1 AND next_attempt_at <= $2
      ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED
    ), claimed AS (
      UPDATE webhook_deliveries AS delivery SET claim = $4, next_attempt_at = $5
      FROM due WHERE delivery.event_seq = due.event_seq AND delivery.url = due.url
      RETURNING delivery.event_seq, delivery.url, delivery.attempts, delivery.first_attempt_at
    )
    SELECT claimed.event_seq, claimed.url AS delivery_url, claimed.attempts, claimed.first_attempt_at, e.*
    FROM claimed JOIN events AS e ON e.seq = claimed.event_seq
    ORDER BY claimed.event_seq`,
  /**
   * The attempt and the delivery's new state, only while the claim holds and this is the next
   * attempt. $1 event seq, $2 url, $3 claim, $4 attempt, $5 delivery status, $6 next attempt at
   * (or null), $7 at, $8 attempt status, $9 response status, $10 error.
   */
  record: `WITH recorded AS (
      UPDATE webhook_deliveries SET status = $5, attempts = $4, claim = NULL,
        next_attempt_at = COALESCE($6::text, next_attempt_at), first_attempt_at = COALESCE(first_attempt_at, $7::text)
      WHERE event_seq = $1 AND url = $2 AND claim = $3 AND attempts = $4::integer - 1 AND status = 'pending'
      RETURNING event_seq, url
    )
    INSERT INTO webhook_attempts (event_seq, url, attempt, status, response_status, error, at)
    SELECT event_seq, url, $4::integer, $8::text, $9::integer, $10::text, $7::text FROM recorded
    RETURNING attempt`,
  attempts: `SELECT $1::text AS event_id, url, attempt, status, response_status, error, at FROM webhook_attempts
    WHERE event_seq = $2 ORDER BY at, attempt, url`,
  /** $1 the URLs. */
  oldest: `SELECT MIN(created_at) AS at FROM events WHERE seq IN (
      (SELECT MIN(seq) FROM event_outbox),
      (SELECT MIN(event_seq) FROM webhook_deliveries WHERE status = 'pending' AND url = ANY($1::text[])))`,
} as const;

export function createPostgresWebhookRepository(pool: pg.Pool): WebhookRepository {
  return {
    fanOut: async ({ urls, limit, now }) => {
      const [row] = await queryRows(pool, SQL.fanOut, [limit, now, [...urls]]);
      return toSafeInteger(row?.taken);
    },
    claimDue: async ({ url, limit, now, claim, claimedUntil }) => {
      const rows = await queryRows(pool, SQL.claim, [url, now, limit, claim, claimedUntil]);
      return rows.map((row): ClaimedDelivery => ({
        eventSeq: toSafeInteger(row.event_seq), url: String(row.delivery_url), attempt: Number(row.attempts) + 1,
        firstAttemptAt: row.first_attempt_at === null ? null : String(row.first_attempt_at), claim, event: eventFromRow(row),
      }));
    },
    recordAttempt: async (attempt: AttemptRecord) => {
      const rows = await queryRows(pool, SQL.record, [
        attempt.eventSeq, attempt.url, attempt.claim, attempt.attempt, deliveryStatusAfter(attempt.status), attempt.nextAttemptAt, attempt.at,
        attempt.status, attempt.responseStatus, attempt.error,
      ]);
      return rows.length === 1;
    },
    attemptsOf: async (eventId) => {
      const [event] = await queryRows(pool, 'SELECT seq FROM events WHERE id = $1', [eventId]);
      if (!event) return null;
      return (await queryRows(pool, SQL.attempts, [eventId, toSafeInteger(event.seq)])).map(attemptFromRow);
    },
    oldestUndelivered: async (urls) => {
      const [row] = await queryRows(pool, SQL.oldest, [[...urls]]);
      return row?.at === null || row?.at === undefined ? null : String(row.at);
    },
  };
}
