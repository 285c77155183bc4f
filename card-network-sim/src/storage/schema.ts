/**
 * The simulator's tables, created at open. Times are integer milliseconds since the epoch
 * (compared in SQL and formatted as ISO 8601 at the edge); amounts are integer minor units.
 * No column ever holds a card number or CVV: a card is its HMAC fingerprint plus last four.
 */
export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS simulator_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS authorizations (
  seq                INTEGER PRIMARY KEY AUTOINCREMENT,
  id                 TEXT NOT NULL UNIQUE,
  merchant_reference TEXT NOT NULL UNIQUE,
  card_fingerprint   TEXT NOT NULL,
  card_last4         TEXT NOT NULL,
  amount             INTEGER NOT NULL CHECK (amount > 0),
  currency           TEXT NOT NULL,
  response_code      TEXT NOT NULL,
  authorization_code TEXT,
  message            TEXT NOT NULL,
  status             TEXT NOT NULL CHECK (status IN ('approved', 'declined', 'reversed', 'settled')),
  held_amount        INTEGER NOT NULL CHECK (held_amount >= 0),
  settled_amount     INTEGER NOT NULL DEFAULT 0 CHECK (settled_amount >= 0),
  refunded_amount    INTEGER NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0 AND refunded_amount <= settled_amount),
  settlement_batch_id TEXT,
  created_at_ms      INTEGER NOT NULL,
  updated_at_ms      INTEGER NOT NULL
) STRICT;

-- Open holds and settled spend of one card in one currency, for the credit-limit check.
-- Deliberately without status and amounts: settling thousands of rows then changes no index
-- entry, and an account card has few authorizations to sum (test cards skip the limit check).
CREATE INDEX IF NOT EXISTS authorizations_card
  ON authorizations (card_fingerprint, currency);
DROP INDEX IF EXISTS authorizations_card_holds;

-- A card's settled spend is summed from its authorizations (settled minus refunded), so a
-- batch writes no per-card rows. This table of an earlier layout is gone.
DROP TABLE IF EXISTS card_spend;

CREATE TABLE IF NOT EXISTS refunds (
  merchant_reference          TEXT PRIMARY KEY,
  original_merchant_reference TEXT NOT NULL,
  amount                      INTEGER NOT NULL CHECK (amount > 0),
  currency                    TEXT NOT NULL,
  settlement_batch_id         TEXT NOT NULL,
  settled_at_ms               INTEGER NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS settlement_batches (
  batch_id       TEXT PRIMARY KEY,
  content_sha256 TEXT NOT NULL,
  response_json  TEXT NOT NULL,
  received_at_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS merchant_deposits (
  seq      INTEGER PRIMARY KEY AUTOINCREMENT,
  batch_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  amount   INTEGER NOT NULL,
  at_ms    INTEGER NOT NULL,
  UNIQUE (batch_id, currency)
) STRICT;

CREATE TABLE IF NOT EXISTS merchant_balances (
  currency TEXT PRIMARY KEY,
  amount   INTEGER NOT NULL
) STRICT;
`;
