/**
 * Every legal status change of a payment, a refund and a settlement run, in one place. Each
 * change the code makes (one payment at a time or set-based, in any store) names its target
 * status and the statuses it may come from; the store checks them here with node:assert before
 * it writes, so an illegal change is a programmer error that stops the process, never a row.
 */
import assert from 'node:assert/strict';
import {
  PAYMENT_STATUSES, REFUND_STATUSES, SETTLEMENT_RUN_STATUSES,
  type PaymentStatus, type RefundStatus, type SettlementRunStatus,
} from '../../../shared/contracts/processing.ts';

export const PAYMENT_TRANSITIONS: Readonly<Record<PaymentStatus, readonly PaymentStatus[]>> = {
  // The durable record written before the provider is called; the answer decides it. The card
  // company may ask for 3-D Secure first (requires_action), or no answer comes (failed).
  pending: ['requires_action', 'authorized', 'declined', 'failed'],
  // After the shopper's 3-D Secure step; `failed` also when the step is abandoned.
  requires_action: ['authorized', 'declined', 'failed'],
  // A manual payment is captured first; an automatic one settles as it is. Either is voided
  // before a run takes it, expires unsettled, or is settled or rejected by a run. A change of
  // the authorized amount (adjust) stays authorized.
  authorized: ['authorized', 'captured', 'voided', 'expired', 'settled', 'settlement_rejected'],
  captured: ['voided', 'expired', 'settled', 'settlement_rejected'],
  settled: ['partially_refunded', 'refunded'],
  // Another partial refund stays partially_refunded. A refund the card company rejects gives its
  // amount back, which can lead back to settled (or from refunded to partially_refunded).
  partially_refunded: ['partially_refunded', 'refunded', 'settled'],
  refunded: ['partially_refunded', 'settled'],
  // A payment failed for want of an answer may turn out to hold funds: the hold is reversed and
  // the payment ends voided (reason timeout_reversal).
  failed: ['voided'],
  declined: [],
  voided: [],
  expired: [],
  settlement_rejected: [],
};

export const REFUND_TRANSITIONS: Readonly<Record<RefundStatus, readonly RefundStatus[]>> = {
  pending: ['settled', 'rejected'],
  settled: [],
  rejected: [],
};

export const ADJUSTMENT_STATUSES = ['pending', 'approved', 'declined', 'failed'] as const;
export type AdjustmentStatus = (typeof ADJUSTMENT_STATUSES)[number];

/**
 * An amount change (adjustment.ts): `pending` is written before the provider is asked for an
 * increase; a decrease is `approved` at once. What is left to do at the provider is the
 * adjustment's `resolution`, not a status.
 */
export const ADJUSTMENT_TRANSITIONS: Readonly<Record<AdjustmentStatus, readonly AdjustmentStatus[]>> = {
  pending: ['approved', 'declined', 'failed'],
  approved: [],
  declined: [],
  failed: [],
};

export const RUN_TRANSITIONS: Readonly<Record<SettlementRunStatus, readonly SettlementRunStatus[]>> = {
  running: ['completed', 'failed'],
  completed: [],
  failed: [],
};

/** A change of status the domain asks for: to `to`, only from one of `from`. */
export interface StatusChange {
  from: readonly PaymentStatus[];
  to: PaymentStatus;
}

export function canTransition(from: PaymentStatus, to: PaymentStatus): boolean {
  return PAYMENT_TRANSITIONS[from].includes(to);
}

export function assertTransition(from: PaymentStatus, to: PaymentStatus): void {
  assert.ok(canTransition(from, to), `illegal payment transition ${from} → ${to}`);
}

/** Every status from which a payment may move to `to`, in the order of PAYMENT_STATUSES. */
export function sourcesOf(to: PaymentStatus): PaymentStatus[] {
  return PAYMENT_STATUSES.filter((from) => canTransition(from, to));
}

/**
 * The statuses a change to `to` may start from: `from` when given (each one checked against the
 * table, and at least one), otherwise every status the table allows. Stores call it for every
 * compare-and-set, so the table is the only place that decides what is legal.
 */
export function checkedSources(to: PaymentStatus, from?: readonly PaymentStatus[]): readonly PaymentStatus[] {
  assert.ok(PAYMENT_STATUSES.includes(to), `unknown payment status ${String(to)}`);
  const sources = from ?? sourcesOf(to);
  assert.ok(sources.length > 0, `no status leads to ${to}`);
  for (const source of sources) assertTransition(source, to);
  return sources;
}

/** Checks a change as a whole; returns it, so a store can check and use it in one step. */
export function checkedChange<Change extends StatusChange>(change: Change): Change {
  checkedSources(change.to, change.from);
  return change;
}

export function assertRefundTransition(from: RefundStatus, to: RefundStatus): void {
  assert.ok(REFUND_STATUSES.includes(to) && REFUND_TRANSITIONS[from].includes(to), `illegal refund transition ${from} → ${to}`);
}

export function assertAdjustmentTransition(from: AdjustmentStatus, to: AdjustmentStatus): void {
  assert.ok(ADJUSTMENT_STATUSES.includes(to) && ADJUSTMENT_TRANSITIONS[from].includes(to), `illegal adjustment transition ${from} → ${to}`);
}

export function assertRunTransition(from: SettlementRunStatus, to: SettlementRunStatus): void {
  assert.ok(SETTLEMENT_RUN_STATUSES.includes(to) && RUN_TRANSITIONS[from].includes(to), `illegal settlement run transition ${from} → ${to}`);
}
