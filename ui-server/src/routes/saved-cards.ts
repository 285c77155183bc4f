/**
 * POST /saved-cards/:cardId/remove: a shopper removes one of their saved cards from the checkout
 * page (a plain form post, no script needed). Only a card of the customer the cookie remembers
 * is removed: the UI server asks the vault whose card it is first, and any other card reads as
 * not found. A browser goes back to the checkout (the order kept); other clients get 204.
 */
import express, { type Request, type Router } from 'express';
import { AppError, notFound } from '../../../shared/errors.ts';
import type { Logger } from '../../../shared/logger.ts';
import { customerOf } from '../customer-cookie.ts';
import type { SavedCardsClient } from '../saved-cards-client.ts';
import { paymentRateLimit } from '../security.ts';
import { prefersHtml } from './respond.ts';

const CARD_ID_PATTERN = /^card_[A-Za-z0-9]{1,64}$/;
const AMOUNT_TEXT = /^\d{1,15}(\.\d{1,15})?$/;
const CURRENCY_CODE = /^[A-Z]{3}$/;

export interface SavedCardRoutesDeps {
  savedCards: SavedCardsClient;
  logger: Logger;
  rateLimitPerMinute: number;
}

function unavailable(): AppError {
  return new AppError({
    code: 'processing_unavailable', status: 503,
    message: 'Your saved cards cannot be changed right now. Please try again in a moment.',
  });
}

/** The checkout again, with the order the removal form carried and a notice. */
function checkoutUrl(request: Request): string {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const query = new URLSearchParams({ notice: 'card_removed' });
  if (typeof body.amount === 'string' && AMOUNT_TEXT.test(body.amount)) query.set('amount', body.amount);
  if (typeof body.currency === 'string' && CURRENCY_CODE.test(body.currency)) query.set('currency', body.currency);
  return `/payment.html?${query.toString()}`;
}

export function savedCardRoutes(deps: SavedCardRoutesDeps): Router {
  const router = express.Router();
  router.post(
    '/saved-cards/:cardId/remove',
    paymentRateLimit({ perMinute: deps.rateLimitPerMinute, logger: deps.logger }),
    express.urlencoded({ extended: false, limit: '1kb', parameterLimit: 5 }),
    async (request, response) => {
      const cardId = String(request.params.cardId);
      const customerId = customerOf(request);
      const context = { requestId: String(request.id) };
      if (!customerId || !CARD_ID_PATTERN.test(cardId)) throw notFound('This saved card');
      const card = await deps.savedCards.get(cardId, context);
      if (card.kind === 'problem' && card.status === 404) throw notFound('This saved card');
      if (card.kind !== 'ok') throw unavailable();
      if (card.data.customerId !== customerId) throw notFound('This saved card');
      const removed = await deps.savedCards.remove(cardId, context);
      // Gone already (removed from another tab) is as good as removed now.
      if (removed.kind !== 'ok' && !(removed.kind === 'problem' && removed.status === 404)) throw unavailable();
      request.log.info({ cardId }, 'saved card removed by its shopper');
      response.set('Cache-Control', 'no-store');
      if (prefersHtml(request)) response.redirect(303, checkoutUrl(request));
      else response.status(204).end();
    },
  );
  return router;
}
