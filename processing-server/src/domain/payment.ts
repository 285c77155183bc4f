/**
 * The payment as the domain keeps it, with the vault fields the API never shows. Amounts are
 * integers in minor units of the payment's currency (`…Minor`).
 */
import assert from 'node:assert/strict';
import { v7 as uuidv7 } from 'uuid';
import type { CardBrand } from '../../../shared/cards.ts';
import type { Currency } from '../../../shared/money.ts';
import type { CaptureMethod, Decline, PaymentMethod, PaymentStatus } from '../../../shared/contracts/processing.ts';

export interface PaymentRecord {
  id: string;
  /** The payment's reference at its provider: its idempotency key there. */
  merchantReference: string;
  status: PaymentStatus;
  amountMinor: number;
  currency: Currency;
  captureMethod: CaptureMethod;
  /** What paid; the card fields are set for a card payment only, the points account for points only. */
  paymentMethod: PaymentMethod;
  cardBrand: CardBrand | null;
  cardLast4: string | null;
  cardExpMonth: number | null;
  cardExpYear: number | null;
  /** AES-256-GCM ciphertext of a typed card's number, bound to this payment id (null for a saved card: the vault keeps it). */
  cardSealed: string | null;
  holderName: string | null;
  /** The vault's card that paid (`saved_card` only): its number stays in the vault, never here. */
  savedCardId: string | null;
  pointsAccountId: string | null;
  /** The merchant's customer the payment names, or whose saved card paid it. */
  customerId: string | null;
  /** Keyed hash of what paid (the card number, or the points account): the payer of the spending limit. */
  instrumentFingerprint: string;
  description: string | null;
  orderId: string | null;
  idempotencyKey: string;
  authorizationId: string | null;
  authorizationCode: string | null;
  decline: Decline | null;
  reason: string | null;
  /**
   * A hold at the provider that may still need releasing: `reverse` for a payment whose
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
  /** The card company's 3-D Secure authentication of this payment, once one was started. */
  authenticationId: string | null;
  /** While `requires_action`: the issuer's challenge page, where the shopper is sent. */
  nextActionUrl: string | null;
}

/** What a change may write besides the status, which only a transition changes. */
export type PaymentChanges = Partial<Omit<PaymentRecord, 'id' | 'merchantReference' | 'createdAt' | 'idempotencyKey' | 'status'>>;

export function newPaymentId(): string {
  return `pay_${uuidv7().replaceAll('-', '')}`;
}

const CARD_FIELDS = ['cardBrand', 'cardLast4', 'cardExpMonth', 'cardExpYear', 'holderName'] as const;

export function assertPaymentInvariants(payment: PaymentRecord): void {
  assert.ok(Number.isSafeInteger(payment.amountMinor) && payment.amountMinor > 0, 'amount must be a positive integer');
  const card = payment.paymentMethod === 'card' || payment.paymentMethod === 'saved_card';
  assert.ok(CARD_FIELDS.every((field) => (payment[field] !== null) === card), 'card fields are set for a card payment, and only then');
  assert.ok((payment.cardSealed !== null) === (payment.paymentMethod === 'card'), 'a typed card\'s number is sealed on its payment, and only then');
  assert.ok((payment.savedCardId !== null) === (payment.paymentMethod === 'saved_card'), 'a saved card is named by its payment, and only then');
  assert.ok((payment.pointsAccountId !== null) === (payment.paymentMethod === 'points'), 'a points account is set for a points payment, and only then');
  assert.ok(payment.capturedMinor >= 0 && payment.capturedMinor <= payment.amountMinor, 'captured amount out of range');
  assert.ok(payment.refundedMinor >= 0 && payment.refundedMinor <= payment.capturedMinor, 'refunded amount out of range');
  assert.ok(payment.countedMinor >= 0 && payment.countedMinor <= payment.amountMinor, 'counted amount out of range');
}
