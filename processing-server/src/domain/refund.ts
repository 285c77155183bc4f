/**
 * Refunding a settled payment (SPEC §4): idempotent by key, decided by refund-eligibility.ts
 * inside the store's transaction, and carried as a credit by the next settlement run.
 */
import { v7 as uuidv7 } from 'uuid';
import type { Refund, RefundList } from '../../../shared/contracts/processing.ts';
import type { DomainDeps } from './deps.ts';
import { DomainError, invalidState, paymentNotFound } from './errors.ts';
import { loadPayment } from './load.ts';
import { toPublicRefund } from './views.ts';

/** A payment's refunds, oldest first; an unknown payment is refused. */
export async function listRefunds(deps: Pick<DomainDeps, 'store'>, paymentId: string): Promise<RefundList> {
  await loadPayment(deps, paymentId);
  const refunds = await deps.store.refunds.listOfPayment(paymentId);
  return { data: refunds.map(toPublicRefund) };
}

export async function refundPayment(
  deps: DomainDeps, input: { paymentId: string; amountMinor: number; idempotencyKey: string },
): Promise<{ refund: Refund; replayed: boolean }> {
  const now = deps.clock().toISOString();
  const payment = await loadPayment(deps, input.paymentId);
  const requestHash = deps.vault.keyedHash(JSON.stringify({ paymentId: input.paymentId, amount: input.amountMinor }));
  const result = await deps.store.refunds.create({
    id: `re_${uuidv7().replaceAll('-', '')}`, paymentId: payment.id, amountMinor: input.amountMinor, currency: payment.currency,
    status: 'pending', reason: null, settlementId: null, idempotencyKey: input.idempotencyKey, requestHash,
    createdAt: now, updatedAt: now,
  }, deps.cause);
  switch (result.kind) {
    case 'created':
      return { refund: toPublicRefund(result.refund), replayed: false };
    case 'existing':
      if (result.refund.requestHash !== requestHash) {
        throw new DomainError({ code: 'idempotency_key_reused', message: 'This Idempotency-Key was already used for a different refund.' });
      }
      return { refund: toPublicRefund(result.refund), replayed: true };
    case 'payment_not_found':
      throw paymentNotFound(input.paymentId);
    case 'not_refundable':
      throw invalidState(`A ${result.status} payment cannot be refunded; only settled payments can.`);
    case 'exceeds':
      throw new DomainError({
        code: 'amount_exceeds_refundable',
        message: `The refund may be at most ${result.refundableMinor} (settled minus already refunded).`,
        problems: [{ field: 'amount', message: `must be at most ${result.refundableMinor}` }],
      });
  }
}
