/**
 * The checkout's calls to the card vault on the processing server: save a card after an approved
 * payment, list a shopper's cards for the checkout page (with a short timeout: the page must not
 * wait on them), read one, and delete one. Failures are answers (processing-calls.ts), never
 * thrown: a checkout goes on without its saved cards.
 */
import { z } from 'zod';
import { savedCardListSchema, savedCardSchema, type SaveCardRequest } from '../../shared/contracts/processing.ts';
import type { Logger } from '../../shared/logger.ts';
import { createProcessingCalls, type Answer, type CallContext } from './processing-calls.ts';

export interface SavedCardsClientOptions {
  baseUrls: string[];
  apiKey: string;
  timeoutMs: number;
  /** For the checkout page's list, which is shown without the cards rather than late. */
  listTimeoutMs: number;
  logger: Logger;
}

export function createSavedCardsClient(options: SavedCardsClientOptions) {
  const calls = createProcessingCalls({ ...options, caller: 'saved-cards' });
  const quickCalls = createProcessingCalls({ ...options, timeoutMs: options.listTimeoutMs, caller: 'saved-cards' });
  return {
    save: (request: SaveCardRequest, context: CallContext & { idempotencyKey: string }) =>
      calls.call(savedCardSchema, (http) => http.post('/v1/cards', request, { headers: calls.headers(context, context.idempotencyKey) }), context),
    list: (customerId: string, context: CallContext) =>
      quickCalls.call(savedCardListSchema, (http) => http.get('/v1/cards', { params: { customerId }, headers: quickCalls.headers(context) }), context),
    get: (cardId: string, context: CallContext) => calls.byId(cardId, (id) =>
      calls.call(savedCardSchema, (http) => http.get(`/v1/cards/${id}`, { headers: calls.headers(context) }), context)),
    remove: (cardId: string, context: CallContext): Promise<Answer<unknown>> => calls.byId(cardId, (id) =>
      calls.call(z.unknown(), (http) => http.delete(`/v1/cards/${id}`, { headers: calls.headers(context) }), context)),
  };
}

export type SavedCardsClient = ReturnType<typeof createSavedCardsClient>;
