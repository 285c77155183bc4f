/** `/v1/authorizations`: thin routes, parse → issuer → answer. */
import { Router } from 'express';
import { parseOrThrow } from '../../../shared/http/validate.ts';
import type { Logger } from '../../../shared/logger.ts';
import {
  adjustmentRequestSchema, authorizationQuerySchema, cardAuthorizationRequestSchema, reversalRequestSchema,
} from '../../../shared/contracts/network.ts';
import type { FaultInjector } from '../faults.ts';
import type { Issuer } from '../issuer.ts';
import type { NetworkCounters } from '../metrics.ts';
import { answerCommitted } from './committed-answer.ts';

export interface AuthorizationRoutesDeps {
  issuer: Issuer;
  faults: FaultInjector;
  counters: NetworkCounters;
  logger: Logger;
}

export function authorizationRoutes(deps: AuthorizationRoutesDeps): Router {
  const router = Router();

  router.post('/authorizations', (request, response) => {
    const body = parseOrThrow(cardAuthorizationRequestSchema, request.body);
    answerCommitted(deps, request, response, deps.issuer.authorize(body), (answer) => {
      deps.counters.authorizations.inc({ response_code: answer.responseCode });
    });
  });

  router.get('/authorizations', (request, response) => {
    const query = parseOrThrow(authorizationQuerySchema, request.query);
    if (query.merchantReference !== undefined) {
      response.status(200).json(deps.issuer.findByReference(query.merchantReference));
      return;
    }
    response.status(200).json(deps.issuer.list({ limit: query.limit, startingAfter: query.startingAfter }));
  });

  router.post('/authorizations/:authorizationId/reversal', (request, response) => {
    const body = parseOrThrow(reversalRequestSchema, request.body);
    response.status(200).json(deps.issuer.reverse(request.params.authorizationId, body));
  });

  router.post('/authorizations/:authorizationId/adjustment', (request, response) => {
    const body = parseOrThrow(adjustmentRequestSchema, request.body);
    answerCommitted(deps, request, response, deps.issuer.adjust(request.params.authorizationId, body), (answer) => {
      deps.counters.adjustments.inc({ method: 'card', response_code: answer.responseCode });
    });
  });

  return router;
}
