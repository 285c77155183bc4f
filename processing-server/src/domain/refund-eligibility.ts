/**
 * Refund eligibility (SPEC §4): only a settled payment is refunded, by at most what was settled
 * minus what was already refunded, and its status follows its refunded total. Pure functions: a
 * store calls `decideRefund` after it has read (and locked) the payment, inside the transaction
 * that inserts the refund, so two refunds of one payment are decided one after the other.
 */
import assert from 'node:assert/strict';
import type { PaymentStatus } from '../../../shared/contracts/processing.ts';
import { assertTransition } from './lifecycle.ts';

const REFUNDABLE_STATUSES: readonly PaymentStatus[] = ['settled', 'partially_refunded'];

/** What eligibility reads of a payment. */
export interface RefundablePayment {
  status: PaymentStatus;
  capturedMinor: number;
  refundedMinor: number;
}

export type RefundDecision =
  /** The payment moves from its status to `to` and its refunded total becomes `refundedMinor`. */
  | { kind: 'allowed'; from: PaymentStatus; to: PaymentStatus; refundedMinor: number }
  | { kind: 'not_refundable'; status: PaymentStatus }
  | { kind: 'exceeds'; refundableMinor: number };

/** The status of a settled payment with this much refunded. */
export function refundedStatus(capturedMinor: number, refundedMinor: number): PaymentStatus {
  assert.ok(refundedMinor >= 0 && refundedMinor <= capturedMinor, 'refunded amount out of range');
  if (refundedMinor === 0) return 'settled';
  return refundedMinor === capturedMinor ? 'refunded' : 'partially_refunded';
}

export function decideRefund(payment: RefundablePayment, amountMinor: number): RefundDecision {
  assert.ok(Number.isSafeInteger(amountMinor) && amountMinor > 0, 'a refund is a positive integer amount');
  if (!REFUNDABLE_STATUSES.includes(payment.status)) return { kind: 'not_refundable', status: payment.status };
  const refundableMinor = payment.capturedMinor - payment.refundedMinor;
  if (amountMinor > refundableMinor) return { kind: 'exceeds', refundableMinor };
  const refundedMinor = payment.refundedMinor + amountMinor;
  const to = refundedStatus(payment.capturedMinor, refundedMinor);
  assertTransition(payment.status, to);
  return { kind: 'allowed', from: payment.status, to, refundedMinor };
}

/**
 * A refund the card company rejected gives its amount back to the payment's refundable balance:
 * the payment's refunded total and status after that.
 */
export function refundGivenBack(payment: RefundablePayment, amountMinor: number): { from: PaymentStatus; to: PaymentStatus; refundedMinor: number } {
  const refundedMinor = payment.refundedMinor - amountMinor;
  assert.ok(refundedMinor >= 0, 'a rejected refund gives back no more than was refunded');
  const to = refundedStatus(payment.capturedMinor, refundedMinor);
  assertTransition(payment.status, to);
  return { from: payment.status, to, refundedMinor };
}
