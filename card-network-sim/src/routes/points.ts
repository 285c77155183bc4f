/** `/v1/points`: the loyalty-points provider's thin routes, parse → points provider → answer. */
import { Router } from 'express';
import { z } from 'zod';
import { parseOrThrow } from '../../../shared/http/validate.ts';
import type { Logger } from '../../../shared/logger.ts';
import {
  adjustmentRequestSchema, pointsAccountIdSchema, pointsAuthorizationQuerySchema, pointsAuthorizationRequestSchema, reversalRequestSchema,
} from '../../../shared/contracts/network.ts';
import type { FaultInjector } from '../faults.ts';
import type { NetworkCounters } from '../metrics.ts';
import type { PointsProvider } from '../points.ts';
import { answerCommitted } from './committed-answer.ts';

export interface PointsRoutesDeps {
  points: PointsProvider;
  faults: FaultInjector;
  counters: NetworkCounters;
  logger: Logger;
}

const accountParamsSchema = z.object({ accountId: pointsAccountIdSchema });

export function pointsRoutes(deps: PointsRoutesDeps): Router {
  const router = Router();

  router.get('/points/accounts/:accountId', (request, response) => {
    const { accountId } = parseOrThrow(accountParamsSchema, request.params);
    response.status(200).json(deps.points.account(accountId));
  });

  router.post('/points/authorizations', async (request, response) => {
    const body = parseOrThrow(pointsAuthorizationRequestSchema, request.body);
    answerCommitted(deps, request, response, await deps.points.authorize(body), (answer) => {
      deps.counters.pointsAuthorizations.inc({ response_code: answer.responseCode });
    });
  });

  router.get('/points/authorizations', (request, response) => {
    const query = parseOrThrow(pointsAuthorizationQuerySchema, request.query);
    response.status(200).json(deps.points.findByReference(query.merchantReference));
  });

  router.post('/points/authorizations/:authorizationId/reversal', (request, response) => {
    const body = parseOrThrow(reversalRequestSchema, request.body);
    response.status(200).json(deps.points.reverse(request.params.authorizationId, body));
  });

  router.post('/points/authorizations/:authorizationId/adjustment', (request, response) => {
    const body = parseOrThrow(adjustmentRequestSchema, request.body);
    answerCommitted(deps, request, response, deps.points.adjust(request.params.authorizationId, body), (answer) => {
      deps.counters.adjustments.inc({ method: 'points', response_code: answer.responseCode });
    });
  });

  return router;
}
