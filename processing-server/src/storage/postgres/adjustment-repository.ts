/**
 * Adjustments (changes of an authorized payment's amount) on PostgreSQL. Same answers as the
 * SQLite store; the order of changes comes from locks:
 * - `begin` locks the payment row (`SELECT … FOR UPDATE`), so two adjustments of one payment, or
 *   an adjustment and a void, capture or settlement run, are decided one after the other; for an
 *   increase it then takes the payer's advisory lock and sums its spend, as a new payment does;
 * - `finish` locks the adjustment row, so only one caller (the request, the recovery worker, any
 *   instance) decides it, and changes the payment through the same compare-and-set as every
 *   other status change.
 */
import assert from 'node:assert/strict';
import type pg from 'pg';
import { adjustmentFor, amountChange, assertAdjustmentInvariants, decideAdjustment, type AdjustmentRecord } from '../../domain/adjustment.ts';
import { assertAdjustmentTransition } from '../../domain/lifecycle.ts';
import type {
  AdjustmentRepository, BeginAdjustmentCommand, BeginAdjustmentResult, FinishAdjustmentCommand, FinishAdjustmentResult,
} from '../../domain/ports/store.ts';
import { ADJUSTMENT_COLUMNS, adjustmentFromRow, adjustmentValues } from '../sql/adjustment-rows.ts';
import { paymentFromRow } from '../sql/payment-rows.ts';
import { inTransaction, queryRows, toSafeInteger, type Queryable } from './database.ts';
import { LOCK_INSTRUMENT_SQL, SPENT_SQL, transition } from './payment-repository.ts';

/** An adjustment still being decided, or with work left at the provider: at most one per payment (a unique index). */
const OPEN_CONDITION = "(status = 'pending' OR resolution IS NOT NULL)";

const SQL = {
  insert: `INSERT INTO payment_adjustments (${ADJUSTMENT_COLUMNS.join(', ')})
    VALUES (${ADJUSTMENT_COLUMNS.map((_column, index) => `$${index + 1}`).join(', ')}) ON CONFLICT (idempotency_key) DO NOTHING`,
  get: 'SELECT * FROM payment_adjustments WHERE id = $1',
  lock: 'SELECT * FROM payment_adjustments WHERE id = $1 FOR UPDATE',
  byKey: 'SELECT * FROM payment_adjustments WHERE idempotency_key = $1',
  lockPayment: 'SELECT * FROM payments WHERE id = $1 FOR UPDATE',
  open: `SELECT 1 FROM payment_adjustments WHERE payment_id = $1 AND ${OPEN_CONDITION}`,
  finish: `UPDATE payment_adjustments SET status = $1, decline = COALESCE($2, decline), reason = COALESCE($3, reason), resolution = $4, updated_at = $5
    WHERE id = $6 AND status = 'pending'`,
  answer: 'UPDATE payment_adjustments SET outcome = $1, response = $2 WHERE id = $3 AND outcome IS NULL',
  resolved: 'UPDATE payment_adjustments SET resolution = NULL, reason = COALESCE($1, reason), updated_at = $2 WHERE id = $3 AND resolution = $4',
  ofPayment: 'SELECT * FROM payment_adjustments WHERE payment_id = $1 ORDER BY created_at, id',
  unresolved: `SELECT * FROM payment_adjustments WHERE ${OPEN_CONDITION} AND updated_at < $1 ORDER BY updated_at LIMIT $2`,
} as const;

async function byKey(database: Queryable, key: string): Promise<AdjustmentRecord | null> {
  const [row] = await queryRows(database, SQL.byKey, [key]);
  return row ? adjustmentFromRow(row) : null;
}

async function begin(client: pg.PoolClient, command: BeginAdjustmentCommand): Promise<BeginAdjustmentResult> {
  const { adjustment: asked, spend } = command;
  const existing = await byKey(client, asked.idempotencyKey);
  if (existing) return { kind: 'existing', adjustment: existing };
  const [row] = await queryRows(client, SQL.lockPayment, [asked.paymentId]);
  if (!row) return { kind: 'payment_not_found' };
  // A request with the same key may have committed while this one waited for the payment's lock.
  const raced = await byKey(client, asked.idempotencyKey);
  if (raced) return { kind: 'existing', adjustment: raced };
  const payment = paymentFromRow(row);
  const question = {
    status: payment.status, amountMinor: payment.amountMinor, toMinor: asked.toMinor,
    taken: payment.settlementId !== null, open: (await queryRows(client, SQL.open, [payment.id])).length > 0,
  };
  let decision = decideAdjustment(question);
  if (decision.kind === 'needs_spend') {
    await client.query(LOCK_INSTRUMENT_SQL, [`${payment.instrumentFingerprint}:${payment.currency}`]);
    const [spentRow] = await queryRows(client, SPENT_SQL, [payment.instrumentFingerprint, payment.currency, spend.windowStart]);
    decision = decideAdjustment({ ...question, spend: { spentMinor: toSafeInteger(spentRow?.spent), limitMinor: spend.limitMinor } });
  }
  if (decision.kind === 'not_adjustable' || decision.kind === 'in_progress') return decision;
  assert.notEqual(decision.kind, 'needs_spend', 'an increase is decided with the spend');
  const kind = decision.kind as 'increase' | 'exceeded' | 'decrease';
  const adjustment = adjustmentFor(asked, payment, kind, spend.decline);
  const inserted = await client.query(SQL.insert, adjustmentValues(adjustment));
  if (inserted.rowCount === 0) {
    // The same key, used at the same moment for another payment: that request's adjustment stands.
    const other = await byKey(client, asked.idempotencyKey);
    assert.ok(other, 'a conflicting adjustment key is committed');
    return { kind: 'existing', adjustment: other };
  }
  if (kind !== 'decrease') return { kind: kind === 'exceeded' ? 'limit_exceeded' : 'increase', adjustment, payment };
  const changed = await transition(client, amountChange(payment.id, asked.toMinor, asked.createdAt));
  assert.ok(changed, 'the locked payment is still authorized and not taken');
  return { kind: 'decrease', adjustment, payment: changed };
}

/** The payment's guard did not hold inside `finish`: the transaction is rolled back. */
class PaymentChanged extends Error {
  override readonly name = 'PaymentChanged';
}

async function finish(client: pg.PoolClient, command: FinishAdjustmentCommand): Promise<FinishAdjustmentResult> {
  const [row] = await queryRows(client, SQL.lock, [command.id]);
  assert.ok(row, `adjustment ${command.id} exists`);
  const current = adjustmentFromRow(row);
  if (current.status !== 'pending') return { kind: 'not_pending', adjustment: current };
  assertAdjustmentTransition(current.status, command.to);
  const { changes } = command;
  await client.query(SQL.finish, [command.to, changes.decline ? JSON.stringify(changes.decline) : null, changes.reason ?? null,
    changes.resolution ?? null, changes.updatedAt ?? current.updatedAt, command.id]);
  let payment = null;
  if (command.payment) {
    payment = await transition(client, command.payment);
    if (!payment) throw new PaymentChanged();
  }
  if (command.answer) await client.query(SQL.answer, [command.answer.outcome, command.answer.response, command.id]);
  const [finished] = await queryRows(client, SQL.get, [command.id]);
  assert.ok(finished, 'the finished adjustment exists');
  const adjustment = adjustmentFromRow(finished);
  assertAdjustmentInvariants(adjustment);
  return { kind: 'finished', adjustment, payment };
}

export function createPostgresAdjustmentRepository(pool: pg.Pool): AdjustmentRepository {
  return {
    begin: (command) => inTransaction(pool, (client) => begin(client, command)),
    finish: async (command) => {
      try {
        return await inTransaction(pool, (client) => finish(client, command));
      } catch (error) {
        if (error instanceof PaymentChanged) return { kind: 'payment_changed' };
        throw error;
      }
    },
    resolved: async ({ id, resolution, reason, updatedAt }) => ((await pool.query(SQL.resolved, [reason ?? null, updatedAt, id, resolution])).rowCount ?? 0) > 0,
    answer: async ({ id, outcome, response }) => {
      await pool.query(SQL.answer, [outcome, response, id]);
    },
    get: async (id) => {
      const [row] = await queryRows(pool, SQL.get, [id]);
      return row ? adjustmentFromRow(row) : null;
    },
    listOfPayment: async (paymentId) => (await queryRows(pool, SQL.ofPayment, [paymentId])).map(adjustmentFromRow),
    listUnresolved: async ({ before, limit }) => (await queryRows(pool, SQL.unresolved, [before, limit])).map(adjustmentFromRow),
  };
}
