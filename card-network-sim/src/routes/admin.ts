/**
 * `/admin`: read and change the fault settings at run time, and open points accounts (mounted
 * only when admin is enabled).
 */
import { Router } from 'express';
import { pointsAccountOpeningSchema } from '../../../shared/contracts/network.ts';
import { parseOrThrow } from '../../../shared/http/validate.ts';
import type { Logger } from '../../../shared/logger.ts';
import { faultPatchSchema, type FaultInjector } from '../faults.ts';
import type { PointsProvider } from '../points.ts';

export function adminRoutes(deps: { faults: FaultInjector; points: PointsProvider; logger: Logger }): Router {
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

  router.post('/points-accounts', async (request, response) => {
    const opening = parseOrThrow(pointsAccountOpeningSchema, request.body);
    const account = await deps.points.openAccount(opening);
    // The account, never the PIN.
    deps.logger.info({ requestId: (request as { id?: unknown }).id, accountId: account.accountId, balance: account.balance }, 'points account opened');
    response.status(201).json(account);
  });

  return router;
}
