/**
 * What settlement needs from storage: the lease that makes one run at a time, runs and their
 * items, refunds, and the ledger changes that results make. SQL-free, like PaymentRepository.
 */
import type { Currency } from '../../../shared/money.ts';
import type { SettlementRun } from '../../../shared/contracts/processing.ts';

export interface LeaseRequest {
  name: string;
  owner: string;
  now: string;
  expiresAt: string;
}

export interface BatchItemRecord {
  seq: number;
  batchNo: number;
  paymentId: string;
  refundId: string | null;
  type: 'sale' | 'refund';
  merchantReference: string;
  originalMerchantReference: string | null;
  authorizationCode: string;
  cardBrand: string;
  cardLast4: string;
  amount: number;
  currency: Currency;
  status: 'pending' | 'settled' | 'rejected';
  reason: string | null;
}

export interface ItemResult {
  item: BatchItemRecord;
  status: 'settled' | 'rejected';
  reason: string | null;
}

/** A payment that expired, and the authorization whose hold is to be released. */
export interface ExpiredAuthorization {
  paymentId: string;
  authorizationId: string | null;
}

export interface RunPageQuery {
  limit: number;
  startingAfter?: string | undefined;
}

export interface ItemPageQuery {
  limit: number;
  /** An item's sequence number: the page starts after it. */
  startingAfterSeq?: number | undefined;
}

export interface RefundRecord {
  id: string;
  paymentId: string;
  amount: number;
  currency: Currency;
  status: 'pending' | 'settled' | 'rejected';
  reason: string | null;
  settlementId: string | null;
  idempotencyKey: string;
  requestHash: string;
  createdAt: string;
  updatedAt: string;
}

export type CreateRefundResult =
  | { kind: 'created'; refund: RefundRecord }
  | { kind: 'existing'; refund: RefundRecord }
  | { kind: 'not_refundable'; status: string }
  | { kind: 'exceeds'; refundable: number }
  | { kind: 'payment_not_found' };

export interface SettlementRepository {
  /** Takes the named lease if it is free, expired, or already ours; true when we hold it. */
  acquireLease(request: LeaseRequest): Promise<boolean>;
  releaseLease(name: string, owner: string): Promise<void>;
  /**
   * Marks authorized/captured payments created before `cutoff` and never batched as expired, each
   * with `resolution: reverse` (its hold is still to be released at the card company), and
   * returns them.
   */
  expireAuthorizations(cutoff: string, now: string): Promise<ExpiredAuthorization[]>;
  /** The hold of an expired payment was released: clears its `resolution`. */
  holdReleased(paymentId: string): Promise<void>;
  /**
   * In one transaction: creates the run and assigns every ready sale and refund to it, numbered
   * into batches of `batchSizeMax`. Returns null (and records nothing) when nothing is ready.
   */
  createRun(options: { runId: string; startedAt: string; batchSizeMax: number; notBefore: string }): Promise<SettlementRun | null>;
  findRunningRun(): Promise<SettlementRun | null>;
  /** Batch numbers of the run that still have items without a recorded result, in order. */
  unsentBatchNumbers(runId: string): Promise<number[]>;
  readBatch(runId: string, batchNo: number): Promise<BatchItemRecord[]>;
  /**
   * Records the card company's answer for one batch: items, payments and refunds, in one
   * transaction. `results` holds one result for every item of that batch.
   */
  recordBatchResults(runId: string, results: ItemResult[], now: string): Promise<void>;
  /** Computes counts and totals from the items and marks the run completed. */
  completeRun(runId: string, now: string): Promise<SettlementRun>;
  failRun(runId: string, error: string, now: string): Promise<void>;
  getRun(runId: string): Promise<SettlementRun | null>;
  listRuns(query: RunPageQuery): Promise<{ data: SettlementRun[]; hasMore: boolean }>;
  listItems(runId: string, query: ItemPageQuery): Promise<{ data: BatchItemRecord[]; hasMore: boolean }>;
  createRefund(refund: RefundRecord): Promise<CreateRefundResult>;
  /** Oldest first (ties by id, which is time-ordered). */
  getRefundsOfPayment(paymentId: string): Promise<RefundRecord[]>;
}
