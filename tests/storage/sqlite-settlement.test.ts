/**
 * What the SQLite store does its own way for settling a million payments (docs/PERFORMANCE.md):
 * a database made before migration 3 upgrades and settles, a run takes its sales a batch at a
 * time in (created_at, id) order with the refunds after them, and a batch's results are recorded
 * set-based, leaving alone what an earlier attempt recorded.
 */
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Store } from '../../processing-server/src/domain/ports/store.ts';
import { openSqliteStore } from '../../processing-server/src/storage/index.ts';
import { SQLITE_MIGRATIONS } from '../../processing-server/src/storage/sqlite/migrations.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';
import { at, authorizedPayment, createRun, newKey, recordResults, settledPayment } from './builders.ts';

describe('SQLite settlement store', () => {
  let directory: string;
  let store: Store | null = null;

  beforeEach(() => {
    directory = makeTempDir('sqlite-settlement');
  });

  afterEach(async () => {
    await store?.close();
    store = null;
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

    store = openSqliteStore(filePath);
    const payment = await authorizedPayment(store, { amountMinor: 4200 });
    const run = await createRun(store, 'set_upgraded', { startedAt: at(60), batchSizeMax: 10 });

    expect(indexesOf(filePath, 'payments')).toEqual(expect.arrayContaining(['payments_unbatched', 'payments_status_created']));
    expect(indexesOf(filePath, 'payments')).not.toContain('payments_ready');
    expect(indexesOf(filePath, 'payments')).not.toContain('payments_status_updated');
    expect(indexesOf(filePath, 'settlement_items')).toEqual(['settlement_items_run_batch', 'settlement_items_sale']);
    expect(indexesOf(filePath, 'idempotency_keys')).toEqual(['idempotency_keys_payment']);
    expect(run).toMatchObject({ itemCount: 1, batchIds: ['set_upgraded-1'] });
    expect((await store.payments.get(payment.id))?.settlementId).toBe('set_upgraded');
  });

  test('when a run spans several batches, then sales fill them in (created_at, id) order and the refunds follow the last sale', async () => {
    store = openSqliteStore(path.join(directory, 'processing.sqlite'));
    const refunded = [await settledPayment(store, { amountMinor: 9000 }), await settledPayment(store, { amountMinor: 9100 })];
    for (const payment of refunded) {
      const refund = { id: `ref_${payment.id}`, paymentId: payment.id, amountMinor: 500, currency: 'USD' as const, status: 'pending' as const,
        reason: null, settlementId: null, idempotencyKey: newKey(), requestHash: 'hash', createdAt: at(10), updatedAt: at(10) };
      expect((await store.refunds.create(refund)).kind).toBe('created');
    }
    // Created out of order, two of them in the same millisecond: the run orders by created_at, then id.
    const createdAt = [at(5), at(1), at(3), at(3), at(2), at(4), at(1), at(6), at(7)];
    const sales = [];
    for (const [index, time] of createdAt.entries()) sales.push(await authorizedPayment(store, { amountMinor: 100 + index, createdAt: time }));
    await authorizedPayment(store, { captureMethod: 'manual', createdAt: at(1) });

    const run = await createRun(store, 'set_many', { startedAt: at(60), batchSizeMax: 4 });

    expect(run).toMatchObject({ itemCount: 11, batchIds: ['set_many-1', 'set_many-2', 'set_many-3'] });
    expect(await store.settlements.unsentBatchNumbers('set_many')).toEqual([1, 2, 3]);
    const batches = [];
    for (const batchNo of [1, 2, 3]) batches.push(await store.settlements.readBatch('set_many', batchNo));
    expect(batches.map((batch) => batch.map((item) => item.type))).toEqual([
      ['sale', 'sale', 'sale', 'sale'], ['sale', 'sale', 'sale', 'sale'], ['sale', 'refund', 'refund'],
    ]);
    const expectedOrder = [...sales].sort((left, right) => left.createdAt.localeCompare(right.createdAt) || left.id.localeCompare(right.id));
    expect(batches.flat().filter((item) => item.type === 'sale').map((item) => item.paymentId)).toEqual(expectedOrder.map((sale) => sale.id));
    expect(batches.flat().filter((item) => item.type === 'refund').map((item) => item.refundId).sort())
      .toEqual(refunded.map((payment) => `ref_${payment.id}`).sort());
    for (const sale of sales) expect((await store.payments.get(sale.id))?.settlementId).toBe('set_many');
  });

  test('when a full batch of sales ends the sales, then the refunds start the next batch', async () => {
    store = openSqliteStore(path.join(directory, 'processing.sqlite'));
    const refunded = await settledPayment(store, { amountMinor: 9000 });
    expect((await store.refunds.create({
      id: 'ref_1', paymentId: refunded.id, amountMinor: 700, currency: 'USD', status: 'pending', reason: null, settlementId: null,
      idempotencyKey: newKey(), requestHash: 'hash', createdAt: at(10), updatedAt: at(10),
    })).kind).toBe('created');
    for (let index = 0; index < 4; index += 1) await authorizedPayment(store, { amountMinor: 100 + index });

    const run = await createRun(store, 'set_full', { startedAt: at(60), batchSizeMax: 2 });

    expect(run).toMatchObject({ itemCount: 5, batchIds: ['set_full-1', 'set_full-2', 'set_full-3'] });
    expect((await store.settlements.readBatch('set_full', 3)).map((item) => item.refundId)).toEqual(['ref_1']);
  });

  test('when a batch is recorded with rejections and then again, then each payment follows its stored item once', async () => {
    store = openSqliteStore(path.join(directory, 'processing.sqlite'));
    const sales = [await authorizedPayment(store, { amountMinor: 300 }), await authorizedPayment(store, { amountMinor: 400 })];
    await createRun(store, 'set_mixed', { startedAt: at(60), batchSizeMax: 10 });
    const items = await store.settlements.readBatch('set_mixed', 1);
    const results = items.map((item) => (item.paymentId === sales[0]?.id
      ? { seq: item.seq, type: item.type, status: 'settled' as const, reason: null }
      : { seq: item.seq, type: item.type, status: 'rejected' as const, reason: 'authorization_expired' }));

    await recordResults(store, 'set_mixed', 1, results, at(70));
    await recordResults(store, 'set_mixed', 1, results.map((result) => ({ ...result, status: 'settled' as const, reason: null })), at(80));

    expect(await store.payments.get(sales[0]!.id)).toMatchObject({ status: 'settled', capturedMinor: 300, updatedAt: at(70) });
    expect(await store.payments.get(sales[1]!.id)).toMatchObject({ status: 'settlement_rejected', countedMinor: 0, updatedAt: at(70) });
    expect((await store.settlements.readBatch('set_mixed', 1)).map((item) => [item.status, item.reason]).sort())
      .toEqual([['rejected', 'authorization_expired'], ['settled', null]]);
    expect(await store.settlements.unsentBatchNumbers('set_mixed')).toEqual([]);
  });
});
