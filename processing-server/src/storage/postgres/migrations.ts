/**
 * Schema of the processing server on PostgreSQL, one migration a step, applied in order under an
 * advisory lock and never edited once shipped.
 *
 * The tables mirror the SQLite schema so that both stores answer alike:
 * - Money is BIGINT (minor units; amounts are at most 999,999,999,999, sums of a batch stay far
 *   below 2^53), read back as JavaScript numbers.
 * - Timestamps stay the ISO-8601 UTC strings the domain writes (`toISOString()`: fixed width,
 *   so text order is time order), as TEXT. Identifiers and timestamps use the "C" collation, so
 *   ordering and cursor comparisons are byte order, exactly as in SQLite, whatever locale the
 *   database was created with.
 * - JSON (a decline, a run's totals) is stored as text, as in SQLite, and parsed by the shared
 *   row mappers.
 * - An idempotency key's reference to its payment is checked at commit (DEFERRABLE), so that
 *   `createPayment` can claim the key before it writes the payment: a concurrent duplicate then
 *   waits on the key and comes back as the existing request.
 */
export interface Migration {
  version: number;
  sql: string;
}

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE payments (
        id TEXT COLLATE "C" PRIMARY KEY,
        merchant_reference TEXT COLLATE "C" NOT NULL UNIQUE,
        status TEXT NOT NULL,
        amount BIGINT NOT NULL CHECK (amount > 0),
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
        idempotency_key TEXT COLLATE "C" NOT NULL,
        authorization_id TEXT,
        authorization_code TEXT,
        decline TEXT,
        reason TEXT,
        resolution TEXT,
        limit_amount BIGINT NOT NULL CHECK (limit_amount >= 0),
        captured_amount BIGINT NOT NULL DEFAULT 0 CHECK (captured_amount >= 0),
        refunded_amount BIGINT NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0),
        settlement_id TEXT COLLATE "C",
        created_at TEXT COLLATE "C" NOT NULL,
        updated_at TEXT COLLATE "C" NOT NULL
      );
      CREATE INDEX payments_card_window ON payments (card_fingerprint, currency, created_at) WHERE limit_amount > 0;
      CREATE INDEX payments_status_updated ON payments (status, updated_at);
      CREATE INDEX payments_created ON payments (created_at, id);
      CREATE TABLE idempotency_keys (
        key TEXT COLLATE "C" PRIMARY KEY,
        request_hash TEXT NOT NULL,
        payment_id TEXT COLLATE "C" NOT NULL REFERENCES payments (id) DEFERRABLE INITIALLY DEFERRED,
        outcome TEXT,
        response TEXT,
        created_at TEXT COLLATE "C" NOT NULL
      );
      CREATE INDEX idempotency_keys_payment ON idempotency_keys (payment_id);
    `,
  },
  {
    version: 2,
    sql: `
      CREATE TABLE refunds (
        id TEXT COLLATE "C" PRIMARY KEY,
        payment_id TEXT COLLATE "C" NOT NULL REFERENCES payments (id),
        amount BIGINT NOT NULL CHECK (amount > 0),
        currency TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT,
        settlement_id TEXT COLLATE "C",
        idempotency_key TEXT COLLATE "C" NOT NULL UNIQUE,
        request_hash TEXT NOT NULL,
        created_at TEXT COLLATE "C" NOT NULL,
        updated_at TEXT COLLATE "C" NOT NULL
      );
      CREATE INDEX refunds_ready ON refunds (status, settlement_id);
      CREATE INDEX refunds_payment ON refunds (payment_id);
      CREATE TABLE settlement_runs (
        id TEXT COLLATE "C" PRIMARY KEY,
        status TEXT NOT NULL,
        started_at TEXT COLLATE "C" NOT NULL,
        completed_at TEXT COLLATE "C",
        item_count INTEGER NOT NULL,
        batch_count INTEGER NOT NULL,
        settled_count INTEGER NOT NULL DEFAULT 0,
        rejected_count INTEGER NOT NULL DEFAULT 0,
        totals TEXT NOT NULL DEFAULT '{}',
        error TEXT
      );
      CREATE INDEX settlement_runs_status ON settlement_runs (status);
      CREATE TABLE settlement_items (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        run_id TEXT COLLATE "C" NOT NULL REFERENCES settlement_runs (id),
        batch_no INTEGER NOT NULL,
        payment_id TEXT COLLATE "C" NOT NULL,
        refund_id TEXT COLLATE "C",
        type TEXT NOT NULL,
        merchant_reference TEXT COLLATE "C" NOT NULL,
        original_merchant_reference TEXT COLLATE "C",
        authorization_code TEXT NOT NULL,
        card_brand TEXT NOT NULL,
        card_last4 TEXT NOT NULL,
        amount BIGINT NOT NULL CHECK (amount > 0),
        currency TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending',
        reason TEXT
      );
      CREATE INDEX settlement_items_batch ON settlement_items (run_id, batch_no, status);
      CREATE INDEX payments_ready ON payments (status, settlement_id, capture_method);
      CREATE INDEX payments_settlement ON payments (settlement_id);
      CREATE INDEX payments_unresolved ON payments (updated_at) WHERE status = 'pending' OR resolution IS NOT NULL;
      CREATE TABLE job_leases (
        name TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        expires_at TEXT COLLATE "C" NOT NULL
      );
    `,
  },
  {
    // Loyalty points as a second way to pay: a payment's method, its points account, and card
    // columns that a points payment leaves empty (as on SQLite, a CHECK keeps a payment's method
    // and its columns in step). What identifies the payer for the spending limit is a
    // card's or a points account's fingerprint: card_fingerprint becomes instrument_fingerprint.
    // Existing rows are card payments; the DEFAULT fills them in and is then dropped.
    version: 3,
    sql: `
      ALTER TABLE payments RENAME COLUMN card_fingerprint TO instrument_fingerprint;
      ALTER INDEX payments_card_window RENAME TO payments_instrument_window;
      ALTER TABLE payments
        ADD COLUMN payment_method TEXT NOT NULL DEFAULT 'card',
        ADD COLUMN points_account_id TEXT,
        ALTER COLUMN card_brand DROP NOT NULL,
        ALTER COLUMN card_last4 DROP NOT NULL,
        ALTER COLUMN card_exp_month DROP NOT NULL,
        ALTER COLUMN card_exp_year DROP NOT NULL,
        ALTER COLUMN card_sealed DROP NOT NULL,
        ALTER COLUMN holder_name DROP NOT NULL;
      ALTER TABLE payments ALTER COLUMN payment_method DROP DEFAULT;
      ALTER TABLE payments ADD CONSTRAINT payments_method_columns CHECK (
        (payment_method = 'card' AND card_brand IS NOT NULL AND card_last4 IS NOT NULL AND card_exp_month IS NOT NULL
          AND card_exp_year IS NOT NULL AND card_sealed IS NOT NULL AND holder_name IS NOT NULL AND points_account_id IS NULL)
        OR (payment_method = 'points' AND points_account_id IS NOT NULL AND card_brand IS NULL AND card_last4 IS NULL
          AND card_exp_month IS NULL AND card_exp_year IS NULL AND card_sealed IS NULL AND holder_name IS NULL));
      ALTER TABLE settlement_items
        ADD COLUMN payment_method TEXT NOT NULL DEFAULT 'card',
        ALTER COLUMN card_brand DROP NOT NULL,
        ALTER COLUMN card_last4 DROP NOT NULL;
      ALTER TABLE settlement_items ALTER COLUMN payment_method DROP DEFAULT;
      ALTER TABLE settlement_items ADD CONSTRAINT settlement_items_method_columns CHECK (
        (payment_method = 'card' AND card_brand IS NOT NULL AND card_last4 IS NOT NULL)
        OR (payment_method = 'points' AND card_brand IS NULL AND card_last4 IS NULL));
    `,
  },
  {
    // Saved cards. The card vault's tables (saved cards, the data keys they are sealed under,
    // card creations' idempotency records), apart from the payments' tables: on SQLite the vault
    // has a file of its own. A data key is stored only wrapped; a destroyed key keeps its row
    // without its bytes, a deleted card its row without its number. At most one key is active,
    // and a customer keeps a card once per expiry (partial unique indexes, also targets of ON
    // CONFLICT). And a third way to pay: a payment with a saved card keeps the card masked but no
    // copy of the number (it names the vault's card, saved_card_id); a payment may name its
    // customer. The CHECKs on the method's columns say so, for payments and settlement items.
    version: 4,
    sql: `
      CREATE TABLE vault_keys (
        id TEXT COLLATE "C" PRIMARY KEY,
        wrapped TEXT,
        state TEXT NOT NULL CHECK (state IN ('active', 'retiring', 'destroyed')),
        created_at TEXT COLLATE "C" NOT NULL,
        destroyed_at TEXT COLLATE "C",
        CHECK ((state = 'destroyed') = (wrapped IS NULL))
      );
      CREATE UNIQUE INDEX vault_keys_one_active ON vault_keys (state) WHERE state = 'active';
      CREATE TABLE vault_cards (
        id TEXT COLLATE "C" PRIMARY KEY,
        customer_id TEXT COLLATE "C",
        key_id TEXT COLLATE "C" REFERENCES vault_keys (id),
        ciphertext TEXT,
        fingerprint TEXT,
        brand TEXT NOT NULL,
        last4 TEXT NOT NULL,
        exp_month INTEGER NOT NULL CHECK (exp_month BETWEEN 1 AND 12),
        exp_year INTEGER NOT NULL,
        holder_name TEXT NOT NULL,
        created_at TEXT COLLATE "C" NOT NULL,
        deleted_at TEXT COLLATE "C",
        CHECK ((deleted_at IS NULL AND ciphertext IS NOT NULL AND key_id IS NOT NULL AND fingerprint IS NOT NULL)
          OR (deleted_at IS NOT NULL AND ciphertext IS NULL AND key_id IS NULL AND fingerprint IS NULL))
      );
      CREATE INDEX vault_cards_customer ON vault_cards (customer_id, created_at) WHERE deleted_at IS NULL;
      CREATE INDEX vault_cards_key ON vault_cards (key_id) WHERE key_id IS NOT NULL;
      CREATE UNIQUE INDEX vault_cards_customer_card ON vault_cards (customer_id, fingerprint, exp_month, exp_year)
        WHERE deleted_at IS NULL AND customer_id IS NOT NULL;
      CREATE TABLE vault_requests (
        key TEXT COLLATE "C" PRIMARY KEY,
        request_hash TEXT NOT NULL,
        card_id TEXT COLLATE "C" NOT NULL,
        completed BOOLEAN NOT NULL DEFAULT FALSE,
        created_at TEXT COLLATE "C" NOT NULL
      );

      ALTER TABLE payments
        ADD COLUMN saved_card_id TEXT COLLATE "C",
        ADD COLUMN customer_id TEXT COLLATE "C",
        DROP CONSTRAINT payments_method_columns;
      ALTER TABLE payments ADD CONSTRAINT payments_method_columns CHECK (
        (payment_method IN ('card', 'saved_card') AND card_brand IS NOT NULL AND card_last4 IS NOT NULL AND card_exp_month IS NOT NULL
          AND card_exp_year IS NOT NULL AND holder_name IS NOT NULL AND points_account_id IS NULL
          AND ((payment_method = 'card' AND card_sealed IS NOT NULL AND saved_card_id IS NULL)
            OR (payment_method = 'saved_card' AND card_sealed IS NULL AND saved_card_id IS NOT NULL)))
        OR (payment_method = 'points' AND points_account_id IS NOT NULL AND card_brand IS NULL AND card_last4 IS NULL
          AND card_exp_month IS NULL AND card_exp_year IS NULL AND card_sealed IS NULL AND holder_name IS NULL AND saved_card_id IS NULL));
      ALTER TABLE settlement_items DROP CONSTRAINT settlement_items_method_columns;
      ALTER TABLE settlement_items ADD CONSTRAINT settlement_items_method_columns CHECK (
        (payment_method IN ('card', 'saved_card') AND card_brand IS NOT NULL AND card_last4 IS NOT NULL)
        OR (payment_method = 'points' AND card_brand IS NULL AND card_last4 IS NULL));
    `,
  },
  {
    // Changing an authorized amount, and 3-D Secure (as SQLite migration 7). An adjustment is
    // written before the provider is asked; at most one per payment is open (a unique partial
    // index); a pending increase counts against its payer's limit (a partial index of the
    // pending, by payer and currency). A payment keeps its 3-D Secure authentication and, while
    // it waits for the shopper, the challenge page's address.
    version: 5,
    sql: `
      ALTER TABLE payments ADD COLUMN authentication_id TEXT, ADD COLUMN next_action_url TEXT;
      CREATE TABLE payment_adjustments (
        id TEXT COLLATE "C" PRIMARY KEY,
        payment_id TEXT COLLATE "C" NOT NULL REFERENCES payments (id),
        idempotency_key TEXT COLLATE "C" NOT NULL UNIQUE,
        request_hash TEXT NOT NULL,
        from_amount BIGINT NOT NULL CHECK (from_amount > 0),
        to_amount BIGINT NOT NULL CHECK (to_amount > 0),
        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'declined', 'failed')),
        decline TEXT,
        reason TEXT,
        resolution TEXT CHECK (resolution IN ('send', 'reverse')),
        instrument_fingerprint TEXT NOT NULL,
        currency TEXT NOT NULL,
        outcome TEXT,
        response TEXT,
        created_at TEXT COLLATE "C" NOT NULL,
        updated_at TEXT COLLATE "C" NOT NULL
      );
      CREATE INDEX payment_adjustments_payment ON payment_adjustments (payment_id, created_at);
      CREATE UNIQUE INDEX payment_adjustments_open ON payment_adjustments (payment_id) WHERE status = 'pending' OR resolution IS NOT NULL;
      CREATE INDEX payment_adjustments_unresolved ON payment_adjustments (updated_at) WHERE status = 'pending' OR resolution IS NOT NULL;
      CREATE INDEX payment_adjustments_reserved ON payment_adjustments (instrument_fingerprint, currency) WHERE status = 'pending';
    `,
  },
];
