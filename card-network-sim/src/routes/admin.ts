/** `/admin/faults`: read and change the fault settings at run time (mounted only when admin is enabled). */
import { Router } from 'express';
import { parseOrThrow } from '../../../shared/http/validate.ts';
import type { Logger } from '../../../shared/logger.ts';
import { faultPatchSchema, type FaultInjector } from '../faults.ts';

export function adminRoutes(deps: { faults: FaultInjector; logger: Logger }): Router {
  const router = Router();

  router.get('/faults', (_request, response) => {
    response.status(200).json(deps.faults.settings);
  });

  router.post('/faults', (request, response) => {
    const patch = parseOrThrow(faultPatchSchema, request.body);
    const settings = deps.faults.update(patch);
    deps.logger.info({ requestId: (request as { id?: unknown }).id, faults: settings }, 'fault settings changed');
    response.status(200).json(settings);
  });

  return router;
}
