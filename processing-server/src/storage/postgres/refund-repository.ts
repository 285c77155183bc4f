/**
 * Refunds on PostgreSQL. The payment row is locked (`SELECT … FOR UPDATE`) before the domain
 * decides (`decideRefund`), so concurrent refunds of one payment are decided one at a time
 * against its refundable balance; a concurrent repeat of a key comes back as `existing`.
 */
import assert from 'node:assert/strict';
import type pg from 'pg';
import type { PaymentStatus } from '../../../../shared/contracts/processing.ts';
import type { CreateRefundResult, RefundRecord, RefundRepository } from '../../domain/ports/store.ts';
import { paymentEvent, refundEvent } from '../../domain/events.ts';
import { decideRefund } from '../../domain/refund-eligibility.ts';
import { paymentFromRow } from '../sql/payment-rows.ts';
import { refundFromRow } from '../sql/settlement-rows.ts';
import { inTransaction, queryRows, toSafeInteger } from './database.ts';
import { writeEvents } from './event-repository.ts';
import { SETTLEMENT_SQL as SQL } from './settlement-sql.ts';

async function create(client: pg.PoolClient, refund: RefundRecord, cause: string | null | undefined): Promise<CreateRefundResult> {
  assert.equal(refund.status, 'pending', 'a refund is created pending');
  const byKey = async (): Promise<CreateRefundResult | null> => {
    const [existing] = await queryRows(client, SQL.refundByKey, [refund.idempotencyKey]);
    return existing ? { kind: 'existing', refund: refundFromRow(existing) } : null;
  };
  const existing = await byKey();
  if (existing) return existing;
  const [payment] = await queryRows(client, SQL.lockPayment, [refund.paymentId]);
  if (!payment) return { kind: 'payment_not_found' };
  // A request with the same key may have committed while this one waited for the payment's lock.
  const raced = await byKey();
  if (raced) return raced;
  const decision = decideRefund({
    status: payment.status as PaymentStatus, capturedMinor: toSafeInteger(payment.captured_amount), refundedMinor: toSafeInteger(payment.refunded_amount),
  }, refund.amountMinor);
  if (decision.kind !== 'allowed') return decision;
  const inserted = await client.query(SQL.insertRefund, [refund.id, refund.paymentId, refund.amountMinor, refund.currency,
    refund.idempotencyKey, refund.requestHash, refund.createdAt, refund.updatedAt]);
  if (inserted.rowCount === 0) {
    // The same key, used at the same moment for another payment: that request's refund stands.
    const other = await byKey();
    assert.ok(other, 'a conflicting refund key is committed');
    return other;
  }
  const [updated] = await queryRows(client, SQL.setRefunded, [decision.refundedMinor, decision.to, refund.createdAt, refund.paymentId, decision.from]);
  assert.ok(updated, 'the locked payment is still in the status the decision read');
  await writeEvents(client, [
    refundEvent('refund.created', refund, cause),
    paymentEvent(paymentFromRow(updated), { cause, type: 'payment.refunded', refundId: refund.id }),
  ]);
  return { kind: 'created', refund };
}

export function createPostgresRefundRepository(pool: pg.Pool): RefundRepository {
  return {
    create: (refund, cause) => inTransaction(pool, (client) => create(client, refund, cause)),
    listOfPayment: async (paymentId) => (await queryRows(pool, SQL.refundsOfPayment, [paymentId])).map(refundFromRow),
  };
}
