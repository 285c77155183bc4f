/**
 * The recovery worker's domain (SPEC §3, §6.2): every payment left pending by a crash or a
 * timeout, and every payment whose hold may still need releasing, is settled by asking its
 * provider (the card company, the points provider) what it recorded under the payment's
 * merchantReference. Bounded per pass; safe to run
 * on many instances at once (every change is a guarded transition).
 */
import type { DomainDeps } from './deps.ts';
import type { PaymentRecord } from './payment.ts';
import { changesFromDecision, settleOutcome } from './resolve.ts';
import { reverseFailedHold } from './timeout-reversal.ts';
import { AUTHENTICATION_REQUIRED } from './provider-decision.ts';
import { providerOf } from './providers.ts';

/** How long a payment we told failed is watched for a hold that lands late. */
export const LATE_HOLD_WATCH_MS = 10 * 60 * 1000;

export interface RecoveryReport {
  examined: number;
  authorized: number;
  declined: number;
  failed: number;
  reversed: number;
  unresolved: number;
}

export async function recoverPayments(deps: DomainDeps, options: { limit: number }): Promise<RecoveryReport> {
  const now = deps.clock();
  const before = new Date(now.getTime() - deps.settings.recoveryGraceMs).toISOString();
  const candidates = await deps.store.payments.listUnresolved({ before, limit: options.limit });
  const report: RecoveryReport = { examined: candidates.length, authorized: 0, declined: 0, failed: 0, reversed: 0, unresolved: 0 };
  for (const payment of candidates) {
    const outcome = payment.status === 'pending' ? await resolvePending(deps, payment) : await releaseHold(deps, payment, now);
    report[outcome] += 1;
  }
  if (report.examined > report.unresolved) deps.logger.info({ ...report }, 'recovery pass finished');
  return report;
}

type RecoveryOutcome = Exclude<keyof RecoveryReport, 'examined'>;

/** Nobody was told anything final: what the provider recorded is the answer. */
async function resolvePending(deps: DomainDeps, payment: PaymentRecord): Promise<RecoveryOutcome> {
  const lookup = await providerOf(deps, payment).lookup(payment.merchantReference, {});
  if (lookup.kind === 'unknown') return 'unresolved';
  const { decision } = lookup.kind === 'found' ? lookup.authorization : { decision: null };
  // `1A` on record is the first attempt of a 3-D Secure payment: nothing is held, and the
  // authenticated attempt that was under way when it was left pending may still land (below).
  const asksForAuthentication = decision?.kind === 'declined' && decision.decline.code === AUTHENTICATION_REQUIRED;
  if (lookup.kind === 'found' && !asksForAuthentication && (lookup.authorization.status === 'approved' || lookup.authorization.status === 'declined')) {
    const { outcome, change } = changesFromDecision(lookup.authorization.authorizationId, lookup.authorization.decision);
    const result = await settleOutcome(deps, payment, outcome, change);
    deps.logger.info({ paymentId: payment.id, status: result.payment.status }, 'recovered a pending payment from the provider\'s record');
    return result.outcome === 'authorized' ? 'authorized' : 'declined';
  }
  // Unknown now, but a request still travelling could land later: watch it for a late hold.
  await settleOutcome(deps, payment, 'failed', { to: 'failed', changes: { reason: 'network_unavailable', resolution: 'reverse' } });
  deps.logger.info({ paymentId: payment.id }, 'recovered a pending payment: unknown to the provider, failed');
  return 'failed';
}

/** The caller was told the payment failed, or it was voided or expired: any hold found must be released. */
async function releaseHold(deps: DomainDeps, payment: PaymentRecord, now: Date): Promise<RecoveryOutcome> {
  const lookup = await providerOf(deps, payment).lookup(payment.merchantReference, {});
  if (lookup.kind === 'unknown') return 'unresolved';
  if (lookup.kind === 'found' && lookup.authorization.heldMinor > 0) {
    const { authorizationId } = lookup.authorization;
    if (payment.status === 'failed') return (await reverseFailedHold(deps, payment, authorizationId)) ? 'reversed' : 'unresolved';
    // A merchant's void, or an expiry, whose reversal did not go through at the time: release the hold now.
    const reason = payment.status === 'expired' ? 'expiry' : 'void';
    const released = await providerOf(deps, payment).reverse({ authorizationId, reason }, {});
    if (released.kind !== 'released') return 'unresolved';
    await deps.store.payments.holdReleased({ id: payment.id, status: payment.status });
    return 'reversed';
  }
  const watchedLongEnough = now.getTime() - Date.parse(payment.updatedAt) > LATE_HOLD_WATCH_MS;
  if (lookup.kind === 'found' || watchedLongEnough) {
    await deps.store.payments.holdReleased({ id: payment.id, status: payment.status });
    return 'failed';
  }
  return 'unresolved';
}
