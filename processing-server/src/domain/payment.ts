/**
 * The payment as the domain keeps it, with the vault fields the API never shows. Amounts are
 * integers in minor units of the payment's currency (`…Minor`).
 */
import assert from 'node:assert/strict';
import { v7 as uuidv7 } from 'uuid';
import type { CardBrand } from '../../../shared/cards.ts';
import type { Currency } from '../../../shared/money.ts';
import type { CaptureMethod, Decline, PaymentStatus } from '../../../shared/contracts/processing.ts';

export interface PaymentRecord {
  id: string;
  /** The payment's reference at the card company: its idempotency key there. */
  merchantReference: string;
  status: PaymentStatus;
  amountMinor: number;
  currency: Currency;
  captureMethod: CaptureMethod;
  cardBrand: CardBrand;
  cardLast4: string;
  cardExpMonth: number;
  cardExpYear: number;
  /** HMAC-SHA-256 of what paid (the card number): identifies it for the spending limit. */
  instrumentFingerprint: string;
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
  /** The part of this payment that counts against the spending limit (spend-limit.ts). */
  countedMinor: number;
  capturedMinor: number;
  refundedMinor: number;
  settlementId: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What a change may write besides the status, which only a transition changes. */
export type PaymentChanges = Partial<Omit<PaymentRecord, 'id' | 'merchantReference' | 'createdAt' | 'idempotencyKey' | 'status'>>;

export function newPaymentId(): string {
  return `pay_${uuidv7().replaceAll('-', '')}`;
}

export function assertPaymentInvariants(payment: PaymentRecord): void {
  assert.ok(Number.isSafeInteger(payment.amountMinor) && payment.amountMinor > 0, 'amount must be a positive integer');
  assert.ok(payment.capturedMinor >= 0 && payment.capturedMinor <= payment.amountMinor, 'captured amount out of range');
  assert.ok(payment.refundedMinor >= 0 && payment.refundedMinor <= payment.capturedMinor, 'refunded amount out of range');
  assert.ok(payment.countedMinor >= 0 && payment.countedMinor <= payment.amountMinor, 'counted amount out of range');
}
