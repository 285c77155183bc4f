/** /v1/events and /v1/webhook-deliveries: the audit trail and what became of its webhooks. */
import { Router } from 'express';
import { eventListQuerySchema, webhookAttemptQuerySchema } from '../../../shared/contracts/events.ts';
import { parseOrThrow } from '../../../shared/http/validate.ts';
import type { DomainDeps } from '../domain/deps.ts';
import { listEvents, listWebhookAttempts } from '../domain/event-queries.ts';

export function eventsRouter(deps: Pick<DomainDeps, 'store'>): Router {
  const router = Router();
  router.get('/', async (request, response) => {
    const query = parseOrThrow(eventListQuerySchema, request.query, 'query');
    response.json(await listEvents(deps, query));
  });
  return router;
}

export function webhookDeliveriesRouter(deps: Pick<DomainDeps, 'store'>): Router {
  const router = Router();
  router.get('/', async (request, response) => {
    const query = parseOrThrow(webhookAttemptQuerySchema, request.query, 'query');
    response.json(await listWebhookAttempts(deps, query.eventId));
  });
  return router;
}
