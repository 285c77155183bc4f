/**
 * What both SQL stores share about payments: the field-to-column map, row mapping (snake_case
 * columns, the decline as JSON text), and status lists written into SQL.
 */
import assert from 'node:assert/strict';
import { PAYMENT_STATUSES, REFUND_STATUSES, type PaymentStatus, type RefundStatus } from '../../../../shared/contracts/processing.ts';
import type { IdempotencyRecord } from '../../domain/ports/store.ts';
import type { PaymentChanges, PaymentRecord } from '../../domain/payment.ts';

export type Row = Record<string, unknown>;

const FIELD_TO_COLUMN = {
  id: 'id', merchantReference: 'merchant_reference', status: 'status', amountMinor: 'amount', currency: 'currency',
  captureMethod: 'capture_method', paymentMethod: 'payment_method', cardBrand: 'card_brand', cardLast4: 'card_last4',
  cardExpMonth: 'card_exp_month', cardExpYear: 'card_exp_year', cardSealed: 'card_sealed', holderName: 'holder_name',
  pointsAccountId: 'points_account_id', instrumentFingerprint: 'instrument_fingerprint',
  description: 'description', orderId: 'order_id', idempotencyKey: 'idempotency_key', authorizationId: 'authorization_id',
  authorizationCode: 'authorization_code', decline: 'decline', reason: 'reason', resolution: 'resolution',
  countedMinor: 'limit_amount', capturedMinor: 'captured_amount', refundedMinor: 'refunded_amount',
  settlementId: 'settlement_id', createdAt: 'created_at', updatedAt: 'updated_at',
  savedCardId: 'saved_card_id', customerId: 'customer_id',
  authenticationId: 'authentication_id', nextActionUrl: 'next_action_url',
} as const satisfies Record<keyof PaymentRecord, string>;

export const PAYMENT_COLUMNS: readonly string[] = Object.values(FIELD_TO_COLUMN);

/** The columns of a payment or of some of its fields; `undefined` fields are left out. */
export function paymentToRow(payment: PaymentChanges | PaymentRecord): Row {
  const row: Row = {};
  for (const [field, value] of Object.entries(payment)) {
    const column = FIELD_TO_COLUMN[field as keyof PaymentRecord];
    assert.ok(column, `${field} is not a payment field`);
    if (value === undefined) continue;
    row[column] = field === 'decline' ? (value === null ? null : JSON.stringify(value)) : value;
  }
  return row;
}

const nullableText = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
const nullableNumber = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

export function paymentFromRow(row: Row): PaymentRecord {
  return {
    id: String(row.id),
    merchantReference: String(row.merchant_reference),
    status: row.status as PaymentRecord['status'],
    amountMinor: Number(row.amount),
    currency: row.currency as PaymentRecord['currency'],
    captureMethod: row.capture_method as PaymentRecord['captureMethod'],
    paymentMethod: row.payment_method as PaymentRecord['paymentMethod'],
    cardBrand: nullableText(row.card_brand) as PaymentRecord['cardBrand'],
    cardLast4: nullableText(row.card_last4),
    cardExpMonth: nullableNumber(row.card_exp_month),
    cardExpYear: nullableNumber(row.card_exp_year),
    cardSealed: nullableText(row.card_sealed),
    holderName: nullableText(row.holder_name),
    savedCardId: nullableText(row.saved_card_id),
    pointsAccountId: nullableText(row.points_account_id),
    customerId: nullableText(row.customer_id),
    instrumentFingerprint: String(row.instrument_fingerprint),
    description: nullableText(row.description),
    orderId: nullableText(row.order_id),
    idempotencyKey: String(row.idempotency_key),
    authorizationId: nullableText(row.authorization_id),
    authorizationCode: nullableText(row.authorization_code),
    decline: row.decline ? JSON.parse(String(row.decline)) as PaymentRecord['decline'] : null,
    reason: nullableText(row.reason),
    resolution: row.resolution === 'reverse' ? 'reverse' : null,
    countedMinor: Number(row.limit_amount),
    capturedMinor: Number(row.captured_amount),
    refundedMinor: Number(row.refunded_amount),
    settlementId: nullableText(row.settlement_id),
    createdAt: String(row.created_at),
    updatedAt: String(row.updated_at),
    authenticationId: nullableText(row.authentication_id),
    nextActionUrl: nullableText(row.next_action_url),
  };
}

export function idempotencyFromRow(row: Row): IdempotencyRecord {
  return {
    key: String(row.key), requestHash: String(row.request_hash), paymentId: String(row.payment_id),
    outcome: nullableText(row.outcome), response: nullableText(row.response), createdAt: String(row.created_at),
  };
}

/**
 * Statuses as an SQL list of literals, `'authorized', 'captured'`, in the order given: a partial
 * index applies only where a query repeats its condition as written. Each status is checked to
 * be one of the contract's, so nothing but a known word ever reaches the SQL text.
 */
export function statusLiterals(statuses: readonly (PaymentStatus | RefundStatus)[]): string {
  assert.ok(statuses.length > 0, 'a status list is not empty');
  for (const status of statuses) {
    assert.ok((PAYMENT_STATUSES as readonly string[]).includes(status) || (REFUND_STATUSES as readonly string[]).includes(status), `unknown status ${status}`);
  }
  return statuses.map((status) => `'${status}'`).join(', ');
}
