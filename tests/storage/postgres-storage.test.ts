/**
 * What only the PostgreSQL store has: opening by DATABASE_URL, migrations shared by instances
 * that start together, BIGINT money, and a full-size batch recorded in one transaction.
 */
import pg from 'pg';
import { createPostgresPool, migratePostgres } from '../../processing-server/src/storage/postgres/database.ts';
import { openStore } from '../../processing-server/src/storage/index.ts';
import { POSTGRES_MIGRATIONS } from '../../processing-server/src/storage/postgres/migrations.ts';
import { at, createInput, createRun, pendingPayment, recordResults } from './builders.ts';
import { createPostgresTestStores, describeWithPostgres, type PostgresTestStores } from '../helpers/postgres.ts';

// Each test opens a fresh database and, on PostgreSQL, several pools; parallel test files share two CPUs.
jest.setTimeout(20_000);

describeWithPostgres('PostgreSQL store', (adminUrl) => {
  let stores: PostgresTestStores;

  beforeEach(async () => {
    stores = await createPostgresTestStores(adminUrl);
  });

  afterEach(async () => {
    await stores.close();
  });

  async function query(sql: string, values: unknown[] = []): Promise<Array<Record<string, unknown>>> {
    const client = new pg.Client({ connectionString: stores.database.url });
    await client.connect();
    try {
      return (await client.query(sql, values)).rows;
    } finally {
      await client.end();
    }
  }

  test('when DATABASE_URL is a postgres URL, then openStore opens PostgreSQL and its description shows no password', async () => {
    const url = new URL(stores.database.url);
    // The test server trusts local connections, so any password works; a real one must not be shown either way.
    if (!url.password) url.password = 'not-shown-anywhere';
    const password = decodeURIComponent(url.password);

    const store = await openStore({ DATA_DIR: '/nonexistent', DATABASE_URL: url.toString() });
    try {
      await store.ping();
      expect(store.description).toContain(`/${stores.database.name}`);
      expect(store.description).toMatch(/^postgres:\/\//);
      expect(store.description).not.toContain(password);
    } finally {
      await store.close();
    }
  });

  test('when four instances start together on an empty database, then each migration is applied exactly once', async () => {
    const instances = await Promise.all([stores.open(), stores.open(), stores.open(), stores.open()]);

    const versions = await query('SELECT version FROM schema_migrations ORDER BY version');
    expect(versions.map((row) => row.version)).toEqual(POSTGRES_MIGRATIONS.map((migration) => migration.version));
    await Promise.all(instances.map((store) => store.ping()));
    // The store's own pool settings: among them an error listener, since dropping the database
    // after the test may still meet a connection that pool.end() is closing.
    const pool = createPostgresPool({ connectionString: stores.database.url });
    try {
      expect(await migratePostgres(pool)).toEqual([]);
    } finally {
      await pool.end();
    }
  });

  test('when an amount is the largest allowed, then it is stored as BIGINT and read back as the same number', async () => {
    const store = await stores.open();
    const payment = pendingPayment({ amountMinor: 999_999_999_999 });

    const result = await store.payments.create(createInput(payment, 999_999_999_999));

    expect(result.kind).toBe('created');
    expect((await store.payments.get(payment.id))?.amountMinor).toBe(999_999_999_999);
    const [column] = await query("SELECT data_type FROM information_schema.columns WHERE table_name = 'payments' AND column_name = 'amount'");
    expect(column?.data_type).toBe('bigint');
  });

  test('when a batch of 5,000 items is answered, then it is recorded in one go and every payment settles', async () => {
    const store = await stores.open();
    // 5,000 authorized payments written directly: the contract tests cover how they get there.
    await query(`
      INSERT INTO payments (id, merchant_reference, status, amount, currency, capture_method, payment_method, card_brand, card_last4, card_exp_month,
        card_exp_year, instrument_fingerprint, card_sealed, holder_name, idempotency_key, authorization_id, authorization_code, limit_amount,
        created_at, updated_at)
      SELECT 'pay_bulk_' || lpad(n::text, 5, '0'), 'pay_bulk_' || lpad(n::text, 5, '0'), 'authorized', n, 'USD', 'automatic', 'card', 'visa', '4242', 12,
        2030, 'card-bulk', 'sealed', 'Ada Lovelace', 'key-bulk-' || n, 'auth-' || n, 'A1B2C3', n, $1, $1
      FROM generate_series(1, 5000) AS n`, [at(0)]);
    const run = await createRun(store, 'set_bulk', { startedAt: at(60), batchSizeMax: 5000 });
    expect(run).toMatchObject({ itemCount: 5000, batchIds: ['set_bulk-1'] });
    const items = await store.settlements.readBatch('set_bulk', 1);

    const startedAtMs = Date.now();
    await recordResults(store, 'set_bulk', 1, items.map((item) => ({ seq: item.seq, type: item.type, status: 'settled' })), at(70));
    const elapsedMs = Date.now() - startedAtMs;
    const completed = await store.settlements.complete('set_bulk', at(80));

    expect(elapsedMs).toBeLessThan(5_000);
    expect(completed).toMatchObject({ settledCount: 5000, rejectedCount: 0, totals: { USD: { sales: 12_502_500, net: 12_502_500 } } });
    const [counts] = await query("SELECT COUNT(*)::int AS settled FROM payments WHERE status = 'settled' AND captured_amount = amount");
    expect(counts?.settled).toBe(5000);
  });

  test('when a database at migration 2 holding a card payment is migrated, then it reads as a card payment and a row that breaks its method is refused', async () => {
    const pool = createPostgresPool({ connectionString: stores.database.url });
    try {
      expect(await migratePostgres(pool, POSTGRES_MIGRATIONS.slice(0, 2))).toEqual([1, 2]);
      await pool.query(`INSERT INTO payments (id, merchant_reference, status, amount, currency, capture_method, card_brand, card_last4,
        card_exp_month, card_exp_year, card_fingerprint, card_sealed, holder_name, idempotency_key, limit_amount, created_at, updated_at)
        VALUES ('pay_old', 'pay_old', 'authorized', 2500, 'USD', 'automatic', 'visa', '4242', 12, 2030, 'card-old', 'v1:sealed', 'Ada', 'key-old', 2500, $1, $1)`, [at(0)]);
      expect(await migratePostgres(pool)).toEqual(POSTGRES_MIGRATIONS.map((migration) => migration.version).filter((version) => version > 2));
    } finally {
      await pool.end();
    }
    const store = await stores.open();

    expect(await store.payments.get('pay_old')).toMatchObject({ paymentMethod: 'card', instrumentFingerprint: 'card-old', cardLast4: '4242', pointsAccountId: null });
    const [window] = await query("SELECT indexdef FROM pg_indexes WHERE indexname = 'payments_instrument_window'");
    expect(window?.indexdef).toContain('(instrument_fingerprint, currency, created_at)');
    await expect(query(`INSERT INTO payments (id, merchant_reference, status, amount, currency, capture_method, payment_method, card_brand,
      instrument_fingerprint, idempotency_key, limit_amount, created_at, updated_at, points_account_id)
      VALUES ('pay_bad', 'pay_bad', 'pending', 1, 'USD', 'automatic', 'points', 'visa', 'f', 'key-bad', 1, $1, $1, 'PTS-0000-0001')`, [at(0)]))
      .rejects.toThrow(/payments_method_columns/);
    const points = pendingPayment({
      paymentMethod: 'points', cardBrand: null, cardLast4: null, cardExpMonth: null, cardExpYear: null, cardSealed: null, holderName: null, pointsAccountId: 'PTS-0000-0001',
    });
    expect((await store.payments.create(createInput(points))).kind).toBe('created');
    expect(await store.payments.get(points.id)).toEqual(points);
  });

  test('when a database at migration 3 is migrated, then its payments name no saved card, a saved-card payment keeps no number, and the vault\'s tables are there', async () => {
    const pool = createPostgresPool({ connectionString: stores.database.url });
    try {
      expect(await migratePostgres(pool, POSTGRES_MIGRATIONS.slice(0, 3))).toEqual([1, 2, 3]);
      await pool.query(`INSERT INTO payments (id, merchant_reference, status, amount, currency, capture_method, payment_method, card_brand, card_last4,
        card_exp_month, card_exp_year, instrument_fingerprint, card_sealed, holder_name, idempotency_key, limit_amount, created_at, updated_at)
        VALUES ('pay_old', 'pay_old', 'authorized', 2500, 'USD', 'automatic', 'card', 'visa', '4242', 12, 2030, 'card-old', 'v1:sealed', 'Ada', 'key-old', 2500, $1, $1)`, [at(0)]);
      expect(await migratePostgres(pool, POSTGRES_MIGRATIONS.slice(0, 4))).toEqual([4]);
    } finally {
      await pool.end();
    }
    const store = await stores.open();

    expect(await store.payments.get('pay_old')).toMatchObject({ paymentMethod: 'card', cardSealed: 'v1:sealed', savedCardId: null, customerId: null });
    const tables = (await query("SELECT tablename FROM pg_tables WHERE tablename LIKE 'vault_%' ORDER BY tablename")).map((row) => row.tablename);
    expect(tables).toEqual(['vault_cards', 'vault_keys', 'vault_requests']);
    await expect(query(`INSERT INTO payments (id, merchant_reference, status, amount, currency, capture_method, payment_method, card_brand, card_last4,
      card_exp_month, card_exp_year, card_sealed, holder_name, saved_card_id, instrument_fingerprint, idempotency_key, limit_amount, created_at, updated_at)
      VALUES ('pay_bad', 'pay_bad', 'pending', 1, 'USD', 'automatic', 'saved_card', 'visa', '4242', 12, 2030, 'v1:a-copy', 'Ada', 'card_1', 'f', 'key-bad', 1, $1, $1)`, [at(0)]))
      .rejects.toThrow(/payments_method_columns/);
    const saved = pendingPayment({ paymentMethod: 'saved_card', cardSealed: null, savedCardId: 'card_1', customerId: 'cus_1' });
    expect((await store.payments.create(createInput(saved))).kind).toBe('created');
    expect(await store.payments.get(saved.id)).toEqual(saved);
  });
});
