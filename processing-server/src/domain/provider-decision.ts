/**
 * Asking the provider of a payment's method for an authorization, and what its answer (or,
 * without one, its record under the payment's merchantReference) decides. Shared by the first
 * authorization, the one after a frictionless 3-D Secure authentication and the one a confirm
 * makes, so all reach the same answer for the same facts.
 */
import type { Decline } from '../../../shared/contracts/processing.ts';
import type { DomainDeps } from './deps.ts';
import type { PaymentChanges, PaymentRecord } from './payment.ts';
import type { Instrument } from './ports/provider.ts';
import { providerOf } from './providers.ts';
import { changesFromDecision, settleOutcome, type Resolution } from './resolve.ts';

/** The card company's `1A` (SPEC §13): the issuer wants the cardholder authenticated first. */
export const AUTHENTICATION_REQUIRED = 'authentication_required';

export type ProviderDecision =
  | { kind: 'approved'; authorizationId: string; authorizationCode: string; via: 'answer' | 'lookup' }
  | { kind: 'declined'; authorizationId: string; decline: Decline; via: 'answer' | 'lookup' }
  /** No answer, the record could not be read, and the request may have arrived: not known yet. */
  | { kind: 'unknown' }
  /** Nothing held; `watch` when an attempt may still land, so that a late hold is released. */
  | { kind: 'nothing'; watch: boolean };

export function asksForAuthentication(decision: ProviderDecision): boolean {
  return decision.kind === 'declined' && decision.decline.code === AUTHENTICATION_REQUIRED;
}

export async function askForAuthorization(
  deps: Pick<DomainDeps, 'providers' | 'logger'>, payment: PaymentRecord,
  command: { instrument: Instrument; authenticationId?: string | undefined }, requestId?: string,
): Promise<ProviderDecision> {
  const provider = providerOf(deps, payment);
  const attempt = await provider.authorize({
    merchantReference: payment.merchantReference, amountMinor: payment.amountMinor, currency: payment.currency, ...command,
  }, { requestId });
  if (attempt.kind === 'approved') return { ...attempt, via: 'answer' };
  if (attempt.kind === 'declined') return { ...attempt, via: 'answer' };
  // Every attempt went unanswered. What the provider recorded is the payment's decision, exactly
  // as if the answer had arrived, so a sale the provider approved is kept and the caller told so.
  deps.logger.warn({ paymentId: payment.id, delivered: attempt.delivered, error: attempt.error }, 'no answer from the provider; looking the authorization up');
  const lookup = await provider.lookup(payment.merchantReference, { requestId });
  if (lookup.kind === 'found' && (lookup.authorization.status === 'approved' || lookup.authorization.status === 'declined')) {
    const { authorizationId, decision } = lookup.authorization;
    deps.logger.info({ paymentId: payment.id, decision: decision.kind }, 'the look-up found the provider\'s decision');
    return decision.kind === 'approved'
      ? { kind: 'approved', authorizationId, authorizationCode: decision.authorizationCode, via: 'lookup' }
      : { kind: 'declined', authorizationId, decline: decision.decline, via: 'lookup' };
  }
  if (lookup.kind === 'unknown' && attempt.delivered === 'maybe') return { kind: 'unknown' };
  // Nothing held at the provider (or provably never delivered). A request still travelling
  // could land later, so a payment that may have been delivered is watched for a late hold.
  return { kind: 'nothing', watch: attempt.delivered === 'maybe' && lookup.kind !== 'found' };
}

/** Moves the payment (from `from`) as the decision says, with `extra` changes; `unknown` leaves it as it is. */
export function settleDecision(
  deps: Pick<DomainDeps, 'store' | 'clock'>, payment: PaymentRecord, decision: ProviderDecision,
  options: { from?: 'pending' | 'requires_action'; extra?: PaymentChanges } = {},
): Promise<Resolution> {
  const from = options.from ?? 'pending';
  if (decision.kind === 'unknown') return Promise.resolve({ outcome: from === 'pending' ? 'pending' : 'requires_action', payment });
  if (decision.kind === 'nothing') {
    return settleOutcome(deps, payment, 'failed', {
      to: 'failed', changes: { ...options.extra, reason: 'network_unavailable', resolution: decision.watch ? 'reverse' : null },
    }, from);
  }
  const { outcome, change } = changesFromDecision(decision.authorizationId, decision.kind === 'approved'
    ? { kind: 'approved', authorizationCode: decision.authorizationCode } : { kind: 'declined', decline: decision.decline });
  return settleOutcome(deps, payment, outcome, { to: change.to, changes: { ...options.extra, ...change.changes } }, from);
}
