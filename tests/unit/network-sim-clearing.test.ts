/** The simulator's clearing house, driven directly: content hashing, report invariants, atomicity. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCardFingerprinter } from '../../card-network-sim/src/card-fingerprint.ts';
import { ClearingHouse, assertReportConsistent, batchContentSha256 } from '../../card-network-sim/src/clearing.ts';
import type { NetworkStore } from '../../card-network-sim/src/storage/store.ts';
import type { SettlementBatchItem, SettlementBatchResponse } from '../../shared/contracts/network.ts';
import { ManualClock, openTestStore } from '../helpers/network-sim.ts';

let store: NetworkStore;
let clock: ManualClock;
let dataDir: string;

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cardlane-clearing-'));
  store = openTestStore(path.join(dataDir, 'card-network.sqlite'));
  clock = new ManualClock();
});

afterEach(() => {
  store.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function clearingHouse(): ClearingHouse {
  return new ClearingHouse({ store, clock: clock.now, fingerprintCard: createCardFingerprinter(store.cardSecret), authorizationTtlMs: 168 * 3_600_000 });
}

function approve(merchantReference: string, amount: number): SettlementBatchItem {
  store.insertAuthorization({
    id: `auth_${merchantReference}`, merchantReference, cardFingerprint: 'card', cardLast4: '4242', amount, currency: 'USD',
    responseCode: '00', authorizationCode: 'ABC123', message: 'approved', status: 'approved', heldAmount: amount,
    createdAtMs: clock.now().getTime(),
  });
  return { merchantReference, authorizationCode: 'ABC123', amount, currency: 'USD', type: 'sale' };
}

const sale: SettlementBatchItem = { merchantReference: 'a', authorizationCode: 'ABC123', amount: 100, currency: 'USD', type: 'sale' };

describe('batchContentSha256', () => {
  const fingerprint = createCardFingerprinter('secret');

  test('when the same items are hashed twice, then the hashes are equal', () => {
    expect(batchContentSha256([sale], fingerprint)).toBe(batchContentSha256([{ ...sale }], fingerprint));
  });

  test('when an amount, the order or a card number differs, then the hash differs', () => {
    const other = { ...sale, merchantReference: 'b' };
    const base = batchContentSha256([sale, other], fingerprint);

    expect(batchContentSha256([sale, { ...other, amount: 101 }], fingerprint)).not.toBe(base);
    expect(batchContentSha256([other, sale], fingerprint)).not.toBe(base);
    expect(batchContentSha256([{ ...sale, card: { number: '4242424242424242' } }], fingerprint))
      .not.toBe(batchContentSha256([{ ...sale, card: { number: '5555555555554444' } }], fingerprint));
  });

  test('when a full card number is present, then it enters only through the keyed fingerprint', () => {
    const item = { ...sale, card: { number: '4242424242424242' } };

    expect(batchContentSha256([item], createCardFingerprinter('one'))).not.toBe(batchContentSha256([item], createCardFingerprinter('two')));
  });
});

describe('assertReportConsistent', () => {
  const report: SettlementBatchResponse = {
    batchId: 'run-1-1', receivedAt: '2026-03-01T12:00:00.000Z', itemCount: 2, settledCount: 1, rejectedCount: 1,
    totals: { USD: { sales: 100, refunds: 0, net: 100 } },
    items: [
      { merchantReference: 'a', type: 'sale', amount: 100, currency: 'USD', status: 'settled' },
      { merchantReference: 'b', type: 'sale', amount: 50, currency: 'USD', status: 'rejected', reason: 'unknown_authorization' },
    ],
  };

  test('when totals and counts match the items, then it passes', () => {
    expect(() => assertReportConsistent(report)).not.toThrow();
  });

  test.each([
    ['a total that counts a rejected item', { totals: { USD: { sales: 150, refunds: 0, net: 150 } } }],
    ['a net that is not sales minus refunds', { totals: { USD: { sales: 100, refunds: 0, net: 90 } } }],
    ['a wrong settled count', { settledCount: 2, rejectedCount: 0 }],
    ['a wrong item count', { itemCount: 3 }],
  ])('when the report has %s, then it throws', (_what, change) => {
    expect(() => assertReportConsistent({ ...report, ...change })).toThrow();
  });
});

describe('ClearingHouse.settleBatch', () => {
  test('when writing the batch fails at the end, then nothing of it is kept: no settlement, no deposit, no balance', () => {
    const item = approve('pay-1', 500);
    jest.spyOn(store, 'insertBatch').mockImplementation(() => {
      throw new Error('disk full');
    });

    expect(() => clearingHouse().settleBatch({ batchId: 'run-1-1', items: [item] })).toThrow('disk full');
    expect(store.findAuthorizationByReference('pay-1')).toMatchObject({ status: 'approved', heldAmount: 500, settledAmount: 0 });
    expect(store.merchantDeposits()).toEqual([]);
    expect(store.merchantBalances()).toEqual([]);
    expect(store.findBatch('run-1-1')).toBeUndefined();
  });

  test('when a batch is settled, then the stored answer is the returned answer and a replay moves nothing', () => {
    const item = approve('pay-2', 700);
    const subject = clearingHouse();
    const first = subject.settleBatch({ batchId: 'run-2-1', items: [item] });
    const replay = subject.settleBatch({ batchId: 'run-2-1', items: [item] });

    expect(first).toMatchObject({ replayed: false, settledCount: 1, rejectedCount: 0 });
    expect(replay).toEqual({ ...first, replayed: true });
    expect(subject.findBatchJson('run-2-1')).toBe(first.responseJson);
    expect(store.merchantBalances()).toEqual([{ currency: 'USD', amount: 700 }]);
  });

  test('when sales and a refund of one card settle, then the card\'s spend is their net', () => {
    const subject = clearingHouse();
    const first = approve('pay-3', 300);
    subject.settleBatch({ batchId: 'run-3-1', items: [first, approve('pay-4', 200)] });
    subject.settleBatch({ batchId: 'run-3-2', items: [{ ...first, merchantReference: 'refund-1', originalMerchantReference: 'pay-3', amount: 120, type: 'refund' }] });

    expect(store.cardSpentAmount('card', 'USD')).toBe(380);
  });
});
