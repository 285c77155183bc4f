/**
 * What the SQLite store does its own way for settling a million payments (docs/PERFORMANCE.md):
 * a database made before migration 3 upgrades and settles, a run takes its sales a batch at a
 * time in (created_at, id) order with the refunds after them, and a batch's results are recorded
 * set-based, leaving alone what an earlier attempt recorded.
 */
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { openSqliteStorage, type Storage } from '../../processing-server/src/storage/index.ts';
import { SQLITE_MIGRATIONS } from '../../processing-server/src/storage/sqlite/migrations.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';
import { WINDOW_START, at, authorizedPayment, newKey, settledPayment } from './builders.ts';

describe('SQLite settlement store', () => {
  let directory: string;
  let storage: Storage | null = null;

  beforeEach(() => {
    directory = makeTempDir('sqlite-settlement');
  });

  afterEach(async () => {
    await storage?.close();
    storage = null;
    removeDir(directory);
  });

  function indexesOf(filePath: string, table: string): string[] {
    const database = new DatabaseSync(filePath, { readOnly: true });
    try {
      return database.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name`)
        .all(table).map((row) => String(row.name));
    } finally {
      database.close();
    }
  }

  test('when a database made before migration 3 is opened, then it gains the settlement indexes and a run settles on it', async () => {
    const filePath = path.join(directory, 'processing.sqlite');
    const old = new DatabaseSync(filePath);
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    for (const migration of SQLITE_MIGRATIONS.filter((candidate) => candidate.version <= 2)) {
      old.exec(migration.sql);
      old.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(migration.version, at(0));
    }
    old.close();

    storage = openSqliteStorage(filePath);
    const payment = await authorizedPayment(storage, { amount: 4200 });
    const run = await storage.settlements.createRun({ runId: 'set_upgraded', startedAt: at(60), batchSizeMax: 10, notBefore: WINDOW_START });

    expect(indexesOf(filePath, 'payments')).toEqual(expect.arrayContaining(['payments_unbatched', 'payments_status_created']));
    expect(indexesOf(filePath, 'payments')).not.toContain('payments_ready');
    expect(indexesOf(filePath, 'payments')).not.toContain('payments_status_updated');
    expect(indexesOf(filePath, 'settlement_items')).toEqual(['settlement_items_run_batch', 'settlement_items_sale']);
    expect(indexesOf(filePath, 'idempotency_keys')).toEqual(['idempotency_keys_payment']);
    expect(run).toMatchObject({ itemCount: 1, batchIds: ['set_upgraded-1'] });
    expect((await storage.repository.getPayment(payment.id))?.settlementId).toBe('set_upgraded');
  });

  test('when a run spans several batches, then sales fill them in (created_at, id) order and the refunds follow the last sale', async () => {
    storage = openSqliteStorage(path.join(directory, 'processing.sqlite'));
    const refunded = [await settledPayment(storage, { amount: 9000 }), await settledPayment(storage, { amount: 9100 })];
    for (const payment of refunded) {
      const refund = { id: `ref_${payment.id}`, paymentId: payment.id, amount: 500, currency: 'USD' as const, status: 'pending' as const,
        reason: null, settlementId: null, idempotencyKey: newKey(), requestHash: 'hash', createdAt: at(10), updatedAt: at(10) };
      expect((await storage.settlements.createRefund(refund)).kind).toBe('created');
    }
    // Created out of order, two of them in the same millisecond: the run orders by created_at, then id.
    const createdAt = [at(5), at(1), at(3), at(3), at(2), at(4), at(1), at(6), at(7)];
    const sales = [];
    for (const [index, time] of createdAt.entries()) sales.push(await authorizedPayment(storage, { amount: 100 + index, createdAt: time }));
    await authorizedPayment(storage, { captureMethod: 'manual', createdAt: at(1) });

    const run = await storage.settlements.createRun({ runId: 'set_many', startedAt: at(60), batchSizeMax: 4, notBefore: WINDOW_START });

    expect(run).toMatchObject({ itemCount: 11, batchIds: ['set_many-1', 'set_many-2', 'set_many-3'] });
    expect(await storage.settlements.unsentBatchNumbers('set_many')).toEqual([1, 2, 3]);
    const batches = [];
    for (const batchNo of [1, 2, 3]) batches.push(await storage.settlements.readBatch('set_many', batchNo));
    expect(batches.map((batch) => batch.map((item) => item.type))).toEqual([
      ['sale', 'sale', 'sale', 'sale'], ['sale', 'sale', 'sale', 'sale'], ['sale', 'refund', 'refund'],
    ]);
    const expectedOrder = [...sales].sort((left, right) => left.createdAt.localeCompare(right.createdAt) || left.id.localeCompare(right.id));
    expect(batches.flat().filter((item) => item.type === 'sale').map((item) => item.paymentId)).toEqual(expectedOrder.map((sale) => sale.id));
    expect(batches.flat().filter((item) => item.type === 'refund').map((item) => item.refundId).sort())
      .toEqual(refunded.map((payment) => `ref_${payment.id}`).sort());
    for (const sale of sales) expect((await storage.repository.getPayment(sale.id))?.settlementId).toBe('set_many');
  });

  test('when a full batch of sales ends the sales, then the refunds start the next batch', async () => {
    storage = openSqliteStorage(path.join(directory, 'processing.sqlite'));
    const refunded = await settledPayment(storage, { amount: 9000 });
    expect((await storage.settlements.createRefund({
      id: 'ref_1', paymentId: refunded.id, amount: 700, currency: 'USD', status: 'pending', reason: null, settlementId: null,
      idempotencyKey: newKey(), requestHash: 'hash', createdAt: at(10), updatedAt: at(10),
    })).kind).toBe('created');
    for (let index = 0; index < 4; index += 1) await authorizedPayment(storage, { amount: 100 + index });

    const run = await storage.settlements.createRun({ runId: 'set_full', startedAt: at(60), batchSizeMax: 2, notBefore: WINDOW_START });

    expect(run).toMatchObject({ itemCount: 5, batchIds: ['set_full-1', 'set_full-2', 'set_full-3'] });
    expect((await storage.settlements.readBatch('set_full', 3)).map((item) => item.refundId)).toEqual(['ref_1']);
  });

  test('when a batch is recorded with rejections and then again, then each payment follows its stored item once', async () => {
    storage = openSqliteStorage(path.join(directory, 'processing.sqlite'));
    const sales = [await authorizedPayment(storage, { amount: 300 }), await authorizedPayment(storage, { amount: 400 })];
    await storage.settlements.createRun({ runId: 'set_mixed', startedAt: at(60), batchSizeMax: 10, notBefore: WINDOW_START });
    const items = await storage.settlements.readBatch('set_mixed', 1);
    const results = items.map((item) => (item.paymentId === sales[0]?.id
      ? { item, status: 'settled' as const, reason: null }
      : { item, status: 'rejected' as const, reason: 'authorization_expired' }));

    await storage.settlements.recordBatchResults('set_mixed', results, at(70));
    await storage.settlements.recordBatchResults('set_mixed', results.map((result) => ({ ...result, status: 'settled' as const, reason: null })), at(80));

    expect(await storage.repository.getPayment(sales[0]!.id)).toMatchObject({ status: 'settled', capturedAmount: 300, updatedAt: at(70) });
    expect(await storage.repository.getPayment(sales[1]!.id)).toMatchObject({ status: 'settlement_rejected', limitAmount: 0, updatedAt: at(70) });
    expect((await storage.settlements.readBatch('set_mixed', 1)).map((item) => [item.status, item.reason]).sort())
      .toEqual([['rejected', 'authorization_expired'], ['settled', null]]);
    expect(await storage.settlements.unsentBatchNumbers('set_mixed')).toEqual([]);
  });
});
