/**
 * Adjustments (changes of an authorized payment's amount) on node:sqlite. Every change runs in
 * one `BEGIN IMMEDIATE` transaction: SQLite's single writer makes an adjustment's start (the
 * payment read, the payer's spend summed, the domain's decision, the insert) and its finish (its
 * status, the payment's compare-and-set, the answer) take turns with every other write.
 */
import assert from 'node:assert/strict';
import type { DatabaseSync } from 'node:sqlite';
import { adjustmentFor, amountChange, assertAdjustmentInvariants, decideAdjustment, type AdjustmentRecord } from '../../domain/adjustment.ts';
import { assertAdjustmentTransition } from '../../domain/lifecycle.ts';
import type {
  AdjustmentRepository, BeginAdjustmentCommand, BeginAdjustmentResult, FinishAdjustmentCommand, FinishAdjustmentResult,
} from '../../domain/ports/store.ts';
import { ADJUSTMENT_COLUMNS, adjustmentFromRow, adjustmentValues } from '../sql/adjustment-rows.ts';
import type { Row } from '../sql/payment-rows.ts';
import { inTransaction } from './database.ts';
import { SPENT_SQL, createSqlitePaymentTransition } from './payment-transition.ts';
import { saleItemOf } from './settlement-sql.ts';

/** An adjustment still being decided, or with work left at the provider: at most one per payment (a unique index). */
const OPEN_CONDITION = "(status = 'pending' OR resolution IS NOT NULL)";

export function createSqliteAdjustmentRepository(database: DatabaseSync): AdjustmentRepository {
  const payments = createSqlitePaymentTransition(database);
  const statements = {
    insert: database.prepare(`INSERT INTO payment_adjustments (${ADJUSTMENT_COLUMNS.join(', ')}) VALUES (${ADJUSTMENT_COLUMNS.map(() => '?').join(', ')})`),
    get: database.prepare('SELECT * FROM payment_adjustments WHERE id = ?'),
    byKey: database.prepare('SELECT * FROM payment_adjustments WHERE idempotency_key = ?'),
    open: database.prepare(`SELECT 1 FROM payment_adjustments WHERE payment_id = ? AND ${OPEN_CONDITION}`),
    taken: database.prepare(`SELECT 1 ${saleItemOf('?')}`),
    spent: database.prepare(SPENT_SQL),
    finish: database.prepare(`UPDATE payment_adjustments SET status = ?, decline = COALESCE(?, decline), reason = COALESCE(?, reason),
      resolution = ?, updated_at = ? WHERE id = ? AND status = 'pending'`),
    answer: database.prepare('UPDATE payment_adjustments SET outcome = ?, response = ? WHERE id = ? AND outcome IS NULL'),
    resolved: database.prepare('UPDATE payment_adjustments SET resolution = NULL, reason = COALESCE(?, reason), updated_at = ? WHERE id = ? AND resolution = ?'),
    ofPayment: database.prepare('SELECT * FROM payment_adjustments WHERE payment_id = ? ORDER BY created_at, id'),
    unresolved: database.prepare(`SELECT * FROM payment_adjustments WHERE ${OPEN_CONDITION} AND updated_at < ? ORDER BY updated_at LIMIT ?`),
  };

  function get(id: string): AdjustmentRecord | null {
    const row = statements.get.get(id) as Row | undefined;
    return row ? adjustmentFromRow(row) : null;
  }

  function begin(command: BeginAdjustmentCommand): BeginAdjustmentResult {
    const { adjustment: asked, spend } = command;
    const existing = statements.byKey.get(asked.idempotencyKey) as Row | undefined;
    if (existing) return { kind: 'existing', adjustment: adjustmentFromRow(existing) };
    const payment = payments.get(asked.paymentId);
    if (!payment) return { kind: 'payment_not_found' };
    const question = {
      status: payment.status, amountMinor: payment.amountMinor, toMinor: asked.toMinor,
      taken: payment.settlementId !== null || statements.taken.get(payment.id) !== undefined,
      open: statements.open.get(payment.id) !== undefined,
    };
    let decision = decideAdjustment(question);
    if (decision.kind === 'needs_spend') {
      const spentRow = statements.spent.get({ fingerprint: payment.instrumentFingerprint, currency: payment.currency, windowStart: spend.windowStart }) as Row;
      decision = decideAdjustment({ ...question, spend: { spentMinor: Number(spentRow.spent), limitMinor: spend.limitMinor } });
    }
    if (decision.kind === 'not_adjustable' || decision.kind === 'in_progress') return decision;
    assert.notEqual(decision.kind, 'needs_spend', 'an increase is decided with the spend');
    const kind = decision.kind as 'increase' | 'exceeded' | 'decrease';
    const adjustment = adjustmentFor(asked, payment, kind, spend.decline);
    statements.insert.run(...adjustmentValues(adjustment));
    if (kind !== 'decrease') return { kind: kind === 'exceeded' ? 'limit_exceeded' : 'increase', adjustment, payment };
    const changed = payments.transition(amountChange(payment.id, asked.toMinor, asked.createdAt));
    assert.ok(changed, 'the payment read under the write lock is still authorized and not taken');
    return { kind: 'decrease', adjustment, payment: changed };
  }

  function finish(command: FinishAdjustmentCommand): FinishAdjustmentResult {
    const current = get(command.id);
    assert.ok(current, `adjustment ${command.id} exists`);
    if (current.status !== 'pending') return { kind: 'not_pending', adjustment: current };
    assertAdjustmentTransition(current.status, command.to);
    const { changes } = command;
    statements.finish.run(command.to, changes.decline ? JSON.stringify(changes.decline) : null, changes.reason ?? null,
      changes.resolution ?? null, changes.updatedAt ?? current.updatedAt, command.id);
    let payment = null;
    if (command.payment) {
      payment = payments.transition(command.payment);
      // Thrown inside the transaction, so the adjustment's own change is rolled back with it.
      if (!payment) throw new PaymentChanged();
    }
    if (command.answer) statements.answer.run(command.answer.outcome, command.answer.response, command.id);
    const finished = get(command.id);
    assert.ok(finished, 'the finished adjustment exists');
    assertAdjustmentInvariants(finished);
    return { kind: 'finished', adjustment: finished, payment };
  }

  return {
    begin: async (command) => inTransaction(database, () => begin(command)),
    finish: async (command) => {
      try {
        return inTransaction(database, () => finish(command));
      } catch (error) {
        if (error instanceof PaymentChanged) return { kind: 'payment_changed' };
        throw error;
      }
    },
    resolved: async ({ id, resolution, reason, updatedAt }) => Number(statements.resolved.run(reason ?? null, updatedAt, id, resolution).changes) > 0,
    answer: async ({ id, outcome, response }) => {
      statements.answer.run(outcome, response, id);
    },
    get: async (id) => get(id),
    listOfPayment: async (paymentId) => (statements.ofPayment.all(paymentId) as Row[]).map(adjustmentFromRow),
    listUnresolved: async ({ before, limit }) => (statements.unresolved.all(before, limit) as Row[]).map(adjustmentFromRow),
  };
}

/** The payment's guard did not hold inside `finish`: the transaction is rolled back. */
class PaymentChanged extends Error {
  override readonly name = 'PaymentChanged';
}
