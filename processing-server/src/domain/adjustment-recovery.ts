/**
 * The recovery worker's part for adjustments (SPEC §6.2, §12). Every adjustment left open is
 * finished by asking its payment's provider, whose record lists its adjustments by reference:
 *
 * - `pending` (an increase whose answer was lost, or a crash): the provider's decision stands,
 *   and is the answer stored for the request's key; not there means failed, watched;
 * - `resolution: send` (a decrease the ledger made and the provider has not heard of): sent,
 *   with the same reference, so it is applied once;
 * - `resolution: reverse` (an increase the merchant was told failed): if it landed after all,
 *   the hold is set back to the payment's amount (reason `timeout_reversal`); once it has been
 *   absent for the watch period, the watch ends.
 *
 * Bounded per pass; safe on many instances at once (every change is guarded).
 */
import { adjustmentInRecord, sendDecrease, settleIncrease } from './adjust.ts';
import type { AdjustmentRecord } from './adjustment.ts';
import type { DomainDeps } from './deps.ts';
import type { PaymentRecord } from './payment.ts';
import { providerOf } from './providers.ts';
import { LATE_HOLD_WATCH_MS } from './recover.ts';

export interface AdjustmentRecoveryReport {
  examined: number;
  /** Decided (approved, declined or failed), sent, or set back. */
  resolved: number;
  unresolved: number;
}

type Outcome = 'resolved' | 'unresolved';

export async function recoverAdjustments(deps: DomainDeps, options: { limit: number }): Promise<AdjustmentRecoveryReport> {
  const now = deps.clock();
  const before = new Date(now.getTime() - deps.settings.recoveryGraceMs).toISOString();
  const candidates = await deps.store.adjustments.listUnresolved({ before, limit: options.limit });
  const report: AdjustmentRecoveryReport = { examined: candidates.length, resolved: 0, unresolved: 0 };
  for (const adjustment of candidates) {
    const payment = await deps.store.payments.get(adjustment.paymentId);
    if (!payment) continue;
    report[await recoverOne(deps, adjustment, payment, now)] += 1;
  }
  if (report.resolved > 0) deps.logger.info({ ...report }, 'adjustment recovery pass finished');
  return report;
}

function recoverOne(deps: DomainDeps, adjustment: AdjustmentRecord, payment: PaymentRecord, now: Date): Promise<Outcome> {
  if (adjustment.status === 'pending') return decidePending(deps, adjustment, payment);
  if (adjustment.resolution === 'send') return sendLeftDecrease(deps, adjustment, payment);
  return setBackLateIncrease(deps, adjustment, payment, now);
}

async function decidePending(deps: DomainDeps, adjustment: AdjustmentRecord, payment: PaymentRecord): Promise<Outcome> {
  const found = adjustmentInRecord(await providerOf(deps, payment).lookup(payment.merchantReference, {}), adjustment.id);
  if (found === 'unknown') return 'unresolved';
  // A caught error keeps one adjustment from stopping the pass; the next pass tries it again.
  const result = await settleIncrease(deps, adjustment, payment, found, 'maybe').catch((error: unknown) => {
    deps.logger.warn({ err: error, adjustmentId: adjustment.id }, 'could not finish a pending adjustment');
    return null;
  });
  if (result) deps.logger.info({ paymentId: payment.id, adjustmentId: adjustment.id, outcome: result.outcome }, 'recovered a pending adjustment from the provider\'s record');
  return 'resolved';
}

/** A payment no longer authorized (voided, expired, captured or taken by a run) needs no release of its own. */
async function sendLeftDecrease(deps: DomainDeps, adjustment: AdjustmentRecord, payment: PaymentRecord): Promise<Outcome> {
  if (payment.status !== 'authorized' || payment.settlementId !== null) {
    await deps.store.adjustments.resolved({ id: adjustment.id, resolution: 'send', updatedAt: deps.clock().toISOString() });
    return 'resolved';
  }
  return (await sendDecrease(deps, adjustment, payment)) ? 'resolved' : 'unresolved';
}

async function setBackLateIncrease(deps: DomainDeps, adjustment: AdjustmentRecord, payment: PaymentRecord, now: Date): Promise<Outcome> {
  const provider = providerOf(deps, payment);
  const lookup = await provider.lookup(payment.merchantReference, {});
  const found = adjustmentInRecord(lookup, adjustment.id);
  if (found === 'unknown') return 'unresolved';
  const updatedAt = now.toISOString();
  const landed = found?.decision.kind === 'approved' && lookup.kind === 'found';
  if (!landed) {
    const watchedLongEnough = now.getTime() - Date.parse(adjustment.updatedAt) > LATE_HOLD_WATCH_MS;
    if (found === null && !watchedLongEnough) return 'unresolved';
    await deps.store.adjustments.resolved({ id: adjustment.id, resolution: 'reverse', updatedAt });
    return 'resolved';
  }
  // Only an authorization that is still open and still the payment's own amount is set back; a
  // voided, expired or settled one holds nothing more, whatever the increase asked for.
  const heldOpen = lookup.authorization.status === 'approved' && payment.status === 'authorized' && payment.authorizationId !== null;
  if (heldOpen && lookup.authorization.totalMinor !== payment.amountMinor) {
    const setBack = await provider.adjust({ authorizationId: payment.authorizationId!, amountMinor: payment.amountMinor, reference: `${adjustment.id}.back` }, {});
    if (setBack.kind === 'no_answer') return 'unresolved';
    deps.logger.warn({ paymentId: payment.id, adjustmentId: adjustment.id, toMinor: payment.amountMinor }, 'timeout reversal: set back an increase the merchant was told failed');
  }
  await deps.store.adjustments.resolved({ id: adjustment.id, resolution: 'reverse', reason: 'timeout_reversal', updatedAt });
  return 'resolved';
}
