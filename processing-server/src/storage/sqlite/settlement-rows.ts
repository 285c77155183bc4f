/** Row mapping and the set-based SQL of settlement, shared by the SQL stores. */
import type { SettlementRun } from '../../../../shared/contracts/processing.ts';
import type { Currency } from '../../../../shared/money.ts';
import type { BatchItemRecord, ExpiredAuthorization, RefundRecord } from '../settlement-repository.ts';

export type Row = Record<string, unknown>;

/**
 * The sales a run takes: automatic and authorized, or captured; never batched; not expired.
 * Named parameter :notBefore; the payments table is `p`. Written so that the partial index
 * payments_unbatched (authorized or captured, settlement_id not yet written) serves it. On
 * SQLite a payment keeps its entry there until its result is recorded: what takes it out of
 * the next run is its sale item (see ASSIGN_SALES_SQL).
 */
export const READY_SALE_CONDITION = `p.settlement_id IS NULL AND p.status IN ('authorized', 'captured')
  AND p.created_at >= :notBefore AND (p.capture_method = 'automatic' OR p.status = 'captured')`;

/**
 * `FROM … WHERE …` of the sale item of the payment whose id is `paymentId` (a column): a payment
 * with a sale item is in that item's run, whether or not its result has been recorded. Found on
 * the unique index settlement_items_sale.
 */
export function saleItemOf(paymentId: string): string {
  return `FROM settlement_items AS taken WHERE taken.payment_id = ${paymentId} AND taken.type = 'sale'`;
}

/** The refunds a run takes (the refunds table is `r`); every refund has its payment (a foreign key). */
export const READY_REFUND_CONDITION = "r.status = 'pending' AND r.settlement_id IS NULL";

const ITEM_INSERT = `INSERT INTO settlement_items (run_id, batch_no, payment_id, refund_id, type, merchant_reference,
    original_merchant_reference, authorization_code, card_brand, card_last4, amount, currency)`;

/**
 * The next :limit ready sales after the key (:afterCreatedAt, :afterId), in (created_at, id)
 * order, as the items of batch :batchNo (named parameters :runId, :batchNo, :notBefore,
 * :afterCreatedAt, :afterId, :limit). A run calls it batch after batch, each time from the key
 * of the last sale taken (LAST_SALE_KEY_SQL), with :notBefore raised to :afterCreatedAt: the
 * index walk must start at the key, and SQLite starts it at the one lower bound on created_at
 * (a row-value comparison, or a second bound, is only a filter, and the walk starts back at the
 * front of the index every batch, quadratic in the run's size). Walking a partial index in order
 * numbers the items without sorting a million rows or running a window function over them, and
 * the payments are not rewritten. A payment that some run has taken already (it has a sale
 * item) is left out; the unique index settlement_items_sale would refuse it anyway.
 */
export const ASSIGN_SALES_SQL = `${ITEM_INSERT}
  SELECT :runId, :batchNo, p.id, NULL, 'sale', p.merchant_reference, NULL, p.authorization_code, p.card_brand, p.card_last4,
    CASE WHEN p.capture_method = 'manual' THEN p.captured_amount ELSE p.amount END, p.currency
  FROM payments p INDEXED BY payments_unbatched
  WHERE ${READY_SALE_CONDITION} AND (p.created_at > :afterCreatedAt OR p.id > :afterId)
    AND NOT EXISTS (SELECT 1 ${saleItemOf('p.id')})
  ORDER BY p.created_at, p.id
  LIMIT :limit`;

/** The (created_at, id) of the payment of the last item inserted: where the next batch of sales starts. */
export const LAST_SALE_KEY_SQL = `SELECT p.created_at AS created_at, p.id AS id FROM payments p
  WHERE p.id = (SELECT payment_id FROM settlement_items WHERE seq = (SELECT MAX(seq) FROM settlement_items))`;

/**
 * Every pending refund after the :assigned sales, continuing their numbering into batches of
 * :batchSizeMax (refunds are few, so a window function is cheap here). Named parameters:
 * :runId, :assigned, :batchSizeMax.
 */
export const ASSIGN_REFUNDS_SQL = `${ITEM_INSERT}
  SELECT :runId, CAST((:assigned + ROW_NUMBER() OVER (ORDER BY r.id) - 1) / CAST(:batchSizeMax AS INTEGER) AS INTEGER) + 1,
    r.payment_id, r.id, 'refund', r.id, p.merchant_reference, p.authorization_code, p.card_brand, p.card_last4, r.amount, r.currency
  FROM refunds r JOIN payments p ON p.id = r.payment_id
  WHERE ${READY_REFUND_CONDITION}
  ORDER BY r.id`;

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

export function expiredFromRow(row: Row): ExpiredAuthorization {
  return { paymentId: String(row.id), authorizationId: row.authorization_id === null ? null : String(row.authorization_id) };
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

/** The columns of an item in the order `itemFromValues` reads them. */
export const ITEM_COLUMNS = `seq, batch_no, payment_id, refund_id, type, merchant_reference, original_merchant_reference,
  authorization_code, card_brand, card_last4, amount, currency, status, reason`;

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
    cardBrand: String(values[8]),
    cardLast4: String(values[9]),
    amount: Number(values[10]),
    currency: values[11] as Currency,
    status: values[12] as BatchItemRecord['status'],
    reason: values[13] === null ? null : String(values[13]),
  };
}
