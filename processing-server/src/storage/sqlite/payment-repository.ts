/**
 * Payments and idempotency keys on node:sqlite: statements prepared once, every multi-row change
 * in one `BEGIN IMMEDIATE` transaction. SQLite has one writer at a time and these methods run
 * synchronously inside their transaction, so no two changes interleave: that is all the locking
 * the spending limit and the compare-and-set need.
 */
import assert from 'node:assert/strict';
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { PaymentListQuery } from '../../../../shared/contracts/processing.ts';
import { checkedSources } from '../../domain/lifecycle.ts';
import { assertPaymentInvariants } from '../../domain/payment.ts';
import type {
  CreatePaymentCommand, CreatePaymentResult, ExpireCommand, ExpiredAuthorization, IdempotencyRecord, IdempotencyRepository,
  PaymentPage, PaymentRepository,
} from '../../domain/ports/store.ts';
import { countsAgainstLimit, decideSpend, declinedOverLimit } from '../../domain/spend-limit.ts';
import { PAYMENT_COLUMNS, idempotencyFromRow, paymentFromRow, paymentToRow, statusLiterals, type Row } from '../sql/payment-rows.ts';
import { expiredFromRow } from '../sql/settlement-rows.ts';
import { inTransaction } from './database.ts';
import { PAYMENT_SELECT, SPENT_SQL, createSqlitePaymentTransition } from './payment-transition.ts';
import { assertServedByUnbatchedIndex, saleItemOf, unbatchedIndexCondition } from './settlement-sql.ts';

export function createSqlitePaymentRepositories(database: DatabaseSync): { payments: PaymentRepository; idempotency: IdempotencyRepository } {
  const placeholders = PAYMENT_COLUMNS.map((column) => `:${column}`).join(', ');
  const statements = {
    insertPayment: database.prepare(`INSERT INTO payments (${PAYMENT_COLUMNS.join(', ')}) VALUES (${placeholders})`),
    getIdempotency: database.prepare('SELECT * FROM idempotency_keys WHERE key = ?'),
    insertIdempotency: database.prepare(
      'INSERT INTO idempotency_keys (key, request_hash, payment_id, outcome, response, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    completeIdempotency: database.prepare('UPDATE idempotency_keys SET outcome = ?, response = ? WHERE payment_id = ? AND outcome IS NULL'),
    countedInWindow: database.prepare(SPENT_SQL),
    holdReleased: database.prepare('UPDATE payments SET resolution = NULL WHERE id = ? AND status = ?'),
    unresolved: database.prepare(
      `${PAYMENT_SELECT} WHERE (status = 'pending' OR resolution IS NOT NULL) AND updated_at < ?
       ORDER BY updated_at LIMIT ?`,
    ),
    // Few payments wait for the shopper at any time: the status index finds them, updated_at filters.
    awaitingAction: database.prepare(`${PAYMENT_SELECT} WHERE status = 'requires_action' AND updated_at < ? ORDER BY updated_at LIMIT ?`),
  };
  const cachedStatements = new Map<string, StatementSync>();
  const cached = (key: string, sql: () => string): StatementSync => {
    let statement = cachedStatements.get(key);
    if (!statement) {
      statement = database.prepare(sql());
      cachedStatements.set(key, statement);
    }
    return statement;
  };

  const { get: getPayment, transition } = createSqlitePaymentTransition(database);

  function getIdempotency(key: string): IdempotencyRecord | null {
    const row = statements.getIdempotency.get(key) as Row | undefined;
    return row ? idempotencyFromRow(row) : null;
  }

  function create(command: CreatePaymentCommand): CreatePaymentResult {
    const existing = getIdempotency(command.payment.idempotencyKey);
    if (existing) return { kind: 'existing', idempotency: existing };
    const { payment, spend } = command;
    assert.equal(payment.status, 'pending', 'a payment is created pending');
    const spentRow = statements.countedInWindow.get({ fingerprint: payment.instrumentFingerprint, currency: payment.currency, windowStart: spend.windowStart }) as Row;
    const decision = decideSpend({ spentMinor: Number(spentRow.spent), amountMinor: payment.amountMinor, limitMinor: spend.limitMinor });
    const stored = decision === 'within' ? payment : declinedOverLimit(payment, spend.decline);
    assertPaymentInvariants(stored);
    statements.insertPayment.run(paymentToRow(stored) as Record<string, SQLInputValue>);
    statements.insertIdempotency.run(payment.idempotencyKey, command.requestHash, payment.id, null, null, payment.createdAt);
    return decision === 'within' ? { kind: 'created', payment: stored } : { kind: 'limit_exceeded', payment: stored };
  }

  /** Never-batched authorizations older than the cutoff, found on the partial index by created_at. */
  function expireUnbatched(command: ExpireCommand): ExpiredAuthorization[] {
    const from = checkedSources(command.change.to, command.change.from);
    assertServedByUnbatchedIndex(from);
    const counted = countsAgainstLimit(command.change.to) ? '' : ', limit_amount = 0';
    const statement = cached(`expire|${command.change.to}`, () => `UPDATE payments INDEXED BY payments_unbatched
      SET status = ${statusLiterals([command.change.to])}${counted}, resolution = 'reverse', updated_at = ?
      WHERE ${unbatchedIndexCondition('payments')} AND settlement_id IS NULL AND created_at < ?
        AND NOT EXISTS (SELECT 1 ${saleItemOf('payments.id')})
      RETURNING id, payment_method, authorization_id`);
    return (statement.all(command.now, command.createdBefore) as Row[]).map(expiredFromRow);
  }

  function list(query: PaymentListQuery): PaymentPage {
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
    payments: {
      create: async (command) => inTransaction(database, () => create(command)),
      transition: async (command) => inTransaction(database, () => transition(command)),
      holdReleased: async ({ id, status }) => Number(statements.holdReleased.run(id, status).changes) > 0,
      expireUnbatched: async (command) => expireUnbatched(command),
      get: async (id) => getPayment(id),
      list: async (query) => list(query),
      listUnresolved: async ({ before, limit }) => (statements.unresolved.all(before, limit) as Row[]).map(paymentFromRow),
      listAwaitingAction: async ({ before, limit }) => (statements.awaitingAction.all(before, limit) as Row[]).map(paymentFromRow),
    },
    idempotency: {
      get: async (key) => getIdempotency(key),
      complete: async ({ paymentId, outcome, response }) => {
        statements.completeIdempotency.run(outcome, response, paymentId);
      },
    },
  };
}
