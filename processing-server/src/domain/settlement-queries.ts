/** Reading settlement runs and their items, in their public form; an unknown run is refused. */
import type { SettlementItemList, SettlementRun, SettlementRunList } from '../../../shared/contracts/processing.ts';
import type { DomainDeps } from './deps.ts';
import { settlementRunNotFound } from './errors.ts';
import { toPublicItem } from './views.ts';

export async function getRun(deps: Pick<DomainDeps, 'store'>, runId: string): Promise<SettlementRun> {
  const run = await deps.store.settlements.get(runId);
  if (!run) throw settlementRunNotFound(runId);
  return run;
}

export function listRuns(deps: Pick<DomainDeps, 'store'>, query: { limit: number; startingAfter?: string | undefined }): Promise<SettlementRunList> {
  return deps.store.settlements.list(query);
}

/** A page of a run's items in run order; `startingAfterSeq` is the position of the last item of the page before. */
export async function listItems(
  deps: Pick<DomainDeps, 'store'>, runId: string, query: { limit: number; startingAfterSeq?: number | undefined },
): Promise<SettlementItemList> {
  const run = await getRun(deps, runId);
  const page = await deps.store.settlements.listItems(run.id, query);
  return { data: page.data.map((item) => toPublicItem(run.id, item)), hasMore: page.hasMore };
}
