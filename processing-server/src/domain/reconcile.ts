/**
 * Reconciliation of one run: our ledger (the run's items) against the card company's report of
 * each of its batches, item by item. Reads one batch at a time, so memory stays bounded.
 */
import type { SettlementBatchResponse } from '../../../shared/contracts/network.ts';
import type { Reconciliation } from '../../../shared/contracts/processing.ts';
import type { DomainDeps } from './deps.ts';
import { settlementRunNotFound } from './errors.ts';
import type { BatchItemRecord } from './ports/store.ts';

export async function reconcileRun(deps: Pick<DomainDeps, 'store' | 'network'>, runId: string, requestId?: string): Promise<Reconciliation> {
  const run = await deps.store.settlements.get(runId);
  if (!run) throw settlementRunNotFound(runId);
  const result: Reconciliation = { runId, matched: 0, missingAtNetwork: [], missingInLedger: [], amountMismatches: [] };
  for (const [index, batchId] of run.batchIds.entries()) {
    const ledger = await deps.store.settlements.readBatch(runId, index + 1);
    const report = await deps.network.getBatch(batchId, { requestId });
    compareBatch(batchId, ledger, report, result);
  }
  return result;
}

function compareBatch(batchId: string, ledger: BatchItemRecord[], report: SettlementBatchResponse | null, result: Reconciliation): void {
  const reported = new Map((report?.items ?? []).map((item) => [`${item.type}:${item.merchantReference}`, item]));
  for (const item of ledger) {
    const key = `${item.type}:${item.merchantReference}`;
    const theirs = reported.get(key);
    reported.delete(key);
    if (!theirs) {
      result.missingAtNetwork.push({ batchId, merchantReference: item.merchantReference, type: item.type, ledgerAmount: item.amountMinor, ledgerStatus: item.status });
    } else if (theirs.amount !== item.amountMinor || theirs.status !== item.status) {
      result.amountMismatches.push({
        batchId, merchantReference: item.merchantReference, type: item.type,
        ledgerAmount: item.amountMinor, networkAmount: theirs.amount, ledgerStatus: item.status, networkStatus: theirs.status,
      });
    } else {
      result.matched += 1;
    }
  }
  for (const theirs of reported.values()) {
    result.missingInLedger.push({ batchId, merchantReference: theirs.merchantReference, type: theirs.type, networkAmount: theirs.amount, networkStatus: theirs.status });
  }
}
