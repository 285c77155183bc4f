/** Mapping between PaymentRecord and its row (snake_case columns, decline as JSON), shared by SQL stores. */
import type { PaymentRecord } from '../../domain/payment.ts';
import type { PaymentChanges } from '../repository.ts';

export type Row = Record<string, unknown>;

const FIELD_TO_COLUMN = {
  id: 'id', merchantReference: 'merchant_reference', status: 'status', amount: 'amount', currency: 'currency',
  captureMethod: 'capture_method', cardBrand: 'card_brand', cardLast4: 'card_last4', cardExpMonth: 'card_exp_month',
  cardExpYear: 'card_exp_year', cardFingerprint: 'card_fingerprint', cardSealed: 'card_sealed', holderName: 'holder_name',
  description: 'description', orderId: 'order_id', idempotencyKey: 'idempotency_key', authorizationId: 'authorization_id',
  authorizationCode: 'authorization_code', decline: 'decline', reason: 'reason', resolution: 'resolution',
  limitAmount: 'limit_amount', capturedAmount: 'captured_amount', refundedAmount: 'refunded_amount',
  settlementId: 'settlement_id', createdAt: 'created_at', updatedAt: 'updated_at',
} as const satisfies Record<keyof PaymentRecord, string>;

export const PAYMENT_COLUMNS: readonly string[] = Object.values(FIELD_TO_COLUMN);

export function paymentToRow(payment: PaymentChanges | PaymentRecord): Row {
  const row: Row = {};
  for (const [field, value] of Object.entries(payment)) {
    const column = FIELD_TO_COLUMN[field as keyof PaymentRecord];
    if (!column || value === undefined) continue;
    row[column] = field === 'decline' ? (value === null ? null : JSON.stringify(value)) : value;
  }
  return row;
}

const nullableText = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

export function paymentFromRow(row: Row): PaymentRecord {
  return {
    id: String(row.id),
    merchantReference: String(row.merchant_reference),
    status: row.status as PaymentRecord['status'],
    amount: Number(row.amount),
    currency: row.currency as PaymentRecord['currency'],
    captureMethod: row.capture_method as PaymentRecord['captureMethod'],
    cardBrand: row.card_brand as PaymentRecord['cardBrand'],
    cardLast4: String(row.card_last4),
    cardExpMonth: Number(row.card_exp_month),
    cardExpYear: Number(row.card_exp_year),
    cardFingerprint: String(row.card_fingerprint),
    cardSealed: String(row.card_sealed),
    holderName: String(row.holder_name),
    description: nullableText(row.description),
    orderId: nullableText(row.order_id),
    idempotencyKey: String(row.idempotency_key),
    authorizationId: nullableText(row.authorization_id),
    authorizationCode: nullableText(row.authorization_code),
    decline: row.decline ? JSON.parse(String(row.decline)) as PaymentRecord['decline'] : null,
    reason: nullableText(row.reason),
    resolution: row.resolution === 'reverse' ? 'reverse' : null,
    limitAmount: Number(row.limit_amount),
    capturedAmount: Number(row.captured_amount),
    refundedAmount: Number(row.refunded_amount),
    settlementId: nullableText(row.settlement_id),
    createdAt: String(row.created_at),
    updatedAt: String(row.updated_at),
  };
}
