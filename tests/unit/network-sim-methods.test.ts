/**
 * The simulator's newer decisions, driven directly against a real store with an injected clock:
 * account verification, the 3-D Secure requirement, adjustments of a hold, the points provider's
 * decision order, and the challenge's one-time decision.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AccessControlServer, THREE_DS_CARDS, authenticationCovers } from '../../card-network-sim/src/authentication.ts';
import { createCardFingerprinter } from '../../card-network-sim/src/card-fingerprint.ts';
import { reversalChange, type HoldRow } from '../../card-network-sim/src/holds.ts';
import { Issuer, TEST_CARD_OUTCOMES } from '../../card-network-sim/src/issuer.ts';
import { PointsProvider } from '../../card-network-sim/src/points.ts';
import type { AuthenticationRow } from '../../card-network-sim/src/storage/authentication-store.ts';
import type { NetworkStore } from '../../card-network-sim/src/storage/store.ts';
import type { CardAuthorizationRequest } from '../../shared/contracts/network.ts';
import { ACCOUNT_CARDS, ManualClock, POINTS_ACCOUNTS, POINTS_PIN, START_TIME, TEST_CARDS, openTestStore } from '../helpers/network-sim.ts';

const TTL_MS = 168 * 3_600_000;

let store: NetworkStore;
let clock: ManualClock;
let dataDir: string;

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cardlane-methods-'));
  store = openTestStore(path.join(dataDir, 'card-network.sqlite'));
  clock = new ManualClock();
});

afterEach(() => {
  store.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function issuer(): Issuer {
  return new Issuer({
    store, clock: clock.now, random: () => 0, fingerprintCard: createCardFingerprinter(store.cardSecret), cardCreditLimit: '5000.00', authorizationTtlMs: TTL_MS,
  });
}

function points(): PointsProvider {
  return new PointsProvider({ store, clock: clock.now, random: () => 0, authorizationTtlMs: TTL_MS, pointsCurrency: 'USD' });
}

function accessControl(): AccessControlServer {
  return new AccessControlServer({ store, clock: clock.now, fingerprintCard: createCardFingerprinter(store.cardSecret), publicUrl: () => 'http://acs.test' });
}

let counter = 0;
function card(overrides: Partial<CardAuthorizationRequest> & { cardNumber?: string } = {}): CardAuthorizationRequest {
  const { cardNumber, ...rest } = overrides;
  counter += 1;
  return {
    merchantReference: `ref-${counter}`, amount: 1000, currency: 'USD',
    card: { number: cardNumber ?? ACCOUNT_CARDS[0], expMonth: 12, expYear: 2030, cvv: '123' }, ...rest,
  };
}

function hold(overrides: Partial<HoldRow> = {}): HoldRow {
  return {
    id: 'auth_1', merchantReference: 'ref', amount: 1000, currency: 'USD', responseCode: '00', authorizationCode: 'ABC123',
    message: 'approved', status: 'approved', heldAmount: 1000, settledAmount: 0, refundedAmount: 0,
    createdAtMs: START_TIME.getTime(), updatedAtMs: START_TIME.getTime(), ...overrides,
  };
}

describe('the test cards', () => {
  test('when the 3-D Secure cards are read, then both are Luhn-valid approving test cards', () => {
    for (const number of THREE_DS_CARDS.keys()) expect(TEST_CARD_OUTCOMES.get(number)).toBe('00');
  });
});

describe('Issuer: account verification', () => {
  test('when every test card is verified, then only the card-status codes decline and funds never do', () => {
    const subject = issuer();
    const codes = [...TEST_CARD_OUTCOMES.keys()].map((number) => [number, subject.authorize(card({ cardNumber: number, amount: 0 })).response.responseCode]);

    expect(Object.fromEntries(codes)).toEqual({
      [TEST_CARDS.visa]: '85', [TEST_CARDS.mastercard]: '85', [TEST_CARDS.amex]: '85', [TEST_CARDS.insufficientFunds]: '85',
      [TEST_CARDS.challenge]: '85', [TEST_CARDS.frictionless]: '85',
      [TEST_CARDS.doNotHonor]: '05', [TEST_CARDS.expired]: '54', [TEST_CARDS.cvvMismatch]: 'N7', [TEST_CARDS.issuerUnavailable]: '91',
      [TEST_CARDS.lost]: '41', [TEST_CARDS.stolen]: '43',
    });
  });

  test('when a verification is stored, then it is verified with amount 0, no code and nothing held', () => {
    const body = card({ amount: 0 });
    issuer().authorize(body);

    expect(store.findAuthorizationByReference(body.merchantReference)).toMatchObject({
      amount: 0, requestedAmount: 0, status: 'verified', responseCode: '85', authorizationCode: null, heldAmount: 0,
    });
  });
});

describe('Issuer: 3-D Secure', () => {
  function authentication(overrides: Partial<AuthenticationRow> = {}): AuthenticationRow {
    return {
      id: '3ds_1', merchantReference: 'ref-x', cardFingerprint: 'fp', cardBrand: 'visa', cardLast4: '3220', amount: 1000, currency: 'USD',
      returnUrl: 'https://shop.example/back', merchantName: 'shop.example', status: 'authenticated', createdAtMs: 0, updatedAtMs: 0, ...overrides,
    };
  }
  const request = { ...card(), merchantReference: 'ref-x', amount: 1000 };

  test.each([
    ['a matching authenticated authentication', {}, true],
    ['a smaller amount than authenticated', { amount: 1001 }, true],
    ['no authentication', undefined, false],
    ['an open challenge', { status: 'challenge_required' as const }, false],
    ['a failed one', { status: 'failed' as const }, false],
    ['another payment', { merchantReference: 'ref-y' }, false],
    ['another card', { cardFingerprint: 'other' }, false],
    ['another currency', { currency: 'EUR' as const }, false],
    ['a smaller authenticated amount', { amount: 999 }, false],
  ])('when the authorization is checked against %s, then it is covered: %s', (_what, overrides, covered) => {
    const row = overrides === undefined ? undefined : authentication(overrides);

    expect(authenticationCovers(row, request, 'fp')).toBe(covered);
  });

  test('when the challenge card has no authentication, then 1A comes before any other decision and nothing is held', () => {
    const body = card({ cardNumber: TEST_CARDS.challenge, amount: 999_999_999_999 });

    expect(issuer().authorize(body).response).toMatchObject({ responseCode: '1A', message: 'additional customer authentication required' });
    expect(store.findAuthorizationByReference(body.merchantReference)).toMatchObject({ status: 'declined', heldAmount: 0 });
  });

  test('when the card number fails Luhn or is expired, then that is answered before 3-D Secure', () => {
    const subject = issuer();

    expect(subject.authorize(card({ cardNumber: '4000000000003221' })).response.responseCode).toBe('14');
    expect(subject.authorize({ ...card(), card: { number: TEST_CARDS.challenge, expMonth: 1, expYear: 2026, cvv: '123' } }).response.responseCode).toBe('54');
  });
});

describe('holds: reversal arithmetic', () => {
  test.each([
    { what: 'the whole hold', row: hold(), request: {}, change: { heldAmount: 0, status: 'reversed' } },
    { what: 'part of an adjusted total', row: hold({ amount: 1500, heldAmount: 1500 }), request: { amount: 500 }, change: { heldAmount: 1000, status: 'approved' } },
    { what: 'the same part again', row: hold({ amount: 1500, heldAmount: 1000 }), request: { amount: 500 }, change: null },
    { what: 'less than already released', row: hold({ heldAmount: 600 }), request: { amount: 100 }, change: null },
    { what: 'a verification', row: hold({ status: 'verified', amount: 0, heldAmount: 0 }), request: { amount: 500 }, change: null },
    { what: 'a reversed hold', row: hold({ status: 'reversed', heldAmount: 0 }), request: {}, change: null },
    { what: 'an expired hold', row: hold({ createdAtMs: START_TIME.getTime() - TTL_MS - 1 }), request: {}, change: null },
  ])('when $what is reversed, then the change is $change', ({ row, request, change }) => {
    expect(reversalChange(row, request, clock.now().getTime(), TTL_MS)).toEqual(change);
  });

  test.each([
    { what: 'a settled hold', row: hold({ status: 'settled' }), request: {}, code: 'already_settled' },
    { what: 'a declined hold', row: hold({ status: 'declined', heldAmount: 0 }), request: {}, code: 'not_approved' },
    { what: 'more than the total', row: hold(), request: { amount: 1001 }, code: 'validation_failed' },
  ])('when $what is reversed, then it is refused with $code', ({ row, request, code }) => {
    expect(() => reversalChange(row, request, clock.now().getTime(), TTL_MS)).toThrow(expect.objectContaining({ code }));
  });
});

describe('Issuer.adjust', () => {
  test('when an account card is increased, then only the difference counts against the limit', () => {
    const subject = issuer();
    const first = subject.authorize(card({ amount: 300_000 }));

    expect(subject.adjust(first.response.authorizationId, { amount: 500_000, reference: 'a1' }).response.responseCode).toBe('00');
    expect(subject.adjust(first.response.authorizationId, { amount: 500_001, reference: 'a2' }).response.responseCode).toBe('51');
  });

  test('when an approving test card is increased far beyond any limit, then it approves', () => {
    const subject = issuer();
    const first = subject.authorize(card({ cardNumber: TEST_CARDS.amex, amount: 100 }));

    expect(subject.adjust(first.response.authorizationId, { amount: 999_999_999_999, reference: 'a1' }).response).toMatchObject({
      responseCode: '00', amount: 999_999_999_999, heldAmount: 999_999_999_999,
    });
  });

  test('when the write after the decision fails, then neither the total nor the adjustment is kept', () => {
    const subject = issuer();
    const first = subject.authorize(card({ cardNumber: TEST_CARDS.visa, amount: 100 }));
    jest.spyOn(store, 'insertAdjustment').mockImplementation(() => {
      throw new Error('disk full');
    });

    expect(() => subject.adjust(first.response.authorizationId, { amount: 200, reference: 'a1' })).toThrow('disk full');
    expect(store.findAuthorizationById(first.response.authorizationId)).toMatchObject({ amount: 100, heldAmount: 100 });
    expect(store.findAdjustment(first.response.authorizationId, 'a1')).toBeUndefined();
  });
});

describe('PointsProvider: decisions', () => {
  test.each([
    ['unknown account, wrong PIN', { accountId: 'PTS-X', pin: '0000' }, '14'],
    ['blocked account, wrong PIN', { accountId: POINTS_ACCOUNTS.blocked, pin: '0000' }, '55'],
    ['blocked account, right PIN', { accountId: POINTS_ACCOUNTS.blocked, pin: POINTS_PIN }, '05'],
    ['too few points, wrong PIN', { accountId: POINTS_ACCOUNTS.small, pin: '0000', points: 501 }, '55'],
    ['too few points, right PIN', { accountId: POINTS_ACCOUNTS.small, pin: POINTS_PIN, points: 501 }, '51'],
    ['all the points, right PIN', { accountId: POINTS_ACCOUNTS.small, pin: POINTS_PIN, points: 500 }, '00'],
  ])('when %s, then the answer is %s', async (_what, change, code) => {
    counter += 1;
    const outcome = await points().authorize({ merchantReference: `pts-${counter}`, points: 100, ...change });

    expect(outcome.response.responseCode).toBe(code);
  });

  test('when a hold is approved, then the account\'s held points rise and its balance does not move', async () => {
    const subject = points();
    await subject.authorize({ merchantReference: 'pts-held', accountId: POINTS_ACCOUNTS.small, pin: POINTS_PIN, points: 120 });

    expect(subject.account(POINTS_ACCOUNTS.small)).toEqual({ accountId: POINTS_ACCOUNTS.small, balance: 500, held: 120 });
  });
});

describe('AccessControlServer: the challenge', () => {
  test('when the right code is answered, then it is decided once; a later answer changes nothing', () => {
    const subject = accessControl();
    const { response } = subject.authenticate({
      merchantReference: 'pay-1', amount: 100, currency: 'USD', card: { number: TEST_CARDS.challenge, expMonth: 1, expYear: 2030 }, returnUrl: 'https://shop.example/r',
    });

    expect(subject.answerChallenge(response.authenticationId, { code: '123456', cancelled: false })).toMatchObject({ decidedNow: true, row: { status: 'authenticated' } });
    expect(subject.answerChallenge(response.authenticationId, { code: '000000', cancelled: false })).toMatchObject({ decidedNow: false, row: { status: 'authenticated' } });
    expect(subject.answerChallenge('3ds_unknown', { code: '123456', cancelled: false })).toBeUndefined();
  });

  test('when the challenge is cancelled with the right code typed, then it fails', () => {
    const subject = accessControl();
    const { response } = subject.authenticate({
      merchantReference: 'pay-2', amount: 100, currency: 'USD', card: { number: TEST_CARDS.challenge, expMonth: 1, expYear: 2030 }, returnUrl: 'https://shop.example/r',
    });

    expect(subject.answerChallenge(response.authenticationId, { code: '123456', cancelled: true })?.row.status).toBe('failed');
  });
});
