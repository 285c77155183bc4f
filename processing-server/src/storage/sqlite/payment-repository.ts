/** PaymentRepository on node:sqlite: statements prepared once, multi-row changes in one transaction. */
import assert from 'node:assert/strict';
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { PaymentListQuery } from '../../../../shared/contracts/processing.ts';
import type { PaymentRecord } from '../../domain/payment.ts';
import { assertPaymentInvariants } from '../../domain/payment.ts';
import type {
  CreatePaymentInput, CreatePaymentResult, IdempotencyRecord, PaymentPage, PaymentRepository, TransitionInput,
} from '../repository.ts';
import { inTransaction } from './database.ts';
import { PAYMENT_COLUMNS, paymentFromRow, paymentToRow, type Row } from './payment-rows.ts';
import { saleItemOf } from './settlement-rows.ts';

/**
 * A payment's columns, its settlementId read as the run that has taken it: written on the row
 * once its result is recorded, and until then found through the run's sale item (the SQLite
 * store does not rewrite every payment when it creates a run; see settlement-rows.ts).
 */
const PAYMENT_SELECT = `SELECT ${PAYMENT_COLUMNS.filter((column) => column !== 'settlement_id').join(', ')},
  COALESCE(settlement_id, (SELECT taken.run_id ${saleItemOf('payments.id')}))
    AS settlement_id
  FROM payments`;

export function createSqlitePaymentRepository(database: DatabaseSync): PaymentRepository {
  const placeholders = PAYMENT_COLUMNS.map((column) => `:${column}`).join(', ');
  const statements = {
    insertPayment: database.prepare(`INSERT INTO payments (${PAYMENT_COLUMNS.join(', ')}) VALUES (${placeholders})`),
    getPayment: database.prepare(`${PAYMENT_SELECT} WHERE id = ?`),
    getIdempotency: database.prepare('SELECT * FROM idempotency_keys WHERE key = ?'),
    insertIdempotency: database.prepare(
      'INSERT INTO idempotency_keys (key, request_hash, payment_id, outcome, response, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    completeIdempotency: database.prepare('UPDATE idempotency_keys SET outcome = ?, response = ? WHERE payment_id = ? AND outcome IS NULL'),
    spentInWindow: database.prepare(
      'SELECT COALESCE(SUM(limit_amount), 0) AS spent FROM payments WHERE card_fingerprint = ? AND currency = ? AND created_at >= ? AND limit_amount > 0',
    ),
    unresolved: database.prepare(
      `${PAYMENT_SELECT} WHERE (status = 'pending' OR resolution IS NOT NULL) AND updated_at < ?
       ORDER BY updated_at LIMIT ?`,
    ),
  };
  const updateStatements = new Map<string, StatementSync>();

  function getPayment(id: string): PaymentRecord | null {
    const row = statements.getPayment.get(id) as Row | undefined;
    return row ? paymentFromRow(row) : null;
  }

  function getIdempotency(key: string): IdempotencyRecord | null {
    const row = statements.getIdempotency.get(key) as Row | undefined;
    if (!row) return null;
    return {
      key: String(row.key), requestHash: String(row.request_hash), paymentId: String(row.payment_id),
      outcome: row.outcome === null ? null : String(row.outcome), response: row.response === null ? null : String(row.response),
      createdAt: String(row.created_at),
    };
  }

  /** One UPDATE statement per set of changed columns, prepared the first time it is needed. */
  function updateStatement(columns: string[], guardCount: number, requireUnbatched: boolean): StatementSync {
    const signature = `${columns.join(',')}|${guardCount}|${requireUnbatched}`;
    let statement = updateStatements.get(signature);
    if (!statement) {
      const assignments = columns.map((column) => `${column} = ?`).join(', ');
      const guard = Array.from({ length: guardCount }, () => '?').join(', ');
      const unbatched = requireUnbatched ? ` AND settlement_id IS NULL AND NOT EXISTS (SELECT 1 ${saleItemOf('payments.id')})` : '';
      statement = database.prepare(`UPDATE payments SET ${assignments} WHERE id = ? AND status IN (${guard})${unbatched}`);
      updateStatements.set(signature, statement);
    }
    return statement;
  }

  function transition(input: TransitionInput): PaymentRecord | null {
    const changedRow = paymentToRow(input.changes);
    const columns = Object.keys(changedRow);
    assert.ok(columns.length > 0, 'a transition must change something');
    const values = columns.map((column) => changedRow[column] as SQLInputValue);
    const result = updateStatement(columns, input.fromStatuses.length, input.requireUnbatched ?? false).run(...values, input.id, ...input.fromStatuses);
    if (Number(result.changes) === 0) return null;
    const updated = getPayment(input.id);
    assert.ok(updated, 'updated payment must exist');
    assertPaymentInvariants(updated);
    if (input.completeIdempotency) {
      statements.completeIdempotency.run(input.completeIdempotency.outcome, input.completeIdempotency.response, input.id);
    }
    return updated;
  }

  function createPayment(input: CreatePaymentInput): CreatePaymentResult {
    const existing = getIdempotency(input.payment.idempotencyKey);
    if (existing) return { kind: 'existing', idempotency: existing };
    const { payment, spendLimit } = input;
    const spentRow = statements.spentInWindow.get(payment.cardFingerprint, payment.currency, spendLimit.windowStart) as Row;
    const spent = Number(spentRow.spent);
    const withinLimit = spent + payment.amount <= spendLimit.limitMinor;
    const stored: PaymentRecord = withinLimit
      ? payment
      : { ...payment, status: 'declined', decline: spendLimit.decline, limitAmount: 0 };
    assertPaymentInvariants(stored);
    statements.insertPayment.run(paymentToRow(stored) as Record<string, SQLInputValue>);
    statements.insertIdempotency.run(payment.idempotencyKey, input.requestHash, payment.id, null, null, payment.createdAt);
    return withinLimit ? { kind: 'created', payment: stored } : { kind: 'limit_exceeded', payment: stored };
  }

  function listPayments(query: PaymentListQuery): PaymentPage {
    const conditions: string[] = [];
    const parameters: SQLInputValue[] = [];
    if (query.status) { conditions.push('status = ?'); parameters.push(query.status); }
    if (query.from) { conditions.push('created_at >= ?'); parameters.push(new Date(query.from).toISOString()); }
    if (query.to) { conditions.push('created_at < ?'); parameters.push(new Date(query.to).toISOString()); }
    if (query.startingAfter) {
      const cursor = getPayment(query.startingAfter);
      if (!cursor) return { data: [], hasMore: false };
      conditions.push('(created_at < ? OR (created_at = ? AND id < ?))');
      parameters.push(cursor.createdAt, cursor.createdAt, cursor.id);
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    // Filters vary per call; SQLite caches compiled statements, and there are few combinations.
    const rows = database.prepare(`${PAYMENT_SELECT} ${where} ORDER BY created_at DESC, id DESC LIMIT ?`)
      .all(...parameters, query.limit + 1) as Row[];
    return { data: rows.slice(0, query.limit).map(paymentFromRow), hasMore: rows.length > query.limit };
  }

  return {
    createPayment: async (input) => inTransaction(database, () => createPayment(input)),
    transition: async (input) => inTransaction(database, () => transition(input)),
    completeIdempotency: async (paymentId, outcome, response) => {
      statements.completeIdempotency.run(outcome, response, paymentId);
    },
    getPayment: async (id) => getPayment(id),
    getIdempotency: async (key) => getIdempotency(key),
    listPayments: async (query) => listPayments(query),
    listUnresolved: async ({ before, limit }) => (statements.unresolved.all(before, limit) as Row[]).map(paymentFromRow),
    ping: async () => { database.prepare('SELECT 1').get(); },
    close: async () => { if (database.isOpen) database.close(); },
  };
}
