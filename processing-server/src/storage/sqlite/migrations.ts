/** Schema of the processing server on SQLite, one migration a step, applied in order and never edited once shipped. */
export interface Migration {
  version: number;
  sql: string;
  /**
   * A migration that rebuilds a table other tables refer to runs with foreign keys off (SQLite
   * would delete through them when the old table is dropped), and is checked with
   * `PRAGMA foreign_key_check` before it commits.
   */
  rebuildsTables?: boolean;
}

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE payments (
        id TEXT PRIMARY KEY,
        merchant_reference TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL,
        amount INTEGER NOT NULL CHECK (amount > 0),
        currency TEXT NOT NULL,
        capture_method TEXT NOT NULL,
        card_brand TEXT NOT NULL,
        card_last4 TEXT NOT NULL,
        card_exp_month INTEGER NOT NULL,
        card_exp_year INTEGER NOT NULL,
        card_fingerprint TEXT NOT NULL,
        card_sealed TEXT NOT NULL,
        holder_name TEXT NOT NULL,
        description TEXT,
        order_id TEXT,
        idempotency_key TEXT NOT NULL,
        authorization_id TEXT,
        authorization_code TEXT,
        decline TEXT,
        reason TEXT,
        resolution TEXT,
        limit_amount INTEGER NOT NULL CHECK (limit_amount >= 0),
        captured_amount INTEGER NOT NULL DEFAULT 0 CHECK (captured_amount >= 0),
        refunded_amount INTEGER NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0),
        settlement_id TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX payments_card_window ON payments (card_fingerprint, currency, created_at) WHERE limit_amount > 0;
      CREATE INDEX payments_status_updated ON payments (status, updated_at);
      CREATE INDEX payments_created ON payments (created_at, id);
      CREATE TABLE idempotency_keys (
        key TEXT PRIMARY KEY,
        request_hash TEXT NOT NULL,
        payment_id TEXT NOT NULL REFERENCES payments (id),
        outcome TEXT,
        response TEXT,
        created_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    sql: `
      CREATE TABLE refunds (
        id TEXT PRIMARY KEY,
        payment_id TEXT NOT NULL REFERENCES payments (id),
        amount INTEGER NOT NULL CHECK (amount > 0),
        currency TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT,
        settlement_id TEXT,
        idempotency_key TEXT NOT NULL UNIQUE,
        request_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX refunds_ready ON refunds (status, settlement_id);
      CREATE INDEX refunds_payment ON refunds (payment_id);
      CREATE TABLE settlement_runs (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        started_at TEXT NOT NULL,
        completed_at TEXT,
        item_count INTEGER NOT NULL,
        batch_count INTEGER NOT NULL,
        settled_count INTEGER NOT NULL DEFAULT 0,
        rejected_count INTEGER NOT NULL DEFAULT 0,
        totals TEXT NOT NULL DEFAULT '{}',
        error TEXT
      );
      CREATE INDEX settlement_runs_status ON settlement_runs (status);
      CREATE TABLE settlement_items (
        seq INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES settlement_runs (id),
        batch_no INTEGER NOT NULL,
        payment_id TEXT NOT NULL,
        refund_id TEXT,
        type TEXT NOT NULL,
        merchant_reference TEXT NOT NULL,
        original_merchant_reference TEXT,
        authorization_code TEXT NOT NULL,
        card_brand TEXT NOT NULL,
        card_last4 TEXT NOT NULL,
        amount INTEGER NOT NULL CHECK (amount > 0),
        currency TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending',
        reason TEXT
      );
      CREATE INDEX settlement_items_batch ON settlement_items (run_id, batch_no, status);
      CREATE INDEX payments_ready ON payments (status, settlement_id, capture_method);
      CREATE INDEX payments_unresolved ON payments (updated_at) WHERE status = 'pending' OR resolution IS NOT NULL;
      CREATE TABLE job_leases (
        name TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        expires_at TEXT NOT NULL
      );
    `,
  },
  {
    // Indexes shaped for settling a million payments (docs/PERFORMANCE.md):
    // - Ready payments are found through a partial index of the never-batched authorizations, in
    //   (created_at, id) order: a run takes them in that order without sorting, expiry finds the old
    //   ones without reading rows, and batching a payment removes its entry, so its later status
    //   changes touch this index no more.
    // - A run's items are read by (run_id, batch_no), without the status: recording a result then
    //   rewrites the item row only, instead of moving an index entry per item.
    // - An idempotency record is completed by payment id: without an index that was a scan of
    //   every idempotency record for every payment.
    version: 3,
    sql: `
      DROP INDEX payments_ready;
      CREATE INDEX payments_unbatched ON payments (created_at, id) WHERE settlement_id IS NULL AND status IN ('authorized', 'captured');
      DROP INDEX settlement_items_batch;
      CREATE INDEX settlement_items_run_batch ON settlement_items (run_id, batch_no);
      CREATE INDEX idempotency_keys_payment ON idempotency_keys (payment_id);
    `,
  },
  {
    // A run no longer rewrites every payment row when it is created (docs/PERFORMANCE.md):
    // - A payment is in a run when the run has a sale item for it. This unique index finds that
    //   item, and makes "a payment is in at most one run" a rule of the database: a run that took
    //   a payment already taken could not commit. The payment's own settlement_id is written when
    //   its result is recorded (or when its run fails), together with its new status.
    // - Payments listed by status come in (created_at, id) order from the index, not sorted.
    version: 4,
    sql: `
      CREATE UNIQUE INDEX settlement_items_sale ON settlement_items (payment_id) WHERE type = 'sale';
      DROP INDEX payments_status_updated;
      CREATE INDEX payments_status_created ON payments (status, created_at, id);
    `,
  },
  {
    // Loyalty points as a second way to pay. A points payment has no card, so the card columns
    // become nullable, which SQLite can only do by rebuilding the table
    // (sqlite.org/lang_altertable.html#otheralter); settlement items likewise. Every index is
    // made again as it was, the partial ones with their conditions written exactly as before
    // (the settlement statements name them). What identifies the payer for the spending limit
    // is a card's or a points account's fingerprint: card_fingerprint becomes
    // instrument_fingerprint. A CHECK keeps a payment's method and its columns in step: a card
    // payment has every card column and no account, a points payment the account and no card.
    version: 5,
    rebuildsTables: true,
    sql: `
      CREATE TABLE payments_rebuilt (
        id TEXT PRIMARY KEY,
        merchant_reference TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL,
        amount INTEGER NOT NULL CHECK (amount > 0),
        currency TEXT NOT NULL,
        capture_method TEXT NOT NULL,
        payment_method TEXT NOT NULL,
        card_brand TEXT,
        card_last4 TEXT,
        card_exp_month INTEGER,
        card_exp_year INTEGER,
        card_sealed TEXT,
        holder_name TEXT,
        points_account_id TEXT,
        instrument_fingerprint TEXT NOT NULL,
        description TEXT,
        order_id TEXT,
        idempotency_key TEXT NOT NULL,
        authorization_id TEXT,
        authorization_code TEXT,
        decline TEXT,
        reason TEXT,
        resolution TEXT,
        limit_amount INTEGER NOT NULL CHECK (limit_amount >= 0),
        captured_amount INTEGER NOT NULL DEFAULT 0 CHECK (captured_amount >= 0),
        refunded_amount INTEGER NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0),
        settlement_id TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        CHECK ((payment_method = 'card' AND card_brand IS NOT NULL AND card_last4 IS NOT NULL AND card_exp_month IS NOT NULL
            AND card_exp_year IS NOT NULL AND card_sealed IS NOT NULL AND holder_name IS NOT NULL AND points_account_id IS NULL)
          OR (payment_method = 'points' AND points_account_id IS NOT NULL AND card_brand IS NULL AND card_last4 IS NULL
            AND card_exp_month IS NULL AND card_exp_year IS NULL AND card_sealed IS NULL AND holder_name IS NULL))
      );
      INSERT INTO payments_rebuilt (id, merchant_reference, status, amount, currency, capture_method, payment_method, card_brand,
        card_last4, card_exp_month, card_exp_year, card_sealed, holder_name, points_account_id, instrument_fingerprint, description,
        order_id, idempotency_key, authorization_id, authorization_code, decline, reason, resolution, limit_amount, captured_amount,
        refunded_amount, settlement_id, created_at, updated_at)
      SELECT id, merchant_reference, status, amount, currency, capture_method, 'card', card_brand,
        card_last4, card_exp_month, card_exp_year, card_sealed, holder_name, NULL, card_fingerprint, description,
        order_id, idempotency_key, authorization_id, authorization_code, decline, reason, resolution, limit_amount, captured_amount,
        refunded_amount, settlement_id, created_at, updated_at
      FROM payments;
      DROP TABLE payments;
      ALTER TABLE payments_rebuilt RENAME TO payments;
      CREATE INDEX payments_instrument_window ON payments (instrument_fingerprint, currency, created_at) WHERE limit_amount > 0;
      CREATE INDEX payments_created ON payments (created_at, id);
      CREATE INDEX payments_unresolved ON payments (updated_at) WHERE status = 'pending' OR resolution IS NOT NULL;
      CREATE INDEX payments_unbatched ON payments (created_at, id) WHERE settlement_id IS NULL AND status IN ('authorized', 'captured');
      CREATE INDEX payments_status_created ON payments (status, created_at, id);

      CREATE TABLE settlement_items_rebuilt (
        seq INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES settlement_runs (id),
        batch_no INTEGER NOT NULL,
        payment_id TEXT NOT NULL,
        refund_id TEXT,
        type TEXT NOT NULL,
        merchant_reference TEXT NOT NULL,
        original_merchant_reference TEXT,
        authorization_code TEXT NOT NULL,
        payment_method TEXT NOT NULL,
        card_brand TEXT,
        card_last4 TEXT,
        amount INTEGER NOT NULL CHECK (amount > 0),
        currency TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending',
        reason TEXT,
        CHECK ((payment_method = 'card' AND card_brand IS NOT NULL AND card_last4 IS NOT NULL)
          OR (payment_method = 'points' AND card_brand IS NULL AND card_last4 IS NULL))
      );
      INSERT INTO settlement_items_rebuilt (seq, run_id, batch_no, payment_id, refund_id, type, merchant_reference,
        original_merchant_reference, authorization_code, payment_method, card_brand, card_last4, amount, currency, status, reason)
      SELECT seq, run_id, batch_no, payment_id, refund_id, type, merchant_reference,
        original_merchant_reference, authorization_code, 'card', card_brand, card_last4, amount, currency, status, reason
      FROM settlement_items;
      DROP TABLE settlement_items;
      ALTER TABLE settlement_items_rebuilt RENAME TO settlement_items;
      CREATE INDEX settlement_items_run_batch ON settlement_items (run_id, batch_no);
      CREATE UNIQUE INDEX settlement_items_sale ON settlement_items (payment_id) WHERE type = 'sale';
    `,
  },
  {
    // Saved cards as a third way to pay. A payment with a saved card keeps the card masked
    // (brand, last four, expiry, holder) like a typed one, but no copy of the number: it names
    // the vault's card instead (saved_card_id), and the number stays in the vault. A payment may
    // name its customer (customer_id). The CHECK on the method's columns changes, which SQLite can
    // only do by rebuilding the table, as migration 5 did; settlement items, which carry the
    // method too, likewise. Every index is made again exactly as migration 5 left it.
    version: 6,
    rebuildsTables: true,
    sql: `
      CREATE TABLE payments_rebuilt (
        id TEXT PRIMARY KEY,
        merchant_reference TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL,
        amount INTEGER NOT NULL CHECK (amount > 0),
        currency TEXT NOT NULL,
        capture_method TEXT NOT NULL,
        payment_method TEXT NOT NULL,
        card_brand TEXT,
        card_last4 TEXT,
        card_exp_month INTEGER,
        card_exp_year INTEGER,
        card_sealed TEXT,
        holder_name TEXT,
        points_account_id TEXT,
        instrument_fingerprint TEXT NOT NULL,
        description TEXT,
        order_id TEXT,
        idempotency_key TEXT NOT NULL,
        authorization_id TEXT,
        authorization_code TEXT,
        decline TEXT,
        reason TEXT,
        resolution TEXT,
        limit_amount INTEGER NOT NULL CHECK (limit_amount >= 0),
        captured_amount INTEGER NOT NULL DEFAULT 0 CHECK (captured_amount >= 0),
        refunded_amount INTEGER NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0),
        settlement_id TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        saved_card_id TEXT,
        customer_id TEXT,
        CHECK ((payment_method IN ('card', 'saved_card') AND card_brand IS NOT NULL AND card_last4 IS NOT NULL AND card_exp_month IS NOT NULL
            AND card_exp_year IS NOT NULL AND holder_name IS NOT NULL AND points_account_id IS NULL
            AND ((payment_method = 'card' AND card_sealed IS NOT NULL AND saved_card_id IS NULL)
              OR (payment_method = 'saved_card' AND card_sealed IS NULL AND saved_card_id IS NOT NULL)))
          OR (payment_method = 'points' AND points_account_id IS NOT NULL AND card_brand IS NULL AND card_last4 IS NULL
            AND card_exp_month IS NULL AND card_exp_year IS NULL AND card_sealed IS NULL AND holder_name IS NULL AND saved_card_id IS NULL))
      );
      INSERT INTO payments_rebuilt (id, merchant_reference, status, amount, currency, capture_method, payment_method, card_brand,
        card_last4, card_exp_month, card_exp_year, card_sealed, holder_name, points_account_id, instrument_fingerprint, description,
        order_id, idempotency_key, authorization_id, authorization_code, decline, reason, resolution, limit_amount, captured_amount,
        refunded_amount, settlement_id, created_at, updated_at, saved_card_id, customer_id)
      SELECT id, merchant_reference, status, amount, currency, capture_method, payment_method, card_brand,
        card_last4, card_exp_month, card_exp_year, card_sealed, holder_name, points_account_id, instrument_fingerprint, description,
        order_id, idempotency_key, authorization_id, authorization_code, decline, reason, resolution, limit_amount, captured_amount,
        refunded_amount, settlement_id, created_at, updated_at, NULL, NULL
      FROM payments;
      DROP TABLE payments;
      ALTER TABLE payments_rebuilt RENAME TO payments;
      CREATE INDEX payments_instrument_window ON payments (instrument_fingerprint, currency, created_at) WHERE limit_amount > 0;
      CREATE INDEX payments_created ON payments (created_at, id);
      CREATE INDEX payments_unresolved ON payments (updated_at) WHERE status = 'pending' OR resolution IS NOT NULL;
      CREATE INDEX payments_unbatched ON payments (created_at, id) WHERE settlement_id IS NULL AND status IN ('authorized', 'captured');
      CREATE INDEX payments_status_created ON payments (status, created_at, id);

      CREATE TABLE settlement_items_rebuilt (
        seq INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES settlement_runs (id),
        batch_no INTEGER NOT NULL,
        payment_id TEXT NOT NULL,
        refund_id TEXT,
        type TEXT NOT NULL,
        merchant_reference TEXT NOT NULL,
        original_merchant_reference TEXT,
        authorization_code TEXT NOT NULL,
        payment_method TEXT NOT NULL,
        card_brand TEXT,
        card_last4 TEXT,
        amount INTEGER NOT NULL CHECK (amount > 0),
        currency TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending',
        reason TEXT,
        CHECK ((payment_method IN ('card', 'saved_card') AND card_brand IS NOT NULL AND card_last4 IS NOT NULL)
          OR (payment_method = 'points' AND card_brand IS NULL AND card_last4 IS NULL))
      );
      INSERT INTO settlement_items_rebuilt (seq, run_id, batch_no, payment_id, refund_id, type, merchant_reference,
        original_merchant_reference, authorization_code, payment_method, card_brand, card_last4, amount, currency, status, reason)
      SELECT seq, run_id, batch_no, payment_id, refund_id, type, merchant_reference,
        original_merchant_reference, authorization_code, payment_method, card_brand, card_last4, amount, currency, status, reason
      FROM settlement_items;
      DROP TABLE settlement_items;
      ALTER TABLE settlement_items_rebuilt RENAME TO settlement_items;
      CREATE INDEX settlement_items_run_batch ON settlement_items (run_id, batch_no);
      CREATE UNIQUE INDEX settlement_items_sale ON settlement_items (payment_id) WHERE type = 'sale';
    `,
  },
  {
    // Changing an authorized amount, and 3-D Secure.
    // - An adjustment is written before the provider is asked (its id is its reference there).
    //   At most one per payment is open (being decided, or with work left at the provider): a
    //   unique partial index. A pending increase counts against its payer's spending limit, so
    //   it carries the payer's fingerprint and currency, found on a partial index of the pending.
    // - A payment keeps its 3-D Secure authentication and, while it waits for the shopper, the
    //   challenge page's address. Both are new nullable columns: no rebuild.
    version: 7,
    sql: `
      ALTER TABLE payments ADD COLUMN authentication_id TEXT;
      ALTER TABLE payments ADD COLUMN next_action_url TEXT;
      CREATE TABLE payment_adjustments (
        id TEXT PRIMARY KEY,
        payment_id TEXT NOT NULL REFERENCES payments (id),
        idempotency_key TEXT NOT NULL UNIQUE,
        request_hash TEXT NOT NULL,
        from_amount INTEGER NOT NULL CHECK (from_amount > 0),
        to_amount INTEGER NOT NULL CHECK (to_amount > 0),
        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'declined', 'failed')),
        decline TEXT,
        reason TEXT,
        resolution TEXT CHECK (resolution IN ('send', 'reverse')),
        instrument_fingerprint TEXT NOT NULL,
        currency TEXT NOT NULL,
        outcome TEXT,
        response TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX payment_adjustments_payment ON payment_adjustments (payment_id, created_at);
      CREATE UNIQUE INDEX payment_adjustments_open ON payment_adjustments (payment_id) WHERE status = 'pending' OR resolution IS NOT NULL;
      CREATE INDEX payment_adjustments_unresolved ON payment_adjustments (updated_at) WHERE status = 'pending' OR resolution IS NOT NULL;
      CREATE INDEX payment_adjustments_reserved ON payment_adjustments (instrument_fingerprint, currency) WHERE status = 'pending';
    `,
  },
];
