/**
 * A change of an authorized payment's amount (SPEC §12), as the domain keeps it, and the rule
 * that decides whether one may start: a pure function a store calls inside its atomic section,
 * after it has locked the payment (and, for an increase, summed the payer's spend).
 *
 * An adjustment is a durable record written before the provider is asked: its `id` is the
 * adjustment's reference at the provider (its idempotency key there), `fromMinor` and `toMinor`
 * the totals before and after. An increase starts `pending` and reserves the difference against
 * the spending limit until it is decided; a decrease changes the ledger at once (`approved`)
 * and is sent to the provider afterwards (`resolution: send`).
 */
import assert from 'node:assert/strict';
import { v7 as uuidv7 } from 'uuid';
import type { Decline, PaymentStatus } from '../../../shared/contracts/processing.ts';
import type { Currency } from '../../../shared/money.ts';
import type { AdjustmentStatus } from './lifecycle.ts';
import type { PaymentRecord } from './payment.ts';
import type { TransitionCommand } from './ports/store.ts';
import { decideSpend } from './spend-limit.ts';

/** What the caller of `POST /v1/payments/:id/adjust` learns; `pending` means not yet known. */
export type AdjustOutcomeKind = 'adjusted' | 'declined' | 'failed' | 'pending' | 'invalid_state';

/**
 * Work left at the provider: `send` a decrease the ledger already made; watch a failed increase
 * that may still land (`reverse`), and set the hold back to the payment's amount if it does.
 */
export type AdjustmentResolution = 'send' | 'reverse';

export interface AdjustmentRecord {
  id: string;
  paymentId: string;
  idempotencyKey: string;
  requestHash: string;
  fromMinor: number;
  toMinor: number;
  status: AdjustmentStatus;
  /** The provider's decline of an increase, or our `limit_exceeded`. */
  decline: Decline | null;
  /** Why it failed (`network_unavailable`, `payment_changed`), or that a late increase was set back (`timeout_reversal`). */
  reason: string | null;
  resolution: AdjustmentResolution | null;
  /** The payer (fingerprint) and currency of its payment: a pending increase counts against their limit. */
  instrumentFingerprint: string;
  currency: Currency;
  /** The first answer to the adjustment's request: its outcome and the payment as answered (JSON). */
  outcome: AdjustOutcomeKind | null;
  response: string | null;
  createdAt: string;
  updatedAt: string;
}

export function newAdjustmentId(): string {
  return `adj_${uuidv7().replaceAll('-', '')}`;
}

export function assertAdjustmentInvariants(adjustment: AdjustmentRecord): void {
  assert.ok(Number.isSafeInteger(adjustment.fromMinor) && adjustment.fromMinor > 0, 'from is a positive integer amount');
  assert.ok(Number.isSafeInteger(adjustment.toMinor) && adjustment.toMinor > 0, 'to is a positive integer amount');
  assert.ok(adjustment.status !== 'pending' || adjustment.toMinor > adjustment.fromMinor, 'only an increase waits for the provider');
}

/** What a store knows, inside its lock, when an adjustment asks to start. */
export interface AdjustmentQuestion {
  status: PaymentStatus;
  amountMinor: number;
  /** A settlement run has taken the payment. */
  taken: boolean;
  /** Another adjustment of the payment is still being decided or still has work at the provider. */
  open: boolean;
  toMinor: number;
  /** For an increase: what the payer already counts (its pending increases included), and its limit. */
  spend?: { spentMinor: number; limitMinor: number } | undefined;
}

export type AdjustmentDecision =
  | { kind: 'not_adjustable'; status: PaymentStatus; taken: boolean }
  | { kind: 'in_progress' }
  /** The store sums the payer's spend and asks again with `spend`. */
  | { kind: 'needs_spend' }
  | { kind: 'exceeded' }
  | { kind: 'increase' }
  /** A decrease, or the same amount: the ledger changes at once. */
  | { kind: 'decrease' };

/**
 * Only an authorized payment that no settlement run has taken changes its amount, one change at
 * a time; an increase must fit the spending limit beside everything else the payer counts.
 */
export function decideAdjustment(question: AdjustmentQuestion): AdjustmentDecision {
  if (question.status !== 'authorized' || question.taken) return { kind: 'not_adjustable', status: question.status, taken: question.taken };
  if (question.open) return { kind: 'in_progress' };
  if (question.toMinor <= question.amountMinor) return { kind: 'decrease' };
  if (!question.spend) return { kind: 'needs_spend' };
  const increaseMinor = question.toMinor - question.amountMinor;
  return decideSpend({ ...question.spend, amountMinor: increaseMinor }) === 'within' ? { kind: 'increase' } : { kind: 'exceeded' };
}

/** What the domain asks a store to start; the store adds what it reads under its lock. */
export type AskedAdjustment = Pick<AdjustmentRecord, 'id' | 'paymentId' | 'idempotencyKey' | 'requestHash' | 'toMinor' | 'createdAt'>;

/**
 * The adjustment stored for a decision: an increase pending, an increase over the limit
 * declined (`limitDecline`), a decrease approved with its sending still to do (nothing to send
 * when the amount stays the same).
 */
export function adjustmentFor(
  asked: AskedAdjustment, payment: Pick<PaymentRecord, 'amountMinor' | 'instrumentFingerprint' | 'currency'>,
  decision: 'increase' | 'exceeded' | 'decrease', limitDecline: Decline,
): AdjustmentRecord {
  const base: AdjustmentRecord = {
    ...asked, fromMinor: payment.amountMinor, status: 'pending', decline: null, reason: null, resolution: null,
    instrumentFingerprint: payment.instrumentFingerprint, currency: payment.currency, outcome: null, response: null, updatedAt: asked.createdAt,
  };
  const adjustment: AdjustmentRecord = decision === 'increase' ? base
    : decision === 'exceeded' ? { ...base, status: 'declined', decline: limitDecline }
      : { ...base, status: 'approved', resolution: asked.toMinor === payment.amountMinor ? null : 'send' };
  assertAdjustmentInvariants(adjustment);
  return adjustment;
}

/**
 * The payment's side of an approved adjustment: its new amount, which is also what it counts
 * against the limit, through the compare-and-set `authorized → authorized`, only while no
 * settlement run has taken it.
 */
export function amountChange(paymentId: string, toMinor: number, updatedAt: string): TransitionCommand {
  return {
    id: paymentId, from: ['authorized'], to: 'authorized', unbatched: true,
    changes: { amountMinor: toMinor, countedMinor: toMinor, updatedAt },
  };
}
