/** Row mapping of settlement runs, items and refunds, shared by the SQL stores. */
import type { SettlementRun } from '../../../../shared/contracts/processing.ts';
import type { Currency } from '../../../../shared/money.ts';
import type { BatchItemRecord, ExpiredAuthorization, RefundRecord } from '../../domain/ports/store.ts';
import type { Row } from './payment-rows.ts';

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
    paymentMethod: row.payment_method as BatchItemRecord['paymentMethod'],
    cardBrand: row.card_brand === null ? null : String(row.card_brand),
    cardLast4: row.card_last4 === null ? null : String(row.card_last4),
    amountMinor: Number(row.amount),
    currency: row.currency as Currency,
    status: row.status as BatchItemRecord['status'],
    reason: row.reason === null ? null : String(row.reason),
  };
}

export function expiredFromRow(row: Row): ExpiredAuthorization {
  return {
    paymentId: String(row.id), paymentMethod: row.payment_method as ExpiredAuthorization['paymentMethod'],
    authorizationId: row.authorization_id === null ? null : String(row.authorization_id),
  };
}

export function refundFromRow(row: Row): RefundRecord {
  return {
    id: String(row.id),
    paymentId: String(row.payment_id),
    amountMinor: Number(row.amount),
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

/** The columns of an item in the order `itemFromValues` reads them. */
export const ITEM_COLUMNS = `seq, batch_no, payment_id, refund_id, type, merchant_reference, original_merchant_reference,
  authorization_code, payment_method, card_brand, card_last4, amount, currency, status, reason`;

/**
 * An item from its ITEM_COLUMNS values by position: a batch reads 5,000 rows, and arrays are
 * much cheaper to make and read than row objects with named properties.
 */
export function itemFromValues(values: readonly unknown[]): BatchItemRecord {
  return {
    seq: Number(values[0]),
    batchNo: Number(values[1]),
    paymentId: String(values[2]),
    refundId: values[3] === null ? null : String(values[3]),
    type: values[4] as BatchItemRecord['type'],
    merchantReference: String(values[5]),
    originalMerchantReference: values[6] === null ? null : String(values[6]),
    authorizationCode: String(values[7]),
    paymentMethod: values[8] as BatchItemRecord['paymentMethod'],
    cardBrand: values[9] === null ? null : String(values[9]),
    cardLast4: values[10] === null ? null : String(values[10]),
    amountMinor: Number(values[11]),
    currency: values[12] as Currency,
    status: values[13] as BatchItemRecord['status'],
    reason: values[14] === null ? null : String(values[14]),
  };
}
