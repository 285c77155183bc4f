/** `/v1/settlement-batches` and `/v1/merchant-account`: thin routes over the clearing house. */
import { Router } from 'express';
import { z } from 'zod';
import { isAppError, validationError } from '../../../shared/errors.ts';
import { parseOrThrow } from '../../../shared/http/validate.ts';
import type { Logger } from '../../../shared/logger.ts';
import { batchIdSchema, settlementBatchRequestSchema, type SettlementBatchRequest } from '../../../shared/contracts/network.ts';
import type { ClearingHouse } from '../clearing.ts';
import type { FaultInjector } from '../faults.ts';
import type { NetworkCounters } from '../metrics.ts';

/** A batch of thousands of bad items would otherwise answer thousands of field problems. */
const FIELD_PROBLEMS_MAX = 50;

const batchParamsSchema = z.object({ batchId: batchIdSchema });

export interface SettlementRoutesDeps {
  clearing: ClearingHouse;
  faults: FaultInjector;
  counters: NetworkCounters;
  logger: Logger;
  settlementBatchMax: number;
}

export function settlementRoutes(deps: SettlementRoutesDeps): Router {
  const router = Router();
  const batchSchema = settlementBatchRequestSchema(deps.settlementBatchMax);

  const parseBatch = (body: unknown): SettlementBatchRequest => {
    try {
      return parseOrThrow(batchSchema, body);
    } catch (error) {
      if (!isAppError(error) || !error.errors || error.errors.length <= FIELD_PROBLEMS_MAX) throw error;
      const omitted = error.errors.length - FIELD_PROBLEMS_MAX;
      throw validationError(error.errors.slice(0, FIELD_PROBLEMS_MAX), `The batch is invalid (${omitted} more problems not listed).`);
    }
  };

  router.post('/settlement-batches', (request, response) => {
    const batch = parseBatch(request.body);
    const outcome = deps.clearing.settleBatch(batch);
    deps.counters.settlementBatches.inc({ outcome: outcome.replayed ? 'replayed' : 'settled' });
    if (!outcome.replayed) {
      deps.counters.settlementItems.inc({ status: 'settled' }, outcome.settledCount);
      deps.counters.settlementItems.inc({ status: 'rejected' }, outcome.rejectedCount);
    }
    if (deps.faults.loseAnswer(request, response, deps.logger)) return;
    // The stored text itself, so a resend gets the first answer byte for byte.
    response.status(200).type('application/json').send(outcome.responseJson);
  });

  router.get('/settlement-batches/:batchId', (request, response) => {
    const { batchId } = parseOrThrow(batchParamsSchema, request.params);
    response.status(200).type('application/json').send(deps.clearing.findBatchJson(batchId));
  });

  router.get('/merchant-account', (_request, response) => {
    response.status(200).json(deps.clearing.merchantAccount());
  });

  return router;
}
