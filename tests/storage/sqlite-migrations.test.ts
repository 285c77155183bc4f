/**
 * Migrations 5 and 6 of the SQLite store rebuild the payments and settlement_items tables (card
 * columns nullable for points payments; then saved-card payments, which name the vault's card
 * and keep no number): an existing database keeps every row and every index, the partial
 * indexes the settlement path names included, and its foreign keys.
 */
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Store } from '../../processing-server/src/domain/ports/store.ts';
import { openSqliteStore } from '../../processing-server/src/storage/index.ts';
import { SQLITE_MIGRATIONS } from '../../processing-server/src/storage/sqlite/migrations.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';
import { at, createInput, createRun, pendingPayment, settleEverything } from './builders.ts';

/** Each test's own folder, and the store it opened there (closed after it). */
let directory: string;
let store: Store | null = null;

beforeEach(() => {
  directory = makeTempDir('sqlite-migrations');
});

afterEach(async () => {
  await store?.close();
  store = null;
  removeDir(directory);
});

/** A new database file with the migrations up to `version` applied, open for the test to fill in. */
function databaseAtVersion(filePath: string, version: number): DatabaseSync {
  const database = new DatabaseSync(filePath);
  database.exec('PRAGMA foreign_keys = ON');
  database.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  for (const migration of SQLITE_MIGRATIONS.filter((candidate) => candidate.version <= version)) {
    database.exec(migration.sql);
    database.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(migration.version, at(0));
  }
  return database;
}

/** The schema's versions, indexes, foreign-key problems and the plans of the statements that need their indexes. */
function inspect(filePath: string) {
  const database = new DatabaseSync(filePath, { readOnly: true });
  try {
    const indexes = (table: string) => database.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name")
      .all(table).map((row) => ({ name: String(row.name), sql: String(row.sql) }));
    const plan = (sql: string, ...values: string[]) => database.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...values).map((row) => String(row.detail)).join(' | ');
    return {
      versions: database.prepare('SELECT version FROM schema_migrations ORDER BY version').all().map((row) => Number(row.version)),
      payments: indexes('payments'),
      items: indexes('settlement_items'),
      foreignKeyProblems: database.prepare('PRAGMA foreign_key_check').all(),
      spendPlan: plan('SELECT SUM(limit_amount) FROM payments WHERE instrument_fingerprint = ? AND currency = ? AND created_at >= ? AND limit_amount > 0', 'x', 'USD', at(0)),
      unresolvedPlan: plan("SELECT id FROM payments WHERE (status = 'pending' OR resolution IS NOT NULL) AND updated_at < ? ORDER BY updated_at", at(0)),
    };
  } finally {
    database.close();
  }
}

describe('SQLite migration 5: points payments', () => {
  /** A database as migration 4 left it, with a settled and refunded payment, an authorized one, their keys, a run and its item. */
  function databaseAtVersion4(filePath: string): void {
    const old = databaseAtVersion(filePath, 4);
    const insertPayment = old.prepare(`INSERT INTO payments (id, merchant_reference, status, amount, currency, capture_method, card_brand,
      card_last4, card_exp_month, card_exp_year, card_fingerprint, card_sealed, holder_name, idempotency_key, authorization_id,
      authorization_code, limit_amount, captured_amount, refunded_amount, settlement_id, created_at, updated_at)
      VALUES (?, ?, ?, ?, 'USD', 'automatic', 'visa', '4242', 12, 2030, ?, 'v1:sealed', 'Ada Lovelace', ?, ?, 'A1B2C3', ?, ?, ?, ?, ?, ?)`);
    insertPayment.run('pay_old_settled', 'pay_old_settled', 'partially_refunded', 5000, 'card-fingerprint-1', 'key-1', 'auth_1', 5000, 5000, 1000, 'set_old', at(-60), at(-30));
    insertPayment.run('pay_old_authorized', 'pay_old_authorized', 'authorized', 2500, 'card-fingerprint-2', 'key-2', 'auth_2', 2500, 0, 0, null, at(-10), at(-10));
    const insertKey = old.prepare("INSERT INTO idempotency_keys (key, request_hash, payment_id, outcome, response, created_at) VALUES (?, 'hash', ?, 'authorized', '{}', ?)");
    insertKey.run('key-1', 'pay_old_settled', at(-60));
    insertKey.run('key-2', 'pay_old_authorized', at(-10));
    old.exec(`INSERT INTO settlement_runs (id, status, started_at, completed_at, item_count, batch_count, settled_count, totals)
      VALUES ('set_old', 'completed', '${at(-40)}', '${at(-40)}', 1, 1, 1, '{"USD":{"sales":5000,"refunds":0,"net":5000}}')`);
    old.exec(`INSERT INTO settlement_items (seq, run_id, batch_no, payment_id, type, merchant_reference, authorization_code, card_brand,
      card_last4, amount, currency, status) VALUES (7, 'set_old', 1, 'pay_old_settled', 'sale', 'pay_old_settled', 'A1B2C3', 'visa', '4242', 5000, 'USD', 'settled')`);
    old.exec(`INSERT INTO refunds (id, payment_id, amount, currency, status, idempotency_key, request_hash, created_at, updated_at)
      VALUES ('re_old', 'pay_old_settled', 1000, 'USD', 'pending', 'refund-key-1', 'hash', '${at(-20)}', '${at(-20)}')`);
    old.close();
  }

  test('when a database at migration 4 is opened, then every row is kept as a card payment, and the indexes and foreign keys are as before', async () => {
    const filePath = path.join(directory, 'processing.sqlite');
    databaseAtVersion4(filePath);

    store = openSqliteStore(filePath);

    const found = inspect(filePath);
    expect(found.versions).toEqual(SQLITE_MIGRATIONS.map((migration) => migration.version));
    expect(found.payments.map((index) => index.name)).toEqual([
      'payments_created', 'payments_instrument_window', 'payments_status_created', 'payments_unbatched', 'payments_unresolved',
    ]);
    expect(found.payments.find((index) => index.name === 'payments_unbatched')?.sql)
      .toContain("WHERE settlement_id IS NULL AND status IN ('authorized', 'captured')");
    expect(found.items.map((index) => index.name)).toEqual(['settlement_items_run_batch', 'settlement_items_sale']);
    expect(found.foreignKeyProblems).toEqual([]);
    expect(found.spendPlan).toContain('payments_instrument_window');
    expect(found.unresolvedPlan).toContain('payments_unresolved');
    expect(await store.payments.get('pay_old_settled')).toMatchObject({
      paymentMethod: 'card', cardBrand: 'visa', cardLast4: '4242', cardSealed: 'v1:sealed', pointsAccountId: null,
      instrumentFingerprint: 'card-fingerprint-1', status: 'partially_refunded', settlementId: 'set_old', refundedMinor: 1000,
    });
    expect(await store.idempotency.get('key-2')).toMatchObject({ paymentId: 'pay_old_authorized' });
    expect((await store.settlements.listItems('set_old', { limit: 5 })).data).toEqual([expect.objectContaining({ seq: 7, paymentMethod: 'card', cardLast4: '4242' })]);
    expect(await store.refunds.listOfPayment('pay_old_settled')).toEqual([expect.objectContaining({ id: 're_old', amountMinor: 1000 })]);
  });

  test('when the migrated database settles, then the old authorization and a new points payment go into one run through the partial index', async () => {
    const filePath = path.join(directory, 'processing.sqlite');
    databaseAtVersion4(filePath);
    store = openSqliteStore(filePath);
    const points = pendingPayment({
      paymentMethod: 'points', cardBrand: null, cardLast4: null, cardExpMonth: null, cardExpYear: null, cardSealed: null, holderName: null,
      pointsAccountId: 'PTS-0000-0001', amountMinor: 2500, createdAt: at(0),
    });
    expect((await store.payments.create(createInput(points))).kind).toBe('created');
    await store.payments.transition({ id: points.id, from: ['pending'], to: 'authorized', changes: { authorizationId: 'pts_1', authorizationCode: 'P1P2P3' } });

    const runId = await settleEverything(store, at(60));

    const items = (await store.settlements.listItems(runId, { limit: 10 })).data;
    expect(items.map((item) => [item.paymentId, item.type, item.paymentMethod, item.cardLast4])).toEqual(expect.arrayContaining([
      ['pay_old_authorized', 'sale', 'card', '4242'], [points.id, 'sale', 'points', null], ['pay_old_settled', 'refund', 'card', '4242'],
    ]));
    expect(await store.payments.get(points.id)).toMatchObject({ status: 'settled', capturedMinor: 2500, settlementId: runId });
    expect(await createRun(store, 'set_nothing_left')).toBeNull();
  });

  test('when a database from before adjustments is opened, then its payments read without 3-D Secure and can change their amount', async () => {
    const filePath = path.join(directory, 'processing.sqlite');
    databaseAtVersion4(filePath);
    store = openSqliteStore(filePath);

    const lowered = await store.adjustments.begin({
      adjustment: { id: 'adj_old', paymentId: 'pay_old_authorized', idempotencyKey: 'adjust-key', requestHash: 'hash', toMinor: 2000, createdAt: at(5) },
      spend: { limitMinor: 100_000, windowStart: at(-3600), decline: { code: 'limit_exceeded', message: 'over' } },
    });

    expect(await store.payments.get('pay_old_settled')).toMatchObject({ authenticationId: null, nextActionUrl: null });
    expect(lowered).toMatchObject({ kind: 'decrease', adjustment: { fromMinor: 2500, toMinor: 2000, instrumentFingerprint: 'card-fingerprint-2' } });
    const database = new DatabaseSync(filePath, { readOnly: true });
    try {
      const indexes = database.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'payment_adjustments' AND sql IS NOT NULL ORDER BY name").all();
      expect(indexes.map((row) => row.name)).toEqual(['payment_adjustments_open', 'payment_adjustments_payment', 'payment_adjustments_reserved', 'payment_adjustments_unresolved']);
    } finally {
      database.close();
    }
  });

  test('when a row breaks the method\'s columns, then the database refuses it', () => {
    const filePath = path.join(directory, 'processing.sqlite');
    store = openSqliteStore(filePath);
    const database = new DatabaseSync(filePath);
    let sequence = 0;
    const insert = (method: string, brand: string | null, sealed: string | null, account: string | null) => {
      sequence += 1;
      database.prepare(`INSERT INTO payments (id, merchant_reference, status, amount, currency, capture_method, payment_method, card_brand,
        card_last4, card_exp_month, card_exp_year, card_sealed, holder_name, points_account_id, instrument_fingerprint, idempotency_key,
        limit_amount, created_at, updated_at)
        VALUES (?, ?, 'pending', 100, 'USD', 'automatic', ?, ?, ?, ?, ?, ?, ?, ?, 'f', ?, 100, ?, ?)`)
        .run(`pay_${sequence}`, `pay_${sequence}`, method, brand, brand && '4242', brand && 12, brand && 2030, sealed, brand && 'Ada', account, `key_${sequence}`, at(0), at(0));
    };
    try {
      expect(() => insert('card', 'visa', null, null)).toThrow(/CHECK constraint failed/);
      expect(() => insert('points', 'visa', null, 'PTS-0000-0001')).toThrow(/CHECK constraint failed/);
      expect(() => insert('points', null, null, null)).toThrow(/CHECK constraint failed/);
      expect(() => insert('card', 'visa', 'v1:sealed', 'PTS-0000-0001')).toThrow(/CHECK constraint failed/);
      expect(() => insert('cash', 'visa', 'v1:sealed', null)).toThrow(/CHECK constraint failed/);
      expect(() => insert('card', 'visa', 'v1:sealed', null)).not.toThrow();
      expect(() => insert('points', null, null, 'PTS-0000-0001')).not.toThrow();
    } finally {
      database.close();
    }
  });
});

describe('SQLite migration 6: saved-card payments', () => {
  /** A database as migration 5 left it: a settled card payment with its item, and an authorized points payment. */
  function databaseAtVersion5(filePath: string): void {
    const old = databaseAtVersion(filePath, 5);
    old.exec(`INSERT INTO payments (id, merchant_reference, status, amount, currency, capture_method, payment_method, card_brand, card_last4,
      card_exp_month, card_exp_year, card_sealed, holder_name, instrument_fingerprint, idempotency_key, authorization_code, limit_amount,
      captured_amount, settlement_id, created_at, updated_at)
      VALUES ('pay_card', 'pay_card', 'settled', 5000, 'USD', 'automatic', 'card', 'visa', '4242', 12, 2030, 'v1:sealed', 'Ada Lovelace',
        'fp-card', 'key-card', 'A1B2C3', 5000, 5000, 'set_old', '${at(-60)}', '${at(-30)}')`);
    old.exec(`INSERT INTO payments (id, merchant_reference, status, amount, currency, capture_method, payment_method, points_account_id,
      instrument_fingerprint, idempotency_key, authorization_code, limit_amount, created_at, updated_at)
      VALUES ('pay_points', 'pay_points', 'authorized', 2500, 'USD', 'automatic', 'points', 'PTS-0000-0001', 'fp-points', 'key-points',
        'P1P2P3', 2500, '${at(-10)}', '${at(-10)}')`);
    old.exec("INSERT INTO idempotency_keys (key, request_hash, payment_id, outcome, response, created_at) VALUES ('key-card', 'hash', 'pay_card', 'authorized', '{}', '2026-03-01T00:00:00.000Z')");
    old.exec(`INSERT INTO settlement_runs (id, status, started_at, completed_at, item_count, batch_count, settled_count, totals)
      VALUES ('set_old', 'completed', '${at(-40)}', '${at(-40)}', 1, 1, 1, '{"USD":{"sales":5000,"refunds":0,"net":5000}}')`);
    old.exec(`INSERT INTO settlement_items (seq, run_id, batch_no, payment_id, type, merchant_reference, authorization_code, payment_method,
      card_brand, card_last4, amount, currency, status) VALUES (3, 'set_old', 1, 'pay_card', 'sale', 'pay_card', 'A1B2C3', 'card', 'visa', '4242', 5000, 'USD', 'settled')`);
    old.close();
  }

  test('when a database at migration 5 is opened, then every row, index and foreign key is kept, and the rows name no saved card or customer', async () => {
    const filePath = path.join(directory, 'processing.sqlite');
    databaseAtVersion5(filePath);

    store = openSqliteStore(filePath);

    const found = inspect(filePath);
    expect(found.versions).toEqual(SQLITE_MIGRATIONS.map((migration) => migration.version));
    expect(found.payments.map((index) => index.name)).toEqual([
      'payments_created', 'payments_instrument_window', 'payments_status_created', 'payments_unbatched', 'payments_unresolved',
    ]);
    expect(found.payments.find((index) => index.name === 'payments_unbatched')?.sql)
      .toContain("WHERE settlement_id IS NULL AND status IN ('authorized', 'captured')");
    expect(found.items.map((index) => index.name)).toEqual(['settlement_items_run_batch', 'settlement_items_sale']);
    expect(found.foreignKeyProblems).toEqual([]);
    expect(found.spendPlan).toContain('payments_instrument_window');
    expect(found.unresolvedPlan).toContain('payments_unresolved');
    expect(await store.payments.get('pay_card')).toMatchObject({
      paymentMethod: 'card', cardSealed: 'v1:sealed', savedCardId: null, customerId: null, status: 'settled', settlementId: 'set_old',
    });
    expect(await store.payments.get('pay_points')).toMatchObject({ paymentMethod: 'points', pointsAccountId: 'PTS-0000-0001', savedCardId: null });
    expect((await store.settlements.listItems('set_old', { limit: 5 })).data).toEqual([expect.objectContaining({ seq: 3, paymentMethod: 'card' })]);
  });

  test('when a saved-card payment is created and settled on the migrated database, then it keeps no number, names its card, and its item says saved_card', async () => {
    const filePath = path.join(directory, 'processing.sqlite');
    databaseAtVersion5(filePath);
    store = openSqliteStore(filePath);
    const saved = pendingPayment({ paymentMethod: 'saved_card', cardSealed: null, savedCardId: 'card_1', customerId: 'cus_1', amountMinor: 1200, createdAt: at(0) });
    expect((await store.payments.create(createInput(saved))).kind).toBe('created');
    await store.payments.transition({ id: saved.id, from: ['pending'], to: 'authorized', changes: { authorizationId: 'auth_s', authorizationCode: 'S1S2S3' } });

    const runId = await settleEverything(store, at(60));

    const items = (await store.settlements.listItems(runId, { limit: 10 })).data;
    expect(items.map((item) => [item.paymentId, item.paymentMethod, item.cardLast4])).toEqual(expect.arrayContaining([[saved.id, 'saved_card', '4242']]));
    expect(await store.payments.get(saved.id)).toMatchObject({ status: 'settled', cardSealed: null, savedCardId: 'card_1', customerId: 'cus_1' });
  });

  test('when a row breaks the saved card\'s columns, then the database refuses it', () => {
    const filePath = path.join(directory, 'processing.sqlite');
    store = openSqliteStore(filePath);
    const database = new DatabaseSync(filePath);
    let sequence = 0;
    const insert = (method: string, sealed: string | null, savedCardId: string | null, account: string | null = null) => {
      sequence += 1;
      const card = method === 'points' ? null : 'visa';
      database.prepare(`INSERT INTO payments (id, merchant_reference, status, amount, currency, capture_method, payment_method, card_brand,
        card_last4, card_exp_month, card_exp_year, card_sealed, holder_name, saved_card_id, points_account_id, instrument_fingerprint,
        idempotency_key, limit_amount, created_at, updated_at)
        VALUES (?, ?, 'pending', 100, 'USD', 'automatic', ?, ?, ?, ?, ?, ?, ?, ?, ?, 'f', ?, 100, ?, ?)`)
        .run(`pay_${sequence}`, `pay_${sequence}`, method, card, card && '4242', card && 12, card && 2030, sealed, card && 'Ada', savedCardId, account,
          `key_${sequence}`, at(0), at(0));
    };
    try {
      expect(() => insert('saved_card', 'v1:sealed', 'card_1')).toThrow(/CHECK constraint failed/);
      expect(() => insert('saved_card', null, null)).toThrow(/CHECK constraint failed/);
      expect(() => insert('card', 'v1:sealed', 'card_1')).toThrow(/CHECK constraint failed/);
      expect(() => insert('points', null, 'card_1', 'PTS-0000-0001')).toThrow(/CHECK constraint failed/);
      expect(() => insert('saved_card', null, 'card_1')).not.toThrow();
      expect(() => insert('card', 'v1:sealed', null)).not.toThrow();
    } finally {
      database.close();
    }
  });
});
