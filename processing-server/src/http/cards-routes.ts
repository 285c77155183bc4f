/** /v1/cards: the card vault's API (save, show, list a customer's, delete); parse → vault → answer. */
import { Router } from 'express';
import { IDEMPOTENCY_KEY_HEADER, saveCardRequestSchema, savedCardListQuerySchema } from '../../../shared/contracts/processing.ts';
import { parseOrThrow } from '../../../shared/http/validate.ts';
import type { VaultService } from '../vault/service.ts';
import { requireIdempotencyKey } from './payments-routes.ts';

export function cardsRouter(vault: VaultService): Router {
  const router = Router();

  router.post('/', async (request, response) => {
    const idempotencyKey = requireIdempotencyKey(request.get(IDEMPOTENCY_KEY_HEADER));
    const body = parseOrThrow(saveCardRequestSchema, request.body);
    const result = await vault.save({ request: body, idempotencyKey, requestId: String(request.id) }, request.log);
    if (result.replayed) response.setHeader('Idempotent-Replayed', 'true');
    response.status(201).json(result.card);
  });

  router.get('/', async (request, response) => {
    const query = parseOrThrow(savedCardListQuerySchema, request.query, 'query');
    response.json({ data: await vault.listOfCustomer(query.customerId) });
  });

  router.get('/:id', async (request, response) => {
    response.json(await vault.get(request.params.id));
  });

  router.delete('/:id', async (request, response) => {
    await vault.remove(request.params.id, request.log);
    response.status(204).end();
  });

  return router;
}
