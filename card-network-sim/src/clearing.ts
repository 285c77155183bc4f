/**
 * The clearing house: settles a batch of sales and refunds in one transaction, pays the
 * net per currency into the merchant account, and keeps the answer so that a resent batch
 * gets the very same bytes back and moves no money twice. No HTTP here.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { AppError, notFound } from '../../shared/errors.ts';
import type { Currency } from '../../shared/money.ts';
import type {
  MerchantAccount, SettlementBatchItem, SettlementBatchRequest, SettlementBatchResponse, SettlementItemResult,
} from '../../shared/contracts/network.ts';
import type { CardFingerprinter } from './card-fingerprint.ts';
import { isExpired } from './holds.ts';
import type { PointsClearingRow } from './storage/points-store.ts';
import type { ClearingRow, NetworkStore, NewRefund, StoredBatch } from './storage/store.ts';

export const REJECTION_REASONS = [
  'unknown_authorization', 'authorization_code_mismatch', 'amount_exceeds_authorization', 'already_settled',
  'authorization_expired', 'authorization_reversed', 'authorization_declined', 'currency_mismatch',
  'refund_exceeds_settled', 'sale_not_settled', 'duplicate_item', 'authorization_not_settleable',
] as const;

/** A card authorization or a points hold, as clearing reads it. */
type SettleableRow = ClearingRow | PointsClearingRow;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export interface ClearingDeps {
  store: NetworkStore;
  clock: () => Date;
  fingerprintCard: CardFingerprinter;
  authorizationTtlMs: number;
}

export interface BatchOutcome {
  /** The answer as stored: a replay sends exactly these bytes. */
  responseJson: string;
  /** True when the batch had been received before and nothing was settled now. */
  replayed: boolean;
  settledCount: number;
  rejectedCount: number;
}

type Totals = SettlementBatchResponse['totals'];

/** What one batch sees and changes, held in memory so that items cost no extra queries. */
interface BatchContext {
  batchId: string;
  nowMs: number;
  authorizationTtlMs: number;
  /** Card authorizations named by the batch (as sale or as refunded sale), by merchantReference. */
  authorizations: Map<string, SettleableRow>;
  /** Points holds named by the batch, by merchantReference (points references are a namespace of their own). */
  pointsAuthorizations: Map<string, SettleableRow>;
  settledRefundReferences: Set<string>;
  /** Items already met in this batch, per item type, as `<method>:<merchantReference>`. */
  seenSaleReferences: Set<string>;
  seenRefundReferences: Set<string>;
  /** Card sales that settle, written in one statement at the end of the batch. */
  settledSales: Array<{ seq: number; amount: number }>;
  /** Points sales that settle: the points leave their accounts. */
  settledPointsSales: Array<{ seq: number; amount: number }>;
  /** Refunds that settle, written after the sales (a refund may credit a sale of this batch). */
  settledRefunds: Array<{ refund: NewRefund; saleSeq: number }>;
}

/** SHA-256 of the items in a fixed field order; a full card number enters only as its fingerprint. */
export function batchContentSha256(items: SettlementBatchItem[], fingerprintCard: CardFingerprinter): string {
  const canonical = items.map((item) => [
    item.type, item.merchantReference, item.originalMerchantReference ?? null, item.authorizationCode,
    item.amount, item.currency, item.card?.brand ?? null, item.card?.last4 ?? null,
    item.card?.number === undefined ? null : fingerprintCard(item.card.number),
    // Only points items carry their method, so batches without them hash as they always did.
    ...(item.method === 'points' ? ['points'] : []),
  ]);
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

export class ClearingHouse {
  readonly #deps: ClearingDeps;

  constructor(deps: ClearingDeps) {
    this.#deps = deps;
  }

  /**
   * Settles a batch once, all of it in one transaction: the items, the card accounts, the
   * deposits and the stored answer commit together or not at all. A resend of the same batchId
   * and items answers the stored report and moves nothing.
   */
  settleBatch(request: SettlementBatchRequest): BatchOutcome {
    const { store } = this.#deps;
    const contentSha256 = batchContentSha256(request.items, this.#deps.fingerprintCard);
    return store.transaction(() => {
      const stored = store.findBatch(request.batchId);
      if (stored) return replay(request.batchId, stored, contentSha256);
      const nowMs = this.#deps.clock().getTime();
      const context = this.#loadContext(request, nowMs);
      const items = request.items.map((item) => (item.type === 'sale' ? settleSale(item, context) : settleRefund(item, context)));
      const totals = totalsOf(items);
      this.#write(context, totals);
      const settledCount = items.filter((item) => item.status === 'settled').length;
      const response: SettlementBatchResponse = {
        batchId: request.batchId,
        receivedAt: new Date(nowMs).toISOString(),
        itemCount: items.length,
        settledCount,
        rejectedCount: items.length - settledCount,
        totals,
        items,
      };
      assertReportConsistent(response);
      const responseJson = JSON.stringify(response);
      store.insertBatch(request.batchId, contentSha256, responseJson, nowMs);
      return { responseJson, replayed: false, settledCount, rejectedCount: response.rejectedCount };
    });
  }

  /** Writes what the batch settled: sales first, since a refund may credit a sale of the same batch. */
  #write(context: BatchContext, totals: Totals): void {
    const { store } = this.#deps;
    store.settleSales(context.settledSales, context.batchId, context.nowMs);
    store.points.settleSales(context.settledPointsSales, context.batchId, context.nowMs);
    for (const { refund, saleSeq } of context.settledRefunds) store.addRefund(refund, saleSeq);
    for (const [currency, total] of Object.entries(totals)) {
      store.addDeposit({ batchId: context.batchId, currency: currency as Currency, amount: total.net, atMs: context.nowMs });
    }
  }

  #loadContext(request: SettlementBatchRequest, nowMs: number): BatchContext {
    const cardReferences = new Set<string>();
    const pointsReferences = new Set<string>();
    const refundReferences: string[] = [];
    for (const item of request.items) {
      const references = item.method === 'points' ? pointsReferences : cardReferences;
      references.add(saleReferenceOf(item));
      if (item.type === 'refund') refundReferences.push(item.merchantReference);
    }
    const { store } = this.#deps;
    const byReference = (rows: SettleableRow[]) => new Map(rows.map((row) => [row.merchantReference, row]));
    return {
      batchId: request.batchId,
      nowMs,
      authorizationTtlMs: this.#deps.authorizationTtlMs,
      authorizations: byReference(store.findClearingRows([...cardReferences])),
      pointsAuthorizations: byReference(store.points.findClearingRows([...pointsReferences])),
      settledRefundReferences: new Set(store.findSettledRefundReferences(refundReferences)),
      seenSaleReferences: new Set(),
      seenRefundReferences: new Set(),
      settledSales: [],
      settledPointsSales: [],
      settledRefunds: [],
    };
  }

  /** The stored report of a batch, as the JSON first answered. */
  findBatchJson(batchId: string): string {
    const stored = this.#deps.store.findBatch(batchId);
    if (!stored) throw notFound(`Settlement batch ${batchId}`);
    return stored.responseJson;
  }

  merchantAccount(): MerchantAccount {
    const balances: Record<string, number> = {};
    for (const row of this.#deps.store.merchantBalances()) balances[row.currency] = row.amount;
    const deposits = this.#deps.store.merchantDeposits().map((deposit) => ({
      batchId: deposit.batchId,
      currency: deposit.currency,
      amount: deposit.amount,
      at: new Date(deposit.atMs).toISOString(),
    }));
    return { balances, deposits };
  }
}

function replay(batchId: string, stored: StoredBatch, contentSha256: string): BatchOutcome {
  if (stored.contentSha256 !== contentSha256) {
    throw new AppError({
      code: 'batch_id_reused',
      status: 409,
      message: `Batch ${batchId} was already received with different items; a new batch needs a new batchId.`,
    });
  }
  const report = JSON.parse(stored.responseJson) as SettlementBatchResponse;
  assertReportConsistent(report);
  return { responseJson: stored.responseJson, replayed: true, settledCount: report.settledCount, rejectedCount: report.rejectedCount };
}

function result(item: SettlementBatchItem, reason?: RejectionReason): SettlementItemResult {
  const { merchantReference, type, amount, currency } = item;
  const method = item.method === 'points' ? { method: item.method } : {};
  if (reason === undefined) return { merchantReference, type, amount, currency, status: 'settled', ...method };
  return { merchantReference, type, amount, currency, status: 'rejected', reason, ...method };
}

/** The reference of the sale an item settles or credits. */
function saleReferenceOf(item: SettlementBatchItem): string {
  return item.type === 'sale' ? item.merchantReference : item.originalMerchantReference ?? item.merchantReference;
}

/** The card authorization or points hold an item settles or credits. */
function saleOf(item: SettlementBatchItem, context: BatchContext): SettleableRow | undefined {
  const rows = item.method === 'points' ? context.pointsAuthorizations : context.authorizations;
  return rows.get(saleReferenceOf(item));
}

/** True the first time an item (method, type and reference) appears in the batch. */
function firstOccurrence(item: SettlementBatchItem, context: BatchContext): boolean {
  const seen = item.type === 'sale' ? context.seenSaleReferences : context.seenRefundReferences;
  const key = `${item.method ?? 'card'}:${item.merchantReference}`;
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
}

function saleRejection(item: SettlementBatchItem, row: SettleableRow | undefined, context: BatchContext): RejectionReason | null {
  if (!row) return 'unknown_authorization';
  // A verification held nothing and approved nothing: there is no sale to settle.
  if (row.status === 'verified') return 'authorization_not_settleable';
  if (row.status === 'declined') return 'authorization_declined';
  if (row.status === 'reversed') return 'authorization_reversed';
  if (row.status === 'settled') return 'already_settled';
  if (isExpired(row, context.nowMs, context.authorizationTtlMs)) return 'authorization_expired';
  if (row.authorizationCode !== item.authorizationCode) return 'authorization_code_mismatch';
  if (row.currency !== item.currency) return 'currency_mismatch';
  if (item.amount > row.heldAmount) return 'amount_exceeds_authorization';
  return null;
}

/** A sale settles for at most the amount still held; the rest of the hold is released. */
function settleSale(item: SettlementBatchItem, context: BatchContext): SettlementItemResult {
  if (!firstOccurrence(item, context)) return result(item, 'duplicate_item');
  const row = saleOf(item, context);
  const rejection = saleRejection(item, row, context);
  if (rejection !== null || !row) return result(item, rejection ?? 'unknown_authorization');
  (item.method === 'points' ? context.settledPointsSales : context.settledSales).push({ seq: row.seq, amount: item.amount });
  row.status = 'settled';
  row.settledAmount = item.amount;
  row.heldAmount = 0;
  return result(item);
}

function refundRejection(item: SettlementBatchItem, sale: SettleableRow | undefined, context: BatchContext): RejectionReason | null {
  if (context.settledRefundReferences.has(item.merchantReference)) return 'already_settled';
  if (!sale) return 'unknown_authorization';
  if (sale.status !== 'settled') return 'sale_not_settled';
  if (sale.authorizationCode !== item.authorizationCode) return 'authorization_code_mismatch';
  if (sale.currency !== item.currency) return 'currency_mismatch';
  if (sale.refundedAmount + item.amount > sale.settledAmount) return 'refund_exceeds_settled';
  return null;
}

/** A refund credits a settled sale, never beyond what the sale settled for in total. */
function settleRefund(item: SettlementBatchItem, context: BatchContext): SettlementItemResult {
  if (!firstOccurrence(item, context)) return result(item, 'duplicate_item');
  const sale = saleOf(item, context);
  const rejection = refundRejection(item, sale, context);
  if (rejection !== null || !sale) return result(item, rejection ?? 'unknown_authorization');
  context.settledRefunds.push({
    refund: {
      ...(item.method === 'points' ? { method: item.method } : {}),
      merchantReference: item.merchantReference,
      originalMerchantReference: saleReferenceOf(item),
      amount: item.amount,
      currency: item.currency,
      batchId: context.batchId,
      settledAtMs: context.nowMs,
    },
    saleSeq: sale.seq,
  });
  sale.refundedAmount += item.amount;
  context.settledRefundReferences.add(item.merchantReference);
  return result(item);
}

/** Totals per currency over settled items only. */
function totalsOf(items: SettlementItemResult[]): Totals {
  const totals: Totals = {};
  for (const item of items) {
    if (item.status !== 'settled') continue;
    const total = (totals[item.currency] ??= { sales: 0, refunds: 0, net: 0 });
    if (item.type === 'sale') total.sales += item.amount;
    else total.refunds += item.amount;
    total.net = total.sales - total.refunds;
  }
  return totals;
}

/**
 * A report's counts and totals must agree with its items: checked where a report is made and
 * again where a stored one is read back, so a wrong total can never be paid out or replayed.
 */
export function assertReportConsistent(report: SettlementBatchResponse): void {
  assert.equal(report.itemCount, report.items.length, 'itemCount must equal the number of items');
  const settled = report.items.filter((item) => item.status === 'settled');
  assert.equal(report.settledCount, settled.length, 'settledCount must count the settled items');
  assert.equal(report.rejectedCount, report.itemCount - settled.length, 'rejectedCount must count the rejected items');
  const expected: Totals = {};
  for (const item of settled) {
    const total = (expected[item.currency] ??= { sales: 0, refunds: 0, net: 0 });
    total[item.type === 'sale' ? 'sales' : 'refunds'] += item.amount;
  }
  for (const total of Object.values(expected)) total.net = total.sales - total.refunds;
  assert.deepEqual(report.totals, expected, 'batch totals must equal the sum of the settled items');
}
