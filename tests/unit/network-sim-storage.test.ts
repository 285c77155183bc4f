/** The simulator's storage: migrations of an existing database, points seeding, and PIN hashes. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { PIN_HASH_COST, hashPin, pinMatches } from '../../card-network-sim/src/pin-hash.ts';
import { NETWORK_MIGRATIONS } from '../../card-network-sim/src/storage/migrations.ts';
import { SCHEMA_SQL } from '../../card-network-sim/src/storage/schema.ts';
import { SEED_POINTS_ACCOUNTS, applyMigrations } from '../../card-network-sim/src/storage/store.ts';
import { POINTS_ACCOUNTS, TEST_PIN_HASH_COST, openTestStore } from '../helpers/network-sim.ts';

let dataDir: string;
let databasePath: string;

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cardlane-sim-storage-'));
  databasePath = path.join(dataDir, 'card-network.sqlite');
});

afterEach(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** A database as the simulator left it before migrations existed, with one approval and one refund. */
function writeBaseLayoutDatabase(): void {
  const database = new DatabaseSync(databasePath);
  database.exec(SCHEMA_SQL);
  database.prepare(`INSERT INTO authorizations (id, merchant_reference, card_fingerprint, card_last4, amount, currency, response_code,
    authorization_code, message, status, held_amount, settled_amount, created_at_ms, updated_at_ms)
    VALUES ('auth_old', 'pay_old', 'fp', '4242', 2500, 'USD', '00', 'OLD123', 'approved', 'settled', 0, 2500, 1, 2)`).run();
  database.prepare(`INSERT INTO refunds (merchant_reference, original_merchant_reference, amount, currency, settlement_batch_id, settled_at_ms)
    VALUES ('re_old', 'pay_old', 500, 'USD', 'run-1-1', 3)`).run();
  database.close();
}

describe('migrations', () => {
  test('when a database of the base layout is opened, then its rows are kept and it reaches the newest version', () => {
    writeBaseLayoutDatabase();
    const store = openTestStore(databasePath);
    try {
      expect(store.findAuthorizationByReference('pay_old')).toMatchObject({
        id: 'auth_old', amount: 2500, requestedAmount: 2500, status: 'settled', settledAmount: 2500, authenticationId: null,
      });
      expect(store.findSettledRefundReferences(['re_old'])).toEqual(['re_old']);
      store.transaction(() => store.insertAuthorization({
        id: 'auth_new', merchantReference: 'pay_new', cardFingerprint: 'fp', cardLast4: '4242', amount: 0, currency: 'USD',
        responseCode: '85', authorizationCode: null, message: 'no reason to decline', status: 'verified', heldAmount: 0, createdAtMs: 4,
      }));
      expect(store.findAuthorizationByReference('pay_new')).toMatchObject({ status: 'verified', amount: 0 });
    } finally {
      store.close();
    }
    const database = new DatabaseSync(databasePath);
    const { user_version: version } = database.prepare('PRAGMA user_version').get() as { user_version: number };
    const nextSeq = database.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'authorizations'").get() as { seq: number };
    database.close();
    expect(version).toBe(NETWORK_MIGRATIONS.at(-1)?.version);
    expect(nextSeq.seq).toBe(2);
  });

  test('when a migrated database is opened again, then nothing is migrated or seeded twice', () => {
    const first = openTestStore(databasePath);
    first.transaction(() => first.points.insertAccountIfMissing({ accountId: 'PTS-EXTRA', pinHash: 'scrypt:4:8:1:AA==:AA==', balance: 7, status: 'active' }, 0));
    first.close();
    const second = openTestStore(databasePath);
    try {
      expect(second.points.findAccount('PTS-EXTRA')).toMatchObject({ balance: 7 });
      expect(second.points.findAccount(POINTS_ACCOUNTS.rich)).toMatchObject({ balance: 100_000 });
    } finally {
      second.close();
    }
  });

  test('when a database is newer than this simulator, then it is refused rather than misread', () => {
    const database = new DatabaseSync(databasePath);
    database.exec('PRAGMA user_version = 999');

    expect(() => applyMigrations(database)).toThrow(/version 999/);
    database.close();
  });

  test('when a migration fails, then it is rolled back and named in the error', () => {
    const database = new DatabaseSync(databasePath);
    const broken = [{ version: 1, purpose: 'a broken step', sql: 'CREATE TABLE kept_out (id INTEGER); SELECT * FROM no_such_table;' }];

    expect(() => applyMigrations(database, broken)).toThrow(/migration 1 \(a broken step\) failed/);
    expect(database.prepare("SELECT name FROM sqlite_master WHERE name = 'kept_out'").get()).toBeUndefined();
    expect((database.prepare('PRAGMA user_version').get() as { user_version: number }).user_version).toBe(0);
    database.close();
  });
});

describe('points accounts at first open', () => {
  test('when a new database is opened, then the three accounts exist with PIN 1234 kept only as a salted scrypt hash', async () => {
    const store = openTestStore(databasePath);
    try {
      const hashes = SEED_POINTS_ACCOUNTS.map((account) => store.points.findAccount(account.accountId)?.pinHash ?? '');
      expect(hashes.every((hash) => hash.startsWith('scrypt:4:8:1:'))).toBe(true);
      expect(new Set(hashes.map((hash) => hash.split(':')[4])).size).toBe(3);
      expect(hashes.some((hash) => hash.includes('1234'))).toBe(false);
      expect(await pinMatches('1234', hashes[0] ?? '')).toBe(true);
      expect(store.points.findAccount(POINTS_ACCOUNTS.blocked)).toMatchObject({ status: 'blocked' });
    } finally {
      store.close();
    }
  });
});

describe('PIN hashes', () => {
  test('when a PIN is hashed at the default cost, then the hash names that cost and only that PIN matches', async () => {
    const stored = hashPin('1234');

    expect(stored).toMatch(new RegExp(`^scrypt:${PIN_HASH_COST.log2N}:${PIN_HASH_COST.blockSize}:${PIN_HASH_COST.parallelization}:`));
    expect(await pinMatches('1234', stored)).toBe(true);
    expect(await pinMatches('1235', stored)).toBe(false);
    expect(await pinMatches('12345', stored)).toBe(false);
  });

  test('when the same PIN is hashed twice, then the salts and keys differ', () => {
    expect(hashPin('1234', TEST_PIN_HASH_COST)).not.toBe(hashPin('1234', TEST_PIN_HASH_COST));
  });

  test.each([
    ['another scheme', 'bcrypt:4:8:1:AA==:AA=='],
    ['a cost beyond the bound', 'scrypt:30:8:1:AA==:AA=='],
    ['missing parts', 'scrypt:4:8'],
  ])('when a stored hash has %s, then verifying it throws instead of guessing', async (_what, stored) => {
    await expect(pinMatches('1234', stored)).rejects.toThrow('a stored PIN hash is malformed');
  });
});
