/**
 * Settlement runs on PostgreSQL: a run's items taken and numbered set-based in one transaction,
 * and a batch's answer recorded in one transaction with a handful of array-driven statements
 * (not one round trip per item: a batch holds up to 5,000). What each result does to its
 * payment or refund is the domain's (`SettlementOutcomes`); this file applies it.
 */
import assert from 'node:assert/strict';
import type pg from 'pg';
import type { PaymentStatus, SettlementRun } from '../../../../shared/contracts/processing.ts';
import { paymentEvent, refundEvent, runEvent, type EventRecord } from '../../domain/events.ts';
import { assertRefundTransition, assertRunTransition, checkedChange } from '../../domain/lifecycle.ts';
import type { CreateRunCommand, RecordBatchCommand, SettlementRepository } from '../../domain/ports/store.ts';
import { refundGivenBack } from '../../domain/refund-eligibility.ts';
import type { SettlementOutcomes } from '../../domain/settlement-outcomes.ts';
import { countsAgainstLimit } from '../../domain/spend-limit.ts';
import { paymentFromRow } from '../sql/payment-rows.ts';
import { itemFromRow, refundFromRow, runFromRow, totalsFromGroups } from '../sql/settlement-rows.ts';
import { inTransaction, queryRows, toSafeInteger, type Queryable, type Row } from './database.ts';
import { writeEvents } from './event-repository.ts';
import { SETTLEMENT_SQL as SQL } from './settlement-sql.ts';

async function getRun(database: Queryable, runId: string): Promise<SettlementRun | null> {
  const [row] = await queryRows(database, SQL.getRun, [runId]);
  return row ? runFromRow(row) : null;
}

async function createRun(client: pg.PoolClient, command: CreateRunCommand): Promise<SettlementRun | null> {
  const { runId, startedAt, batchSizeMax, notBefore, ready } = command;
  assert.ok(Number.isSafeInteger(batchSizeMax) && batchSizeMax > 0, 'batchSizeMax is a positive integer');
  await client.query(SQL.insertRun, [runId, startedAt]);
  const sales = await client.query(SQL.takeSales, [runId, notBefore, ready.automatic, ready.manual]);
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
  amountMinor: number;
  status: 'settled' | 'rejected';
  reason: string | null;
}

/**
 * A batch's results in one transaction: the items, the payments and refunds they move, and the
 * events of every one that moved (one statement for all of them).
 */
async function recordResults(client: pg.PoolClient, command: RecordBatchCommand): Promise<void> {
  const { runId, results, now, outcomes, cause } = command;
  const reasonBySeq = new Map(results.map((result) => [result.seq, result.reason]));
  const changed = await queryRows(client, SQL.setItems, [
    runId, results.map((result) => result.seq), results.map((result) => result.status), results.map((result) => result.reason),
  ]);
  // The ledger changes follow the stored items, not the caller's copy of them.
  const recorded: RecordedItem[] = changed.map((row) => ({
    type: row.type === 'refund' ? 'refund' : 'sale', paymentId: String(row.payment_id),
    refundId: row.refund_id === null ? null : String(row.refund_id), amountMinor: toSafeInteger(row.amount),
    status: row.result === 'settled' ? 'settled' : 'rejected', reason: reasonBySeq.get(toSafeInteger(row.seq)) ?? null,
  }));
  const changedPayments = await recordSales(client, recorded.filter((item) => item.type === 'sale'), outcomes, now);
  const refundChanges = await recordRefunds(client, recorded.filter((item) => item.type === 'refund'), outcomes, now, cause);
  await writeEvents(client, [...changedPayments.map((row) => paymentEvent(paymentFromRow(row), { cause })), ...refundChanges]);
}

/** The sales' payments moved as the outcomes say; returns the payments that moved. */
async function recordSales(client: pg.PoolClient, sales: RecordedItem[], outcomes: SettlementOutcomes, now: string): Promise<Row[]> {
  const changed: Row[] = [];
  const settled = sales.filter((item) => item.status === 'settled');
  if (settled.length > 0) {
    const change = checkedChange(outcomes.saleSettled);
    changed.push(...await queryRows(client, SQL.salesSettled(!countsAgainstLimit(change.to)), [
      now, settled.map((item) => item.paymentId), settled.map((item) => item.amountMinor), change.to, [...change.from],
    ]));
  }
  const rejected = sales.filter((item) => item.status === 'rejected');
  if (rejected.length > 0) {
    const change = checkedChange(outcomes.saleRejected);
    changed.push(...await queryRows(client, SQL.salesRejected(!countsAgainstLimit(change.to)), [now, rejected.map((item) => item.paymentId), change.to, [...change.from]]));
  }
  return changed;
}

/** The refunds' results, and what a rejected one gives back; returns the events of every refund and payment that moved. */
async function recordRefunds(
  client: pg.PoolClient, refunds: RecordedItem[], outcomes: SettlementOutcomes, now: string, cause: string | null | undefined,
): Promise<EventRecord[]> {
  if (refunds.length === 0) return [];
  const outcomeOf = (item: RecordedItem) => (item.status === 'settled' ? outcomes.refundSettled : outcomes.refundRejected);
  const changes = refunds.map((item) => {
    const outcome = outcomeOf(item);
    const [from] = outcome.from;
    assert.ok(item.refundId && from && outcome.from.length === 1, 'a refund item names its refund, and its outcome one status to start from');
    assertRefundTransition(from, outcome.to);
    return { id: item.refundId, to: outcome.to, from, reason: item.reason };
  });
  const refundRows = await queryRows(client, SQL.refundResults, [
    now, changes.map((change) => change.id), changes.map((change) => change.to), changes.map((change) => change.reason), changes.map((change) => change.from),
  ]);
  const events = refundRows.map((row) => {
    const refund = refundFromRow(row);
    return refundEvent(refund.status === 'settled' ? 'refund.settled' : 'refund.rejected', refund, cause);
  });
  const givenBackByPayment = new Map<string, number>();
  const rejectedRefundOf = new Map<string, string>();
  for (const item of refunds) {
    if (!outcomeOf(item).givesBack) continue;
    givenBackByPayment.set(item.paymentId, (givenBackByPayment.get(item.paymentId) ?? 0) + item.amountMinor);
    if (item.refundId) rejectedRefundOf.set(item.paymentId, item.refundId);
  }
  if (givenBackByPayment.size === 0) return events;
  // One row per payment: an UPDATE … FROM applies only one joined row to each target row.
  const payments = await queryRows(client, SQL.lockRefunded, [[...givenBackByPayment.keys()]]);
  const given = payments.map((row) => ({
    id: String(row.id),
    ...refundGivenBack({
      status: row.status as PaymentStatus, capturedMinor: toSafeInteger(row.captured_amount), refundedMinor: toSafeInteger(row.refunded_amount),
    }, givenBackByPayment.get(String(row.id)) ?? 0),
  }));
  const givenBack = await queryRows(client, SQL.refundsGivenBack, [
    now, given.map((payment) => payment.id), given.map((payment) => payment.refundedMinor), given.map((payment) => payment.to), given.map((payment) => payment.from),
  ]);
  for (const row of givenBack) {
    const payment = paymentFromRow(row);
    events.push(paymentEvent(payment, { cause, type: 'payment.refund_rejected', refundId: rejectedRefundOf.get(payment.id) ?? null }));
  }
  return events;
}

async function completeRun(client: pg.PoolClient, runId: string, now: string, cause: string | null | undefined): Promise<SettlementRun> {
  assertRunTransition('running', 'completed');
  const summary = totalsFromGroups(await queryRows(client, SQL.groups, [runId]));
  assert.equal(summary.pendingCount, 0, 'a run completes only when every item has a result');
  const updated = await client.query(SQL.complete, [now, summary.settledCount, summary.rejectedCount, JSON.stringify(summary.totals), runId]);
  assert.equal(updated.rowCount, 1, 'the run was running');
  const run = await getRun(client, runId);
  assert.ok(run, 'the completed run exists');
  await writeEvents(client, [runEvent('settlement.completed', run, cause)]);
  return run;
}

async function failRun(client: pg.PoolClient, runId: string, error: string, now: string, cause: string | null | undefined): Promise<void> {
  assertRunTransition('running', 'failed');
  const failed = await client.query(SQL.fail, [now, error, runId]);
  if (failed.rowCount === 0) return;
  const run = await getRun(client, runId);
  assert.ok(run, 'the failed run exists');
  await writeEvents(client, [runEvent('settlement.failed', run, cause)]);
}

export function createPostgresSettlementRepository(pool: pg.Pool): SettlementRepository {
  return {
    createRun: (command) => inTransaction(pool, (client) => createRun(client, command)),
    findRunning: async () => {
      const [row] = await queryRows(pool, SQL.runningRun);
      return row ? runFromRow(row) : null;
    },
    unsentBatchNumbers: async (runId) => (await queryRows(pool, SQL.unsentBatches, [runId])).map((row) => Number(row.batch_no)),
    readBatch: async (runId, batchNo) => (await queryRows(pool, SQL.readBatch, [runId, batchNo])).map(itemFromRow),
    recordBatchResults: (command) => inTransaction(pool, (client) => recordResults(client, command)),
    complete: (runId, now, cause) => inTransaction(pool, (client) => completeRun(client, runId, now, cause)),
    fail: (runId, error, now, cause) => inTransaction(pool, (client) => failRun(client, runId, error, now, cause)),
    get: (runId) => getRun(pool, runId),
    list: async ({ limit, startingAfter }) => {
      const rows = startingAfter === undefined
        ? await queryRows(pool, SQL.listRunsFirst, [limit + 1])
        : await queryRows(pool, SQL.listRunsAfter, [startingAfter, limit + 1]);
      return { data: rows.slice(0, limit).map(runFromRow), hasMore: rows.length > limit };
    },
    listItems: async (runId, { limit, startingAfterSeq }) => {
      const rows = await queryRows(pool, SQL.listItems, [runId, startingAfterSeq ?? 0, limit + 1]);
      return { data: rows.slice(0, limit).map(itemFromRow), hasMore: rows.length > limit };
    },
  };
}
