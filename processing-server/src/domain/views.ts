/**
 * The API's view of what the domain keeps (shared/contracts/processing.ts): a payment with its
 * card masked, a refund, a settlement item. Amounts leave as `amount` in minor units. The first
 * answer to an idempotent request is stored in this form, so a repeat replays it as it was.
 */
import type { Payment, Refund, SettlementItem } from '../../../shared/contracts/processing.ts';
import type { PaymentRecord } from './payment.ts';
import type { BatchItemRecord, RefundRecord } from './ports/store.ts';

export function toPublicPayment(payment: PaymentRecord): Payment {
  return {
    id: payment.id,
    status: payment.status,
    amount: payment.amountMinor,
    currency: payment.currency,
    captureMethod: payment.captureMethod,
    paymentMethod: 'card',
    card: { brand: payment.cardBrand, last4: payment.cardLast4, expMonth: payment.cardExpMonth, expYear: payment.cardExpYear },
    holderName: payment.holderName,
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
  };
}

export function toPublicRefund(refund: RefundRecord): Refund {
  return {
    id: refund.id, paymentId: refund.paymentId, amount: refund.amountMinor, currency: refund.currency,
    status: refund.status, settlementId: refund.settlementId, createdAt: refund.createdAt,
  };
}

/** An item as the API shows it; its batch id is `<runId>-<batch number>`. */
export function toPublicItem(runId: string, item: BatchItemRecord): SettlementItem {
  return {
    id: `item_${item.seq}`,
    paymentId: item.paymentId,
    ...(item.refundId ? { refundId: item.refundId } : {}),
    type: item.type,
    paymentMethod: 'card',
    amount: item.amountMinor,
    currency: item.currency,
    batchId: `${runId}-${item.batchNo}`,
    status: item.status,
    ...(item.reason ? { reason: item.reason } : {}),
  };
}
