/** Content negotiation shared by the routes: HTML for browsers, JSON for everyone else. */
import type { ErrorRequestHandler, Request, Response } from 'express';
import type { SavedCard } from '../../../shared/contracts/processing.ts';
import type { MakePaymentResult } from '../../../shared/contracts/ui.ts';
import { isAppError } from '../../../shared/errors.ts';
import type { KeptValues } from '../payment-form.ts';
import type { CheckoutPage } from '../views/checkout-page.ts';
import { renderProblemPage, renderResultPage, type ResultPageOptions } from '../views/result-page.ts';

/** Seconds before a pending page looks again. */
export const PENDING_REFRESH_SECONDS = 5;

/**
 * HTML only for a client that ranks HTML above JSON (a browser navigating); a client that posts
 * JSON, asks for JSON, or accepts anything (curl, scripts) gets JSON.
 */
export function prefersHtml(request: Request): boolean {
  if (request.is('application/json')) return false;
  return request.accepts(['json', 'html']) === 'html';
}

export function sendResult(
  request: Request, response: Response, httpStatus: number, result: MakePaymentResult,
  pageOptions: ResultPageOptions = { pendingRefreshSeconds: PENDING_REFRESH_SECONDS },
): void {
  // A result names a payment and a card; no cache, shared or private, should keep it.
  response.status(httpStatus).set('Cache-Control', 'no-store').vary('Accept');
  if (prefersHtml(request)) {
    // A browser asked to confirm with its bank goes there at once (303 after its form post).
    if (result.status === 'requires_action' && result.nextAction) {
      response.redirect(303, result.nextAction.url);
      return;
    }
    response.type('html').send(renderResultPage(result, pageOptions));
    return;
  }
  response.json(result);
}

/**
 * A form with field errors: a browser gets the checkout again with each error beside its field,
 * what was typed kept (never the card number or security code) and a fresh key (nothing was
 * charged, so a new attempt is safe); everyone else gets the result with its `errors`.
 */
export async function sendFormOrResult(
  request: Request, response: Response, answer: { httpStatus: number; result: MakePaymentResult },
  form: { checkoutPage: CheckoutPage; kept: KeptValues; savedCards: () => Promise<SavedCard[]> },
): Promise<void> {
  const errors = answer.result.errors;
  if (!errors || errors.length === 0 || !prefersHtml(request)) {
    sendResult(request, response, answer.httpStatus, answer.result);
    return;
  }
  // A returning shopper's form comes back with their saved cards, as the checkout showed it.
  const savedCards = await form.savedCards();
  response.status(answer.httpStatus).set('Cache-Control', 'no-store').vary('Accept').type('html')
    .send(form.checkoutPage.render({ values: form.kept, errors, savedCards }));
}

/** Expected errors (403, 404, 429, …) as a readable page for browsers; problem+json stays the default. */
export function htmlErrorPages(): ErrorRequestHandler {
  return (error: unknown, request, response, next) => {
    if (!isAppError(error) || !prefersHtml(request) || response.headersSent) {
      next(error);
      return;
    }
    const title = error.status === 404 ? 'Page not found' : error.status === 429 ? 'Too many attempts' : 'Request refused';
    response.status(error.status).set('Cache-Control', 'no-store').type('html').send(renderProblemPage(title, error.message));
  };
}
