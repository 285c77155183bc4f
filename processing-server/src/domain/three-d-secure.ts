/**
 * 3-D Secure (SPEC §13). When the card company answers `1A` (the issuer wants the cardholder
 * authenticated) and the caller gave a returnUrl, the payment is authenticated at the card
 * company: a frictionless card is authorized again at once with its authentication; a card
 * whose issuer challenges the shopper makes the payment `requires_action`, with the issuer's
 * page as its `nextAction`, until the caller confirms it (confirm.ts) or it is abandoned.
 *
 * Nothing is held while a payment waits: the card company held nothing on `1A`. It still counts
 * against the spending limit, because a confirm may authorize it (see spend-limit.ts).
 */
import type { Decline } from '../../../shared/contracts/processing.ts';
import type { DomainDeps } from './deps.ts';
import type { PaymentRecord } from './payment.ts';
import type { AuthenticationOutcome, CardInstrument, SavedCardInstrument } from './ports/provider.ts';
import { askForAuthorization, asksForAuthentication, settleDecision, type ProviderDecision } from './provider-decision.ts';
import { providerOf } from './providers.ts';
import { settleOutcome, type Resolution } from './resolve.ts';

export const AUTHENTICATION_FAILED: Decline = {
  code: 'authentication_failed',
  message: 'The cardholder could not be authenticated by the card issuer (3-D Secure).',
  networkCode: '1A',
};

/**
 * The returnUrl as given, with the payment's id in its query (`paymentId=`), so that the page the
 * shopper comes back to knows which payment to confirm.
 */
export function returnUrlFor(returnUrl: string, paymentId: string): string {
  const url = new URL(returnUrl);
  url.searchParams.set('paymentId', paymentId);
  return url.toString();
}

/** Starts the authentication of a pending card payment the issuer asked 3-D Secure for, and goes on as far as it can. */
export async function authenticate(
  deps: DomainDeps, payment: PaymentRecord, instrument: CardInstrument | SavedCardInstrument, options: { returnUrl: string; requestId?: string | undefined },
): Promise<Resolution> {
  const provider = providerOf(deps, payment);
  const { number, expMonth, expYear } = instrument;
  const started: AuthenticationOutcome = provider.authenticate
    ? await provider.authenticate({
      merchantReference: payment.merchantReference, amountMinor: payment.amountMinor, currency: payment.currency,
      card: { number, expMonth, expYear }, returnUrl: returnUrlFor(options.returnUrl, payment.id),
    }, { requestId: options.requestId })
    : { kind: 'no_answer', delivered: 'no', error: 'the provider offers no 3-D Secure' };
  if (started.kind === 'no_answer') {
    // The card company held nothing when it asked for authentication, and an authentication
    // that lands late holds nothing either: the payment fails and nothing needs watching.
    deps.logger.warn({ paymentId: payment.id, error: started.error }, '3-D Secure could not be started');
    return settleOutcome(deps, payment, 'failed', { to: 'failed', changes: { reason: 'network_unavailable', resolution: null } });
  }
  const authenticationId = started.authenticationId;
  deps.logger.info({ paymentId: payment.id, authenticationId, status: started.status }, '3-D Secure started');
  if (started.status === 'failed') {
    return settleOutcome(deps, payment, 'declined', { to: 'declined', changes: { authenticationId, decline: AUTHENTICATION_FAILED } });
  }
  if (started.status === 'challenge_required' && started.challengeUrl) {
    return settleOutcome(deps, payment, 'requires_action', { to: 'requires_action', changes: { authenticationId, nextActionUrl: started.challengeUrl } });
  }
  // Frictionless: authenticated already, so the payment is authorized within this request.
  const decision = await askForAuthorization(deps, payment, { instrument, authenticationId }, options.requestId);
  return settleDecision(deps, payment, afterAuthentication(decision), { extra: { authenticationId } });
}

/**
 * An authorization that named an authentication: `1A` in its answer means the authentication
 * does not cover it (failed); `1A` found by a look-up is the record of the first attempt, so
 * this one has not arrived (yet): nothing is held, and a late arrival is watched.
 */
export function afterAuthentication(decision: ProviderDecision): ProviderDecision {
  if (!asksForAuthentication(decision) || decision.kind !== 'declined') return decision;
  return decision.via === 'answer' ? { ...decision, decline: AUTHENTICATION_FAILED } : { kind: 'nothing', watch: true };
}
