/**
 * Schema of the card vault's own SQLite file (DATA_DIR/vault.sqlite), one migration a step,
 * applied in order and never edited once shipped. Its numbers are its own, apart from the
 * processing database's.
 *
 * - `vault_keys`: the data keys, each stored only wrapped by the key-encryption key; at most one
 *   is active (a partial unique index). A destroyed key keeps its row, without its bytes.
 * - `vault_cards`: each saved card's number sealed under a data key (`key_id` beside the
 *   ciphertext), its fingerprint for the spending limit, and what may be shown of it. A deleted
 *   card keeps its row, without its number, key or fingerprint. A customer keeps a card once per
 *   expiry (the partial unique index on live cards).
 * - `vault_requests`: the idempotency records of card creations.
 */
import type { Migration } from '../../storage/sqlite/database.ts';

export const VAULT_SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE vault_keys (
        id TEXT PRIMARY KEY,
        wrapped TEXT,
        state TEXT NOT NULL CHECK (state IN ('active', 'retiring', 'destroyed')),
        created_at TEXT NOT NULL,
        destroyed_at TEXT,
        CHECK ((state = 'destroyed') = (wrapped IS NULL))
      );
      CREATE UNIQUE INDEX vault_keys_one_active ON vault_keys (state) WHERE state = 'active';
      CREATE TABLE vault_cards (
        id TEXT PRIMARY KEY,
        customer_id TEXT,
        key_id TEXT REFERENCES vault_keys (id),
        ciphertext TEXT,
        fingerprint TEXT,
        brand TEXT NOT NULL,
        last4 TEXT NOT NULL,
        exp_month INTEGER NOT NULL CHECK (exp_month BETWEEN 1 AND 12),
        exp_year INTEGER NOT NULL,
        holder_name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        deleted_at TEXT,
        CHECK ((deleted_at IS NULL AND ciphertext IS NOT NULL AND key_id IS NOT NULL AND fingerprint IS NOT NULL)
          OR (deleted_at IS NOT NULL AND ciphertext IS NULL AND key_id IS NULL AND fingerprint IS NULL))
      );
      CREATE INDEX vault_cards_customer ON vault_cards (customer_id, created_at) WHERE deleted_at IS NULL;
      CREATE INDEX vault_cards_key ON vault_cards (key_id) WHERE key_id IS NOT NULL;
      CREATE UNIQUE INDEX vault_cards_customer_card ON vault_cards (customer_id, fingerprint, exp_month, exp_year)
        WHERE deleted_at IS NULL AND customer_id IS NOT NULL;
      CREATE TABLE vault_requests (
        key TEXT PRIMARY KEY,
        request_hash TEXT NOT NULL,
        card_id TEXT NOT NULL,
        completed INTEGER NOT NULL DEFAULT 0 CHECK (completed IN (0, 1)),
        created_at TEXT NOT NULL
      );
    `,
  },
];
