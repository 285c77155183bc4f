/**
 * Changes to the simulator's tables after the base layout of schema.ts, one migration a step,
 * applied in order at open and never edited once shipped. The version reached is the
 * database's `PRAGMA user_version` (0 is the base layout).
 */
export interface Migration {
  version: number;
  /** What the step is for, for the reader and for the error message when it fails. */
  purpose: string;
  sql: string;
}

export const NETWORK_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    purpose: 'account verifications (amount 0, status verified), adjustable totals and the 3-D Secure authentication of an authorization',
    // SQLite cannot change a CHECK constraint in place: the table is rebuilt and its rows copied.
    // `requested_amount` keeps the amount first asked for, which idempotency compares, while
    // `amount` follows approved adjustments.
    sql: `
      CREATE TABLE authorizations_next (
        seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
        id                  TEXT NOT NULL UNIQUE,
        merchant_reference  TEXT NOT NULL UNIQUE,
        card_fingerprint    TEXT NOT NULL,
        card_last4          TEXT NOT NULL,
        requested_amount    INTEGER NOT NULL CHECK (requested_amount >= 0),
        amount              INTEGER NOT NULL CHECK (amount >= 0),
        currency            TEXT NOT NULL,
        response_code       TEXT NOT NULL,
        authorization_code  TEXT,
        message             TEXT NOT NULL,
        status              TEXT NOT NULL CHECK (status IN ('approved', 'declined', 'reversed', 'settled', 'verified')),
        held_amount         INTEGER NOT NULL CHECK (held_amount >= 0),
        settled_amount      INTEGER NOT NULL DEFAULT 0 CHECK (settled_amount >= 0),
        refunded_amount     INTEGER NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0 AND refunded_amount <= settled_amount),
        settlement_batch_id TEXT,
        authentication_id   TEXT,
        created_at_ms       INTEGER NOT NULL,
        updated_at_ms       INTEGER NOT NULL
      ) STRICT;
      INSERT INTO authorizations_next (seq, id, merchant_reference, card_fingerprint, card_last4, requested_amount, amount,
          currency, response_code, authorization_code, message, status, held_amount, settled_amount, refunded_amount,
          settlement_batch_id, created_at_ms, updated_at_ms)
        SELECT seq, id, merchant_reference, card_fingerprint, card_last4, amount, amount,
          currency, response_code, authorization_code, message, status, held_amount, settled_amount, refunded_amount,
          settlement_batch_id, created_at_ms, updated_at_ms
        FROM authorizations;
      DROP TABLE authorizations;
      ALTER TABLE authorizations_next RENAME TO authorizations;
      CREATE INDEX authorizations_card ON authorizations (card_fingerprint, currency);

      CREATE TABLE authentications (
        seq                INTEGER PRIMARY KEY AUTOINCREMENT,
        id                 TEXT NOT NULL UNIQUE,
        merchant_reference TEXT NOT NULL UNIQUE,
        card_fingerprint   TEXT NOT NULL,
        card_brand         TEXT NOT NULL,
        card_last4         TEXT NOT NULL,
        amount             INTEGER NOT NULL CHECK (amount > 0),
        currency           TEXT NOT NULL,
        return_url         TEXT NOT NULL,
        merchant_name      TEXT NOT NULL,
        status             TEXT NOT NULL CHECK (status IN ('authenticated', 'challenge_required', 'failed')),
        created_at_ms      INTEGER NOT NULL,
        updated_at_ms      INTEGER NOT NULL
      ) STRICT;

      -- Adjustments of card and points holds alike; authorization ids never collide (auth_… and pts_…).
      CREATE TABLE hold_adjustments (
        seq              INTEGER PRIMARY KEY AUTOINCREMENT,
        authorization_id TEXT NOT NULL,
        reference        TEXT NOT NULL,
        amount           INTEGER NOT NULL CHECK (amount > 0),
        response_code    TEXT NOT NULL,
        message          TEXT NOT NULL,
        at_ms            INTEGER NOT NULL,
        UNIQUE (authorization_id, reference)
      ) STRICT;
    `,
  },
  {
    version: 2,
    purpose: 'the loyalty-points provider: accounts, holds, and points refunds in the refunds table',
    sql: `
      CREATE TABLE points_accounts (
        account_id    TEXT PRIMARY KEY,
        -- scrypt:<log2 N>:<r>:<p>:<salt>:<key>, base64; never the PIN itself.
        pin_hash      TEXT NOT NULL,
        balance       INTEGER NOT NULL CHECK (balance >= 0),
        status        TEXT NOT NULL CHECK (status IN ('active', 'blocked')),
        created_at_ms INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE points_authorizations (
        seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
        id                  TEXT NOT NULL UNIQUE,
        merchant_reference  TEXT NOT NULL UNIQUE,
        account_id          TEXT NOT NULL,
        requested_amount    INTEGER NOT NULL CHECK (requested_amount > 0),
        amount              INTEGER NOT NULL CHECK (amount > 0),
        currency            TEXT NOT NULL,
        response_code       TEXT NOT NULL,
        authorization_code  TEXT,
        message             TEXT NOT NULL,
        status              TEXT NOT NULL CHECK (status IN ('approved', 'declined', 'reversed', 'settled')),
        held_amount         INTEGER NOT NULL CHECK (held_amount >= 0),
        settled_amount      INTEGER NOT NULL DEFAULT 0 CHECK (settled_amount >= 0),
        refunded_amount     INTEGER NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0 AND refunded_amount <= settled_amount),
        settlement_batch_id TEXT,
        created_at_ms       INTEGER NOT NULL,
        updated_at_ms       INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX points_authorizations_account ON points_authorizations (account_id);

      ALTER TABLE refunds ADD COLUMN method TEXT NOT NULL DEFAULT 'card' CHECK (method IN ('card', 'points'));
    `,
  },
];
