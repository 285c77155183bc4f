/**
 * Settlement runs on node:sqlite: set-based SQL for assigning items and for recording a batch's
 * results (a handful of statements per batch, not a few per item), one transaction per batch
 * result. Shaped for runs of a million items; see docs/PERFORMANCE.md. What each result does to
 * its payment or refund is the domain's (`SettlementOutcomes`); this file applies it.
 */
import assert from 'node:assert/strict';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { PaymentStatus, SettlementRun } from '../../../../shared/contracts/processing.ts';
import { paymentEvent, refundEvent, runEvent, type EventRecord } from '../../domain/events.ts';
import { assertRefundTransition, assertRunTransition, checkedChange } from '../../domain/lifecycle.ts';
import type {
  BatchItemRecord, CreateRunCommand, ItemResult, RecordBatchCommand, SettlementRepository,
} from '../../domain/ports/store.ts';
import { refundGivenBack } from '../../domain/refund-eligibility.ts';
import type { SettlementOutcomes, SettlementReadiness } from '../../domain/settlement-outcomes.ts';
import { countsAgainstLimit } from '../../domain/spend-limit.ts';
import { PAYMENT_COLUMNS, paymentFromRow, paymentFromValues, statusLiterals, type Row } from '../sql/payment-rows.ts';
import { ITEM_COLUMNS, itemFromRow, itemFromValues, refundFromRow, runFromRow, totalsFromGroups } from '../sql/settlement-rows.ts';
import { inTransaction } from './database.ts';
import type { SqliteEventWriter } from './event-repository.ts';
import { ASSIGN_REFUNDS_SQL, LAST_SALE_KEY_SQL, READY_REFUND_CONDITION, assignSalesSql } from './settlement-sql.ts';

/**
 * A batch's sale results as statements: its rejections (JSON: [seq, …]) first, then everything
 * of the batch still pending settled, read in place through the (run_id, batch_no) index. Each
 * statement follows the stored items (payment, amount, still pending), not the caller's copy.
 * The unary `+` keeps the planner from walking an index of the run's items or of the payments
 * by status for a handful of rejections. Both return the changed payments, for their events.
 */
function saleStatements(database: DatabaseSync, outcomes: SettlementOutcomes): { rejected: StatementSync; settled: StatementSync } {
  const rejected = checkedChange(outcomes.saleRejected);
  const settled = checkedChange(outcomes.saleSettled);
  const release = (to: SettlementOutcomes['saleSettled']['to']) => (countsAgainstLimit(to) ? '' : ' limit_amount = 0,');
  const statements = {
    rejected: database.prepare(
      `UPDATE payments SET status = ${statusLiterals([rejected.to])},${release(rejected.to)} settlement_id = :runId, updated_at = :now
       FROM (SELECT item.payment_id AS payment_id FROM json_each(:seqs) AS result
             JOIN settlement_items AS item ON item.seq = result.value
             WHERE +item.run_id = :runId AND item.type = 'sale' AND item.status = 'pending') AS sale
       WHERE payments.id = sale.payment_id AND +payments.status IN (${statusLiterals(rejected.from)})
       RETURNING ${PAYMENT_COLUMNS.join(', ')}`,
    ),
    settled: database.prepare(
      `UPDATE payments SET status = ${statusLiterals([settled.to])},${release(settled.to)} captured_amount = sale.amount, settlement_id = :runId, updated_at = :now
       FROM (SELECT item.payment_id AS payment_id, item.amount AS amount FROM settlement_items AS item
             WHERE item.run_id = :runId AND item.batch_no = :batchNo AND item.type = 'sale' AND item.status = 'pending'
               AND item.seq NOT IN (SELECT value FROM json_each(:rejectedSeqs))) AS sale
       WHERE payments.id = sale.payment_id AND +payments.status IN (${statusLiterals(settled.from)})
       RETURNING ${PAYMENT_COLUMNS.join(', ')}`,
    ),
  };
  // The changed payments come back as arrays of their columns, read by position (paymentFromValues).
  for (const statement of Object.values(statements)) returnArrays(statement);
  return statements;
}

/** Rows of a statement as arrays of its columns. Node.js before 22.16 lacks setReturnArrays: rows then come as objects, read by position all the same. */
function returnArrays(statement: StatementSync): void {
  if (typeof statement.setReturnArrays === 'function') statement.setReturnArrays(true);
}

function rowsAsArrays(rows: unknown[]): unknown[][] {
  return rows.map((row) => (Array.isArray(row) ? row : Object.values(row as Row)));
}

/** The events of the payments a statement changed, from its rows of PAYMENT_COLUMNS, one at a time. */
function* paymentEventsOf(rows: Iterable<unknown>, cause: string | null | undefined): Generator<EventRecord> {
  for (const row of rows) yield paymentEvent(paymentFromValues(Array.isArray(row) ? row : Object.values(row as Row)), { cause });
}

export function createSqliteSettlementRepository(database: DatabaseSync, events: SqliteEventWriter): SettlementRepository {
  const statements = {
    insertRun: database.prepare('INSERT INTO settlement_runs (id, status, started_at, item_count, batch_count) VALUES (?, \'running\', ?, 0, 0)'),
    lastSaleKey: database.prepare(LAST_SALE_KEY_SQL),
    assignRefunds: database.prepare(ASSIGN_REFUNDS_SQL),
    markRefunds: database.prepare(`UPDATE refunds AS r SET settlement_id = :runId WHERE ${READY_REFUND_CONDITION}`),
    setRunSize: database.prepare('UPDATE settlement_runs SET item_count = ?, batch_count = ? WHERE id = ?'),
    deleteRun: database.prepare('DELETE FROM settlement_runs WHERE id = ?'),
    runningRun: database.prepare("SELECT * FROM settlement_runs WHERE status = 'running' ORDER BY started_at LIMIT 1"),
    getRun: database.prepare('SELECT * FROM settlement_runs WHERE id = ?'),
    // A batch is recorded in one transaction: while it waits, its first item is found pending at once.
    batchPending: database.prepare("SELECT EXISTS (SELECT 1 FROM settlement_items WHERE run_id = ? AND batch_no = ? AND status = 'pending') AS pending"),
    readBatch: database.prepare(`SELECT ${ITEM_COLUMNS} FROM settlement_items WHERE run_id = ? AND batch_no = ? ORDER BY seq`),
    batchSize: database.prepare('SELECT COUNT(*) AS count FROM settlement_items WHERE run_id = ? AND batch_no = ?'),
    refundItem: database.prepare(
      "UPDATE settlement_items SET status = ?, reason = ? WHERE seq = ? AND run_id = ? AND type = 'refund' AND status = 'pending' RETURNING refund_id, payment_id, amount",
    ),
    itemsRejected: database.prepare(
      `UPDATE settlement_items SET status = 'rejected', reason = result.value ->> 1 FROM json_each(:rejections) AS result
       WHERE settlement_items.seq = result.value ->> 0 AND +settlement_items.run_id = :runId AND settlement_items.status = 'pending'`,
    ),
    itemsSettled: database.prepare("UPDATE settlement_items SET status = 'settled' WHERE run_id = :runId AND batch_no = :batchNo AND status = 'pending'"),
    refundResult: database.prepare('UPDATE refunds SET status = ?, reason = ?, updated_at = ? WHERE id = ? AND status = ? RETURNING *'),
    refundedOf: database.prepare('SELECT status, captured_amount, refunded_amount FROM payments WHERE id = ?'),
    refundGivenBack: database.prepare('UPDATE payments SET refunded_amount = ?, status = ?, updated_at = ? WHERE id = ? AND status = ? RETURNING *'),
    // A run's items were inserted by one transaction, so their sequence numbers are one range:
    // reading that range of the table is twice as fast as a million look-ups through an index.
    groups: database.prepare(
      `SELECT currency, type, status, COUNT(*) AS count, SUM(amount) AS total FROM settlement_items
       WHERE seq BETWEEN (SELECT seq FROM settlement_items WHERE run_id = :runId ORDER BY batch_no, seq LIMIT 1)
         AND (SELECT seq FROM settlement_items WHERE run_id = :runId ORDER BY batch_no DESC, seq DESC LIMIT 1)
         AND +run_id = :runId
       GROUP BY currency, type, status`,
    ),
    complete: database.prepare(
      "UPDATE settlement_runs SET status = 'completed', completed_at = ?, settled_count = ?, rejected_count = ?, totals = ? WHERE id = ? AND status = 'running'",
    ),
    fail: database.prepare("UPDATE settlement_runs SET status = 'failed', completed_at = ?, error = ? WHERE id = ? AND status = 'running'"),
    // The payments a failed run took and never recorded stay out of later runs, as they always did.
    markUnrecordedSales: database.prepare(
      `UPDATE payments SET settlement_id = :runId
       WHERE settlement_id IS NULL AND id IN (SELECT payment_id FROM settlement_items WHERE run_id = :runId AND type = 'sale' AND status = 'pending')`,
    ),
    listRuns: database.prepare('SELECT * FROM settlement_runs WHERE id < ? ORDER BY id DESC LIMIT ?'),
    // A page of a run's items walks the table from the cursor (or the run's first item) in seq
    // order; a run's items are one range of seq (one transaction inserted them), so the page is
    // read without sorting the run's million items.
    listItems: database.prepare(
      `SELECT * FROM settlement_items
       WHERE seq > MAX(:after, (SELECT seq - 1 FROM settlement_items WHERE run_id = :runId ORDER BY batch_no, seq LIMIT 1)) AND +run_id = :runId
       ORDER BY seq LIMIT :limit`,
    ),
  };
  returnArrays(statements.readBatch);
  const assignSales = new Map<string, StatementSync>();
  const recordSales = new Map<string, ReturnType<typeof saleStatements>>();

  function getRun(runId: string): SettlementRun | null {
    const row = statements.getRun.get(runId) as Row | undefined;
    return row ? runFromRow(row) : null;
  }

  function assignSalesStatement(ready: SettlementReadiness): StatementSync {
    const key = JSON.stringify(ready);
    let statement = assignSales.get(key);
    if (!statement) {
      statement = database.prepare(assignSalesSql(ready));
      assignSales.set(key, statement);
    }
    return statement;
  }

  /**
   * Assigns the ready sales a batch at a time, each batch starting after the last sale of the one
   * before, then the refunds after them, which are marked with the run. Returns the count.
   */
  function assignItems(command: CreateRunCommand): number {
    const { runId, batchSizeMax, notBefore } = command;
    const assignSale = assignSalesStatement(command.ready);
    let assigned = 0;
    let after = { afterCreatedAt: '', afterId: '' };
    for (let batchNo = 1; ; batchNo += 1) {
      const from = after.afterCreatedAt > notBefore ? after.afterCreatedAt : notBefore;
      const count = Number(assignSale.run({ runId, batchNo, notBefore: from, limit: batchSizeMax, ...after }).changes);
      if (count === 0) break;
      assigned += count;
      if (count < batchSizeMax) break;
      const last = statements.lastSaleKey.get() as Row;
      after = { afterCreatedAt: String(last.created_at), afterId: String(last.id) };
    }
    const refunds = Number(statements.assignRefunds.run({ runId, assigned, batchSizeMax }).changes);
    assert.equal(Number(statements.markRefunds.run({ runId }).changes), refunds, 'the assigned refunds are marked with the run');
    return assigned + refunds;
  }

  function createRun(command: CreateRunCommand): SettlementRun | null {
    assert.ok(Number.isSafeInteger(command.batchSizeMax) && command.batchSizeMax > 0, 'batchSizeMax is a positive integer');
    statements.insertRun.run(command.runId, command.startedAt);
    const itemCount = assignItems(command);
    if (itemCount === 0) {
      statements.deleteRun.run(command.runId);
      return null;
    }
    statements.setRunSize.run(itemCount, Math.ceil(itemCount / command.batchSizeMax), command.runId);
    return getRun(command.runId);
  }

  function saleStatementsFor(outcomes: SettlementOutcomes): ReturnType<typeof saleStatements> {
    const key = JSON.stringify([outcomes.saleRejected, outcomes.saleSettled]);
    let prepared = recordSales.get(key);
    if (!prepared) {
      prepared = saleStatements(database, outcomes);
      recordSales.set(key, prepared);
    }
    return prepared;
  }

  /**
   * A whole batch in a few statements: the rejected sales and their items (few, listed), the
   * refunds (few, one by one), then every other item of the batch and its payment settled, read
   * in place. `results` answers every item of one batch (checked). An item already recorded by an
   * earlier attempt at this batch is left as it is, and so are its payment and refund.
   */
  function recordResults(command: RecordBatchCommand): void {
    const { runId, batchNo, results, outcomes, now, cause } = command;
    assert.equal(Number((statements.batchSize.get(runId, batchNo) as Row).count), results.length, 'the results answer every item of the batch');
    const sales = saleStatementsFor(outcomes);
    const rejectedSales: number[] = [];
    const rejections: Array<[number, string | null]> = [];
    const changes: EventRecord[] = [];
    for (const result of results) {
      if (result.type === 'refund') changes.push(...recordRefund(runId, result, outcomes, now, cause));
      else if (result.status === 'rejected') {
        rejectedSales.push(result.seq);
        rejections.push([result.seq, result.reason]);
      }
    }
    const rejectedSeqs = JSON.stringify(rejectedSales);
    events.write(changes);
    // Each payment's event is made as its row comes back, and written with the next 250.
    if (rejectedSales.length > 0) events.write(paymentEventsOf(sales.rejected.iterate({ runId, now, seqs: rejectedSeqs }), cause));
    events.write(paymentEventsOf(sales.settled.iterate({ runId, batchNo, now, rejectedSeqs }), cause));
    if (rejections.length > 0) statements.itemsRejected.run({ runId, rejections: JSON.stringify(rejections) });
    statements.itemsSettled.run({ runId, batchNo });
  }

  /** One refund's result, and the events of what it changed (none when it was recorded before). */
  function recordRefund(runId: string, result: ItemResult, outcomes: SettlementOutcomes, now: string, cause: string | null | undefined): EventRecord[] {
    const item = statements.refundItem.get(result.status, result.reason, result.seq, runId) as Row | undefined;
    if (!item) return []; // Already recorded by an earlier attempt at this batch.
    const outcome = result.status === 'settled' ? outcomes.refundSettled : outcomes.refundRejected;
    const [from] = outcome.from;
    assert.ok(from && outcome.from.length === 1, 'a refund outcome starts from one status');
    assertRefundTransition(from, outcome.to);
    const refundRow = statements.refundResult.get(outcome.to, result.reason, now, String(item.refund_id), from) as Row | undefined;
    assert.ok(refundRow, 'the refund is still pending');
    const refund = refundFromRow(refundRow);
    const changes = [refundEvent(outcome.to === 'settled' ? 'refund.settled' : 'refund.rejected', refund, cause)];
    if (!outcome.givesBack) return changes;
    const payment = statements.refundedOf.get(String(item.payment_id)) as Row;
    const given = refundGivenBack({
      status: payment.status as PaymentStatus, capturedMinor: Number(payment.captured_amount), refundedMinor: Number(payment.refunded_amount),
    }, Number(item.amount));
    const paymentRow = statements.refundGivenBack.get(given.refundedMinor, given.to, now, String(item.payment_id), given.from) as Row | undefined;
    assert.ok(paymentRow, 'the payment of a rejected refund is in the status it was read in');
    changes.push(paymentEvent(paymentFromRow(paymentRow), { cause, type: 'payment.refund_rejected', refundId: refund.id }));
    return changes;
  }

  function unsentBatchNumbers(runId: string): number[] {
    const run = getRun(runId);
    if (!run) return [];
    const pending: number[] = [];
    for (let batchNo = 1; batchNo <= run.batchIds.length; batchNo += 1) {
      if ((statements.batchPending.get(runId, batchNo) as Row).pending === 1) pending.push(batchNo);
    }
    return pending;
  }

  function readBatch(runId: string, batchNo: number): BatchItemRecord[] {
    return rowsAsArrays(statements.readBatch.all(runId, batchNo)).map(itemFromValues);
  }

  function completeRun(runId: string, now: string, cause: string | null | undefined): SettlementRun {
    assertRunTransition('running', 'completed');
    const summary = totalsFromGroups(statements.groups.all({ runId }) as Row[]);
    assert.equal(summary.pendingCount, 0, 'a run completes only when every item has a result');
    assert.equal(Number(statements.complete.run(now, summary.settledCount, summary.rejectedCount, JSON.stringify(summary.totals), runId).changes), 1, 'the run was running');
    const run = getRun(runId);
    assert.ok(run, 'the completed run exists');
    events.write([runEvent('settlement.completed', run, cause)]);
    return run;
  }

  function failRun(runId: string, error: string, now: string, cause: string | null | undefined): void {
    assertRunTransition('running', 'failed');
    if (Number(statements.fail.run(now, error, runId).changes) === 0) return;
    statements.markUnrecordedSales.run({ runId });
    const run = getRun(runId);
    assert.ok(run, 'the failed run exists');
    events.write([runEvent('settlement.failed', run, cause)]);
  }

  return {
    createRun: async (command) => inTransaction(database, () => createRun(command)),
    findRunning: async () => {
      const row = statements.runningRun.get() as Row | undefined;
      return row ? runFromRow(row) : null;
    },
    unsentBatchNumbers: async (runId) => unsentBatchNumbers(runId),
    readBatch: async (runId, batchNo) => readBatch(runId, batchNo),
    recordBatchResults: async (command) => inTransaction(database, () => recordResults(command)),
    complete: async (runId, now, cause) => inTransaction(database, () => completeRun(runId, now, cause)),
    fail: async (runId, error, now, cause) => inTransaction(database, () => failRun(runId, error, now, cause)),
    get: async (runId) => getRun(runId),
    list: async ({ limit, startingAfter }) => {
      const rows = statements.listRuns.all(startingAfter ?? '\u{10FFFF}', limit + 1) as Row[];
      return { data: rows.slice(0, limit).map(runFromRow), hasMore: rows.length > limit };
    },
    listItems: async (runId, { limit, startingAfterSeq }) => {
      const rows = statements.listItems.all({ runId, after: startingAfterSeq ?? 0, limit: limit + 1 }) as Row[];
      return { data: rows.slice(0, limit).map(itemFromRow), hasMore: rows.length > limit };
    },
  };
}
