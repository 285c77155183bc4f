/**
 * The payment and idempotency repositories' contract, run against SQLite and PostgreSQL: the same calls give the same
 * answers, and the spending limit and idempotency keys hold under concurrent requests, also
 * through two instances of the store on the same data.
 */
import {
  LIMIT_MINOR, WINDOW_START, at, authorizedPayment, createInput, createRun, newCardFingerprint, newKey, pendingPayment,
} from './builders.ts';
import { describeEachStore } from './stores.ts';

// Each test opens a fresh database and, on PostgreSQL, several pools; parallel test files share two CPUs.
jest.setTimeout(20_000);

describeEachStore('payment repository contract', (current) => {
  const repository = () => current().store.payments;
  const idempotency = () => current().store.idempotency;

  describe('createPayment', () => {
    test('when the card is within its limit, then the payment is stored pending with its idempotency key in flight', async () => {
      const payment = pendingPayment({ amountMinor: 12_345, description: 'two books', orderId: 'order-1' });

      const result = await repository().create(createInput(payment));

      expect(result).toEqual({ kind: 'created', payment });
      expect(await repository().get(payment.id)).toEqual(payment);
      expect(await idempotency().get(payment.idempotencyKey)).toEqual({
        key: payment.idempotencyKey, requestHash: `hash-of-${payment.idempotencyKey}`, paymentId: payment.id,
        outcome: null, response: null, createdAt: payment.createdAt,
      });
    });

    test('when payments reach the limit exactly, then all are created; the next is declined limit_exceeded and counts nothing', async () => {
      const instrumentFingerprint = newCardFingerprint();
      const kinds: string[] = [];
      for (let index = 0; index < 10; index += 1) {
        kinds.push((await repository().create(createInput(pendingPayment({ instrumentFingerprint, amountMinor: 10_000, createdAt: at(index) })))).kind);
      }
      const eleventh = pendingPayment({ instrumentFingerprint, amountMinor: 1, createdAt: at(10) });
      const over = await repository().create(createInput(eleventh));

      expect(kinds).toEqual(Array(10).fill('created'));
      expect(over.kind).toBe('limit_exceeded');
      if (over.kind !== 'limit_exceeded') return;
      expect(over.payment).toMatchObject({ id: eleventh.id, status: 'declined', countedMinor: 0, decline: { code: 'limit_exceeded' } });
      expect(await repository().get(eleventh.id)).toEqual(over.payment);
    });

    test('when older, released, other-currency or other-card payments exist, then only this card\'s live spend in the window counts', async () => {
      const instrumentFingerprint = newCardFingerprint();
      const before = new Date(Date.parse(WINDOW_START) - 1000).toISOString();
      await repository().create(createInput(pendingPayment({ instrumentFingerprint, amountMinor: 90_000, createdAt: before })));
      await repository().create(createInput(pendingPayment({ instrumentFingerprint, amountMinor: 90_000, currency: 'EUR' })));
      await repository().create(createInput(pendingPayment({ amountMinor: 90_000 })));
      const voided = await authorizedPayment(current().store, { instrumentFingerprint, amountMinor: 90_000 });
      await repository().transition({ id: voided.id, from: ['authorized'], to: 'voided', changes: { countedMinor: 0 } });

      const full = await repository().create(createInput(pendingPayment({ instrumentFingerprint, amountMinor: LIMIT_MINOR })));
      const oneMore = await repository().create(createInput(pendingPayment({ instrumentFingerprint, amountMinor: 1 })));

      expect(full.kind).toBe('created');
      expect(oneMore.kind).toBe('limit_exceeded');
    });

    test('when the idempotency key exists, then the first request comes back and nothing new is stored', async () => {
      const first = pendingPayment();
      await repository().create(createInput(first));
      const second = pendingPayment({ idempotencyKey: first.idempotencyKey });

      const result = await repository().create(createInput(second));

      expect(result).toMatchObject({ kind: 'existing', idempotency: { key: first.idempotencyKey, paymentId: first.id, outcome: null } });
      expect(await repository().get(second.id)).toBeNull();
    });

    test('when 50 payments of 100.00 on one card arrive at once with a limit of 1,000.00, then exactly 10 are created', async () => {
      const instrumentFingerprint = newCardFingerprint();
      const payments = Array.from({ length: 50 }, () => pendingPayment({ instrumentFingerprint, amountMinor: 10_000 }));

      const results = await Promise.all(payments.map((payment) => repository().create(createInput(payment))));

      expect(results.filter((result) => result.kind === 'created')).toHaveLength(10);
      expect(results.filter((result) => result.kind === 'limit_exceeded')).toHaveLength(40);
      const page = await repository().list({ limit: 100, status: 'pending' });
      expect(page.data.reduce((sum, payment) => sum + payment.amountMinor, 0)).toBe(LIMIT_MINOR);
    });

    test('when two instances take 50 payments on one card at once, then exactly 10 are created across both', async () => {
      const other = await current().openAnother();
      const instrumentFingerprint = newCardFingerprint();
      const payments = Array.from({ length: 50 }, () => pendingPayment({ instrumentFingerprint, amountMinor: 10_000 }));

      const results = await Promise.all(payments.map((payment, index) =>
        (index % 2 === 0 ? repository() : other.payments).create(createInput(payment))));

      expect(results.filter((result) => result.kind === 'created')).toHaveLength(10);
      expect((await other.payments.list({ limit: 100, status: 'declined' })).data).toHaveLength(40);
    });

    test('when one idempotency key arrives 20 times at once on two instances, then one payment is created and 19 get it back', async () => {
      const other = await current().openAnother();
      const idempotencyKey = newKey();
      const payments = Array.from({ length: 20 }, () => pendingPayment({ idempotencyKey }));

      const results = await Promise.all(payments.map((payment, index) =>
        (index % 2 === 0 ? repository() : other.payments).create(createInput(payment))));

      const created = results.filter((result) => result.kind === 'created');
      expect(created).toHaveLength(1);
      const winner = created[0]?.kind === 'created' ? created[0].payment.id : '';
      expect(results.filter((result) => result.kind === 'existing' && result.idempotency.paymentId === winner)).toHaveLength(19);
      expect((await repository().list({ limit: 100 })).data.map((payment) => payment.id)).toEqual([winner]);
    });
  });

  describe('transition and completeIdempotency', () => {
    test('when the status guard holds, then the changes apply and the idempotent answer is recorded in the same call', async () => {
      const payment = pendingPayment();
      await repository().create(createInput(payment));

      const updated = await repository().transition({
        id: payment.id, from: ['pending'], to: 'declined',
        changes: { countedMinor: 0, decline: { code: 'do_not_honor', message: 'Do not honor', networkCode: '05' }, updatedAt: at(5) },
        completeIdempotency: { outcome: 'declined', response: '{"first":true}' },
      });

      expect(updated).toEqual({
        ...payment, status: 'declined', countedMinor: 0, updatedAt: at(5),
        decline: { code: 'do_not_honor', message: 'Do not honor', networkCode: '05' },
      });
      expect(await repository().get(payment.id)).toEqual(updated);
      expect(await idempotency().get(payment.idempotencyKey)).toMatchObject({ outcome: 'declined', response: '{"first":true}' });
    });

    test('when the payment is in another status, then nothing changes and null comes back', async () => {
      const payment = await authorizedPayment(current().store);

      const result = await repository().transition({ id: payment.id, from: ['pending'], to: 'failed' });

      expect(result).toBeNull();
      expect(await repository().get(payment.id)).toEqual(payment);
      expect(await repository().transition({ id: 'pay_missing', from: ['pending'], to: 'failed' })).toBeNull();
    });

    test('when requireUnbatched is set and a settlement run took the payment, then the change does not apply', async () => {
      const payment = await authorizedPayment(current().store);
      await createRun(current().store, 'set_run1', { batchSizeMax: 10 });

      const voided = await repository().transition({
        id: payment.id, from: ['authorized'], to: 'voided', unbatched: true, changes: { countedMinor: 0 },
      });

      expect(voided).toBeNull();
      expect(await repository().get(payment.id)).toMatchObject({ status: 'authorized', settlementId: 'set_run1' });
    });

    test('when an answer is already recorded, then completeIdempotency keeps the first one', async () => {
      const payment = pendingPayment();
      await repository().create(createInput(payment));

      await idempotency().complete({ paymentId: payment.id, outcome: 'authorized', response: '{"answer":1}' });
      await idempotency().complete({ paymentId: payment.id, outcome: 'failed', response: '{"answer":2}' });

      expect(await idempotency().get(payment.idempotencyKey)).toMatchObject({ outcome: 'authorized', response: '{"answer":1}' });
      expect(await idempotency().get('no-such-key')).toBeNull();
    });
  });

  describe('listPayments and listUnresolved', () => {
    test('when paging newest first with a cursor and filters, then every payment appears once in order', async () => {
      const payments = [];
      for (let index = 0; index < 5; index += 1) {
        const payment = pendingPayment({ createdAt: at(index * 60) });
        await repository().create(createInput(payment));
        payments.push(payment);
      }
      // Two payments in the same millisecond are ordered by id.
      const twin = pendingPayment({ createdAt: at(4 * 60) });
      await repository().create(createInput(twin));
      const newestFirst = [...payments, twin].sort((left, right) =>
        (left.createdAt === right.createdAt ? (left.id < right.id ? 1 : -1) : (left.createdAt < right.createdAt ? 1 : -1)));

      const first = await repository().list({ limit: 4 });
      const second = await repository().list({ limit: 4, startingAfter: first.data.at(-1)?.id });

      expect(first.hasMore).toBe(true);
      expect(second.hasMore).toBe(false);
      expect([...first.data, ...second.data].map((payment) => payment.id)).toEqual(newestFirst.map((payment) => payment.id));
      const window = await repository().list({ limit: 10, from: at(60), to: at(180) });
      expect(window.data.map((payment) => payment.id)).toEqual([payments[2]?.id, payments[1]?.id]);
      expect((await repository().list({ limit: 10, status: 'authorized' })).data).toEqual([]);
      expect(await repository().list({ limit: 10, startingAfter: 'pay_unknown' })).toEqual({ data: [], hasMore: false });
    });

    test('when payments are pending or await a hold release, then listUnresolved returns those last changed before the cutoff, oldest first', async () => {
      const oldPending = pendingPayment({ createdAt: at(-600) });
      const youngPending = pendingPayment({ createdAt: at(0) });
      const toRelease = pendingPayment({ createdAt: at(-900) });
      for (const payment of [oldPending, youngPending, toRelease]) await repository().create(createInput(payment));
      await repository().transition({
        id: toRelease.id, from: ['pending'], to: 'failed',
        changes: { resolution: 'reverse', countedMinor: 0, updatedAt: at(-800) },
      });
      await authorizedPayment(current().store, { createdAt: at(-1200) });

      const unresolved = await repository().listUnresolved({ before: at(-60), limit: 10 });
      const limited = await repository().listUnresolved({ before: at(-60), limit: 1 });

      expect(unresolved.map((payment) => payment.id)).toEqual([toRelease.id, oldPending.id]);
      expect(limited.map((payment) => payment.id)).toEqual([toRelease.id]);
      await expect(current().store.ping()).resolves.toBeUndefined();
    });
  });
});
