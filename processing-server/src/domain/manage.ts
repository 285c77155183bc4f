/**
 * What a merchant does to an authorized payment: capture it (manual payments, partially if
 * need be), void it before settlement, refund it after. Each change is a guarded transition,
 * so a payment that a settlement run has taken cannot be voided or captured any more.
 */
import { v7 as uuidv7 } from 'uuid';
import type { Payment, Refund, RefundList } from '../../../shared/contracts/processing.ts';
import { DomainError, paymentNotFound, type DomainErrorCode } from './errors.ts';
import type { SettlementRepository, RefundRecord } from '../storage/settlement-repository.ts';
import type { DomainDeps } from './deps.ts';
import { toPublicPayment, type PaymentRecord } from './payment.ts';

export interface ManageDeps extends DomainDeps {
  settlements: SettlementRepository;
}

async function load(deps: DomainDeps, id: string): Promise<PaymentRecord> {
  const payment = await deps.repository.getPayment(id);
  if (!payment) throw paymentNotFound(id);
  return payment;
}

function conflict(code: DomainErrorCode, message: string): DomainError {
  return new DomainError({ code, message });
}

export async function capturePayment(deps: DomainDeps, id: string, amount: number | undefined, requestId?: string): Promise<Payment> {
  const payment = await load(deps, id);
  if (payment.captureMethod !== 'manual') {
    throw conflict('capture_not_allowed', 'Automatic payments are captured by the next settlement run; only manual payments are captured by hand.');
  }
  if (payment.status !== 'authorized') throw conflict('invalid_state', `A ${payment.status} payment cannot be captured.`);
  const capturedAmount = amount ?? payment.amount;
  if (capturedAmount > payment.amount) {
    throw new DomainError({
      code: 'amount_too_large', message: `The capture may be at most the authorized ${payment.amount}.`,
      problems: [{ field: 'amount', message: `must be at most ${payment.amount}` }],
    });
  }
  const updated = await deps.repository.transition({
    id, fromStatuses: ['authorized'], requireUnbatched: true,
    changes: { status: 'captured', capturedAmount, limitAmount: capturedAmount, updatedAt: deps.clock().toISOString() },
  });
  if (!updated) throw conflict('invalid_state', 'The payment changed while it was being captured; read it again.');
  const rest = payment.amount - capturedAmount;
  if (rest > 0 && payment.authorizationId) {
    // Releasing the rest now is a courtesy to the shopper; if it fails, settlement releases it anyway.
    await deps.network.reverse(payment.authorizationId, { amount: rest, reason: 'partial_capture' }, { requestId })
      .catch((error: unknown) => deps.logger.warn({ paymentId: id, err: error }, 'could not release the uncaptured rest now; settlement will'));
  }
  return toPublicPayment(updated);
}

/**
 * Voids first in our ledger (so no settlement run can take the payment any more), then releases
 * the hold. If the card company cannot be reached, the payment is marked for the recovery worker
 * to release the hold later.
 */
export async function voidPayment(deps: DomainDeps, id: string, requestId?: string): Promise<Payment> {
  const payment = await load(deps, id);
  if (payment.status !== 'authorized' && payment.status !== 'captured') {
    throw conflict('invalid_state', `A ${payment.status} payment cannot be voided.`);
  }
  if (payment.settlementId) throw conflict('already_in_batch', 'The payment is already in a settlement batch; refund it after it settles.');
  const voided = await deps.repository.transition({
    id, fromStatuses: ['authorized', 'captured'], requireUnbatched: true,
    changes: { status: 'voided', reason: 'merchant_void', limitAmount: 0, resolution: 'reverse', updatedAt: deps.clock().toISOString() },
  });
  if (!voided) throw conflict('already_in_batch', 'The payment was taken by a settlement run; refund it after it settles.');
  if (!payment.authorizationId) return toPublicPayment(voided);
  try {
    await deps.network.reverse(payment.authorizationId, { reason: 'void' }, { requestId });
  } catch (error) {
    deps.logger.warn({ paymentId: id, err: error }, 'void recorded; the hold will be released by the recovery worker');
    return toPublicPayment(voided);
  }
  const released = await deps.repository.transition({ id, fromStatuses: ['voided'], changes: { resolution: null } });
  return toPublicPayment(released ?? voided);
}

export function toPublicRefund(refund: RefundRecord): Refund {
  return {
    id: refund.id, paymentId: refund.paymentId, amount: refund.amount, currency: refund.currency,
    status: refund.status, settlementId: refund.settlementId, createdAt: refund.createdAt,
  };
}

/** A payment's refunds, oldest first; 404 for an unknown payment. */
export async function listRefunds(deps: ManageDeps, paymentId: string): Promise<RefundList> {
  await load(deps, paymentId);
  const refunds = await deps.settlements.getRefundsOfPayment(paymentId);
  return { data: refunds.map(toPublicRefund) };
}

export async function refundPayment(
  deps: ManageDeps, input: { paymentId: string; amount: number; idempotencyKey: string },
): Promise<{ refund: Refund; replayed: boolean }> {
  const now = deps.clock().toISOString();
  const payment = await load(deps, input.paymentId);
  const requestHash = deps.vault.keyedHash(JSON.stringify({ paymentId: input.paymentId, amount: input.amount }));
  const result = await deps.settlements.createRefund({
    id: `re_${uuidv7().replaceAll('-', '')}`, paymentId: payment.id, amount: input.amount, currency: payment.currency,
    status: 'pending', reason: null, settlementId: null, idempotencyKey: input.idempotencyKey, requestHash,
    createdAt: now, updatedAt: now,
  });
  switch (result.kind) {
    case 'created':
      return { refund: toPublicRefund(result.refund), replayed: false };
    case 'existing':
      if (result.refund.requestHash !== requestHash) {
        throw conflict('idempotency_key_reused', 'This Idempotency-Key was already used for a different refund.');
      }
      return { refund: toPublicRefund(result.refund), replayed: true };
    case 'payment_not_found':
      throw paymentNotFound(input.paymentId);
    case 'not_refundable':
      throw conflict('invalid_state', `A ${result.status} payment cannot be refunded; only settled payments can.`);
    case 'exceeds':
      throw new DomainError({
        code: 'amount_exceeds_refundable',
        message: `The refund may be at most ${result.refundable} (settled minus already refunded).`,
        problems: [{ field: 'amount', message: `must be at most ${result.refundable}` }],
      });
  }
}
