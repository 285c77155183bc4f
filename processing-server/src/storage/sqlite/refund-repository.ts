/**
 * Refunds on node:sqlite. A refund is decided by the domain (`decideRefund`) inside the
 * transaction that inserts it, after the payment was read: SQLite's single writer makes two
 * refunds of one payment take turns.
 */
import assert from 'node:assert/strict';
import type { DatabaseSync } from 'node:sqlite';
import type { PaymentStatus } from '../../../../shared/contracts/processing.ts';
import type { CreateRefundResult, RefundRecord, RefundRepository } from '../../domain/ports/store.ts';
import { paymentEvent, refundEvent } from '../../domain/events.ts';
import { decideRefund } from '../../domain/refund-eligibility.ts';
import { paymentFromRow, type Row } from '../sql/payment-rows.ts';
import { refundFromRow } from '../sql/settlement-rows.ts';
import { inTransaction } from './database.ts';
import type { SqliteEventWriter } from './event-repository.ts';

export function createSqliteRefundRepository(database: DatabaseSync, events: SqliteEventWriter): RefundRepository {
  const statements = {
    payment: database.prepare('SELECT status, captured_amount, refunded_amount FROM payments WHERE id = ?'),
    byKey: database.prepare('SELECT * FROM refunds WHERE idempotency_key = ?'),
    insert: database.prepare(
      `INSERT INTO refunds (id, payment_id, amount, currency, status, reason, settlement_id, idempotency_key, request_hash, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?)`,
    ),
    refunded: database.prepare('UPDATE payments SET refunded_amount = ?, status = ?, updated_at = ? WHERE id = ? AND status = ? RETURNING *'),
    ofPayment: database.prepare('SELECT * FROM refunds WHERE payment_id = ? ORDER BY created_at, id'),
  };

  function create(refund: RefundRecord, cause: string | null | undefined): CreateRefundResult {
    const existing = statements.byKey.get(refund.idempotencyKey) as Row | undefined;
    if (existing) return { kind: 'existing', refund: refundFromRow(existing) };
    const payment = statements.payment.get(refund.paymentId) as Row | undefined;
    if (!payment) return { kind: 'payment_not_found' };
    const decision = decideRefund({
      status: payment.status as PaymentStatus, capturedMinor: Number(payment.captured_amount), refundedMinor: Number(payment.refunded_amount),
    }, refund.amountMinor);
    if (decision.kind !== 'allowed') return decision;
    assert.equal(refund.status, 'pending', 'a refund is created pending');
    statements.insert.run(refund.id, refund.paymentId, refund.amountMinor, refund.currency, refund.status, refund.idempotencyKey,
      refund.requestHash, refund.createdAt, refund.updatedAt);
    const refunded = statements.refunded.get(decision.refundedMinor, decision.to, refund.createdAt, refund.paymentId, decision.from) as Row | undefined;
    assert.ok(refunded, 'the payment is still in the status the decision read');
    events.write([
      refundEvent('refund.created', refund, cause),
      paymentEvent(paymentFromRow(refunded), { cause, type: 'payment.refunded', refundId: refund.id }),
    ]);
    return { kind: 'created', refund };
  }

  return {
    create: async (refund, cause) => inTransaction(database, () => create(refund, cause)),
    listOfPayment: async (paymentId) => (statements.ofPayment.all(paymentId) as Row[]).map(refundFromRow),
  };
}
