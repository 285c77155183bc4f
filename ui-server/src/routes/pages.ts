/** The checkout page, its messages for the page's script, the root redirect and the probes. */
import express, { type Request, type Router } from 'express';
import type { SavedCard } from '../../../shared/contracts/processing.ts';
import { checkoutMessagesModule } from '../checkout-messages.ts';
import { customerOf } from '../customer-cookie.ts';
import type { KeptValues } from '../payment-form.ts';
import type { SavedCardsClient } from '../saved-cards-client.ts';
import type { CheckoutPage } from '../views/checkout-page.ts';

export interface PageDeps {
  checkoutPage: CheckoutPage;
  savedCards: SavedCardsClient;
  /** False once shutdown started, so a load balancer stops sending shoppers here. */
  isReady: () => boolean;
}

/** What a `notice` in the query says in the status area, after a redirect back to the checkout. */
export const NOTICES = { card_removed: 'The saved card was removed.' } as const;

/** An amount as a decimal string; anything else in the query is ignored, not echoed. */
const AMOUNT_TEXT = /^\d{1,15}(\.\d{1,15})?$/;
const CURRENCY_CODE = /^[A-Z]{3}$/;

/**
 * `?amount=25.00&currency=USD&method=points`: the order kept by a result page's "Try again", so a
 * retry with another card (or the points PIN typed again) needs no retyping of the amount. The
 * page itself decides which currencies it offers.
 */
function orderFromQuery(request: Request): Partial<KeptValues> {
  const { amount, currency, method } = request.query;
  return {
    ...(typeof amount === 'string' && AMOUNT_TEXT.test(amount) ? { amount } : {}),
    ...(typeof currency === 'string' && CURRENCY_CODE.test(currency) ? { currency } : {}),
    ...(method === 'points' || method === 'saved_card' || method === 'card' ? { paymentMethod: method } : {}),
  };
}

function noticeFromQuery(request: Request): string | undefined {
  const { notice } = request.query;
  return typeof notice === 'string' && Object.hasOwn(NOTICES, notice) ? NOTICES[notice as keyof typeof NOTICES] : undefined;
}

/**
 * The cards of the shopper the cookie names, or none: without the processing server (or slow to
 * answer) the checkout shows the other ways to pay rather than an error.
 */
export async function savedCardsOf(deps: Pick<PageDeps, 'savedCards'>, request: Request): Promise<SavedCard[]> {
  const customerId = customerOf(request);
  if (!customerId) return [];
  const answer = await deps.savedCards.list(customerId, { requestId: String(request.id) });
  if (answer.kind === 'ok') return answer.data.data;
  request.log.warn({ outcome: answer.kind }, 'saved cards not shown: the processing server did not list them');
  return [];
}

export function pageRoutes(deps: PageDeps): Router {
  const router = express.Router();
  const messagesModule = checkoutMessagesModule();
  router.get('/', (_request, response) => {
    response.redirect(302, '/payment.html');
  });
  router.get('/payment.html', async (request, response) => {
    const savedCards = await savedCardsOf(deps, request);
    const notice = noticeFromQuery(request);
    // Never stored, so Back and every other visit fetch a new page with a new key: an attempt that
    // has ended (declined, failed, approved) is never sent again with its key and other details.
    response.set('Cache-Control', 'no-store').type('html').send(deps.checkoutPage.render({
      values: orderFromQuery(request), savedCards, ...(notice ? { notice } : {}),
    }));
  });
  router.get('/checkout-messages.js', (_request, response) => {
    response.set('Cache-Control', 'no-cache').type('text/javascript').send(messagesModule);
  });
  router.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });
  router.get('/readyz', (_request, response) => {
    // The UI server holds no state and needs nothing to serve the page; a processing server that
    // is down is answered per payment ("not charged"), so only shutdown makes it unready.
    if (deps.isReady()) response.json({ status: 'ready' });
    else response.status(503).json({ status: 'shutting_down' });
  });
  return router;
}
