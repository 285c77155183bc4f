/** What both SQL stores share about adjustments: the column list and row mapping (the decline as JSON text). */
import type { AdjustmentRecord } from '../../domain/adjustment.ts';
import type { Row } from './payment-rows.ts';

export const ADJUSTMENT_COLUMNS = [
  'id', 'payment_id', 'idempotency_key', 'request_hash', 'from_amount', 'to_amount', 'status', 'decline', 'reason', 'resolution',
  'instrument_fingerprint', 'currency', 'outcome', 'response', 'created_at', 'updated_at',
] as const;

const nullableText = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

/** The row's values in ADJUSTMENT_COLUMNS order. */
export function adjustmentValues(adjustment: AdjustmentRecord): Array<string | number | null> {
  return [
    adjustment.id, adjustment.paymentId, adjustment.idempotencyKey, adjustment.requestHash, adjustment.fromMinor, adjustment.toMinor,
    adjustment.status, adjustment.decline ? JSON.stringify(adjustment.decline) : null, adjustment.reason, adjustment.resolution,
    adjustment.instrumentFingerprint, adjustment.currency, adjustment.outcome, adjustment.response, adjustment.createdAt, adjustment.updatedAt,
  ];
}

export function adjustmentFromRow(row: Row): AdjustmentRecord {
  return {
    id: String(row.id),
    paymentId: String(row.payment_id),
    idempotencyKey: String(row.idempotency_key),
    requestHash: String(row.request_hash),
    fromMinor: Number(row.from_amount),
    toMinor: Number(row.to_amount),
    status: row.status as AdjustmentRecord['status'],
    decline: row.decline ? JSON.parse(String(row.decline)) as AdjustmentRecord['decline'] : null,
    reason: nullableText(row.reason),
    resolution: row.resolution === 'send' || row.resolution === 'reverse' ? row.resolution : null,
    instrumentFingerprint: String(row.instrument_fingerprint),
    currency: row.currency as AdjustmentRecord['currency'],
    outcome: nullableText(row.outcome) as AdjustmentRecord['outcome'],
    response: nullableText(row.response),
    createdAt: String(row.created_at),
    updatedAt: String(row.updated_at),
  };
}
