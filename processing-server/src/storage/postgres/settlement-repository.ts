/**
 * SettlementRepository on PostgreSQL: the lease as a conditional UPSERT, a run's items taken and
 * numbered set-based in one transaction, and a batch's answer recorded in one transaction with a
 * handful of array-driven statements (not one round trip per item: a batch holds up to 5,000).
 */
import assert from 'node:assert/strict';
import type pg from 'pg';
import type { SettlementRun } from '../../../../shared/contracts/processing.ts';
import type {
  CreateRefundResult, ItemResult, RefundRecord, SettlementRepository,
} from '../settlement-repository.ts';
import { expiredFromRow, itemFromRow, refundFromRow, runFromRow, totalsFromGroups } from '../sqlite/settlement-rows.ts';
import { inTransaction, queryRows, toSafeInteger, type Queryable } from './database.ts';
import { SETTLEMENT_SQL as SQL } from './settlement-sql.ts';

async function getRun(database: Queryable, runId: string): Promise<SettlementRun | null> {
  const [row] = await queryRows(database, SQL.getRun, [runId]);
  return row ? runFromRow(row) : null;
}

async function createRun(
  client: pg.PoolClient, options: { runId: string; startedAt: string; batchSizeMax: number; notBefore: string },
): Promise<SettlementRun | null> {
  const { runId, startedAt, batchSizeMax, notBefore } = options;
  assert.ok(Number.isSafeInteger(batchSizeMax) && batchSizeMax > 0, 'batchSizeMax is a positive integer');
  await client.query(SQL.insertRun, [runId, startedAt]);
  const sales = await client.query(SQL.takeSales, [runId, notBefore]);
  const refunds = await client.query(SQL.takeRefunds, [runId]);
  const taken = (sales.rowCount ?? 0) + (refunds.rowCount ?? 0);
  if (taken === 0) {
    await client.query(SQL.deleteRun, [runId]);
    return null;
  }
  const itemCount = (await client.query(SQL.assignItems, [runId, batchSizeMax])).rowCount ?? 0;
  assert.equal(itemCount, taken, 'every sale and refund the run took becomes exactly one item');
  await client.query(SQL.setRunSize, [itemCount, Math.ceil(itemCount / batchSizeMax), runId]);
  const run = await getRun(client, runId);
  assert.ok(run && run.itemCount === itemCount, 'the created run exists with its items');
  return run;
}

/** What the item rows say was recorded now (items recorded by an earlier attempt are left out). */
interface RecordedItem {
  type: 'sale' | 'refund';
  paymentId: string;
  refundId: string | null;
  amount: number;
  status: 'settled' | 'rejected';
  reason: string | null;
}

async function recordResults(client: pg.PoolClient, runId: string, results: ItemResult[], now: string): Promise<void> {
  const reasonBySeq = new Map(results.map((result) => [result.item.seq, result.reason]));
  const changed = await queryRows(client, SQL.setItems, [
    runId, results.map((result) => result.item.seq), results.map((result) => result.status), results.map((result) => result.reason),
  ]);
  // The ledger changes follow the stored items, not the caller's copy of them.
  const recorded: RecordedItem[] = changed.map((row) => ({
    type: row.type === 'refund' ? 'refund' : 'sale', paymentId: String(row.payment_id),
    refundId: row.refund_id === null ? null : String(row.refund_id), amount: toSafeInteger(row.amount),
    status: row.result === 'settled' ? 'settled' : 'rejected', reason: reasonBySeq.get(toSafeInteger(row.seq)) ?? null,
  }));
  const sales = recorded.filter((item) => item.type === 'sale');
  const settled = sales.filter((item) => item.status === 'settled');
  if (settled.length > 0) {
    await client.query(SQL.salesSettled, [now, settled.map((item) => item.paymentId), settled.map((item) => item.amount)]);
  }
  const rejected = sales.filter((item) => item.status === 'rejected');
  if (rejected.length > 0) await client.query(SQL.salesRejected, [now, rejected.map((item) => item.paymentId)]);
  const refunds = recorded.filter((item) => item.type === 'refund');
  if (refunds.length === 0) return;
  const refundIds = refunds.map((item) => {
    assert.ok(item.refundId, 'a refund item names its refund');
    return item.refundId;
  });
  await client.query(SQL.refundResults, [now, refundIds, refunds.map((item) => item.status), refunds.map((item) => item.reason)]);
  const undoneByPayment = new Map<string, number>();
  for (const item of refunds) {
    if (item.status === 'rejected') undoneByPayment.set(item.paymentId, (undoneByPayment.get(item.paymentId) ?? 0) + item.amount);
  }
  if (undoneByPayment.size > 0) {
    await client.query(SQL.refundsUndone, [now, [...undoneByPayment.keys()], [...undoneByPayment.values()]]);
  }
}

async function completeRun(client: pg.PoolClient, runId: string, now: string): Promise<SettlementRun> {
  const summary = totalsFromGroups(await queryRows(client, SQL.groups, [runId]));
  assert.equal(summary.pendingCount, 0, 'a run completes only when every item has a result');
  await client.query(SQL.complete, [now, summary.settledCount, summary.rejectedCount, JSON.stringify(summary.totals), runId]);
  const run = await getRun(client, runId);
  assert.ok(run, 'the completed run exists');
  return run;
}

async function createRefund(client: pg.PoolClient, refund: RefundRecord): Promise<CreateRefundResult> {
  const byKey = async (): Promise<CreateRefundResult | null> => {
    const [existing] = await queryRows(client, SQL.refundByKey, [refund.idempotencyKey]);
    return existing ? { kind: 'existing', refund: refundFromRow(existing) } : null;
  };
  const existing = await byKey();
  if (existing) return existing;
  const [payment] = await queryRows(client, SQL.lockPayment, [refund.paymentId]);
  if (!payment) return { kind: 'payment_not_found' };
  // A request with the same key may have committed while this one waited for the payment's lock.
  const raced = await byKey();
  if (raced) return raced;
  if (payment.status !== 'settled' && payment.status !== 'partially_refunded') {
    return { kind: 'not_refundable', status: String(payment.status) };
  }
  const refundable = toSafeInteger(payment.captured_amount) - toSafeInteger(payment.refunded_amount);
  if (refund.amount > refundable) return { kind: 'exceeds', refundable };
  const inserted = await client.query(SQL.insertRefund, [refund.id, refund.paymentId, refund.amount, refund.currency,
    refund.idempotencyKey, refund.requestHash, refund.createdAt, refund.updatedAt]);
  if (inserted.rowCount === 0) {
    // The same key, used at the same moment for another payment: that request's refund stands.
    const other = await byKey();
    assert.ok(other, 'a conflicting refund key is committed');
    return other;
  }
  await client.query(SQL.addRefunded, [refund.amount, refund.createdAt, refund.paymentId]);
  return { kind: 'created', refund };
}

export function createPostgresSettlementRepository(pool: pg.Pool): SettlementRepository {
  return {
    acquireLease: async ({ name, owner, now, expiresAt }) => {
      const [row] = await queryRows(pool, SQL.acquireLease, [name, owner, expiresAt, now]);
      assert.ok(!row || row.owner === owner, 'a lease row returned is ours');
      return row !== undefined;
    },
    releaseLease: async (name, owner) => { await pool.query(SQL.releaseLease, [name, owner]); },
    expireAuthorizations: async (cutoff, now) => (await queryRows(pool, SQL.expire, [now, cutoff])).map(expiredFromRow),
    holdReleased: async (paymentId) => { await pool.query(SQL.holdReleased, [paymentId]); },
    createRun: (options) => inTransaction(pool, (client) => createRun(client, options)),
    findRunningRun: async () => {
      const [row] = await queryRows(pool, SQL.runningRun);
      return row ? runFromRow(row) : null;
    },
    unsentBatchNumbers: async (runId) => (await queryRows(pool, SQL.unsentBatches, [runId])).map((row) => Number(row.batch_no)),
    readBatch: async (runId, batchNo) => (await queryRows(pool, SQL.readBatch, [runId, batchNo])).map(itemFromRow),
    recordBatchResults: (runId, results, now) => inTransaction(pool, (client) => recordResults(client, runId, results, now)),
    completeRun: (runId, now) => inTransaction(pool, (client) => completeRun(client, runId, now)),
    failRun: async (runId, error, now) => { await pool.query(SQL.fail, [now, error, runId]); },
    getRun: (runId) => getRun(pool, runId),
    listRuns: async ({ limit, startingAfter }) => {
      const rows = startingAfter === undefined
        ? await queryRows(pool, SQL.listRunsFirst, [limit + 1])
        : await queryRows(pool, SQL.listRunsAfter, [startingAfter, limit + 1]);
      return { data: rows.slice(0, limit).map(runFromRow), hasMore: rows.length > limit };
    },
    listItems: async (runId, { limit, startingAfterSeq }) => {
      const rows = await queryRows(pool, SQL.listItems, [runId, startingAfterSeq ?? 0, limit + 1]);
      return { data: rows.slice(0, limit).map(itemFromRow), hasMore: rows.length > limit };
    },
    createRefund: (refund) => inTransaction(pool, (client) => createRefund(client, refund)),
    getRefundsOfPayment: async (paymentId) => (await queryRows(pool, SQL.refundsOfPayment, [paymentId])).map(refundFromRow),
  };
}
