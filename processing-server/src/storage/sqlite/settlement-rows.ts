/** Row mapping and the set-based SQL of settlement, shared by the SQL stores. */
import type { SettlementRun } from '../../../../shared/contracts/processing.ts';
import type { Currency } from '../../../../shared/money.ts';
import type { BatchItemRecord, RefundRecord } from '../settlement-repository.ts';

export type Row = Record<string, unknown>;

/**
 * Every sale ready to settle (automatic and authorized, or captured; never batched; not expired)
 * and every pending refund, numbered into batches in one statement. Named parameters:
 * :runId, :batchSizeMax, :notBefore.
 */
export const ASSIGN_ITEMS_SQL = `
  INSERT INTO settlement_items (run_id, batch_no, payment_id, refund_id, type, merchant_reference,
    original_merchant_reference, authorization_code, card_brand, card_last4, amount, currency)
  SELECT :runId, CAST((ROW_NUMBER() OVER (ORDER BY kind, id) - 1) / CAST(:batchSizeMax AS INTEGER) AS INTEGER) + 1,
    payment_id, refund_id, type, merchant_reference, original_merchant_reference, authorization_code, card_brand, card_last4, amount, currency
  FROM (
    SELECT 0 AS kind, p.id AS id, p.id AS payment_id, NULL AS refund_id, 'sale' AS type, p.merchant_reference AS merchant_reference,
      NULL AS original_merchant_reference, p.authorization_code AS authorization_code, p.card_brand AS card_brand, p.card_last4 AS card_last4,
      CASE WHEN p.capture_method = 'manual' THEN p.captured_amount ELSE p.amount END AS amount, p.currency AS currency
    FROM payments p
    WHERE p.settlement_id IS NULL AND p.created_at >= :notBefore
      AND ((p.status = 'authorized' AND p.capture_method = 'automatic') OR p.status = 'captured')
    UNION ALL
    SELECT 1, r.id, r.payment_id, r.id, 'refund', r.id, p.merchant_reference, p.authorization_code, p.card_brand, p.card_last4, r.amount, r.currency
    FROM refunds r JOIN payments p ON p.id = r.payment_id
    WHERE r.status = 'pending' AND r.settlement_id IS NULL
  )
`;

export function batchIdsOf(runId: string, batchCount: number): string[] {
  return Array.from({ length: batchCount }, (_unused, index) => `${runId}-${index + 1}`);
}

export function runFromRow(row: Row): SettlementRun {
  const id = String(row.id);
  return {
    id,
    status: row.status as SettlementRun['status'],
    startedAt: String(row.started_at),
    completedAt: row.completed_at === null || row.completed_at === undefined ? null : String(row.completed_at),
    itemCount: Number(row.item_count),
    settledCount: Number(row.settled_count),
    rejectedCount: Number(row.rejected_count),
    totals: typeof row.totals === 'string' ? JSON.parse(row.totals) : (row.totals as SettlementRun['totals']),
    batchIds: batchIdsOf(id, Number(row.batch_count)),
  };
}

export function itemFromRow(row: Row): BatchItemRecord {
  return {
    seq: Number(row.seq),
    batchNo: Number(row.batch_no),
    paymentId: String(row.payment_id),
    refundId: row.refund_id === null ? null : String(row.refund_id),
    type: row.type as BatchItemRecord['type'],
    merchantReference: String(row.merchant_reference),
    originalMerchantReference: row.original_merchant_reference === null ? null : String(row.original_merchant_reference),
    authorizationCode: String(row.authorization_code),
    cardBrand: String(row.card_brand),
    cardLast4: String(row.card_last4),
    amount: Number(row.amount),
    currency: row.currency as Currency,
    status: row.status as BatchItemRecord['status'],
    reason: row.reason === null ? null : String(row.reason),
  };
}

export function refundFromRow(row: Row): RefundRecord {
  return {
    id: String(row.id),
    paymentId: String(row.payment_id),
    amount: Number(row.amount),
    currency: row.currency as Currency,
    status: row.status as RefundRecord['status'],
    reason: row.reason === null ? null : String(row.reason),
    settlementId: row.settlement_id === null ? null : String(row.settlement_id),
    idempotencyKey: String(row.idempotency_key),
    requestHash: String(row.request_hash),
    createdAt: String(row.created_at),
    updatedAt: String(row.updated_at),
  };
}

/** Counts and per-currency totals of settled items, from `GROUP BY currency, type, status` rows. */
export function totalsFromGroups(groups: Row[]): {
  settledCount: number; rejectedCount: number; pendingCount: number; totals: SettlementRun['totals'];
} {
  let settledCount = 0;
  let rejectedCount = 0;
  let pendingCount = 0;
  const totals: SettlementRun['totals'] = {};
  for (const group of groups) {
    const count = Number(group.count);
    if (group.status === 'settled') settledCount += count;
    else if (group.status === 'rejected') rejectedCount += count;
    else pendingCount += count;
    if (group.status !== 'settled') continue;
    const currency = String(group.currency);
    const entry = totals[currency] ?? { sales: 0, refunds: 0, net: 0 };
    if (group.type === 'sale') entry.sales += Number(group.total);
    else entry.refunds += Number(group.total);
    entry.net = entry.sales - entry.refunds;
    totals[currency] = entry;
  }
  return { settledCount, rejectedCount, pendingCount, totals };
}
