/**
 * One checkout, once the form is valid: the payment at the processing server (for a returning
 * shopper, naming the customer the cookie remembers) and, when the shopper ticked "Save this
 * card" and the payment was approved, the card saved for their next checkout. Saving comes after
 * the approval and apart from it: a card that cannot be saved never turns a payment into an
 * error ("Paid; we could not save the card").
 */
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { checkoutMessage } from './checkout-messages.ts';
import { customerIdForCheckout, customerOf, rememberCustomer } from './customer-cookie.ts';
import type { ParsedPaymentForm } from './payment-form.ts';
import { answerFor, invalidFormAnswer, withCardSaved, type ShopperAnswer } from './payment-result.ts';
import type { ProcessingClient } from './processing-client.ts';
import { isMarkedRepeat, markSent } from './repeat-marker.ts';
import type { SavedCardsClient } from './saved-cards-client.ts';
import { authenticationReturnUrl, withIssuerChecked } from './three-d-secure.ts';

export interface CheckoutDeps {
  processingClient: ProcessingClient;
  savedCards: SavedCardsClient;
  /** The card issuer's public origin: the only place besides this server a checkout answer sends a browser. */
  issuerOrigin: string;
}

type ValidForm = Extract<ParsedPaymentForm, { ok: true }>;

/**
 * The key of saving the card of the checkout with key `checkoutKey`: the same checkout sent again
 * saves the same card once (its answer replayed), and another checkout saves anew.
 */
export function saveCardKey(checkoutKey: string): string {
  return `save-card-${createHash('sha256').update(checkoutKey).digest('hex').slice(0, 40)}`;
}

async function saveCard(deps: CheckoutDeps, request: Request, form: ValidForm, customerId: string): Promise<boolean> {
  const card = form.request.card;
  if (!card) return false;
  const answer = await deps.savedCards.save({ card, customerId }, { requestId: String(request.id), idempotencyKey: saveCardKey(form.idempotencyKey) });
  // Only what happened, never the card: the outcome, and the processing server's code when it refused.
  request.log.info({ cardSaved: answer.kind === 'ok', outcome: answer.kind, code: answer.kind === 'problem' ? answer.code : undefined }, 'card to save for next time');
  return answer.kind === 'ok';
}

export async function payAtCheckout(deps: CheckoutDeps, request: Request, response: Response, form: ValidForm): Promise<ShopperAnswer> {
  const known = customerOf(request);
  if (form.order.paymentMethod === 'saved_card' && !known) {
    return invalidFormAnswer([{ field: 'savedCardId', message: checkoutMessage('savedCardId', 'unavailable') }], form.order);
  }
  const customerId = known ?? (form.saveCard ? customerIdForCheckout(form.idempotencyKey) : undefined);
  // A card's issuer may ask the shopper to confirm (3-D Secure): its page sends them back here.
  const returnUrl = form.order.paymentMethod === 'points' ? {} : { returnUrl: authenticationReturnUrl(request) };
  const outcome = await deps.processingClient.createPayment({ ...form.request, ...returnUrl, ...(customerId ? { customerId } : {}) }, {
    idempotencyKey: form.idempotencyKey, requestId: String(request.id), repeat: isMarkedRepeat(request, form.idempotencyKey),
  });
  // The shopper's browser keeps the mark, not this server: any UI instance reads it (repeat-marker.ts).
  if (outcome.kind !== 'unreachable') markSent(request, response, form.idempotencyKey);
  const answer = withIssuerChecked(answerFor(outcome, form.order), deps.issuerOrigin, request.log);
  if (outcome.kind !== 'authorized' || !customerId) return answer;
  if (!form.saveCard) {
    // A returning shopper who paid with a saved card is remembered for another 180 days.
    if (form.order.paymentMethod === 'saved_card') rememberCustomer(request, response, customerId);
    return answer;
  }
  const saved = await saveCard(deps, request, form, customerId);
  if (saved) rememberCustomer(request, response, customerId);
  return withCardSaved(answer, saved);
}
