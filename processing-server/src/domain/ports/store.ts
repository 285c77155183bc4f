/**
 * The store port: what the domain needs from storage, in its own terms and without SQL. SQLite
 * and PostgreSQL implement it with the same answers (docs/STORAGE.md).
 *
 * The store keeps; the domain decides. A store offers atomic primitives (insert-if-absent of an
 * idempotency key, lock-and-sum of what counts against the spending limit, compare-and-set of a
 * status, one row or a set of rows) and plain reads and writes. Where a rule must be decided
 * inside an atomic section, the store calls the domain's pure decision function there
 * (`decideSpend`, `decideRefund`, `refundGivenBack`); every status change names its target and
 * is checked against the lifecycle table (`checkedSources`) before anything is written.
 *
 * Every method takes and returns plain, structured-clonable data (no callbacks, no class
 * instances, no open transaction across calls), so that a store can run behind a worker thread.
 */
import type {
  PaymentListQuery, PaymentMethod, PaymentStatus, RefundStatus, SettlementItemStatus, SettlementRun,
} from '../../../../shared/contracts/processing.ts';
import type { Currency } from '../../../../shared/money.ts';
import type { AdjustmentRecord, AdjustmentResolution, AdjustOutcomeKind, AskedAdjustment } from '../adjustment.ts';
import type { AdjustmentStatus, StatusChange } from '../lifecycle.ts';
import type { PaymentChanges, PaymentRecord } from '../payment.ts';
import type { SettlementOutcomes, SettlementReadiness } from '../settlement-outcomes.ts';
import type { SpendCheck } from '../spend-limit.ts';

/** The stored first answer to an idempotent request; `outcome` null means still in flight. */
export interface IdempotencyRecord {
  key: string;
  requestHash: string;
  paymentId: string;
  outcome: string | null;
  /** JSON snapshot of the payment as first answered. */
  response: string | null;
  createdAt: string;
}

export interface CreatePaymentCommand {
  /** The payment, `pending`. */
  payment: PaymentRecord;
  requestHash: string;
  spend: SpendCheck;
}

export type CreatePaymentResult =
  | { kind: 'created'; payment: PaymentRecord }
  /** `decideSpend` said no: the payment is stored declined (`declinedOverLimit`). */
  | { kind: 'limit_exceeded'; payment: PaymentRecord }
  /** The idempotency key was taken: nothing new is stored. */
  | { kind: 'existing'; idempotency: IdempotencyRecord };

export interface TransitionCommand {
  id: string;
  to: PaymentStatus;
  /** The statuses the payment may be in now; every status the lifecycle table allows when absent. */
  from?: readonly PaymentStatus[];
  changes?: PaymentChanges;
  /** Also require that no settlement run has taken the payment. */
  unbatched?: boolean;
  /** When given, the payment's idempotent request is completed with this answer in the same transaction. */
  completeIdempotency?: { outcome: string; response: string };
}

export interface PaymentPage {
  data: PaymentRecord[];
  hasMore: boolean;
}

/** A payment that expired, and the authorization whose hold is to be released (at its method's provider). */
export interface ExpiredAuthorization {
  paymentId: string;
  paymentMethod: PaymentMethod;
  authorizationId: string | null;
}

export interface ExpireCommand {
  change: StatusChange;
  /** Never-batched payments created before this instant expire. */
  createdBefore: string;
  now: string;
}

export interface PaymentRepository {
  /**
   * Atomically: if the idempotency key exists, return its record; otherwise lock the payer's
   * spend in the payment's currency, sum what counts since `spend.windowStart`, ask
   * `decideSpend`, and insert the payment (pending, or declined) with its key in flight.
   */
  create(command: CreatePaymentCommand): Promise<CreatePaymentResult>;
  /** Compare-and-set of the status (and the changes with it); the updated payment, or null when the guard did not hold. */
  transition(command: TransitionCommand): Promise<PaymentRecord | null>;
  /** The payment's hold was released: clears its `resolution` while it is still in `status`. */
  holdReleased(command: { id: string; status: PaymentStatus }): Promise<boolean>;
  /**
   * Set-based compare-and-set: every never-batched payment in `change.from` created before the
   * cutoff moves to `change.to`, marked `resolution: reverse` (its hold is still to be released).
   */
  expireUnbatched(command: ExpireCommand): Promise<ExpiredAuthorization[]>;
  get(id: string): Promise<PaymentRecord | null>;
  list(query: PaymentListQuery): Promise<PaymentPage>;
  /** Pending payments, and payments whose hold may still need releasing, last changed before `before`, oldest first. */
  listUnresolved(query: { before: string; limit: number }): Promise<PaymentRecord[]>;
  /** Payments waiting for the shopper's 3-D Secure step since before `before`, oldest first. */
  listAwaitingAction(query: { before: string; limit: number }): Promise<PaymentRecord[]>;
}

export interface IdempotencyRepository {
  get(key: string): Promise<IdempotencyRecord | null>;
  /** Records the first answer of a payment's idempotent request, if it is still in flight. */
  complete(command: { paymentId: string; outcome: string; response: string }): Promise<void>;
}

export interface RefundRecord {
  id: string;
  paymentId: string;
  amountMinor: number;
  currency: Currency;
  status: RefundStatus;
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
  | { kind: 'payment_not_found' }
  | { kind: 'not_refundable'; status: PaymentStatus }
  | { kind: 'exceeds'; refundableMinor: number };

export interface RefundRepository {
  /**
   * Atomically: an existing refund with the key comes back; otherwise the payment is read and
   * locked, `decideRefund` decides, and an allowed refund is inserted `pending` with the
   * payment's new refunded total and status.
   */
  create(refund: RefundRecord): Promise<CreateRefundResult>;
  /** Oldest first (ties by id, which is time-ordered). */
  listOfPayment(paymentId: string): Promise<RefundRecord[]>;
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
  paymentMethod: PaymentMethod;
  /** Brand and last four of a card item; null for points. */
  cardBrand: string | null;
  cardLast4: string | null;
  amountMinor: number;
  currency: Currency;
  status: SettlementItemStatus;
  reason: string | null;
}

/** The card company's result for one item of a batch. */
export interface ItemResult {
  seq: number;
  type: 'sale' | 'refund';
  status: 'settled' | 'rejected';
  reason: string | null;
}

export interface CreateRunCommand {
  runId: string;
  startedAt: string;
  batchSizeMax: number;
  /** Payments created before this instant have expired and are not taken. */
  notBefore: string;
  ready: SettlementReadiness;
}

export interface RecordBatchCommand {
  runId: string;
  batchNo: number;
  /** One result for every item of the batch. */
  results: ItemResult[];
  outcomes: SettlementOutcomes;
  now: string;
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

export interface SettlementRepository {
  /**
   * In one transaction: creates the run and assigns every ready sale and refund to it, numbered
   * into batches of `batchSizeMax`. Returns null (and records nothing) when nothing is ready.
   */
  createRun(command: CreateRunCommand): Promise<SettlementRun | null>;
  findRunning(): Promise<SettlementRun | null>;
  /** Batch numbers of the run that still have items without a recorded result, in order. */
  unsentBatchNumbers(runId: string): Promise<number[]>;
  readBatch(runId: string, batchNo: number): Promise<BatchItemRecord[]>;
  /**
   * Records the card company's answer for one batch in one transaction: the items, and the
   * payments and refunds as `outcomes` say. Items already recorded are left as they are.
   */
  recordBatchResults(command: RecordBatchCommand): Promise<void>;
  /** Computes counts and totals from the items and marks the run completed. */
  complete(runId: string, now: string): Promise<SettlementRun>;
  fail(runId: string, error: string, now: string): Promise<void>;
  get(runId: string): Promise<SettlementRun | null>;
  list(query: RunPageQuery): Promise<{ data: SettlementRun[]; hasMore: boolean }>;
  listItems(runId: string, query: ItemPageQuery): Promise<{ data: BatchItemRecord[]; hasMore: boolean }>;
}

export interface BeginAdjustmentCommand {
  /** The adjustment asked for: its id, payment, key, request hash, `toMinor` and times; the store fills in the rest. */
  adjustment: AskedAdjustment;
  /** The payer's spending limit, for an increase. */
  spend: SpendCheck;
}

export type BeginAdjustmentResult =
  /** The key was taken: nothing new is stored. */
  | { kind: 'existing'; adjustment: AdjustmentRecord }
  | { kind: 'payment_not_found' }
  /** `decideAdjustment` refused: nothing is stored. */
  | { kind: 'not_adjustable'; status: PaymentStatus; taken: boolean }
  | { kind: 'in_progress' }
  /** An increase over the spending limit: stored declined (`limit_exceeded`), the payment unchanged. */
  | { kind: 'limit_exceeded'; adjustment: AdjustmentRecord; payment: PaymentRecord }
  /** An increase, stored pending: its difference counts against the payer's limit until it is decided. */
  | { kind: 'increase'; adjustment: AdjustmentRecord; payment: PaymentRecord }
  /** A decrease (or the same amount), applied to the payment at once and stored approved. */
  | { kind: 'decrease'; adjustment: AdjustmentRecord; payment: PaymentRecord };

export interface FinishAdjustmentCommand {
  id: string;
  to: Exclude<AdjustmentStatus, 'pending'>;
  changes: Partial<Pick<AdjustmentRecord, 'decline' | 'reason' | 'resolution' | 'updatedAt'>>;
  /** The payment's change that comes with it (an approved increase): applied through the payment's compare-and-set. */
  payment?: TransitionCommand | undefined;
  /** The first answer to the adjustment's request, if none is stored yet. */
  answer?: { outcome: AdjustOutcomeKind; response: string } | undefined;
}

export type FinishAdjustmentResult =
  | { kind: 'finished'; adjustment: AdjustmentRecord; payment: PaymentRecord | null }
  /** Someone else decided it first: theirs stands. */
  | { kind: 'not_pending'; adjustment: AdjustmentRecord }
  /** The payment's guard did not hold (it changed meanwhile): nothing was written. */
  | { kind: 'payment_changed' };

export interface AdjustmentRepository {
  /**
   * Atomically: if the key exists, its adjustment; otherwise lock the payment, ask
   * `decideAdjustment` (for an increase after locking and summing the payer's spend, as
   * `payments.create` does), and store what it decided.
   */
  begin(command: BeginAdjustmentCommand): Promise<BeginAdjustmentResult>;
  /** Compare-and-set from `pending`, with the payment's change and the answer, in one transaction. */
  finish(command: FinishAdjustmentCommand): Promise<FinishAdjustmentResult>;
  /** The work at the provider is done: clears `resolution` while it is still `resolution` (and sets `reason`, when given). */
  resolved(command: { id: string; resolution: AdjustmentResolution; reason?: string | undefined; updatedAt: string }): Promise<boolean>;
  /** Records the first answer, if none is stored yet. */
  answer(command: { id: string; outcome: AdjustOutcomeKind; response: string }): Promise<void>;
  get(id: string): Promise<AdjustmentRecord | null>;
  /** Oldest first. */
  listOfPayment(paymentId: string): Promise<AdjustmentRecord[]>;
  /** Pending adjustments, and adjustments with work left at the provider, last changed before `before`, oldest first. */
  listUnresolved(query: { before: string; limit: number }): Promise<AdjustmentRecord[]>;
}

export interface LeaseRequest {
  name: string;
  owner: string;
  now: string;
  expiresAt: string;
}

export interface LeaseRepository {
  /** Takes the named lease if it is free, expired, or already ours; true when we hold it. */
  acquire(request: LeaseRequest): Promise<boolean>;
  release(name: string, owner: string): Promise<void>;
}

export interface Store {
  payments: PaymentRepository;
  adjustments: AdjustmentRepository;
  idempotency: IdempotencyRepository;
  refunds: RefundRepository;
  settlements: SettlementRepository;
  leases: LeaseRepository;
  /** Human-readable description for the start-up log line (no credentials). */
  description: string;
  ping(): Promise<void>;
  close(): Promise<void>;
}
