/**
 * Changing an authorized payment's amount (SPEC §12): idempotent by key; decided by
 * `decideAdjustment` inside the store's atomic start; then the provider of the payment's method.
 *
 * - A decrease changes the ledger at once and always succeeds for the merchant; the release at
 *   the provider follows (and, if it cannot be sent now, the recovery worker sends it).
 * - An increase is an incremental authorization: reserved against the spending limit first,
 *   durably, then asked for; approved → the payment's new amount, declined → the old one stays.
 *   Without an answer, the provider's record (its adjustments by reference) decides; with no
 *   record to ask either, it stays pending for the recovery worker (adjustment-recovery.ts).
 */
import assert from 'node:assert/strict';
import type { Decline, Payment } from '../../../shared/contracts/processing.ts';
import { amountChange, newAdjustmentId, type AdjustmentRecord, type AdjustmentResolution, type AdjustOutcomeKind } from './adjustment.ts';
import type { DomainDeps } from './deps.ts';
import { DomainError, invalidState, paymentNotFound } from './errors.ts';
import { loadPayment } from './load.ts';
import type { PaymentRecord } from './payment.ts';
import type { LookupOutcome, ProviderAdjustment } from './ports/provider.ts';
import { providerOf } from './providers.ts';
import { spendCheck } from './spend-limit.ts';
import { toPublicPayment } from './views.ts';

export interface AdjustInput {
  paymentId: string;
  /** The new total, in minor units. */
  amountMinor: number;
  idempotencyKey: string;
  requestId?: string | undefined;
}

export interface AdjustResult {
  outcome: Exclude<AdjustOutcomeKind, 'invalid_state'>;
  /** The payment after the change; for a decline, unchanged, with the adjustment's `decline`. */
  payment: Payment;
  replayed: boolean;
}

type AdjustDeps = Pick<DomainDeps, 'store' | 'providers' | 'clock' | 'logger'>;

export async function adjustPayment(deps: DomainDeps, input: AdjustInput): Promise<AdjustResult> {
  const now = deps.clock();
  const payment = await loadPayment(deps, input.paymentId);
  const requestHash = deps.vault.keyedHash(JSON.stringify({ adjust: input.paymentId, amount: input.amountMinor }));
  const begun = await deps.store.adjustments.begin({
    adjustment: {
      id: newAdjustmentId(), paymentId: payment.id, idempotencyKey: input.idempotencyKey, requestHash, toMinor: input.amountMinor,
      createdAt: now.toISOString(),
    },
    spend: spendCheck(deps.settings.spendLimits, payment.currency, now, payment.paymentMethod),
  });
  switch (begun.kind) {
    case 'existing':
      return replay(deps, begun.adjustment, requestHash);
    case 'payment_not_found':
      throw paymentNotFound(input.paymentId);
    case 'not_adjustable':
      throw invalidState(begun.taken
        ? 'The payment is already in a settlement batch; its amount can no longer change.'
        : `A ${begun.status} payment cannot change its amount; only an authorized one can.`);
    case 'in_progress':
      throw new DomainError({
        code: 'adjustment_in_progress',
        message: 'An earlier change of this payment\'s amount is still being completed with the card company; try again in a minute.',
      });
    case 'limit_exceeded':
      deps.logger.info({ paymentId: payment.id, adjustmentId: begun.adjustment.id }, 'increase declined: spending limit reached');
      return answerDeclined(deps, begun.adjustment, begun.payment, begun.adjustment.decline!);
    case 'decrease': {
      const response = toPublicPayment(begun.payment);
      await deps.store.adjustments.answer({ id: begun.adjustment.id, outcome: 'adjusted', response: JSON.stringify(response) });
      if (begun.adjustment.resolution === 'send') await sendDecrease(deps, begun.adjustment, begun.payment, input.requestId);
      return { outcome: 'adjusted', payment: response, replayed: false };
    }
    case 'increase':
      return askForIncrease(deps, begun.adjustment, begun.payment, input.requestId);
  }
}

function replay(deps: AdjustDeps, adjustment: AdjustmentRecord, requestHash: string): Promise<AdjustResult> {
  if (adjustment.requestHash !== requestHash) {
    throw new DomainError({
      code: 'idempotency_key_reused',
      message: 'This Idempotency-Key was already used for a different change of amount; use a new key for a new change.',
    });
  }
  if (adjustment.status === 'pending') {
    throw new DomainError({
      code: 'idempotency_key_in_flight',
      message: 'This change of amount is still being decided with the card company; repeat it later for the final answer.',
      details: { paymentId: adjustment.paymentId },
    });
  }
  return answerOf(deps, adjustment, true);
}

/** The first answer to an adjustment's request, as stored; derived from its status when a crash left none. */
async function answerOf(deps: AdjustDeps, adjustment: AdjustmentRecord, replayed: boolean): Promise<AdjustResult> {
  if (adjustment.outcome === 'invalid_state' || (adjustment.outcome === null && adjustment.reason === 'payment_changed')) {
    throw invalidState('The payment was voided, captured or taken by a settlement run while its amount was being changed; the amount did not change.');
  }
  if (adjustment.outcome !== null && adjustment.outcome !== 'pending' && adjustment.response !== null) {
    return { outcome: adjustment.outcome, payment: JSON.parse(adjustment.response) as Payment, replayed };
  }
  const payment = await deps.store.payments.get(adjustment.paymentId);
  assert.ok(payment, `the payment of adjustment ${adjustment.id} exists`);
  if (adjustment.status === 'declined') return { outcome: 'declined', payment: toPublicPayment({ ...payment, decline: adjustment.decline }), replayed };
  return { outcome: adjustment.status === 'approved' ? 'adjusted' : 'failed', payment: toPublicPayment(payment), replayed };
}

async function askForIncrease(deps: AdjustDeps, adjustment: AdjustmentRecord, payment: PaymentRecord, requestId?: string): Promise<AdjustResult> {
  assert.ok(payment.authorizationId, 'an authorized payment has its authorization');
  const provider = providerOf(deps, payment);
  const attempt = await provider.adjust({ authorizationId: payment.authorizationId, amountMinor: adjustment.toMinor, reference: adjustment.id }, { requestId });
  if (attempt.kind === 'approved') return approveIncrease(deps, adjustment, payment);
  if (attempt.kind === 'declined') return answerDeclined(deps, adjustment, payment, attempt.decline);
  deps.logger.warn({ paymentId: payment.id, adjustmentId: adjustment.id, delivered: attempt.delivered, error: attempt.error }, 'no answer to an increase; looking it up');
  const lookup = await provider.lookup(payment.merchantReference, { requestId });
  const found = adjustmentInRecord(lookup, adjustment.id);
  if (found === 'unknown' && attempt.delivered === 'maybe') {
    return { outcome: 'pending', payment: toPublicPayment(payment), replayed: false };
  }
  return settleIncrease(deps, adjustment, payment, found === 'unknown' ? null : found, attempt.delivered);
}

/** What the provider's record says of one adjustment: its decision, null when it is not there, `unknown` when the record could not be read. */
export function adjustmentInRecord(lookup: LookupOutcome, reference: string): ProviderAdjustment | null | 'unknown' {
  if (lookup.kind === 'unknown') return 'unknown';
  if (lookup.kind === 'not_found') return null;
  return lookup.authorization.adjustments.find((adjustment) => adjustment.reference === reference) ?? null;
}

/**
 * Decides a pending increase from the provider's record: its approval or decline stands; not
 * there means it failed (and, if it may still arrive, it is watched: `resolution: reverse`).
 */
export async function settleIncrease(
  deps: AdjustDeps, adjustment: AdjustmentRecord, payment: PaymentRecord, found: ProviderAdjustment | null, delivered: 'no' | 'maybe',
): Promise<AdjustResult> {
  if (found?.decision.kind === 'approved') return approveIncrease(deps, adjustment, payment);
  if (found?.decision.kind === 'declined') return answerDeclined(deps, adjustment, payment, found.decision.decline);
  return failIncrease(deps, adjustment, payment, delivered === 'maybe' ? 'reverse' : null);
}

async function approveIncrease(deps: AdjustDeps, adjustment: AdjustmentRecord, payment: PaymentRecord): Promise<AdjustResult> {
  const updatedAt = deps.clock().toISOString();
  const change = amountChange(payment.id, adjustment.toMinor, updatedAt);
  const answered = toPublicPayment({ ...payment, ...change.changes });
  const result = await deps.store.adjustments.finish({
    id: adjustment.id, to: 'approved', changes: { updatedAt }, payment: change,
    answer: { outcome: 'adjusted', response: JSON.stringify(answered) },
  });
  if (result.kind === 'finished') {
    deps.logger.info({ paymentId: payment.id, adjustmentId: adjustment.id, fromMinor: adjustment.fromMinor, toMinor: adjustment.toMinor }, 'amount increased');
    return { outcome: 'adjusted', payment: toPublicPayment(result.payment ?? payment), replayed: false };
  }
  if (result.kind === 'not_pending') return answerOf(deps, result.adjustment, false);
  // Voided, captured or taken by a run while the provider was asked: the increase cannot be
  // the payment's. It is recorded failed and watched, so that the hold is set back (recovery).
  deps.logger.warn({ paymentId: payment.id, adjustmentId: adjustment.id }, 'increase approved for a payment that changed meanwhile; it will be set back');
  const current = await deps.store.payments.get(payment.id);
  await deps.store.adjustments.finish({
    id: adjustment.id, to: 'failed', changes: { reason: 'payment_changed', resolution: 'reverse', updatedAt },
    answer: { outcome: 'invalid_state', response: JSON.stringify(toPublicPayment(current ?? payment)) },
  });
  return answerOf(deps, { ...adjustment, outcome: 'invalid_state' }, false);
}

async function answerDeclined(deps: AdjustDeps, adjustment: AdjustmentRecord, payment: PaymentRecord, decline: Decline): Promise<AdjustResult> {
  const answered = toPublicPayment({ ...payment, decline });
  const answer = { outcome: 'declined' as const, response: JSON.stringify(answered) };
  if (adjustment.status === 'declined') {
    // Declined by our own spending limit when it was stored: only the answer is left to record.
    await deps.store.adjustments.answer({ id: adjustment.id, ...answer });
    return { outcome: 'declined', payment: answered, replayed: false };
  }
  const result = await deps.store.adjustments.finish({ id: adjustment.id, to: 'declined', changes: { decline, updatedAt: deps.clock().toISOString() }, answer });
  if (result.kind === 'not_pending') return answerOf(deps, result.adjustment, false);
  deps.logger.info({ paymentId: payment.id, adjustmentId: adjustment.id, declineCode: decline.code }, 'increase declined');
  return { outcome: 'declined', payment: answered, replayed: false };
}

async function failIncrease(deps: AdjustDeps, adjustment: AdjustmentRecord, payment: PaymentRecord, resolution: AdjustmentResolution | null): Promise<AdjustResult> {
  const answered = toPublicPayment(payment);
  const result = await deps.store.adjustments.finish({
    id: adjustment.id, to: 'failed', changes: { reason: 'network_unavailable', resolution, updatedAt: deps.clock().toISOString() },
    answer: { outcome: 'failed', response: JSON.stringify(answered) },
  });
  if (result.kind === 'not_pending') return answerOf(deps, result.adjustment, false);
  deps.logger.warn({ paymentId: payment.id, adjustmentId: adjustment.id, watched: resolution === 'reverse' }, 'increase failed: the provider could not be reached');
  return { outcome: 'failed', payment: answered, replayed: false };
}

/**
 * Sends a decrease the ledger already made. If the provider cannot be reached now, the
 * adjustment keeps `resolution: send` and the recovery worker sends it (same reference, so it
 * is never applied twice). Answers whether it went through.
 */
export async function sendDecrease(deps: AdjustDeps, adjustment: AdjustmentRecord, payment: PaymentRecord, requestId?: string): Promise<boolean> {
  assert.ok(payment.authorizationId, 'an authorized payment has its authorization');
  const sent = await providerOf(deps, payment).adjust({ authorizationId: payment.authorizationId, amountMinor: adjustment.toMinor, reference: adjustment.id }, { requestId });
  if (sent.kind === 'no_answer') {
    deps.logger.warn({ paymentId: payment.id, adjustmentId: adjustment.id, error: sent.error }, 'decrease recorded; the release will be sent by the recovery worker');
    return false;
  }
  // A decrease is never declined; if a provider did, the ledger's lower amount still stands and
  // settlement asks for no more than that.
  if (sent.kind === 'declined') deps.logger.warn({ paymentId: payment.id, adjustmentId: adjustment.id, decline: sent.decline }, 'the provider refused a decrease');
  await deps.store.adjustments.resolved({ id: adjustment.id, resolution: 'send', updatedAt: deps.clock().toISOString() });
  return true;
}
