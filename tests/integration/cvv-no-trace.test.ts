/**
 * The CVV and the points PIN leave no trace: the same checkout, run twice on fresh systems that
 * differ only in the CVV (or only in the PIN), stores exactly the same values — every column of
 * every table of the processing database, of the card vault's (a card saved with the CVV, then
 * paid with) and of the card company's (but for the points account's own PIN hash, which the
 * provider keeps by design). Randomness (ids, IVs, keys) and time are made to repeat between the
 * two runs, so that any stored value derived from a secret shows up as a difference.
 */
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import request from 'supertest';
import { AUTH_HEADER, paymentBody, pointsPaymentBody } from '../helpers/processing.ts';
import { createSettlementSystem, type SettlementSystem } from '../helpers/settlement-system.ts';

jest.mock('uuid', () => {
  let sequence = 0;
  return {
    v7: () => {
      sequence += 1;
      return `00000000-0000-7000-8000-${String(sequence).padStart(12, '0')}`;
    },
    resetForTest: () => { sequence = 0; },
  };
});

jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof import('node:crypto')>('node:crypto');
  let sequence = 0;
  const nextBytes = (size: number): Buffer => {
    const chunks: Buffer[] = [];
    for (let length = 0; length < size; length += 32) {
      sequence += 1;
      chunks.push(actual.createHash('sha256').update(`repeatable-${sequence}`).digest());
    }
    return Buffer.concat(chunks).subarray(0, size);
  };
  return {
    ...actual,
    randomBytes: (size: number) => nextBytes(size),
    randomUUID: () => actual.createHash('sha256').update(nextBytes(16)).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/, '$1-$2-$3-$4-$5'),
    resetForTest: () => { sequence = 0; },
  };
});

type Dump = Record<string, unknown[]>;

/** Every row of every table of a SQLite file, in a stable order. */
function dumpDatabase(filePath: string): Dump {
  const database = new DatabaseSync(filePath, { readOnly: true });
  try {
    const tables = (database.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>)
      .map((row) => row.name);
    // Left out, because the processing store works on its writer thread, which the fake timers and
    // the repeatable randomness here do not reach: when a migration was applied, and an event's id
    // (random, made from nothing a request carried). Every other column of the events is compared.
    const columns = (table: string) => {
      if (table === 'schema_migrations') return 'version';
      if (table === 'events') return 'seq, type, payment_id, refund_id, card_id, settlement_id, cause, created_at, data';
      return '*';
    };
    return Object.fromEntries(tables.map((table) => [table, database.prepare(`SELECT ${columns(table)} FROM "${table}" ORDER BY 1`).all()]));
  } finally {
    database.close();
  }
}

function resetRandomness(): void {
  (jest.requireMock('uuid') as { resetForTest(): void }).resetForTest();
  (jest.requireMock('node:crypto') as { resetForTest(): void }).resetForTest();
}

/** One checkout day: a card payment, its repeat, a decline, a card saved (and its repeat) and paid with, a points payment and its repeat, a settlement run; then every stored value. */
async function storedValuesAfterCheckout(cvv: string, pin = '24681357'): Promise<{ processing: Dump; vault: Dump; network: Dump; answers: unknown[] }> {
  resetRandomness();
  let seed = 1;
  // A small linear congruential generator: the simulator's authorization codes repeat between runs.
  const simRandom = (): number => {
    seed = (seed * 48271) % 2147483647;
    return seed / 2147483647;
  };
  const system: SettlementSystem = await createSettlementSystem({ simRandom });
  try {
    const pay = (key: string, card: Record<string, unknown>) =>
      request(system.processing.app).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', key).send(paymentBody({ amount: 4200 }, card));
    const first = await pay('cvv-trace-1', { cvv, expYear: 2031 });
    const repeat = await pay('cvv-trace-1', { cvv, expYear: 2031 });
    const declined = await pay('cvv-trace-2', { cvv, expYear: 2031, number: '4000000000000002' });
    const saveCard = () => request(system.processing.app).post('/v1/cards').set(AUTH_HEADER).set('Idempotency-Key', 'cvv-trace-card')
      .send({ card: { number: '5555555555554444', expMonth: 12, expYear: 2031, cvv, holderName: 'Ada Lovelace' }, customerId: 'cus_trace' });
    const saved = await saveCard();
    const savedRepeat = await saveCard();
    const bySavedCard = await request(system.processing.app).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', 'cvv-trace-3')
      .send({ amount: 1500, currency: 'USD', cardId: saved.body.id, customerId: 'cus_trace' });
    await system.openPointsAccount('PTS-TRACE-0001', 50_000, pin);
    const payPoints = () => request(system.processing.app).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', 'pin-trace-1')
      .send(pointsPaymentBody({ amount: 3100 }, { accountId: 'PTS-TRACE-0001', pin }));
    const points = await payPoints();
    const pointsRepeat = await payPoints();
    const run = await request(system.processing.app).post('/v1/settlements').set(AUTH_HEADER).send();
    expect([first.status, repeat.status, declined.status, saved.status, savedRepeat.status, bySavedCard.status, points.status, pointsRepeat.status, run.status])
      .toEqual([201, 201, 402, 201, 201, 201, 201, 201, 201]);
    return {
      processing: dumpDatabase(path.join(system.processing.dataDir, 'processing.sqlite')),
      vault: dumpDatabase(path.join(system.processing.dataDir, 'vault.sqlite')),
      network: dumpDatabase(system.sim.config.databasePath),
      answers: [first.body, repeat.body, declined.body, saved.body, savedRepeat.body, bySavedCard.body, points.body, pointsRepeat.body, run.body],
    };
  } finally {
    await system.close();
  }
}

describe('the CVV and the points PIN leave no trace', () => {
  beforeAll(() => {
    // Rows record when they were written: the two runs must see the same instant.
    jest.useFakeTimers({
      now: new Date('2026-03-01T12:00:00.000Z'),
      doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
    });
  });

  afterAll(() => {
    jest.useRealTimers();
  });

  test('when only the CVV of a checkout changes, then no stored value of any database changes (processing, card vault, card company)', async () => {
    const withOne = await storedValuesAfterCheckout('123');
    const withAnother = await storedValuesAfterCheckout('987');

    expect(Object.keys(withOne.processing)).toEqual(expect.arrayContaining(['payments', 'idempotency_keys', 'settlement_runs', 'settlement_items']));
    expect(withOne.processing.payments).toHaveLength(4);
    expect(withOne.vault.vault_cards).toHaveLength(1);
    expect(withOne.vault.vault_requests).toHaveLength(1);
    expect(withAnother.processing).toEqual(withOne.processing);
    expect(withAnother.vault).toEqual(withOne.vault);
    expect(withAnother.network).toEqual(withOne.network);
    expect(withAnother.answers).toEqual(withOne.answers);
  });

  test('when only the points PIN of a checkout changes, then no stored value changes but the points account\'s own PIN hash', async () => {
    const withOne = await storedValuesAfterCheckout('123', '24681357');
    const withAnother = await storedValuesAfterCheckout('123', '97531864');

    expect(withOne.processing.payments).toHaveLength(4);
    expect(withAnother.processing).toEqual(withOne.processing);
    expect(withAnother.vault).toEqual(withOne.vault);
    const { points_accounts: accountsOne, ...networkOne } = withOne.network;
    const { points_accounts: accountsAnother, ...networkAnother } = withAnother.network;
    expect(networkAnother).toEqual(networkOne);
    expect(accountsAnother).not.toEqual(accountsOne);
    expect(withAnother.answers).toEqual(withOne.answers);
  });

  test('when the two runs use the same CVV and PIN, then they store the same values (the comparisons above are meaningful)', async () => {
    const once = await storedValuesAfterCheckout('555');
    const again = await storedValuesAfterCheckout('555');

    expect(again.processing).toEqual(once.processing);
    expect(again.vault).toEqual(once.vault);
    expect(again.network).toEqual(once.network);
  });
});
