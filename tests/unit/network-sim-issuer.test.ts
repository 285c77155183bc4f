/** The simulator's issuer, driven directly against a real store with an injected clock and randomness. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCardFingerprinter } from '../../card-network-sim/src/card-fingerprint.ts';
import { Issuer, TEST_CARD_OUTCOMES } from '../../card-network-sim/src/issuer.ts';
import type { NetworkStore } from '../../card-network-sim/src/storage/store.ts';
import { luhnValid } from '../../shared/cards.ts';
import type { AuthorizationRequest } from '../../shared/contracts/network.ts';
import { ACCOUNT_CARDS, ManualClock, TEST_CARDS, openTestStore } from '../helpers/network-sim.ts';

const TTL_MS = 168 * 3_600_000;

let store: NetworkStore;
let clock: ManualClock;
let dataDir: string;

function issuer(random: () => number = Math.random, cardCreditLimit = '5000.00'): Issuer {
  return new Issuer({
    store, clock: clock.now, random, fingerprintCard: createCardFingerprinter(store.cardSecret), cardCreditLimit, authorizationTtlMs: TTL_MS,
  });
}

function request(overrides: Partial<AuthorizationRequest> & { cardNumber?: string } = {}): AuthorizationRequest {
  const { cardNumber, ...rest } = overrides;
  return {
    merchantReference: `ref-${Math.random().toString(36).slice(2)}`,
    amount: 1000,
    currency: 'USD',
    card: { number: cardNumber ?? ACCOUNT_CARDS[0], expMonth: 12, expYear: 2030, cvv: '123' },
    ...rest,
  };
}

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cardlane-issuer-'));
  store = openTestStore(path.join(dataDir, 'card-network.sqlite'));
  clock = new ManualClock();
});

afterEach(() => {
  store.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('Issuer.authorize', () => {
  test('when the test-card table is read, then every number in it is Luhn-valid', () => {
    expect([...TEST_CARD_OUTCOMES.keys()].filter((number) => !luhnValid(number))).toEqual([]);
  });

  test('when a stored 91 exists for a card whose issuer is back, then the repeat approves in the same record', () => {
    const body = request({ amount: 2500 });
    const fingerprint = createCardFingerprinter(store.cardSecret)(body.card.number);
    store.insertAuthorization({
      id: 'auth_outage', merchantReference: body.merchantReference, cardFingerprint: fingerprint, cardLast4: '1111', amount: 2500,
      currency: 'USD', responseCode: '91', authorizationCode: null, message: 'issuer unavailable', status: 'declined', heldAmount: 0,
      createdAtMs: clock.now().getTime() - 1000,
    });

    const outcome = issuer().authorize(body);

    expect(outcome).toMatchObject({ decided: true, response: { authorizationId: 'auth_outage', responseCode: '00' } });
    expect(store.findAuthorizationByReference(body.merchantReference)).toMatchObject({ status: 'approved', heldAmount: 2500 });
  });

  test('when a stored 96 is repeated with another amount, then it is still a reused reference', () => {
    const body = request();
    const fingerprint = createCardFingerprinter(store.cardSecret)(body.card.number);
    store.insertAuthorization({
      id: 'auth_96', merchantReference: body.merchantReference, cardFingerprint: fingerprint, cardLast4: '1111', amount: body.amount,
      currency: 'USD', responseCode: '96', authorizationCode: null, message: 'system malfunction', status: 'declined', heldAmount: 0,
      createdAtMs: clock.now().getTime(),
    });

    expect(() => issuer().authorize({ ...body, amount: body.amount + 1 })).toThrow(expect.objectContaining({ code: 'merchant_reference_reused', status: 409 }));
  });

  test('when a final answer is repeated, then it is replayed without a new decision', () => {
    const body = request({ cardNumber: TEST_CARDS.visa });
    const first = issuer(() => 0).authorize(body);
    const repeat = issuer(() => 0.99).authorize(body);

    expect(first).toMatchObject({ decided: true, response: { authorizationCode: 'AAAAAA' } });
    expect(repeat).toEqual({ decided: false, response: first.response });
  });

  test('when the injected randomness is at its top, then the authorization code stays in the alphabet', () => {
    const outcome = issuer(() => 0.999_999_999).authorize(request({ cardNumber: TEST_CARDS.visa }));

    expect(outcome.response.authorizationCode).toBe('999999');
  });

  test('when the currency has no minor unit, then the limit converts to it (5000.00 → 5000 JPY)', () => {
    const subject = issuer();

    expect(subject.authorize(request({ amount: 5000, currency: 'JPY' })).response.responseCode).toBe('00');
    expect(subject.authorize(request({ amount: 1, currency: 'JPY' })).response.responseCode).toBe('51');
  });

  test('when the currency has three decimals, then the limit converts to it (5000.00 → 5000000 KWD fils)', () => {
    const subject = issuer();

    expect(subject.authorize(request({ amount: 5_000_000, currency: 'KWD' })).response.responseCode).toBe('00');
    expect(subject.authorize(request({ amount: 1, currency: 'KWD' })).response.responseCode).toBe('51');
  });

  test('when earlier holds have expired, then they no longer count against the limit', () => {
    const subject = issuer();
    subject.authorize(request({ amount: 500_000 }));
    clock.advanceHours(169);

    expect(subject.authorize(request({ amount: 500_000 })).response.responseCode).toBe('00');
  });

  test('when settled spend is on the card, then it counts against the limit', () => {
    const subject = issuer();
    const settled = subject.authorize(request({ amount: 499_000 }));
    const { seq } = store.findAuthorizationById(settled.response.authorizationId) ?? { seq: 0 };
    store.settleSales([{ seq, amount: 499_000 }], 'run-1-1', clock.now().getTime());
    clock.advanceHours(200);

    expect(subject.authorize(request({ amount: 1001 })).response.responseCode).toBe('51');
    expect(subject.authorize(request({ amount: 1000 })).response.responseCode).toBe('00');
  });

  test('when an account card is declined for the limit, then no hold is placed', () => {
    const subject = issuer(Math.random, '10.00');
    const body = request({ amount: 1001 });
    subject.authorize(body);

    expect(store.findAuthorizationByReference(body.merchantReference)).toMatchObject({ responseCode: '51', heldAmount: 0, status: 'declined' });
  });

  test('when the transaction fails after the decision, then nothing is recorded', () => {
    const body = request();
    const insert = store.insertAuthorization.bind(store);
    jest.spyOn(store, 'insertAuthorization').mockImplementation((row) => {
      insert(row);
      throw new Error('disk full');
    });
    const subject = issuer();

    expect(() => subject.authorize(body)).toThrow('disk full');
    expect(store.findAuthorizationByReference(body.merchantReference)).toBeUndefined();
  });
});

describe('Issuer.reverse and the record', () => {
  test('when an approval is read after its lifetime, then it reads as expired with no hold', () => {
    const subject = issuer();
    const body = request({ cardNumber: TEST_CARDS.visa, amount: 300 });
    subject.authorize(body);
    clock.advanceHours(168);
    expect(subject.findByReference(body.merchantReference)).toMatchObject({ status: 'approved', heldAmount: 300 });
    clock.advanceMs(1);

    expect(subject.findByReference(body.merchantReference)).toMatchObject({ status: 'expired', heldAmount: 0 });
  });

  test('when a reversal is asked for more than was authorized, then it throws a validation error naming amount', () => {
    const subject = issuer();
    const { response } = subject.authorize(request({ cardNumber: TEST_CARDS.visa, amount: 300 }));

    expect(() => subject.reverse(response.authorizationId, { amount: 301 })).toThrow(expect.objectContaining({
      status: 400, errors: [expect.objectContaining({ field: 'amount' })],
    }));
  });

  test('when partial reversals follow each other, then the hold is what the largest leaves and never grows back', () => {
    const subject = issuer();
    const { response } = subject.authorize(request({ cardNumber: TEST_CARDS.visa, amount: 100 }));

    expect(subject.reverse(response.authorizationId, { amount: 40 }).heldAmount).toBe(60);
    expect(subject.reverse(response.authorizationId, { amount: 40 }).heldAmount).toBe(60);
    expect(subject.reverse(response.authorizationId, { amount: 20 }).heldAmount).toBe(60);
    expect(subject.reverse(response.authorizationId, { amount: 70 }).heldAmount).toBe(30);
    expect(subject.reverse(response.authorizationId, {}).status).toBe('reversed');
  });
});
