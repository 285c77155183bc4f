/**
 * Payments and idempotency keys on PostgreSQL. Same answers as the SQLite store; what SQLite gets
 * from its single writer, this store gets from locks, so that it holds with many connections and
 * many processing-server instances on one database:
 * - the idempotency key is claimed first (a unique key; a concurrent duplicate waits for the
 *   first transaction and then sees its record), and
 * - what counts against the spending limit is summed, `decideSpend` asked, and the payment
 *   inserted under a transaction-level advisory lock on (instrument fingerprint, currency), so
 *   two payments by one card or points account are never decided at once.
 */
import assert from 'node:assert/strict';
import type pg from 'pg';
import type { PaymentListQuery } from '../../../../shared/contracts/processing.ts';
import { checkedSources } from '../../domain/lifecycle.ts';
import { assertPaymentInvariants, type PaymentRecord } from '../../domain/payment.ts';
import type {
  CreatePaymentCommand, CreatePaymentResult, ExpireCommand, IdempotencyRecord, IdempotencyRepository, PaymentPage,
  PaymentRepository, TransitionCommand,
} from '../../domain/ports/store.ts';
import { countsAgainstLimit, decideSpend, declinedOverLimit } from '../../domain/spend-limit.ts';
import { PAYMENT_COLUMNS, idempotencyFromRow, paymentFromRow, paymentToRow } from '../sql/payment-rows.ts';
import { expiredFromRow } from '../sql/settlement-rows.ts';
import { inTransaction, queryRows, toSafeInteger, type Queryable } from './database.ts';

/**
 * What counts against the spending limit of one payer ($1 fingerprint) in one currency ($2): its
 * payments since $3, and the increases of its payments still being asked for at the provider
 * (reserved until they are decided). Run under the payer's advisory lock (`lockInstrument`).
 */
export const SPENT_SQL = `SELECT
  (SELECT COALESCE(SUM(limit_amount), 0) FROM payments
    WHERE instrument_fingerprint = $1 AND currency = $2 AND created_at >= $3 AND limit_amount > 0)
  + (SELECT COALESCE(SUM(to_amount - from_amount), 0) FROM payment_adjustments
    WHERE instrument_fingerprint = $1 AND currency = $2 AND status = 'pending') AS spent`;

/** The payer's lock: every decision on what one payer spends in one currency queues here, on any instance. */
export const LOCK_INSTRUMENT_SQL = 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))';

const INSERT_PAYMENT_SQL = `INSERT INTO payments (${PAYMENT_COLUMNS.join(', ')})
  VALUES (${PAYMENT_COLUMNS.map((_column, index) => `$${index + 1}`).join(', ')})`;

const SQL = {
  getPayment: 'SELECT * FROM payments WHERE id = $1',
  getIdempotency: 'SELECT * FROM idempotency_keys WHERE key = $1',
  claimIdempotency: `INSERT INTO idempotency_keys (key, request_hash, payment_id, outcome, response, created_at)
    VALUES ($1, $2, $3, NULL, NULL, $4) ON CONFLICT (key) DO NOTHING RETURNING key`,
  completeIdempotency: 'UPDATE idempotency_keys SET outcome = $1, response = $2 WHERE payment_id = $3 AND outcome IS NULL',
  // hashtextextended gives a 64-bit key; two instruments sharing one only wait for each other.
  lockInstrument: LOCK_INSTRUMENT_SQL,
  countedInWindow: SPENT_SQL,
  holdReleased: 'UPDATE payments SET resolution = NULL WHERE id = $1 AND status = $2',
  /** $1 to, $2 now, $3 from statuses, $4 cutoff. Each expired payment's hold is still to be released. */
  expire: (releasesLimit: boolean) => `UPDATE payments SET status = $1,${releasesLimit ? ' limit_amount = 0,' : ''} resolution = 'reverse', updated_at = $2
    WHERE status = ANY($3::text[]) AND settlement_id IS NULL AND created_at < $4
    RETURNING id, payment_method, authorization_id`,
  unresolved: `SELECT * FROM payments WHERE (status = 'pending' OR resolution IS NOT NULL) AND updated_at < $1
    ORDER BY updated_at LIMIT $2`,
  awaitingAction: `SELECT * FROM payments WHERE status = 'requires_action' AND updated_at < $1 ORDER BY updated_at LIMIT $2`,
} as const;

async function getPayment(database: Queryable, id: string): Promise<PaymentRecord | null> {
  const [row] = await queryRows(database, SQL.getPayment, [id]);
  return row ? paymentFromRow(row) : null;
}

async function getIdempotency(database: Queryable, key: string): Promise<IdempotencyRecord | null> {
  const [row] = await queryRows(database, SQL.getIdempotency, [key]);
  return row ? idempotencyFromRow(row) : null;
}

async function create(client: pg.PoolClient, command: CreatePaymentCommand): Promise<CreatePaymentResult> {
  const { payment, spend } = command;
  assert.equal(payment.status, 'pending', 'a payment is created pending');
  const claimed = await client.query(SQL.claimIdempotency, [payment.idempotencyKey, command.requestHash, payment.id, payment.createdAt]);
  if (claimed.rowCount === 0) {
    // ON CONFLICT waited for the transaction that holds the key, so its record is committed now.
    const existing = await getIdempotency(client, payment.idempotencyKey);
    assert.ok(existing, 'a conflicting idempotency key is committed');
    return { kind: 'existing', idempotency: existing };
  }
  await client.query(SQL.lockInstrument, [`${payment.instrumentFingerprint}:${payment.currency}`]);
  const [spentRow] = await queryRows(client, SQL.countedInWindow, [payment.instrumentFingerprint, payment.currency, spend.windowStart]);
  const decision = decideSpend({ spentMinor: toSafeInteger(spentRow?.spent), amountMinor: payment.amountMinor, limitMinor: spend.limitMinor });
  const stored = decision === 'within' ? payment : declinedOverLimit(payment, spend.decline);
  assertPaymentInvariants(stored);
  const row = paymentToRow(stored);
  await client.query(INSERT_PAYMENT_SQL, PAYMENT_COLUMNS.map((column) => row[column] ?? null));
  return decision === 'within' ? { kind: 'created', payment: stored } : { kind: 'limit_exceeded', payment: stored };
}

export async function transition(client: pg.PoolClient, command: TransitionCommand): Promise<PaymentRecord | null> {
  const from = checkedSources(command.to, command.from);
  const changes = countsAgainstLimit(command.to) ? command.changes ?? {} : { ...command.changes, countedMinor: 0 };
  const changedRow = paymentToRow(changes);
  // Column names come from the fixed field-to-column map, never from input.
  const columns = Object.keys(changedRow);
  const assignments = ['status = $1', ...columns.map((column, index) => `${column} = $${index + 2}`)].join(', ');
  const unbatched = command.unbatched ? ' AND settlement_id IS NULL' : '';
  const values = [command.to, ...columns.map((column) => changedRow[column]), command.id, [...from]];
  const [row] = await queryRows(client,
    `UPDATE payments SET ${assignments} WHERE id = $${columns.length + 2} AND status = ANY($${columns.length + 3}::text[])${unbatched} RETURNING *`,
    values);
  if (!row) return null;
  const updated = paymentFromRow(row);
  assertPaymentInvariants(updated);
  if (command.completeIdempotency) {
    await client.query(SQL.completeIdempotency, [command.completeIdempotency.outcome, command.completeIdempotency.response, command.id]);
  }
  return updated;
}

async function expireUnbatched(pool: pg.Pool, command: ExpireCommand) {
  const from = checkedSources(command.change.to, command.change.from);
  const rows = await queryRows(pool, SQL.expire(!countsAgainstLimit(command.change.to)), [command.change.to, command.now, [...from], command.createdBefore]);
  return rows.map(expiredFromRow);
}

async function list(pool: pg.Pool, query: PaymentListQuery): Promise<PaymentPage> {
  const conditions: string[] = [];
  const parameters: unknown[] = [];
  const parameter = (value: unknown): string => {
    parameters.push(value);
    return `$${parameters.length}`;
  };
  if (query.status) conditions.push(`status = ${parameter(query.status)}`);
  if (query.from) conditions.push(`created_at >= ${parameter(new Date(query.from).toISOString())}`);
  if (query.to) conditions.push(`created_at < ${parameter(new Date(query.to).toISOString())}`);
  if (query.startingAfter) {
    const cursor = await getPayment(pool, query.startingAfter);
    if (!cursor) return { data: [], hasMore: false };
    conditions.push(`(created_at, id) < (${parameter(cursor.createdAt)}, ${parameter(cursor.id)})`);
  }
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  const rows = await queryRows(pool, `SELECT * FROM payments ${where} ORDER BY created_at DESC, id DESC LIMIT ${parameter(query.limit + 1)}`, parameters);
  return { data: rows.slice(0, query.limit).map(paymentFromRow), hasMore: rows.length > query.limit };
}

export function createPostgresPaymentRepositories(pool: pg.Pool): { payments: PaymentRepository; idempotency: IdempotencyRepository } {
  return {
    payments: {
      create: (command) => inTransaction(pool, (client) => create(client, command)),
      transition: (command) => inTransaction(pool, (client) => transition(client, command)),
      holdReleased: async ({ id, status }) => ((await pool.query(SQL.holdReleased, [id, status])).rowCount ?? 0) > 0,
      expireUnbatched: (command) => expireUnbatched(pool, command),
      get: (id) => getPayment(pool, id),
      list: (query) => list(pool, query),
      listUnresolved: async ({ before, limit }) => (await queryRows(pool, SQL.unresolved, [before, limit])).map(paymentFromRow),
      listAwaitingAction: async ({ before, limit }) => (await queryRows(pool, SQL.awaitingAction, [before, limit])).map(paymentFromRow),
    },
    idempotency: {
      get: (key) => getIdempotency(pool, key),
      complete: async ({ paymentId, outcome, response }) => {
        await pool.query(SQL.completeIdempotency, [outcome, response, paymentId]);
      },
    },
  };
}
