/** `/v1/authentications`: 3-D Secure for the merchant, thin routes over the access control server. */
import { Router } from 'express';
import { parseOrThrow } from '../../../shared/http/validate.ts';
import { authenticationRequestSchema } from '../../../shared/contracts/network.ts';
import type { AccessControlServer } from '../authentication.ts';
import type { NetworkCounters } from '../metrics.ts';

export interface AuthenticationRoutesDeps {
  authentications: AccessControlServer;
  counters: NetworkCounters;
}

export function authenticationRoutes(deps: AuthenticationRoutesDeps): Router {
  const router = Router();

  router.post('/authentications', (request, response) => {
    const body = parseOrThrow(authenticationRequestSchema, request.body);
    const outcome = deps.authentications.authenticate(body);
    if (outcome.created) deps.counters.authentications.inc({ status: outcome.response.status });
    response.status(200).json(outcome.response);
  });

  router.get('/authentications/:authenticationId', (request, response) => {
    response.status(200).json(deps.authentications.find(request.params.authenticationId));
  });

  return router;
}
