/**
 * The card vault on its own SQLite file (DATA_DIR/vault.sqlite): apart from the payments, with
 * `secure_delete` on, so that an erased number or a destroyed key is overwritten with zeros in
 * the file rather than left in free space; and after each erasure a checkpoint that truncates the
 * write-ahead log, where the page with the old bytes would otherwise stay until overwritten.
 * Writers take turns (`BEGIN IMMEDIATE`), so no other lock is needed.
 */
import assert from 'node:assert/strict';
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { inTransaction, openSqliteDatabase } from '../../storage/sqlite/database.ts';
import type {
  CardRecord, CardRepository, CardRequestRepository, InsertCardCommand, InsertCardResult, KeyRepository, VaultStore,
} from '../store.ts';
import { cardColumns, cardFromRow, keyFromRow, requestFromRow, sealedCardFromRow, type Row } from './rows.ts';
import { VAULT_SQLITE_MIGRATIONS } from './sqlite-migrations.ts';

export const VAULT_SQLITE_FILE_NAME = 'vault.sqlite';

/**
 * Copies every page of the write-ahead log into the file and empties the log, so that page
 * images holding erased bytes are gone from both. While another connection (the key-rotation
 * command, say) is reading, the log cannot be emptied; the next erasure's checkpoint does it.
 */
function truncateLog(database: DatabaseSync): void {
  database.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get();
}

type Statements = ReturnType<typeof prepareStatements>;

function prepareStatements(database: DatabaseSync) {
  return {
    activeKey: database.prepare("SELECT id, wrapped FROM vault_keys WHERE state = 'active'"),
    isActive: database.prepare("SELECT 1 AS active FROM vault_keys WHERE id = ? AND state = 'active'"),
    insertKey: database.prepare("INSERT INTO vault_keys (id, wrapped, state, created_at) VALUES (?, ?, 'active', ?)"),
    anyRetiring: database.prepare("SELECT 1 AS retiring FROM vault_keys WHERE state = 'retiring' LIMIT 1"),
    retireActive: database.prepare("UPDATE vault_keys SET state = 'retiring' WHERE state = 'active'"),
    destroyRetired: database.prepare(`UPDATE vault_keys SET state = 'destroyed', wrapped = NULL, destroyed_at = ?
      WHERE state = 'retiring' AND NOT EXISTS (SELECT 1 FROM vault_cards WHERE vault_cards.key_id = vault_keys.id) RETURNING id`),
    listKeys: database.prepare('SELECT * FROM vault_keys ORDER BY created_at, id'),
    sameCard: database.prepare(`SELECT ${cardColumns()} FROM vault_cards
      WHERE customer_id = ? AND fingerprint = ? AND exp_month = ? AND exp_year = ? AND deleted_at IS NULL`),
    insertCard: database.prepare(`INSERT INTO vault_cards (id, customer_id, key_id, ciphertext, fingerprint, brand, last4, exp_month,
      exp_year, holder_name, created_at) VALUES (:id, :customerId, :keyId, :sealed, :fingerprint, :brand, :last4, :expMonth, :expYear,
      :holderName, :createdAt)`),
    claimHeld: database.prepare('SELECT 1 AS held FROM vault_requests WHERE key = ? AND card_id = ? AND completed = 0'),
    completeRequest: database.prepare('UPDATE vault_requests SET card_id = ?, completed = 1 WHERE key = ? AND card_id = ? AND completed = 0'),
    getCard: database.prepare(`SELECT ${cardColumns()} FROM vault_cards WHERE id = ?`),
    openCard: database.prepare(`SELECT ${cardColumns('c')}, c.ciphertext, k.id AS key_id, k.wrapped FROM vault_cards c
      JOIN vault_keys k ON k.id = c.key_id WHERE c.id = ? AND c.deleted_at IS NULL`),
    cardsOfCustomer: database.prepare(`SELECT ${cardColumns()} FROM vault_cards WHERE customer_id = ? AND deleted_at IS NULL
      ORDER BY created_at DESC, id DESC LIMIT ?`),
    eraseCard: database.prepare(`UPDATE vault_cards SET ciphertext = NULL, key_id = NULL, fingerprint = NULL, deleted_at = ?
      WHERE id = ? AND deleted_at IS NULL`),
    underRetiring: database.prepare(`SELECT ${cardColumns('c')}, c.ciphertext, k.id AS key_id, k.wrapped FROM vault_cards c
      JOIN vault_keys k ON k.id = c.key_id WHERE k.state = 'retiring' AND c.deleted_at IS NULL ORDER BY c.id LIMIT ?`),
    reseal: database.prepare('UPDATE vault_cards SET key_id = ?, ciphertext = ? WHERE id = ? AND key_id = ? AND deleted_at IS NULL'),
    countByKey: database.prepare('SELECT key_id, COUNT(*) AS cards FROM vault_cards WHERE deleted_at IS NULL GROUP BY key_id'),
    claim: database.prepare(`INSERT INTO vault_requests (key, request_hash, card_id, created_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (key) DO NOTHING RETURNING key`),
    getRequest: database.prepare('SELECT * FROM vault_requests WHERE key = ?'),
    takeOver: database.prepare('UPDATE vault_requests SET card_id = ?, created_at = ? WHERE key = ? AND completed = 0 AND created_at = ?'),
    release: database.prepare('DELETE FROM vault_requests WHERE key = ? AND card_id = ? AND completed = 0'),
  };
}

function insertCard(statements: Statements, command: InsertCardCommand): InsertCardResult {
  const { card, requestKey } = command;
  if (!statements.claimHeld.get(requestKey, card.id)) return { kind: 'claim_lost' };
  if (!statements.isActive.get(card.keyId)) return { kind: 'key_not_active' };
  let result: Extract<InsertCardResult, { card: CardRecord }>;
  const same = card.customerId === null ? undefined
    : statements.sameCard.get(card.customerId, card.fingerprint, card.expMonth, card.expYear) as Row | undefined;
  if (same) {
    result = { kind: 'existing', card: cardFromRow(same) };
  } else {
    statements.insertCard.run({ ...card } as Record<string, SQLInputValue>);
    const { keyId: _key, sealed: _sealed, fingerprint: _fingerprint, ...shown } = card;
    result = { kind: 'inserted', card: { ...shown, deletedAt: null } };
  }
  statements.completeRequest.run(result.card.id, requestKey, card.id);
  return result;
}

function keyRepository(database: DatabaseSync, statements: Statements): KeyRepository {
  return {
    activeOrInsert: async (candidate) => inTransaction(database, () => {
      const active = statements.activeKey.get() as Row | undefined;
      if (active) return { id: String(active.id), wrapped: String(active.wrapped) };
      statements.insertKey.run(candidate.id, candidate.wrapped, candidate.createdAt);
      return { id: candidate.id, wrapped: candidate.wrapped };
    }),
    beginRotation: async (candidate) => inTransaction(database, () => {
      if (statements.anyRetiring.get()) {
        const active = statements.activeKey.get() as Row | undefined;
        assert.ok(active, 'a rotation under way has an active key');
        return { kind: 'resumed' as const, active: { id: String(active.id), wrapped: String(active.wrapped) } };
      }
      statements.retireActive.run();
      statements.insertKey.run(candidate.id, candidate.wrapped, candidate.createdAt);
      return { kind: 'started' as const, active: { id: candidate.id, wrapped: candidate.wrapped } };
    }),
    destroyRetired: async ({ now }) => {
      const destroyed = inTransaction(database, () => (statements.destroyRetired.all(now) as Row[]).map((row) => String(row.id)));
      if (destroyed.length > 0) truncateLog(database);
      return destroyed;
    },
    list: async () => (statements.listKeys.all() as Row[]).map(keyFromRow),
  };
}

function cardRepository(database: DatabaseSync, statements: Statements): CardRepository {
  return {
    insert: async (command) => inTransaction(database, () => insertCard(statements, command)),
    get: async (id) => {
      const row = statements.getCard.get(id) as Row | undefined;
      return row ? cardFromRow(row) : null;
    },
    open: async (id) => {
      const row = statements.openCard.get(id) as Row | undefined;
      return row ? sealedCardFromRow(row) : null;
    },
    listOfCustomer: async (customerId, limit) => (statements.cardsOfCustomer.all(customerId, limit) as Row[]).map(cardFromRow),
    erase: async ({ id, now }) => {
      const erased = Number(statements.eraseCard.run(now, id).changes) > 0;
      if (erased) truncateLog(database);
      return erased;
    },
    underRetiringKeys: async (limit) => (statements.underRetiring.all(limit) as Row[]).map(sealedCardFromRow),
    reseal: async ({ toKeyId, cards }) => inTransaction(database, () => {
      assert.ok(statements.isActive.get(toKeyId), `data key ${toKeyId} is not the active key`);
      let changed = 0;
      for (const card of cards) changed += Number(statements.reseal.run(toKeyId, card.sealed, card.id, card.fromKeyId).changes);
      return changed;
    }),
    countByKey: async () => Object.fromEntries((statements.countByKey.all() as Row[]).map((row) => [String(row.key_id), Number(row.cards)])),
  };
}

function requestRepository(database: DatabaseSync, statements: Statements): CardRequestRepository {
  return {
    claim: async (record) => inTransaction(database, () => {
      if (statements.claim.get(record.key, record.requestHash, record.cardId, record.createdAt)) return { kind: 'claimed' as const };
      return { kind: 'existing' as const, record: requestFromRow(statements.getRequest.get(record.key) as Row) };
    }),
    takeOver: async ({ key, staleCreatedAt, cardId, createdAt }) => Number(statements.takeOver.run(cardId, createdAt, key, staleCreatedAt).changes) > 0,
    release: async ({ key, cardId }) => {
      statements.release.run(key, cardId);
    },
  };
}

export function openSqliteVaultStore(filePath: string): VaultStore {
  const database = openSqliteDatabase(filePath, { migrations: VAULT_SQLITE_MIGRATIONS, secureDelete: true });
  const statements = prepareStatements(database);
  return {
    keys: keyRepository(database, statements),
    cards: cardRepository(database, statements),
    requests: requestRepository(database, statements),
    description: `sqlite:${filePath}`,
    ping: async () => { database.prepare('SELECT 1').get(); },
    close: async () => { if (database.isOpen) database.close(); },
  };
}
