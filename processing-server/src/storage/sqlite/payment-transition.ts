/**
 * The compare-and-set of a payment's status on node:sqlite, shared by the repositories that move
 * payments (payments, adjustments). It runs inside the caller's `BEGIN IMMEDIATE` transaction:
 * the sources are checked against the lifecycle table first, a target that stops counting
 * against the spending limit writes `limit_amount = 0`, and the payment read back is checked.
 */
import assert from 'node:assert/strict';
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import { checkedSources } from '../../domain/lifecycle.ts';
import { assertPaymentInvariants, type PaymentRecord } from '../../domain/payment.ts';
import type { TransitionCommand } from '../../domain/ports/store.ts';
import { countsAgainstLimit } from '../../domain/spend-limit.ts';
import { PAYMENT_COLUMNS, paymentFromRow, paymentToRow, statusLiterals, type Row } from '../sql/payment-rows.ts';
import { saleItemOf } from './settlement-sql.ts';

/**
 * A payment's columns, its settlementId read as the run that has taken it: written on the row
 * once its result is recorded, and until then found through the run's sale item (the SQLite
 * store does not rewrite every payment when it creates a run; see settlement-sql.ts).
 */
export const PAYMENT_SELECT = `SELECT ${PAYMENT_COLUMNS.filter((column) => column !== 'settlement_id').join(', ')},
  COALESCE(settlement_id, (SELECT taken.run_id ${saleItemOf('payments.id')}))
    AS settlement_id
  FROM payments`;

/**
 * What counts against the spending limit of one payer (:fingerprint) in one :currency: its
 * payments since :windowStart, and the increases of its payments still being asked for at the
 * provider (reserved until they are decided). Named parameters; a store runs it inside the
 * write transaction that decides, so nothing is counted twice or missed.
 */
export const SPENT_SQL = `SELECT
  (SELECT COALESCE(SUM(limit_amount), 0) FROM payments
    WHERE instrument_fingerprint = :fingerprint AND currency = :currency AND created_at >= :windowStart AND limit_amount > 0)
  + (SELECT COALESCE(SUM(to_amount - from_amount), 0) FROM payment_adjustments
    WHERE instrument_fingerprint = :fingerprint AND currency = :currency AND status = 'pending') AS spent`;

export interface SqlitePaymentTransition {
  /** The payment, or null. */
  get(id: string): PaymentRecord | null;
  /** The updated payment, or null when the guard did not hold. Call inside a write transaction. */
  transition(command: TransitionCommand): PaymentRecord | null;
}

export function createSqlitePaymentTransition(database: DatabaseSync): SqlitePaymentTransition {
  const getPayment = database.prepare(`${PAYMENT_SELECT} WHERE id = ?`);
  const completeIdempotency = database.prepare('UPDATE idempotency_keys SET outcome = ?, response = ? WHERE payment_id = ? AND outcome IS NULL');
  const cachedStatements = new Map<string, StatementSync>();

  /** One UPDATE statement per set of changed columns and source statuses, prepared the first time it is needed. */
  function updateStatement(columns: string[], from: readonly string[], unbatched: boolean): StatementSync {
    const key = `update|${columns.join(',')}|${from.join(',')}|${unbatched}`;
    let statement = cachedStatements.get(key);
    if (!statement) {
      const assignments = ['status = ?', ...columns.map((column) => `${column} = ?`)].join(', ');
      const guard = unbatched ? ` AND settlement_id IS NULL AND NOT EXISTS (SELECT 1 ${saleItemOf('payments.id')})` : '';
      statement = database.prepare(`UPDATE payments SET ${assignments} WHERE id = ? AND status IN (${statusLiterals(from as PaymentRecord['status'][])})${guard}`);
      cachedStatements.set(key, statement);
    }
    return statement;
  }

  function get(id: string): PaymentRecord | null {
    const row = getPayment.get(id) as Row | undefined;
    return row ? paymentFromRow(row) : null;
  }

  function transition(command: TransitionCommand): PaymentRecord | null {
    const from = checkedSources(command.to, command.from);
    const changes = countsAgainstLimit(command.to) ? command.changes ?? {} : { ...command.changes, countedMinor: 0 };
    const changedRow = paymentToRow(changes);
    const columns = Object.keys(changedRow);
    const values = columns.map((column) => changedRow[column] as SQLInputValue);
    const result = updateStatement(columns, from, command.unbatched ?? false).run(command.to, ...values, command.id);
    if (Number(result.changes) === 0) return null;
    const updated = get(command.id);
    assert.ok(updated, 'updated payment must exist');
    assertPaymentInvariants(updated);
    if (command.completeIdempotency) {
      completeIdempotency.run(command.completeIdempotency.outcome, command.completeIdempotency.response, command.id);
    }
    return updated;
  }

  return { get, transition };
}
