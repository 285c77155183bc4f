/**
 * The lifecycle table decides every status change, in every store: each legal transition is
 * applied by the store's compare-and-set, each illegal one is refused by the table before
 * anything is written, on SQLite and on PostgreSQL alike.
 */
import { AssertionError } from 'node:assert';
import { PAYMENT_STATUSES, type PaymentStatus } from '../../shared/contracts/processing.ts';
import { PAYMENT_TRANSITIONS, canTransition } from '../../processing-server/src/domain/lifecycle.ts';
import type { Store } from '../../processing-server/src/domain/ports/store.ts';
import { countsAgainstLimit } from '../../processing-server/src/domain/spend-limit.ts';
import { createInput, pendingPayment } from './builders.ts';
import { describeEachStore } from './stores.ts';

jest.setTimeout(30_000);

/** The shortest path of legal transitions from pending to every status it reaches. */
function pathsFromPending(): Map<PaymentStatus, PaymentStatus[]> {
  const paths = new Map<PaymentStatus, PaymentStatus[]>([['pending', []]]);
  const queue: PaymentStatus[] = ['pending'];
  while (queue.length > 0) {
    const from = queue.shift()!;
    for (const to of PAYMENT_TRANSITIONS[from]) {
      if (paths.has(to)) continue;
      paths.set(to, [...paths.get(from)!, to]);
      queue.push(to);
    }
  }
  return paths;
}

const PATHS = pathsFromPending();
const LEGAL = PAYMENT_STATUSES.flatMap((from) => PAYMENT_TRANSITIONS[from].map((to) => [from, to] as const));
const ILLEGAL = PAYMENT_STATUSES.flatMap((from) => PAYMENT_STATUSES.filter((to) => !canTransition(from, to)).map((to) => [from, to] as const));

test('when the lifecycle table is read, then every status but pending is reached from pending, and the terminal ones lead nowhere', () => {
  expect([...PATHS.keys()].sort()).toEqual([...PAYMENT_STATUSES].sort());
  for (const terminal of ['declined', 'voided', 'expired', 'settlement_rejected'] as const) expect(PAYMENT_TRANSITIONS[terminal]).toEqual([]);
  expect(PAYMENT_TRANSITIONS.requires_action).toEqual(['authorized', 'declined', 'failed']);
});

describeEachStore('the lifecycle table in the store', (current) => {
  /** A payment walked along legal transitions to `status`. */
  async function paymentIn(store: Store, status: PaymentStatus): Promise<string> {
    const payment = pendingPayment();
    expect((await store.payments.create(createInput(payment))).kind).toBe('created');
    let from: PaymentStatus = 'pending';
    for (const to of PATHS.get(status)!) {
      expect(await store.payments.transition({ id: payment.id, from: [from], to })).toMatchObject({ status: to });
      from = to;
    }
    return payment.id;
  }

  test.each(LEGAL)('when a payment is %s, then the move to %s is applied', async (from, to) => {
    const { store } = current();
    const id = await paymentIn(store, from);

    const moved = await store.payments.transition({ id, from: [from], to });

    expect(moved).toMatchObject({ status: to });
    if (!countsAgainstLimit(to)) expect(moved?.countedMinor).toBe(0);
    expect(await store.payments.get(id)).toEqual(moved);
  });

  test('when a payment is in every status in turn, then every illegal move is refused by the table and nothing is written', async () => {
    const { store } = current();
    for (const from of PAYMENT_STATUSES) {
      const id = await paymentIn(store, from);
      const before = await store.payments.get(id);
      for (const [, to] of ILLEGAL.filter(([source]) => source === from)) {
        await expect(store.payments.transition({ id, from: [from], to })).rejects.toThrow(AssertionError);
        await expect(store.payments.transition({ id, from: [from], to })).rejects.toThrow(`illegal payment transition ${from} → ${to}`);
      }
      expect(await store.payments.get(id)).toEqual(before);
    }
  });

  test('when a move names no source statuses, then the table supplies them, and a payment in another status is left alone', async () => {
    const { store } = current();
    const declined = await paymentIn(store, 'declined');
    const authorized = await paymentIn(store, 'authorized');

    expect(await store.payments.transition({ id: declined, to: 'captured' })).toBeNull();
    expect(await store.payments.transition({ id: authorized, to: 'captured' })).toMatchObject({ status: 'captured' });
    expect((await store.payments.get(declined))?.status).toBe('declined');
  });

  test('when a set-based expiry names a source the table does not allow, then it is refused before anything is written', async () => {
    const { store } = current();
    const id = await paymentIn(store, 'authorized');

    await expect(store.payments.expireUnbatched({
      change: { from: ['authorized', 'settled'], to: 'expired' }, createdBefore: '2100-01-01T00:00:00.000Z', now: '2100-01-01T00:00:00.000Z',
    })).rejects.toThrow('illegal payment transition settled → expired');
    expect((await store.payments.get(id))?.status).toBe('authorized');
  });
});
