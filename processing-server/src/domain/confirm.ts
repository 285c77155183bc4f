/**
 * Finishing a payment after the shopper's 3-D Secure step (SPEC §13): `POST /v1/payments/:id/confirm`,
 * and the recovery worker's sweep of payments whose shopper never came back.
 *
 * A confirm asks the card company how the authentication ended: still challenging → the same
 * `nextAction` again; failed → declined `authentication_failed`; authenticated → the payment is
 * authorized with it (without a CVV, which is never kept). The payment moves from
 * `requires_action` by the one guarded transition, so concurrent confirms authorize once (the
 * card company places one hold per merchantReference) and every one of them gets the result. A
 * confirm of a payment that no longer waits answers its state as it is.
 */
import assert from 'node:assert/strict';
import type { Payment } from '../../../shared/contracts/processing.ts';
import type { DomainDeps } from './deps.ts';
import { DomainError } from './errors.ts';
import { loadPayment } from './load.ts';
import type { PaymentRecord } from './payment.ts';
import type { CardInstrument, SavedCardInstrument } from './ports/provider.ts';
import { askForAuthorization, settleDecision } from './provider-decision.ts';
import { providerOf } from './providers.ts';
import { changesFromDecision, outcomeOf, settleOutcome, type AuthorizeOutcomeKind } from './resolve.ts';
import { AUTHENTICATION_FAILED, afterAuthentication } from './three-d-secure.ts';
import { toPublicPayment } from './views.ts';

export interface ConfirmResult {
  outcome: AuthorizeOutcomeKind;
  payment: Payment;
}

export async function confirmPayment(deps: DomainDeps, id: string, requestId?: string): Promise<ConfirmResult> {
  const payment = await loadPayment(deps, id);
  if (payment.status !== 'requires_action' || payment.authenticationId === null || payment.paymentMethod === 'points') {
    return { outcome: outcomeOf(payment), payment: toPublicPayment(payment) };
  }
  const provider = providerOf(deps, payment);
  const authentication = provider.getAuthentication
    ? await provider.getAuthentication(payment.authenticationId, { requestId })
    : { kind: 'no_answer' as const, delivered: 'no' as const, error: 'the provider offers no 3-D Secure' };
  if (authentication.kind === 'no_answer') {
    throw new DomainError({
      code: 'provider_unavailable',
      message: 'The card company could not be asked how the 3-D Secure step ended; nothing was charged yet. Confirm again in a moment.',
      cause: authentication.error,
    });
  }
  if (authentication.status === 'challenge_required') return { outcome: 'requires_action', payment: toPublicPayment(payment) };
  if (authentication.status === 'failed') {
    const declined = await settleOutcome(deps, payment, 'declined', { to: 'declined', changes: { decline: AUTHENTICATION_FAILED } }, 'requires_action');
    return answer(declined);
  }
  const instrument = await cardToConfirm(deps, payment);
  if (!instrument) {
    // The saved card was deleted while the shopper was at the bank: nothing can be charged.
    const declined = await settleOutcome(deps, payment, 'declined', { to: 'declined', changes: { decline: CARD_REMOVED } }, 'requires_action');
    return answer(declined);
  }
  const decision = await askForAuthorization(deps, payment, { instrument, authenticationId: payment.authenticationId }, requestId);
  // Not known yet, or not arrived yet: the payment keeps waiting, and a repeat confirm (the card
  // company answers a repeat of the reference with its first result) or the sweep finishes it.
  const settled = decision.kind === 'nothing' ? { kind: 'unknown' as const } : afterAuthentication(decision);
  const resolution = await settleDecision(deps, payment, settled, { from: 'requires_action' });
  deps.logger.info({ paymentId: id, outcome: resolution.outcome, status: resolution.payment.status }, 'payment confirmed after 3-D Secure');
  return answer(resolution);
}

const CARD_REMOVED = { code: 'card_not_found', message: 'The saved card was deleted before the payment was confirmed.' } as const;

/**
 * The card that finishes the payment: a typed card's number from its sealed copy on the payment,
 * a saved card's from the vault (null when it was deleted meanwhile); never a CVV, which is never kept.
 */
async function cardToConfirm(deps: DomainDeps, payment: PaymentRecord): Promise<CardInstrument | SavedCardInstrument | null> {
  assert.ok(payment.cardExpMonth !== null && payment.cardExpYear !== null, 'a card payment has its expiry');
  if (payment.cardSealed !== null) {
    return { method: 'card', number: deps.vault.decrypt(payment.cardSealed, payment.id), expMonth: payment.cardExpMonth, expYear: payment.cardExpYear };
  }
  assert.ok(payment.savedCardId !== null, 'a card payment without its sealed number names its saved card');
  const card = await deps.savedCards.open(payment.savedCardId);
  return card ? { method: 'saved_card', cardId: card.id, number: card.number, expMonth: card.expMonth, expYear: card.expYear } : null;
}

function answer(resolution: { outcome: AuthorizeOutcomeKind; payment: PaymentRecord }): ConfirmResult {
  return { outcome: resolution.outcome === 'requires_action' ? 'pending' : resolution.outcome, payment: toPublicPayment(resolution.payment) };
}

/**
 * Payments left `requires_action` longer than AUTHENTICATION_TTL_MINUTES become `failed`
 * (`authentication_abandoned`). A confirm may have reached the card company without its answer
 * reaching us, so each is looked up first: an approval found is kept (the payment is
 * authorized); a payment whose record cannot be read now waits for the next pass.
 */
export async function abandonAuthentications(deps: DomainDeps, options: { limit: number }): Promise<{ examined: number; abandoned: number }> {
  const now = deps.clock();
  const before = new Date(now.getTime() - deps.settings.authenticationTtlMinutes * 60_000).toISOString();
  const waiting = await deps.store.payments.listAwaitingAction({ before, limit: options.limit });
  let abandoned = 0;
  for (const payment of waiting) {
    const lookup = await providerOf(deps, payment).lookup(payment.merchantReference, {});
    if (lookup.kind === 'unknown') continue;
    if (lookup.kind === 'found' && lookup.authorization.decision.kind === 'approved' && lookup.authorization.heldMinor > 0) {
      const { outcome, change } = changesFromDecision(lookup.authorization.authorizationId, lookup.authorization.decision);
      await settleOutcome(deps, payment, outcome, change, 'requires_action');
      continue;
    }
    const failed = await settleOutcome(deps, payment, 'failed', {
      to: 'failed', changes: { reason: 'authentication_abandoned', resolution: null },
    }, 'requires_action');
    if (failed.payment.status === 'failed') abandoned += 1;
  }
  if (abandoned > 0) deps.logger.info({ abandoned }, 'payments abandoned at the 3-D Secure step failed');
  return { examined: waiting.length, abandoned };
}
