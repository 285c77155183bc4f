/** Back-office settlements: the runs, one run (items, reconciliation), and "Run settlement now". */
import express, { type Request, type Response, type Router } from 'express';
import { notFound } from '../../../../shared/errors.ts';
import { requireCsrfToken, sessionOf } from '../../admin/auth.ts';
import { takeFlash, type AdminSession } from '../../admin/sessions.ts';
import { renderRunDetail, renderRunList } from '../../views/admin/settlement-pages.ts';
import { adminForm, callContext, cursor, ID_PATTERN, unwrap, type AdminDeps } from './common.ts';

export const RUNS_PAGE_SIZE = 20;
export const ITEMS_PAGE_SIZE = 50;

const runUrl = (runId: string) => `/admin/settlements/${encodeURIComponent(runId)}`;

/** The id of the run a problem names (409 running, 502/503 with `run`), if any. */
function runIdIn(body: Record<string, unknown>): string | undefined {
  const run = body.run as { id?: unknown } | undefined;
  const id = typeof body.id === 'string' ? body.id : typeof run?.id === 'string' ? run.id : undefined;
  return id !== undefined && ID_PATTERN.test(id) ? id : undefined;
}

/** POST /v1/settlements and where the merchant goes next (SPEC §4's 200, 201, 202, 409 and failures). */
async function startRun(deps: AdminDeps, request: Request, response: Response, session: AdminSession): Promise<void> {
  const answer = await deps.client.startSettlement(callContext(request));
  request.log.info({ event: 'admin_settle', user: session.user, outcome: answer.kind, status: answer.kind === 'unavailable' ? undefined : answer.status }, 'back-office settlement run');
  if (answer.kind === 'unavailable') {
    session.flash = { kind: 'error', message: 'The processing server did not answer. Reload the runs to see whether a run started.' };
    response.redirect(303, '/admin/settlements');
    return;
  }
  if (answer.kind === 'problem') {
    const runId = runIdIn(answer.body);
    session.flash = answer.status === 409
      ? { kind: 'info', message: 'A settlement run is already going; here it is.' }
      : { kind: 'error', message: `The settlement run did not complete: ${answer.detail}` };
    response.redirect(303, runId ? runUrl(runId) : '/admin/settlements');
    return;
  }
  if (!('id' in answer.data)) {
    session.flash = { kind: 'info', message: 'Nothing is ready to settle, so no run was recorded.' };
    response.redirect(303, '/admin/settlements');
    return;
  }
  const run = answer.data;
  session.flash = run.status === 'running'
    ? { kind: 'info', message: `Settlement run started with ${run.itemCount} items; this page follows it until it completes.` }
    : { kind: 'success', message: `Settlement run ${run.status}: ${run.settledCount} settled, ${run.rejectedCount} rejected.` };
  response.redirect(303, runUrl(run.id));
}

async function showRun(deps: AdminDeps, request: Request, response: Response): Promise<void> {
  const session = sessionOf(response);
  const runId = String(request.params.runId);
  if (!ID_PATTERN.test(runId)) throw notFound('The settlement run');
  const context = callContext(request);
  const itemsAfter = cursor(request, 'itemsAfter');
  const run = unwrap(await deps.client.getRun(runId, context), 'The settlement run');
  // The card company is asked only for a finished run; while it runs its reports are partial.
  const [items, reconciliation] = await Promise.all([
    deps.client.listItems(runId, { limit: ITEMS_PAGE_SIZE, startingAfter: itemsAfter }, context),
    run.status === 'running' ? Promise.resolve(undefined) : deps.client.reconciliation(runId, context),
  ]);
  const page = unwrap(items, 'The settlement run');
  response.type('html').send(renderRunDetail({
    session, flash: takeFlash(session), run, items: page.data, itemsHasMore: page.hasMore, itemsAfter,
    reconciliation: reconciliation?.kind === 'ok' ? reconciliation.data : undefined,
    reconciliationError: reconciliation && reconciliation.kind !== 'ok'
      ? `The reconciliation could not be read${reconciliation.kind === 'problem' ? `: ${reconciliation.detail}` : ' (the processing server or the card company did not answer)'}.`
      : undefined,
  }));
}

export function settlementRoutes(deps: AdminDeps): Router {
  const router = express.Router();

  router.get('/settlements', async (request, response) => {
    const session = sessionOf(response);
    const after = cursor(request, 'after');
    const page = unwrap(await deps.client.listRuns({ limit: RUNS_PAGE_SIZE, startingAfter: after }, callContext(request)), 'The settlement runs');
    response.type('html').send(renderRunList({ session, flash: takeFlash(session), runs: page.data, hasMore: page.hasMore, after }));
  });

  router.post('/settlements', adminForm, requireCsrfToken(), (request, response) => startRun(deps, request, response, sessionOf(response)));

  router.get('/settlements/:runId', (request, response) => showRun(deps, request, response));
  return router;
}
