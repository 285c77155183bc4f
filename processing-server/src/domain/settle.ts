/**
 * The settlement run (SPEC §4–§6): expire stale authorizations, take the lease, create the run
 * with every ready item assigned in one transaction, then send the batches one by one and
 * record each answer. Safe to run twice and to resume after a crash: a batch is resent with
 * the same batchId, and the card company answers a resent batch with its first answer.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { v7 as uuidv7 } from 'uuid';
import type { SettlementRun } from '../../../shared/contracts/processing.ts';
import type { DomainDeps } from './deps.ts';
import { expireAuthorizations, expiryCutoff, releaseExpiredHolds } from './expiry.ts';
import type { ClearingReport } from './ports/provider.ts';
import type { BatchItemRecord, ExpiredAuthorization, ItemResult } from './ports/store.ts';
import { SETTLEMENT_OUTCOMES, SETTLEMENT_READINESS } from './settlement-outcomes.ts';

export const SETTLEMENT_LEASE = 'settlement';
const LEASE_TTL_MS = 60_000;

/**
 * What a run needs. With `lifecycle`, a run stops between two batches once its signal aborts (a
 * shutdown) and registers so that the shutdown can wait for it; a stopped run resumes later.
 */
export type SettlementDeps = Pick<DomainDeps, 'store' | 'providers' | 'clearing' | 'clock' | 'logger' | 'lifecycle' | 'cause'> & {
  settings: Pick<DomainDeps['settings'], 'authTtlHours' | 'batchSizeMax' | 'busyWaitMs'>;
};

export interface SettleProgress {
  runId: string;
  batchesDone: number;
  batchCount: number;
  itemsDone: number;
  itemCount: number;
}

export interface SettleOptions {
  /** Called once the run exists (before any batch is sent), so callers can point at it. */
  onRunStarted?: (run: SettlementRun) => void;
  onProgress?: (progress: SettleProgress) => void;
  requestId?: string;
}

export type SettleResult =
  | { kind: 'nothing_ready' }
  /** Another run holds the lease. */
  | { kind: 'busy'; run: SettlementRun | null }
  | { kind: 'completed'; run: SettlementRun }
  /** A batch could not be sent or recorded; the run stays running and resumes on the next trigger. */
  | { kind: 'interrupted'; run: SettlementRun; error: string }
  | { kind: 'failed'; run: SettlementRun; error: string };

/** A batch answer that does not match what was sent: resending cannot fix it. */
class BatchMismatchError extends Error {
  override readonly name = 'BatchMismatchError';
}

export function newRunId(): string {
  return `set_${uuidv7().replaceAll('-', '')}`;
}

export function settle(deps: SettlementDeps, options: SettleOptions = {}): Promise<SettleResult> {
  const work = settleOnce(deps, options);
  deps.lifecycle?.track(work);
  return work;
}

/** How long a trigger waits for the run of another lease holder to show, and how often it looks. */
export const BUSY_WAIT_MS = 5_000;
const BUSY_POLL_MS = 100;

/**
 * settle(), for a caller that must be told which run is going (POST /v1/settlements). Another
 * instance (or `npm run settle`) may hold the lease without a recorded run yet: it is expiring
 * authorizations or creating its run (one transaction, seconds for a million items), or it found
 * nothing ready and is about to give the lease back. So look again every BUSY_POLL_MS for up to
 * `busyWaitMs`: either its run shows (busy, with the run), or the lease is free again and this
 * trigger settles itself. Still busy with no run after the wait, it says so (`run: null`).
 */
export async function settleOrFindRunning(deps: SettlementDeps, options: SettleOptions = {}): Promise<SettleResult> {
  const waitMs = deps.settings.busyWaitMs ?? BUSY_WAIT_MS;
  let result = await settle(deps, options);
  for (let waited = 0; result.kind === 'busy' && !result.run && waited < waitMs; waited += BUSY_POLL_MS) {
    if (deps.lifecycle?.signal.aborted) break;
    await sleep(BUSY_POLL_MS);
    result = await settle(deps, options);
  }
  return result;
}

async function settleOnce(deps: SettlementDeps, options: SettleOptions): Promise<SettleResult> {
  const owner = randomUUID();
  const now = deps.clock();
  const leased = await deps.store.leases.acquire({
    name: SETTLEMENT_LEASE, owner, now: now.toISOString(), expiresAt: new Date(now.getTime() + LEASE_TTL_MS).toISOString(),
  });
  if (!leased) return { kind: 'busy', run: await deps.store.settlements.findRunning() };
  let expired: ExpiredAuthorization[] = [];
  try {
    const prepared = await resumableRun(deps, now);
    expired = prepared.expired;
    if (!prepared.run) return { kind: 'nothing_ready' };
    options.onRunStarted?.(prepared.run);
    return await sendAndRecord(deps, prepared.run, owner, options);
  } finally {
    await deps.store.leases.release(SETTLEMENT_LEASE, owner);
    // After the lease: a release is safe to repeat, and a slow card company must not keep the
    // next run waiting. The payments are marked, so a release that does not happen is not lost.
    await releaseExpiredHolds(deps, expired, options.requestId);
  }
}

/** An interrupted run is finished first; otherwise authorizations expire, and a new run takes every ready item. */
async function resumableRun(deps: SettlementDeps, now: Date): Promise<{ run: SettlementRun | null; expired: ExpiredAuthorization[] }> {
  const interrupted = await deps.store.settlements.findRunning();
  if (interrupted) {
    deps.logger.info({ runId: interrupted.id }, 'resuming an interrupted settlement run');
    return { run: interrupted, expired: [] };
  }
  const expired = await expireAuthorizations(deps, now);
  const run = await deps.store.settlements.createRun({
    runId: newRunId(), startedAt: now.toISOString(), batchSizeMax: deps.settings.batchSizeMax,
    notBefore: expiryCutoff(deps.settings.authTtlHours, now), ready: SETTLEMENT_READINESS,
  });
  if (run) deps.logger.info({ runId: run.id, itemCount: run.itemCount, batchCount: run.batchIds.length }, 'settlement run created');
  return { run, expired };
}

async function sendAndRecord(deps: SettlementDeps, run: SettlementRun, owner: string, options: SettleOptions): Promise<SettleResult> {
  const pending = await deps.store.settlements.unsentBatchNumbers(run.id);
  const inFlight: { batch: SentBatch | null } = { batch: null };
  try {
    await sendBatches(deps, run, pending, owner, options, inFlight);
  } catch (error) {
    // A batch already on its way is let land before the run stops; it is resent on resume.
    if (inFlight.batch) await inFlight.batch.answer.catch(() => undefined);
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof BatchMismatchError) {
      await deps.store.settlements.fail(run.id, message, deps.clock().toISOString(), deps.cause);
      deps.logger.error({ runId: run.id, error: message }, 'settlement run failed');
      return { kind: 'failed', run: (await deps.store.settlements.get(run.id)) ?? run, error: message };
    }
    deps.logger.warn({ runId: run.id, error: message }, 'settlement run interrupted; it resumes on the next trigger');
    return { kind: 'interrupted', run: (await deps.store.settlements.get(run.id)) ?? run, error: message };
  }
  const completed = await deps.store.settlements.complete(run.id, deps.clock().toISOString(), deps.cause);
  deps.logger.info({ runId: run.id, settled: completed.settledCount, rejected: completed.rejectedCount, totals: completed.totals }, 'settlement run completed');
  return { kind: 'completed', run: completed };
}

/**
 * Sends the pending batches one ahead: while batch n's answer is recorded, batch n+1 is already
 * at the card company (and is read while the card company works on batch n). Every batch's items
 * were committed with the run before any was sent; an answer is checked before the next batch
 * leaves, and answers are recorded strictly in order. A batch sent but never recorded (a crash,
 * a failed write) is resent with the same batchId on resume, and the card company answers it as
 * before. `inFlight` tells the caller which batch is on its way if this throws.
 */
async function sendBatches(
  deps: SettlementDeps, run: SettlementRun, pending: number[], owner: string, options: SettleOptions, inFlight: { batch: SentBatch | null },
): Promise<void> {
  const batchCount = run.batchIds.length;
  let batchesDone = batchCount - pending.length;
  let itemsDone = 0;
  for (const [index, batchNo] of pending.entries()) {
    const current = inFlight.batch ?? startBatch(deps, run.id, batchNo, await readBatch(deps, run.id, batchNo), options.requestId);
    inFlight.batch = current;
    const following = pending[index + 1];
    const followingItems = following === undefined || deps.lifecycle?.signal.aborted ? null : await readBatch(deps, run.id, following);
    const results = matchResults(current.items, await current.answer);
    inFlight.batch = null;
    if (following !== undefined && followingItems && !deps.lifecycle?.signal.aborted) {
      inFlight.batch = startBatch(deps, run.id, following, followingItems, options.requestId);
      // The write below blocks the event loop: the next batch must have left before it starts.
      await inFlight.batch.sent;
    }
    await deps.store.settlements.recordBatchResults({
      runId: run.id, batchNo, results, outcomes: SETTLEMENT_OUTCOMES, now: deps.clock().toISOString(), cause: deps.cause,
    });
    itemsDone += current.items.length;
    batchesDone += 1;
    await renewLease(deps, owner);
    options.onProgress?.({ runId: run.id, batchesDone, batchCount, itemsDone, itemCount: run.itemCount });
  }
}

async function renewLease(deps: SettlementDeps, owner: string): Promise<void> {
  const now = deps.clock();
  const renewed = await deps.store.leases.acquire({
    name: SETTLEMENT_LEASE, owner, now: now.toISOString(), expiresAt: new Date(now.getTime() + LEASE_TTL_MS).toISOString(),
  });
  assert.ok(renewed, 'the settlement lease was lost during a run');
}

/** A batch on its way to the card company, with the items it carries. */
interface SentBatch {
  items: BatchItemRecord[];
  answer: Promise<ClearingReport>;
  /** Resolves once the request has left (or the exchange has ended), never rejects. */
  sent: Promise<void>;
}

async function readBatch(deps: SettlementDeps, runId: string, batchNo: number): Promise<BatchItemRecord[]> {
  const items = await deps.store.settlements.readBatch(runId, batchNo);
  assert.ok(items.length > 0 && items.length <= deps.settings.batchSizeMax, 'a batch holds 1..batchSizeMax items');
  return items;
}

/** Sends a batch whose items were committed with the run; the answer comes later. */
function startBatch(deps: SettlementDeps, runId: string, batchNo: number, items: BatchItemRecord[], requestId?: string): SentBatch {
  if (deps.lifecycle?.signal.aborted) throw new Error('the process is shutting down; the run resumes at the next start');
  let reportSent = (): void => undefined;
  const reported = new Promise<void>((resolve) => { reportSent = resolve; });
  // The stored items are the clearing items (ClearingItem): the adapter writes them as the card company's contract has them.
  const answer = deps.clearing.sendBatch({ batchId: `${runId}-${batchNo}`, items }, { requestId, onRequestSent: () => reportSent() });
  // Observed at once, so that an answer abandoned after an earlier failure is never an unhandled rejection.
  const ended = answer.then(() => undefined, () => undefined);
  return { items, answer, sent: Promise.race([reported, ended]) };
}

/** Pairs every item sent with exactly one result, by merchantReference; anything else is a mismatch. */
function matchResults(items: BatchItemRecord[], answer: ClearingReport): ItemResult[] {
  const byReference = new Map(answer.items.map((result) => [result.merchantReference, result]));
  if (answer.items.length !== items.length || byReference.size !== items.length) {
    throw new BatchMismatchError(`batch ${answer.batchId}: sent ${items.length} items, the answer has ${answer.items.length}`);
  }
  return items.map((item) => {
    const result = byReference.get(item.merchantReference);
    if (!result || result.amountMinor !== item.amountMinor || result.type !== item.type) {
      throw new BatchMismatchError(`batch ${answer.batchId}: no matching result for ${item.merchantReference}`);
    }
    return { seq: item.seq, type: item.type, status: result.status, reason: result.reason };
  });
}
