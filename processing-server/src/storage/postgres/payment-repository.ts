/**
 * PaymentRepository on PostgreSQL. Same answers as the SQLite store; what SQLite gets from its
 * single writer, this store gets from locks, so that it holds with many connections and many
 * processing-server instances on one database:
 * - the idempotency key is claimed first (a unique key; a concurrent duplicate waits for the
 *   first transaction and then sees its record), and
 * - the spending limit is summed and the payment inserted under a transaction-level advisory
 *   lock on (card fingerprint, currency), so two payments on one card are never checked at once.
 */
import assert from 'node:assert/strict';
import type pg from 'pg';
import type { PaymentListQuery } from '../../../../shared/contracts/processing.ts';
import type { PaymentRecord } from '../../domain/payment.ts';
import { assertPaymentInvariants } from '../../domain/payment.ts';
import type {
  CreatePaymentInput, CreatePaymentResult, IdempotencyRecord, PaymentPage, PaymentRepository, TransitionInput,
} from '../repository.ts';
import { PAYMENT_COLUMNS, paymentFromRow, paymentToRow } from '../sqlite/payment-rows.ts';
import { inTransaction, queryRows, toSafeInteger, type Queryable } from './database.ts';

const INSERT_PAYMENT_SQL = `INSERT INTO payments (${PAYMENT_COLUMNS.join(', ')})
  VALUES (${PAYMENT_COLUMNS.map((_column, index) => `$${index + 1}`).join(', ')})`;

const SQL = {
  getPayment: 'SELECT * FROM payments WHERE id = $1',
  getIdempotency: 'SELECT * FROM idempotency_keys WHERE key = $1',
  claimIdempotency: `INSERT INTO idempotency_keys (key, request_hash, payment_id, outcome, response, created_at)
    VALUES ($1, $2, $3, NULL, NULL, $4) ON CONFLICT (key) DO NOTHING RETURNING key`,
  completeIdempotency: 'UPDATE idempotency_keys SET outcome = $1, response = $2 WHERE payment_id = $3 AND outcome IS NULL',
  // hashtextextended gives a 64-bit key; two cards sharing one only wait for each other.
  lockCard: 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))',
  spentInWindow: `SELECT COALESCE(SUM(limit_amount), 0) AS spent FROM payments
    WHERE card_fingerprint = $1 AND currency = $2 AND created_at >= $3 AND limit_amount > 0`,
  unresolved: `SELECT * FROM payments WHERE (status = 'pending' OR resolution IS NOT NULL) AND updated_at < $1
    ORDER BY updated_at LIMIT $2`,
} as const;

async function getPayment(database: Queryable, id: string): Promise<PaymentRecord | null> {
  const [row] = await queryRows(database, SQL.getPayment, [id]);
  return row ? paymentFromRow(row) : null;
}

async function getIdempotency(database: Queryable, key: string): Promise<IdempotencyRecord | null> {
  const [row] = await queryRows(database, SQL.getIdempotency, [key]);
  if (!row) return null;
  return {
    key: String(row.key), requestHash: String(row.request_hash), paymentId: String(row.payment_id),
    outcome: row.outcome === null ? null : String(row.outcome), response: row.response === null ? null : String(row.response),
    createdAt: String(row.created_at),
  };
}

async function createPayment(client: pg.PoolClient, input: CreatePaymentInput): Promise<CreatePaymentResult> {
  const { payment, spendLimit } = input;
  const claimed = await client.query(SQL.claimIdempotency, [payment.idempotencyKey, input.requestHash, payment.id, payment.createdAt]);
  if (claimed.rowCount === 0) {
    // ON CONFLICT waited for the transaction that holds the key, so its record is committed now.
    const existing = await getIdempotency(client, payment.idempotencyKey);
    assert.ok(existing, 'a conflicting idempotency key is committed');
    return { kind: 'existing', idempotency: existing };
  }
  await client.query(SQL.lockCard, [`${payment.cardFingerprint}:${payment.currency}`]);
  const [spentRow] = await queryRows(client, SQL.spentInWindow, [payment.cardFingerprint, payment.currency, spendLimit.windowStart]);
  const spent = toSafeInteger(spentRow?.spent);
  const withinLimit = spent + payment.amount <= spendLimit.limitMinor;
  const stored: PaymentRecord = withinLimit
    ? payment
    : { ...payment, status: 'declined', decline: spendLimit.decline, limitAmount: 0 };
  assertPaymentInvariants(stored);
  const row = paymentToRow(stored);
  await client.query(INSERT_PAYMENT_SQL, PAYMENT_COLUMNS.map((column) => row[column] ?? null));
  return withinLimit ? { kind: 'created', payment: stored } : { kind: 'limit_exceeded', payment: stored };
}

async function transition(client: pg.PoolClient, input: TransitionInput): Promise<PaymentRecord | null> {
  const changedRow = paymentToRow(input.changes);
  // Column names come from the fixed field-to-column map, never from input.
  const columns = Object.keys(changedRow);
  assert.ok(columns.length > 0, 'a transition must change something');
  const assignments = columns.map((column, index) => `${column} = $${index + 1}`).join(', ');
  const unbatched = input.requireUnbatched ? ' AND settlement_id IS NULL' : '';
  const values = [...columns.map((column) => changedRow[column]), input.id, [...input.fromStatuses]];
  const [row] = await queryRows(client,
    `UPDATE payments SET ${assignments} WHERE id = $${columns.length + 1} AND status = ANY($${columns.length + 2}::text[])${unbatched} RETURNING *`,
    values);
  if (!row) return null;
  const updated = paymentFromRow(row);
  assertPaymentInvariants(updated);
  if (input.completeIdempotency) {
    await client.query(SQL.completeIdempotency, [input.completeIdempotency.outcome, input.completeIdempotency.response, input.id]);
  }
  return updated;
}

async function listPayments(pool: pg.Pool, query: PaymentListQuery): Promise<PaymentPage> {
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

export function createPostgresPaymentRepository(pool: pg.Pool): PaymentRepository {
  let closed: Promise<void> | null = null;
  return {
    createPayment: (input) => inTransaction(pool, (client) => createPayment(client, input)),
    transition: (input) => inTransaction(pool, (client) => transition(client, input)),
    completeIdempotency: async (paymentId, outcome, response) => {
      await pool.query(SQL.completeIdempotency, [outcome, response, paymentId]);
    },
    getPayment: (id) => getPayment(pool, id),
    getIdempotency: (key) => getIdempotency(pool, key),
    listPayments: (query) => listPayments(pool, query),
    listUnresolved: async ({ before, limit }) => (await queryRows(pool, SQL.unresolved, [before, limit])).map(paymentFromRow),
    ping: async () => { await pool.query('SELECT 1'); },
    // The pool is shared with the settlement repository; ending it twice would throw.
    close: () => {
      closed ??= pool.end();
      return closed;
    },
  };
}
