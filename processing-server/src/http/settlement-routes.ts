/** /v1/settlements: start a run, read runs, their items and their reconciliation. */
import { setTimeout as sleep } from 'node:timers/promises';
import { Router, type Response } from 'express';
import { z } from 'zod';
import type { SettlementNothingReady, SettlementRun } from '../../../shared/contracts/processing.ts';
import { AppError, validationError } from '../../../shared/errors.ts';
import { sendProblem } from '../../../shared/http/errors.ts';
import { parseOrThrow } from '../../../shared/http/validate.ts';
import { reconcileRun } from '../domain/reconcile.ts';
import { settleOrFindRunning, type SettleResult, type SettlementDeps } from '../domain/settle.ts';
import { getRun, listItems, listRuns } from '../domain/settlement-queries.ts';
import { itemSeqOf } from '../domain/views.ts';
import { requestDeps } from './request-deps.ts';

/** How long POST /v1/settlements waits for a run before answering 202 and letting it go on. */
export const SETTLE_WAIT_MS = 3_000;
/** What a 503 settlement_busy asks the caller to wait: about the time a large run takes to be created. */
const BUSY_RETRY_AFTER_SECONDS = 5;

const pageQuerySchema = z.object({
  limit: z.coerce.number({ error: 'must be an integer from 1 to 100' }).int('must be an integer from 1 to 100').min(1, 'must be 1 to 100').max(100, 'must be 1 to 100').default(20),
  startingAfter: z.string().min(1).max(200).optional(),
});

export function settlementRouter(deps: SettlementDeps): Router {
  const router = Router();

  router.post('/', async (request, response) => {
    let reportStarted: (run: SettlementRun) => void = () => undefined;
    const started = new Promise<SettlementRun>((resolve) => { reportStarted = resolve; });
    const running = settleOrFindRunning(requestDeps(deps, request), { requestId: String(request.id), onRunStarted: (run) => reportStarted(run) });
    const waited = await Promise.race([running, sleep(SETTLE_WAIT_MS, null, { ref: false })]);
    if (waited) {
      sendSettleResult(response, waited);
      return;
    }
    // Past the wait: the outcome if it comes first, otherwise 202 as soon as our run exists
    // (creating a run of many items takes a while, and a busy trigger waits for a bounded time).
    const next = await Promise.race([running.then((result) => ({ result })), started.then((run) => ({ run }))]);
    if ('result' in next) {
      sendSettleResult(response, next.result);
      return;
    }
    // The run goes on after the answer; its outcome is logged and visible at its URL.
    running.catch((error: unknown) => request.log.error({ err: error }, 'settlement run failed'));
    const run = await getRun(deps, next.run.id);
    response.status(202).location(`/v1/settlements/${run.id}`).json(run);
  });

  router.get('/', async (request, response) => {
    const query = parseOrThrow(pageQuerySchema, request.query, 'query');
    response.json(await listRuns(deps, query));
  });

  router.get('/:id', async (request, response) => {
    response.json(await getRun(deps, request.params.id));
  });

  router.get('/:id/items', async (request, response) => {
    const query = parseOrThrow(pageQuerySchema, request.query, 'query');
    const startingAfterSeq = query.startingAfter === undefined ? undefined : itemSeqOf(query.startingAfter);
    if (startingAfterSeq === null) {
      throw validationError([{ field: 'query.startingAfter', message: 'must be an item id such as item_42' }], 'startingAfter must be an item id.');
    }
    response.json(await listItems(deps, request.params.id, { limit: query.limit, startingAfterSeq }));
  });

  router.get('/:id/reconciliation', async (request, response) => {
    response.json(await reconcileRun(deps, request.params.id, String(request.id)));
  });

  return router;
}

function sendSettleResult(response: Response, result: SettleResult): void {
  switch (result.kind) {
    case 'nothing_ready':
      response.status(200).json({ itemCount: 0, message: 'Nothing is ready to settle; no run was recorded.' } satisfies SettlementNothingReady);
      return;
    case 'busy':
      if (result.run) {
        sendProblem(response, new AppError({
          code: 'settlement_running', status: 409, message: `Settlement run ${result.run.id} is already going; wait for it to finish.`,
          extensions: { run: result.run },
        }));
        return;
      }
      // Another process holds the lease and has shown no run within the wait: nothing to point at.
      response.setHeader('Retry-After', String(BUSY_RETRY_AFTER_SECONDS));
      sendProblem(response, new AppError({
        code: 'settlement_busy', status: 503,
        message: 'Another process is starting a settlement run and has not recorded it yet; try again in a few seconds.',
      }));
      return;
    case 'completed':
      response.status(201).location(`/v1/settlements/${result.run.id}`).json(result.run);
      return;
    case 'interrupted':
      sendProblem(response, new AppError({
        code: 'settlement_interrupted', status: 503,
        message: `The run could not reach the card company (${result.error}); it stays running and resumes on the next trigger.`,
        extensions: { run: result.run },
      }));
      return;
    case 'failed':
      sendProblem(response, new AppError({ code: 'settlement_failed', status: 502, message: result.error, extensions: { run: result.run } }));
  }
}
