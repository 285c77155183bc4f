/**
 * Reconciliation of one run: our ledger (the run's items) against the card company's report of
 * each of its batches, item by item. Reads one batch at a time, so memory stays bounded.
 */
import type { Reconciliation } from '../../../shared/contracts/processing.ts';
import type { DomainDeps } from './deps.ts';
import { settlementRunNotFound } from './errors.ts';
import type { ClearingReport } from './ports/provider.ts';
import type { BatchItemRecord } from './ports/store.ts';

/** A provider that cannot be asked is a DomainError `provider_unavailable` (the clearing port throws it). */
export async function reconcileRun(deps: Pick<DomainDeps, 'store' | 'clearing'>, runId: string, requestId?: string): Promise<Reconciliation> {
  const run = await deps.store.settlements.get(runId);
  if (!run) throw settlementRunNotFound(runId);
  const result: Reconciliation = { runId, matched: 0, missingAtNetwork: [], missingInLedger: [], amountMismatches: [] };
  for (const [index, batchId] of run.batchIds.entries()) {
    const ledger = await deps.store.settlements.readBatch(runId, index + 1);
    const report = await deps.clearing.getBatchReport(batchId, { requestId });
    compareBatch(batchId, ledger, report, result);
  }
  return result;
}

function compareBatch(batchId: string, ledger: BatchItemRecord[], report: ClearingReport | null, result: Reconciliation): void {
  const reported = new Map((report?.items ?? []).map((item) => [`${item.type}:${item.merchantReference}`, item]));
  for (const item of ledger) {
    const key = `${item.type}:${item.merchantReference}`;
    const theirs = reported.get(key);
    reported.delete(key);
    if (!theirs) {
      result.missingAtNetwork.push({ batchId, merchantReference: item.merchantReference, type: item.type, ledgerAmount: item.amountMinor, ledgerStatus: item.status });
    } else if (theirs.amountMinor !== item.amountMinor || theirs.status !== item.status) {
      result.amountMismatches.push({
        batchId, merchantReference: item.merchantReference, type: item.type,
        ledgerAmount: item.amountMinor, networkAmount: theirs.amountMinor, ledgerStatus: item.status, networkStatus: theirs.status,
      });
    } else {
      result.matched += 1;
    }
  }
  for (const theirs of reported.values()) {
    result.missingInLedger.push({ batchId, merchantReference: theirs.merchantReference, type: theirs.type, networkAmount: theirs.amountMinor, networkStatus: theirs.status });
  }
}
