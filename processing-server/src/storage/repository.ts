/**
 * What the domain needs from storage, and nothing about SQL. SQLite and PostgreSQL implement
 * it; every method that changes more than one row is atomic.
 */
import type { Decline, PaymentListQuery, PaymentStatus } from '../../../shared/contracts/processing.ts';
import type { PaymentRecord } from '../domain/payment.ts';

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

export interface CreatePaymentInput {
  payment: PaymentRecord;
  requestHash: string;
  spendLimit: {
    /** Inclusive limit, in minor units of the payment's currency. */
    limitMinor: number;
    /** Payments created at or after this instant count. */
    windowStart: string;
    /** Recorded on the payment when the limit would be exceeded. */
    decline: Decline;
  };
}

export type CreatePaymentResult =
  | { kind: 'created'; payment: PaymentRecord }
  | { kind: 'limit_exceeded'; payment: PaymentRecord }
  | { kind: 'existing'; idempotency: IdempotencyRecord };

export type PaymentChanges = Partial<Omit<PaymentRecord, 'id' | 'merchantReference' | 'createdAt' | 'idempotencyKey'>>;

export interface TransitionInput {
  id: string;
  /** Compare-and-set: the change applies only while the payment is in one of these statuses. */
  fromStatuses: readonly PaymentStatus[];
  /** Also require that no settlement run has taken the payment. */
  requireUnbatched?: boolean;
  changes: PaymentChanges;
  /** When given, the payment's idempotent request is completed with this answer in the same transaction. */
  completeIdempotency?: { outcome: string; response: string };
}

export interface PaymentPage {
  data: PaymentRecord[];
  hasMore: boolean;
}

export interface PaymentRepository {
  /**
   * Atomically: if the idempotency key exists, return it; otherwise check the card's spending
   * limit and insert the payment (pending, or declined with `limit_exceeded`) with its key.
   */
  createPayment(input: CreatePaymentInput): Promise<CreatePaymentResult>;
  /** Applies the changes if the status guard holds; returns the updated payment, or null if it did not. */
  transition(input: TransitionInput): Promise<PaymentRecord | null>;
  /** Records the first answer of a payment's idempotent request, if it is still in flight. */
  completeIdempotency(paymentId: string, outcome: string, response: string): Promise<void>;
  getPayment(id: string): Promise<PaymentRecord | null>;
  getIdempotency(key: string): Promise<IdempotencyRecord | null>;
  listPayments(query: PaymentListQuery): Promise<PaymentPage>;
  /** Pending payments, and payments whose hold may still need releasing, last changed before `before`, oldest first. */
  listUnresolved(options: { before: string; limit: number }): Promise<PaymentRecord[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
