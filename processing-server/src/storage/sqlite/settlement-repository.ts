/** SettlementRepository on node:sqlite: set-based SQL for assigning items, one transaction per batch result. */
import assert from 'node:assert/strict';
import type { DatabaseSync } from 'node:sqlite';
import type { SettlementRun } from '../../../../shared/contracts/processing.ts';
import type {
  BatchItemRecord, CreateRefundResult, ItemResult, RefundRecord, SettlementRepository,
} from '../settlement-repository.ts';
import { inTransaction } from './database.ts';
import { ASSIGN_ITEMS_SQL, batchIdsOf, itemFromRow, refundFromRow, runFromRow, totalsFromGroups, type Row } from './settlement-rows.ts';

export function createSqliteSettlementRepository(database: DatabaseSync): SettlementRepository {
  const statements = {
    getLease: database.prepare('SELECT owner, expires_at FROM job_leases WHERE name = ?'),
    upsertLease: database.prepare(
      'INSERT INTO job_leases (name, owner, expires_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at',
    ),
    releaseLease: database.prepare('DELETE FROM job_leases WHERE name = ? AND owner = ?'),
    expire: database.prepare(
      `UPDATE payments SET status = 'expired', limit_amount = 0, updated_at = ?
       WHERE status IN ('authorized', 'captured') AND settlement_id IS NULL AND created_at < ?`,
    ),
    insertRun: database.prepare('INSERT INTO settlement_runs (id, status, started_at, item_count, batch_count) VALUES (?, \'running\', ?, 0, 0)'),
    assignItems: database.prepare(ASSIGN_ITEMS_SQL),
    markPayments: database.prepare("UPDATE payments SET settlement_id = ? WHERE id IN (SELECT payment_id FROM settlement_items WHERE run_id = ? AND type = 'sale')"),
    markRefunds: database.prepare("UPDATE refunds SET settlement_id = ? WHERE id IN (SELECT refund_id FROM settlement_items WHERE run_id = ? AND type = 'refund')"),
    setRunSize: database.prepare('UPDATE settlement_runs SET item_count = ?, batch_count = ? WHERE id = ?'),
    deleteRun: database.prepare('DELETE FROM settlement_runs WHERE id = ?'),
    runningRun: database.prepare("SELECT * FROM settlement_runs WHERE status = 'running' ORDER BY started_at LIMIT 1"),
    getRun: database.prepare('SELECT * FROM settlement_runs WHERE id = ?'),
    unsentBatches: database.prepare("SELECT DISTINCT batch_no FROM settlement_items WHERE run_id = ? AND status = 'pending' ORDER BY batch_no"),
    readBatch: database.prepare('SELECT * FROM settlement_items WHERE run_id = ? AND batch_no = ? ORDER BY seq'),
    setItem: database.prepare("UPDATE settlement_items SET status = ?, reason = ? WHERE seq = ? AND status = 'pending'"),
    saleSettled: database.prepare(
      "UPDATE payments SET status = 'settled', captured_amount = ?, updated_at = ? WHERE id = ? AND status IN ('authorized', 'captured')",
    ),
    saleRejected: database.prepare(
      "UPDATE payments SET status = 'settlement_rejected', limit_amount = 0, updated_at = ? WHERE id = ? AND status IN ('authorized', 'captured')",
    ),
    refundResult: database.prepare("UPDATE refunds SET status = ?, reason = ?, updated_at = ? WHERE id = ? AND status = 'pending'"),
    // A refused refund gives its amount back to the payment's refundable balance.
    refundUndone: database.prepare(
      `UPDATE payments SET refunded_amount = refunded_amount - ?,
         status = CASE WHEN refunded_amount - ? = 0 THEN 'settled' ELSE 'partially_refunded' END, updated_at = ?
       WHERE id = ?`,
    ),
    groups: database.prepare(
      'SELECT currency, type, status, COUNT(*) AS count, SUM(amount) AS total FROM settlement_items WHERE run_id = ? GROUP BY currency, type, status',
    ),
    complete: database.prepare(
      "UPDATE settlement_runs SET status = 'completed', completed_at = ?, settled_count = ?, rejected_count = ?, totals = ? WHERE id = ?",
    ),
    fail: database.prepare("UPDATE settlement_runs SET status = 'failed', completed_at = ?, error = ? WHERE id = ? AND status = 'running'"),
    listRuns: database.prepare('SELECT * FROM settlement_runs WHERE id < ? ORDER BY id DESC LIMIT ?'),
    listItems: database.prepare('SELECT * FROM settlement_items WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?'),
    getPayment: database.prepare('SELECT id, status, currency, captured_amount, refunded_amount FROM payments WHERE id = ?'),
    refundByKey: database.prepare('SELECT * FROM refunds WHERE idempotency_key = ?'),
    insertRefund: database.prepare(
      `INSERT INTO refunds (id, payment_id, amount, currency, status, reason, settlement_id, idempotency_key, request_hash, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'pending', NULL, NULL, ?, ?, ?, ?)`,
    ),
    addRefunded: database.prepare(
      "UPDATE payments SET refunded_amount = refunded_amount + ?, status = CASE WHEN refunded_amount + ? = captured_amount THEN 'refunded' ELSE 'partially_refunded' END, updated_at = ? WHERE id = ?",
    ),
    refundsOfPayment: database.prepare('SELECT * FROM refunds WHERE payment_id = ? ORDER BY created_at'),
  };

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

  function createRun(runId: string, startedAt: string, batchSizeMax: number, notBefore: string): SettlementRun | null {
    statements.insertRun.run(runId, startedAt);
    const itemCount = Number(statements.assignItems.run({ runId, batchSizeMax, notBefore }).changes);
    if (itemCount === 0) {
      statements.deleteRun.run(runId);
      return null;
    }
    statements.markPayments.run(runId, runId);
    statements.markRefunds.run(runId, runId);
    statements.setRunSize.run(itemCount, Math.ceil(itemCount / batchSizeMax), runId);
    return getRun(runId);
  }

  function recordResults(results: ItemResult[], now: string): void {
    for (const { item, status, reason } of results) {
      const changed = Number(statements.setItem.run(status, reason, item.seq).changes);
      if (changed === 0) continue; // Already recorded by an earlier attempt at this batch.
      if (item.type === 'sale') {
        if (status === 'settled') statements.saleSettled.run(item.amount, now, item.paymentId);
        else statements.saleRejected.run(now, item.paymentId);
      } else {
        assert.ok(item.refundId, 'a refund item names its refund');
        statements.refundResult.run(status, reason, now, item.refundId);
        if (status === 'rejected') statements.refundUndone.run(item.amount, item.amount, now, item.paymentId);
      }
    }
  }

  function completeRun(runId: string, now: string): SettlementRun {
    const groups = statements.groups.all(runId) as Row[];
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
    expireAuthorizations: async (cutoff, now) => Number(statements.expire.run(now, cutoff).changes),
    createRun: async ({ runId, startedAt, batchSizeMax, notBefore }) =>
      inTransaction(database, () => createRun(runId, startedAt, batchSizeMax, notBefore)),
    findRunningRun: async () => {
      const row = statements.runningRun.get() as Row | undefined;
      return row ? runFromRow(row) : null;
    },
    unsentBatchNumbers: async (runId) => (statements.unsentBatches.all(runId) as Row[]).map((row) => Number(row.batch_no)),
    readBatch: async (runId, batchNo) => (statements.readBatch.all(runId, batchNo) as Row[]).map(itemFromRow),
    recordBatchResults: async (_runId, results, now) => inTransaction(database, () => recordResults(results, now)),
    completeRun: async (runId, now) => inTransaction(database, () => completeRun(runId, now)),
    failRun: async (runId, error, now) => { statements.fail.run(now, error, runId); },
    getRun: async (runId) => getRun(runId),
    listRuns: async ({ limit, startingAfter }) => {
      const rows = statements.listRuns.all(startingAfter ?? '\u{10FFFF}', limit + 1) as Row[];
      return { data: rows.slice(0, limit).map(runFromRow), hasMore: rows.length > limit };
    },
    listItems: async (runId, { limit, startingAfterSeq }) => {
      const rows = statements.listItems.all(runId, startingAfterSeq ?? 0, limit + 1) as Row[];
      return { data: rows.slice(0, limit).map(itemFromRow), hasMore: rows.length > limit };
    },
    createRefund: async (refund) => inTransaction(database, () => createRefund(refund)),
    getRefundsOfPayment: async (paymentId) => (statements.refundsOfPayment.all(paymentId) as Row[]).map(refundFromRow),
  };
}

export { batchIdsOf };
