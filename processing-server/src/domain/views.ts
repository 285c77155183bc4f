/**
 * The API's view of what the domain keeps (shared/contracts/processing.ts): a payment with its
 * card masked, a refund, a settlement item. Amounts leave as `amount` in minor units. The first
 * answer to an idempotent request is stored in this form, so a repeat replays it as it was.
 */
import assert from 'node:assert/strict';
import type { Payment, Refund, SettlementItem } from '../../../shared/contracts/processing.ts';
import type { PaymentRecord } from './payment.ts';
import type { BatchItemRecord, RefundRecord } from './ports/store.ts';

/**
 * A card payment shows its card (brand, last four, expiry) and holder; a points payment its
 * account, and no card or holder at all (the fields are absent, not null).
 */
export function toPublicPayment(payment: PaymentRecord): Payment {
  const common = paymentFields(payment);
  if (payment.paymentMethod === 'points') {
    assert.ok(payment.pointsAccountId, 'a points payment names its account');
    return { ...common, paymentMethod: 'points', points: { accountId: payment.pointsAccountId } };
  }
  const { cardBrand, cardLast4, cardExpMonth, cardExpYear, holderName } = payment;
  assert.ok(cardBrand && cardLast4 && cardExpMonth && cardExpYear && holderName !== null, 'a card payment has its card');
  const card = { brand: cardBrand, last4: cardLast4, expMonth: cardExpMonth, expYear: cardExpYear };
  if (payment.paymentMethod === 'saved_card') {
    assert.ok(payment.savedCardId, 'a saved-card payment names its card');
    return { ...common, paymentMethod: 'saved_card', card, holderName, cardId: payment.savedCardId };
  }
  return { ...common, paymentMethod: 'card', card, holderName };
}

function paymentFields(payment: PaymentRecord) {
  return {
    id: payment.id,
    ...(payment.customerId === null ? {} : { customerId: payment.customerId }),
    status: payment.status,
    amount: payment.amountMinor,
    currency: payment.currency,
    captureMethod: payment.captureMethod,
    authorizationCode: payment.authorizationCode,
    decline: payment.decline,
    reason: payment.reason,
    capturedAmount: payment.capturedMinor,
    refundedAmount: payment.refundedMinor,
    settlementId: payment.settlementId,
    merchantReference: payment.merchantReference,
    description: payment.description,
    orderId: payment.orderId,
    createdAt: payment.createdAt,
    updatedAt: payment.updatedAt,
    // Only while the shopper's 3-D Secure step is awaited: where the caller sends the shopper.
    ...(payment.status === 'requires_action' && payment.nextActionUrl ? { nextAction: { type: 'redirect' as const, url: payment.nextActionUrl } } : {}),
  };
}

export function toPublicRefund(refund: RefundRecord): Refund {
  return {
    id: refund.id, paymentId: refund.paymentId, amount: refund.amountMinor, currency: refund.currency,
    status: refund.status, settlementId: refund.settlementId, createdAt: refund.createdAt,
  };
}

const ITEM_ID = /^item_(\d{1,15})$/;

/** An item's position in run order, from its public id (`item_<n>`); null for anything else. */
export function itemSeqOf(itemId: string): number | null {
  const match = ITEM_ID.exec(itemId);
  return match ? Number(match[1]) : null;
}

/** An item as the API shows it; its id is `item_<n>` in run order, its batch id `<runId>-<batch number>`. */
export function toPublicItem(runId: string, item: BatchItemRecord): SettlementItem {
  return {
    id: `item_${item.seq}`,
    paymentId: item.paymentId,
    ...(item.refundId ? { refundId: item.refundId } : {}),
    type: item.type,
    paymentMethod: item.paymentMethod,
    amount: item.amountMinor,
    currency: item.currency,
    batchId: `${runId}-${item.batchNo}`,
    status: item.status,
    ...(item.reason ? { reason: item.reason } : {}),
  };
}
