/**
 * SettlementRepository on node:sqlite: set-based SQL for assigning items and for recording a
 * batch's results (a handful of statements per batch, not a few per item), one transaction per
 * batch result. Shaped for runs of a million items; see docs/PERFORMANCE.md.
 */
import assert from 'node:assert/strict';
import type { DatabaseSync } from 'node:sqlite';
import type { SettlementRun } from '../../../../shared/contracts/processing.ts';
import type {
  BatchItemRecord, CreateRefundResult, ItemResult, RefundRecord, SettlementRepository,
} from '../settlement-repository.ts';
import { inTransaction } from './database.ts';
import {
  ASSIGN_REFUNDS_SQL, ASSIGN_SALES_SQL, ITEM_COLUMNS, LAST_SALE_KEY_SQL, READY_REFUND_CONDITION, batchIdsOf, itemFromRow, itemFromValues,
  expiredFromRow, refundFromRow, runFromRow, saleItemOf, totalsFromGroups, type Row,
} from './settlement-rows.ts';

export function createSqliteSettlementRepository(database: DatabaseSync): SettlementRepository {
  const statements = {
    getLease: database.prepare('SELECT owner, expires_at FROM job_leases WHERE name = ?'),
    upsertLease: database.prepare(
      'INSERT INTO job_leases (name, owner, expires_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at',
    ),
    releaseLease: database.prepare('DELETE FROM job_leases WHERE name = ? AND owner = ?'),
    // Never-batched authorizations older than the cutoff, found on the partial index by created_at.
    expire: database.prepare(
      `UPDATE payments INDEXED BY payments_unbatched SET status = 'expired', limit_amount = 0, resolution = 'reverse', updated_at = ?
       WHERE status IN ('authorized', 'captured') AND settlement_id IS NULL AND created_at < ? AND NOT EXISTS (SELECT 1 ${saleItemOf('payments.id')})
       RETURNING id, authorization_id`,
    ),
    holdReleased: database.prepare("UPDATE payments SET resolution = NULL WHERE id = ? AND status = 'expired'"),
    insertRun: database.prepare('INSERT INTO settlement_runs (id, status, started_at, item_count, batch_count) VALUES (?, \'running\', ?, 0, 0)'),
    assignSales: database.prepare(ASSIGN_SALES_SQL),
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
    setItem: database.prepare("UPDATE settlement_items SET status = ?, reason = ? WHERE seq = ? AND status = 'pending'"),
    batchSize: database.prepare('SELECT COUNT(*) AS count FROM settlement_items WHERE run_id = ? AND batch_no = ?'),
    // A batch's answer is written as its rejections (JSON: [seq, …] for the sales, [[seq, reason], …]
    // for the items), and then everything of the batch still pending settled, read in place
    // through the (run_id, batch_no) index. Each statement follows the stored items (payment,
    // amount, still pending), not the caller's copy. The unary `+` keeps the planner from walking
    // an index of the run's items or of the payments by status for a handful of rejections.
    salesRejected: database.prepare(
      `UPDATE payments SET status = 'settlement_rejected', limit_amount = 0, settlement_id = :runId, updated_at = :now
       FROM (SELECT item.payment_id AS payment_id FROM json_each(:seqs) AS result
             JOIN settlement_items AS item ON item.seq = result.value
             WHERE +item.run_id = :runId AND item.type = 'sale' AND item.status = 'pending') AS sale
       WHERE payments.id = sale.payment_id AND +payments.status IN ('authorized', 'captured')`,
    ),
    salesSettled: database.prepare(
      `UPDATE payments SET status = 'settled', captured_amount = sale.amount, settlement_id = :runId, updated_at = :now
       FROM (SELECT item.payment_id AS payment_id, item.amount AS amount FROM settlement_items AS item
             WHERE item.run_id = :runId AND item.batch_no = :batchNo AND item.type = 'sale' AND item.status = 'pending'
               AND item.seq NOT IN (SELECT value FROM json_each(:rejectedSeqs))) AS sale
       WHERE payments.id = sale.payment_id AND +payments.status IN ('authorized', 'captured')`,
    ),
    itemsRejected: database.prepare(
      `UPDATE settlement_items SET status = 'rejected', reason = result.value ->> 1 FROM json_each(:rejections) AS result
       WHERE settlement_items.seq = result.value ->> 0 AND +settlement_items.run_id = :runId AND settlement_items.status = 'pending'`,
    ),
    itemsSettled: database.prepare("UPDATE settlement_items SET status = 'settled' WHERE run_id = :runId AND batch_no = :batchNo AND status = 'pending'"),
    refundResult: database.prepare("UPDATE refunds SET status = ?, reason = ?, updated_at = ? WHERE id = ? AND status = 'pending'"),
    // A refused refund gives its amount back to the payment's refundable balance.
    refundUndone: database.prepare(
      `UPDATE payments SET refunded_amount = refunded_amount - ?,
         status = CASE WHEN refunded_amount - ? = 0 THEN 'settled' ELSE 'partially_refunded' END, updated_at = ?
       WHERE id = ?`,
    ),
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
      "UPDATE settlement_runs SET status = 'completed', completed_at = ?, settled_count = ?, rejected_count = ?, totals = ? WHERE id = ?",
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
    getPayment: database.prepare('SELECT id, status, currency, captured_amount, refunded_amount FROM payments WHERE id = ?'),
    refundByKey: database.prepare('SELECT * FROM refunds WHERE idempotency_key = ?'),
    insertRefund: database.prepare(
      `INSERT INTO refunds (id, payment_id, amount, currency, status, reason, settlement_id, idempotency_key, request_hash, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'pending', NULL, NULL, ?, ?, ?, ?)`,
    ),
    addRefunded: database.prepare(
      "UPDATE payments SET refunded_amount = refunded_amount + ?, status = CASE WHEN refunded_amount + ? = captured_amount THEN 'refunded' ELSE 'partially_refunded' END, updated_at = ? WHERE id = ?",
    ),
    refundsOfPayment: database.prepare('SELECT * FROM refunds WHERE payment_id = ? ORDER BY created_at, id'),
  };
  // Node.js before 22.16 lacks setReturnArrays; rows then come as objects, read by position all the same.
  if (typeof statements.readBatch.setReturnArrays === 'function') statements.readBatch.setReturnArrays(true);

  function getRun(runId: string): SettlementRun | null {
    const row = statements.getRun.get(runId) as Row | undefined;
    return row ? runFromRow(row) : null;
  }

  function acquireLease(name: string, owner: string, now: string, expiresAt: string): boolean {
    const current = statements.getLease.get(name) as Row | undefined;
    if (current && current.owner !== owner && String(current.expires_at) > now) return false;
    statements.upsertLease.run(name, owner, expiresAt);
    return true;
  }

  /**
   * Assigns the ready sales a batch at a time, each batch starting after the last sale of the one
   * before, then the refunds after them, which are marked with the run. Returns the count.
   */
  function assignItems(runId: string, batchSizeMax: number, notBefore: string): number {
    let assigned = 0;
    let after = { afterCreatedAt: '', afterId: '' };
    for (let batchNo = 1; ; batchNo += 1) {
      const from = after.afterCreatedAt > notBefore ? after.afterCreatedAt : notBefore;
      const count = Number(statements.assignSales.run({ runId, batchNo, notBefore: from, limit: batchSizeMax, ...after }).changes);
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

  function createRun(runId: string, startedAt: string, batchSizeMax: number, notBefore: string): SettlementRun | null {
    statements.insertRun.run(runId, startedAt);
    const itemCount = assignItems(runId, batchSizeMax, notBefore);
    if (itemCount === 0) {
      statements.deleteRun.run(runId);
      return null;
    }
    statements.setRunSize.run(itemCount, Math.ceil(itemCount / batchSizeMax), runId);
    return getRun(runId);
  }

  /**
   * A whole batch in a few statements: the rejected sales and their items (few, listed), the
   * refunds (few, one by one), then every other item of the batch and its payment settled, read
   * in place. `results` answers every item of one batch (checked). An item already recorded by an
   * earlier attempt at this batch is left as it is, and so are its payment and refund.
   */
  function recordResults(runId: string, results: ItemResult[], now: string): void {
    const batchNo = results[0]?.item.batchNo;
    assert.ok(batchNo !== undefined && results.every(({ item }) => item.batchNo === batchNo), 'the results are of one batch');
    assert.equal(Number((statements.batchSize.get(runId, batchNo) as Row).count), results.length, 'the results answer every item of the batch');
    const rejectedSales: number[] = [];
    const rejections: Array<[number, string | null]> = [];
    for (const { item, status, reason } of results) {
      if (item.type === 'refund') recordRefund(item, status, reason, now);
      else if (status === 'rejected') {
        rejectedSales.push(item.seq);
        rejections.push([item.seq, reason]);
      }
    }
    const rejectedSeqs = JSON.stringify(rejectedSales);
    if (rejectedSales.length > 0) statements.salesRejected.run({ runId, now, seqs: rejectedSeqs });
    statements.salesSettled.run({ runId, batchNo, now, rejectedSeqs });
    if (rejections.length > 0) statements.itemsRejected.run({ runId, rejections: JSON.stringify(rejections) });
    statements.itemsSettled.run({ runId, batchNo });
  }

  function recordRefund(item: BatchItemRecord, status: ItemResult['status'], reason: string | null, now: string): void {
    const changed = Number(statements.setItem.run(status, reason, item.seq).changes);
    if (changed === 0) return; // Already recorded by an earlier attempt at this batch.
    assert.ok(item.refundId, 'a refund item names its refund');
    statements.refundResult.run(status, reason, now, item.refundId);
    if (status === 'rejected') statements.refundUndone.run(item.amount, item.amount, now, item.paymentId);
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
    const rows = statements.readBatch.all(runId, batchNo) as unknown as Array<unknown[] | Row>;
    return rows.map((row) => itemFromValues(Array.isArray(row) ? row : Object.values(row)));
  }

  function completeRun(runId: string, now: string): SettlementRun {
    const groups = statements.groups.all({ runId }) as Row[];
    const summary = totalsFromGroups(groups);
    assert.equal(summary.pendingCount, 0, 'a run completes only when every item has a result');
    statements.complete.run(now, summary.settledCount, summary.rejectedCount, JSON.stringify(summary.totals), runId);
    const run = getRun(runId);
    assert.ok(run, 'the completed run exists');
    return run;
  }

  function createRefund(refund: RefundRecord): CreateRefundResult {
    const existing = statements.refundByKey.get(refund.idempotencyKey) as Row | undefined;
    if (existing) return { kind: 'existing', refund: refundFromRow(existing) };
    const payment = statements.getPayment.get(refund.paymentId) as Row | undefined;
    if (!payment) return { kind: 'payment_not_found' };
    if (payment.status !== 'settled' && payment.status !== 'partially_refunded') {
      return { kind: 'not_refundable', status: String(payment.status) };
    }
    const refundable = Number(payment.captured_amount) - Number(payment.refunded_amount);
    if (refund.amount > refundable) return { kind: 'exceeds', refundable };
    statements.insertRefund.run(refund.id, refund.paymentId, refund.amount, refund.currency, refund.idempotencyKey,
      refund.requestHash, refund.createdAt, refund.updatedAt);
    statements.addRefunded.run(refund.amount, refund.amount, refund.createdAt, refund.paymentId);
    return { kind: 'created', refund };
  }

  return {
    acquireLease: async ({ name, owner, now, expiresAt }) => inTransaction(database, () => acquireLease(name, owner, now, expiresAt)),
    releaseLease: async (name, owner) => { statements.releaseLease.run(name, owner); },
    expireAuthorizations: async (cutoff, now) => (statements.expire.all(now, cutoff) as Row[]).map(expiredFromRow),
    holdReleased: async (paymentId) => { statements.holdReleased.run(paymentId); },
    createRun: async ({ runId, startedAt, batchSizeMax, notBefore }) =>
      inTransaction(database, () => createRun(runId, startedAt, batchSizeMax, notBefore)),
    findRunningRun: async () => {
      const row = statements.runningRun.get() as Row | undefined;
      return row ? runFromRow(row) : null;
    },
    unsentBatchNumbers: async (runId) => unsentBatchNumbers(runId),
    readBatch: async (runId, batchNo) => readBatch(runId, batchNo),
    recordBatchResults: async (runId, results, now) => inTransaction(database, () => recordResults(runId, results, now)),
    completeRun: async (runId, now) => inTransaction(database, () => completeRun(runId, now)),
    failRun: async (runId, error, now) => inTransaction(database, () => {
      statements.fail.run(now, error, runId);
      statements.markUnrecordedSales.run({ runId });
    }),
    getRun: async (runId) => getRun(runId),
    listRuns: async ({ limit, startingAfter }) => {
      const rows = statements.listRuns.all(startingAfter ?? '\u{10FFFF}', limit + 1) as Row[];
      return { data: rows.slice(0, limit).map(runFromRow), hasMore: rows.length > limit };
    },
    listItems: async (runId, { limit, startingAfterSeq }) => {
      const rows = statements.listItems.all({ runId, after: startingAfterSeq ?? 0, limit: limit + 1 }) as Row[];
      return { data: rows.slice(0, limit).map(itemFromRow), hasMore: rows.length > limit };
    },
    createRefund: async (refund) => inTransaction(database, () => createRefund(refund)),
    getRefundsOfPayment: async (paymentId) => (statements.refundsOfPayment.all(paymentId) as Row[]).map(refundFromRow),
  };
}

export { batchIdsOf };
