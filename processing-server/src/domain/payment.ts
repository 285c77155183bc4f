/**
 * The payment as the domain sees it (with the vault fields the API never shows), its legal
 * state transitions, and the public view of it.
 */
import assert from 'node:assert/strict';
import type { CardBrand } from '../../../shared/cards.ts';
import type { Currency } from '../../../shared/money.ts';
import type { CaptureMethod, Decline, Payment, PaymentStatus } from '../../../shared/contracts/processing.ts';

export interface PaymentRecord {
  id: string;
  merchantReference: string;
  status: PaymentStatus;
  amount: number;
  currency: Currency;
  captureMethod: CaptureMethod;
  cardBrand: CardBrand;
  cardLast4: string;
  cardExpMonth: number;
  cardExpYear: number;
  /** HMAC-SHA-256 of the number: identifies the card for spending limits. */
  cardFingerprint: string;
  /** AES-256-GCM ciphertext of the number, bound to this payment id. */
  cardSealed: string;
  holderName: string;
  description: string | null;
  orderId: string | null;
  idempotencyKey: string;
  authorizationId: string | null;
  authorizationCode: string | null;
  decline: Decline | null;
  reason: string | null;
  /**
   * A hold at the card company that may still need releasing: `reverse` for a payment whose
   * caller was told it failed (a timeout reversal, if a hold turns up), and for a voided or
   * expired payment until its reversal went through. The recovery worker releases it.
   */
  resolution: 'reverse' | null;
  /** The part of this payment that counts against the card's rolling spending limit. */
  limitAmount: number;
  capturedAmount: number;
  refundedAmount: number;
  settlementId: string | null;
  createdAt: string;
  updatedAt: string;
}

const TRANSITIONS: Record<PaymentStatus, readonly PaymentStatus[]> = {
  pending: ['authorized', 'declined', 'failed', 'voided'],
  authorized: ['captured', 'voided', 'expired', 'settled', 'settlement_rejected'],
  captured: ['voided', 'expired', 'settled', 'settlement_rejected'],
  settled: ['partially_refunded', 'refunded'],
  partially_refunded: ['partially_refunded', 'refunded'],
  // A payment failed for want of an answer may turn out to hold funds: the recovery worker then
  // reverses the hold, and the payment ends voided (reason timeout_reversal).
  failed: ['voided'],
  declined: [],
  voided: [],
  expired: [],
  refunded: [],
  settlement_rejected: [],
};

export function canTransition(from: PaymentStatus, to: PaymentStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(from: PaymentStatus, to: PaymentStatus): void {
  assert.ok(canTransition(from, to), `illegal payment transition ${from} → ${to}`);
}

/** Statuses whose amount still counts against the spending limit (SPEC §6.4). */
export const LIMIT_RELEASING_STATUSES: readonly PaymentStatus[] = ['declined', 'voided', 'expired', 'failed'];

export function assertPaymentInvariants(payment: PaymentRecord): void {
  assert.ok(Number.isSafeInteger(payment.amount) && payment.amount > 0, 'amount must be a positive integer');
  assert.ok(payment.capturedAmount >= 0 && payment.capturedAmount <= payment.amount, 'captured amount out of range');
  assert.ok(payment.refundedAmount >= 0 && payment.refundedAmount <= payment.capturedAmount, 'refunded amount out of range');
  assert.ok(payment.limitAmount >= 0 && payment.limitAmount <= payment.amount, 'limit amount out of range');
}

export function toPublicPayment(payment: PaymentRecord): Payment {
  return {
    id: payment.id,
    status: payment.status,
    amount: payment.amount,
    currency: payment.currency,
    captureMethod: payment.captureMethod,
    paymentMethod: 'card',
    card: { brand: payment.cardBrand, last4: payment.cardLast4, expMonth: payment.cardExpMonth, expYear: payment.cardExpYear },
    holderName: payment.holderName,
    authorizationCode: payment.authorizationCode,
    decline: payment.decline,
    reason: payment.reason,
    capturedAmount: payment.capturedAmount,
    refundedAmount: payment.refundedAmount,
    settlementId: payment.settlementId,
    merchantReference: payment.merchantReference,
    description: payment.description,
    orderId: payment.orderId,
    createdAt: payment.createdAt,
    updatedAt: payment.updatedAt,
  };
}
