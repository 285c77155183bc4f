/**
 * The card vault on PostgreSQL: its own tables (vault_keys, vault_cards, vault_requests) in the
 * processing server's database, through a small pool of its own. Transactions run concurrently
 * (READ COMMITTED) here, so the places where that matters take a lock:
 *
 * - A card is inserted only while its data key is active: the insert reads the key row `FOR
 *   SHARE`, and a rotation's retiring of that key (an UPDATE of the row) waits for the insert to
 *   commit. Once the key is retiring, an insert finds it so and the vault seals the number again
 *   under the new key. No card can therefore appear under a key after the rotation looked.
 * - A creation request's claim is read `FOR UPDATE` before its card is inserted, so that a
 *   takeover of an abandoned claim and the original request never both store a card.
 * - Of two candidates for the first active key, or two saves of one card by one customer, one
 *   wins through a partial unique index (`ON CONFLICT … DO NOTHING`), and the other reads it.
 *
 * The pool is created and migrated here, so the vault opens on its own (the key-rotation command
 * opens nothing else); migrations run under the advisory lock and apply once.
 */
import type pg from 'pg';
import {
  createPostgresPool, describePostgresUrl, inTransaction, migratePostgres, queryRows, type Queryable,
} from '../../storage/postgres/database.ts';
import type { WrappedDataKey } from '../envelope.ts';
import type {
  CardRecord, CardRepository, CardRequestRepository, InsertCardCommand, InsertCardResult, KeyRepository, VaultStore,
} from '../store.ts';
import { cardColumns, cardFromRow, keyFromRow, requestFromRow, sealedCardFromRow, type Row } from './rows.ts';

/** Connections of the vault per instance, on top of the payments' pool: its queries are short and few. */
export const VAULT_POOL_SIZE_MAX = 4;

const SEALED_CARD_SELECT = `SELECT ${cardColumns('c')}, c.ciphertext, k.id AS key_id, k.wrapped FROM vault_cards c JOIN vault_keys k ON k.id = c.key_id`;

async function insertCard(client: pg.PoolClient, command: InsertCardCommand): Promise<InsertCardResult> {
  const { card, requestKey } = command;
  const claim = await queryRows(client, 'SELECT 1 FROM vault_requests WHERE key = $1 AND card_id = $2 AND NOT completed FOR UPDATE', [requestKey, card.id]);
  if (claim.length === 0) return { kind: 'claim_lost' };
  const key = await queryRows(client, "SELECT 1 FROM vault_keys WHERE id = $1 AND state = 'active' FOR SHARE", [card.keyId]);
  if (key.length === 0) return { kind: 'key_not_active' };
  const inserted = await queryRows(client, `INSERT INTO vault_cards (id, customer_id, key_id, ciphertext, fingerprint, brand, last4, exp_month,
      exp_year, holder_name, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
    ON CONFLICT (customer_id, fingerprint, exp_month, exp_year) WHERE deleted_at IS NULL AND customer_id IS NOT NULL DO NOTHING
    RETURNING ${cardColumns()}`, [
    card.id, card.customerId, card.keyId, card.sealed, card.fingerprint, card.brand, card.last4, card.expMonth, card.expYear,
    card.holderName, card.createdAt,
  ]);
  let result: Extract<InsertCardResult, { card: CardRecord }>;
  if (inserted[0]) {
    result = { kind: 'inserted', card: cardFromRow(inserted[0]) };
  } else {
    // The conflicting card is committed: ON CONFLICT waited for its transaction.
    const [same] = await queryRows(client, `SELECT ${cardColumns()} FROM vault_cards
      WHERE customer_id = $1 AND fingerprint = $2 AND exp_month = $3 AND exp_year = $4 AND deleted_at IS NULL`,
    [card.customerId, card.fingerprint, card.expMonth, card.expYear]);
    if (!same) throw new Error(`card ${card.id} conflicted with a card that cannot be read`);
    result = { kind: 'existing', card: cardFromRow(same) };
  }
  await client.query('UPDATE vault_requests SET card_id = $1, completed = TRUE WHERE key = $2', [result.card.id, requestKey]);
  return result;
}

/** The active data key, or null when none was made yet. */
async function activeKey(database: Queryable): Promise<WrappedDataKey | null> {
  const [row] = await queryRows(database, "SELECT id, wrapped FROM vault_keys WHERE state = 'active'");
  return row ? { id: String(row.id), wrapped: String(row.wrapped) } : null;
}

function keyRepository(pool: pg.Pool): KeyRepository {
  return {
    async activeOrInsert(candidate) {
      await pool.query(`INSERT INTO vault_keys (id, wrapped, state, created_at) SELECT $1, $2, 'active', $3
        WHERE NOT EXISTS (SELECT 1 FROM vault_keys WHERE state = 'active') ON CONFLICT (state) WHERE state = 'active' DO NOTHING`,
      [candidate.id, candidate.wrapped, candidate.createdAt]);
      const active = await activeKey(pool);
      if (!active) throw new Error('no active data key after inserting one');
      return active;
    },
    beginRotation: (candidate) => inTransaction(pool, async (client) => {
      // Rotations take turns on the active key's row; a rotation under way leaves a key retiring.
      await client.query("SELECT 1 FROM vault_keys WHERE state IN ('active', 'retiring') FOR UPDATE");
      const retiring = await queryRows(client, "SELECT 1 FROM vault_keys WHERE state = 'retiring' LIMIT 1");
      if (retiring.length > 0) {
        const active = await activeKey(client);
        if (!active) throw new Error('a rotation under way has no active key');
        return { kind: 'resumed' as const, active };
      }
      await client.query("UPDATE vault_keys SET state = 'retiring' WHERE state = 'active'");
      const inserted = await queryRows(client, `INSERT INTO vault_keys (id, wrapped, state, created_at) VALUES ($1, $2, 'active', $3)
        ON CONFLICT (state) WHERE state = 'active' DO NOTHING RETURNING id`, [candidate.id, candidate.wrapped, candidate.createdAt]);
      if (inserted.length > 0) return { kind: 'started' as const, active: { id: candidate.id, wrapped: candidate.wrapped } };
      // An empty vault has no row to lock: a save (or another rotation) made the first key meanwhile.
      const active = await activeKey(client);
      if (!active) throw new Error('no active data key after a conflict on it');
      return { kind: 'resumed' as const, active };
    }),
    destroyRetired: async ({ now }) => (await queryRows(pool, `UPDATE vault_keys SET state = 'destroyed', wrapped = NULL, destroyed_at = $1
      WHERE state = 'retiring' AND NOT EXISTS (SELECT 1 FROM vault_cards WHERE vault_cards.key_id = vault_keys.id) RETURNING id`, [now]))
      .map((row) => String(row.id)),
    list: async () => (await queryRows(pool, 'SELECT * FROM vault_keys ORDER BY created_at, id')).map(keyFromRow),
  };
}

function cardRepository(pool: pg.Pool): CardRepository {
  return {
    insert: (command) => inTransaction(pool, (client) => insertCard(client, command)),
    get: async (id) => {
      const [row] = await queryRows(pool, `SELECT ${cardColumns()} FROM vault_cards WHERE id = $1`, [id]);
      return row ? cardFromRow(row) : null;
    },
    open: async (id) => {
      const [row] = await queryRows(pool, `${SEALED_CARD_SELECT} WHERE c.id = $1 AND c.deleted_at IS NULL`, [id]);
      return row ? sealedCardFromRow(row) : null;
    },
    listOfCustomer: async (customerId, limit) => (await queryRows(pool, `SELECT ${cardColumns()} FROM vault_cards
      WHERE customer_id = $1 AND deleted_at IS NULL ORDER BY created_at DESC, id DESC LIMIT $2`, [customerId, limit])).map(cardFromRow),
    erase: async ({ id, now }) => {
      const result = await pool.query(`UPDATE vault_cards SET ciphertext = NULL, key_id = NULL, fingerprint = NULL, deleted_at = $1
        WHERE id = $2 AND deleted_at IS NULL`, [now, id]);
      return (result.rowCount ?? 0) > 0;
    },
    underRetiringKeys: async (limit) => (await queryRows(pool, `${SEALED_CARD_SELECT}
      WHERE k.state = 'retiring' AND c.deleted_at IS NULL ORDER BY c.id LIMIT $1`, [limit])).map(sealedCardFromRow),
    reseal: ({ toKeyId, cards }) => inTransaction(pool, async (client) => {
      const key = await queryRows(client, "SELECT 1 FROM vault_keys WHERE id = $1 AND state = 'active' FOR SHARE", [toKeyId]);
      if (key.length === 0) throw new Error(`data key ${toKeyId} is not the active key`);
      const result = await client.query(`UPDATE vault_cards SET key_id = $1, ciphertext = resealed.sealed
        FROM unnest($2::text[], $3::text[], $4::text[]) AS resealed (id, from_key_id, sealed)
        WHERE vault_cards.id = resealed.id AND vault_cards.key_id = resealed.from_key_id AND vault_cards.deleted_at IS NULL`,
      [toKeyId, cards.map((card) => card.id), cards.map((card) => card.fromKeyId), cards.map((card) => card.sealed)]);
      return result.rowCount ?? 0;
    }),
    countByKey: async () => Object.fromEntries((await queryRows(pool, `SELECT key_id, COUNT(*) AS cards FROM vault_cards
      WHERE deleted_at IS NULL GROUP BY key_id`)).map((row: Row) => [String(row.key_id), Number(row.cards)])),
  };
}

function requestRepository(pool: pg.Pool): CardRequestRepository {
  return {
    async claim(record) {
      const claimed = await queryRows(pool, `INSERT INTO vault_requests (key, request_hash, card_id, created_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT (key) DO NOTHING RETURNING key`, [record.key, record.requestHash, record.cardId, record.createdAt]);
      if (claimed.length > 0) return { kind: 'claimed' };
      const [existing] = await queryRows(pool, 'SELECT * FROM vault_requests WHERE key = $1', [record.key]);
      if (!existing) throw new Error(`the creation request ${record.key} conflicted but cannot be read`);
      return { kind: 'existing', record: requestFromRow(existing) };
    },
    takeOver: async ({ key, staleCreatedAt, cardId, createdAt }) => ((await pool.query(`UPDATE vault_requests SET card_id = $1, created_at = $2
      WHERE key = $3 AND NOT completed AND created_at = $4`, [cardId, createdAt, key, staleCreatedAt])).rowCount ?? 0) > 0,
    release: async ({ key, cardId }) => {
      await pool.query('DELETE FROM vault_requests WHERE key = $1 AND card_id = $2 AND NOT completed', [key, cardId]);
    },
  };
}

export async function openPostgresVaultStore(connectionString: string, options: { poolSizeMax?: number } = {}): Promise<VaultStore> {
  const pool = createPostgresPool({ connectionString, poolSizeMax: options.poolSizeMax ?? VAULT_POOL_SIZE_MAX });
  try {
    await migratePostgres(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  let closed: Promise<void> | null = null;
  return {
    keys: keyRepository(pool),
    cards: cardRepository(pool),
    requests: requestRepository(pool),
    description: describePostgresUrl(connectionString),
    ping: async () => { await pool.query('SELECT 1'); },
    close: () => {
      closed ??= pool.end();
      return closed;
    },
  };
}
