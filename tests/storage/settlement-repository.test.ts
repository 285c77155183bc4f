/**
 * The SettlementRepository contract, run against SQLite and PostgreSQL: the lease (also between
 * two instances), runs and their batches, recording answers, totals, expiry and refunds.
 */
import { EXPIRY } from '../../processing-server/src/domain/expiry.ts';
import type { LeaseRequest, Store } from '../../processing-server/src/domain/ports/store.ts';
import {
  WINDOW_START, at, authorizedPayment, createInput, createRun, newRefund, pendingPayment, recordResults, settledPayment,
} from './builders.ts';
import { describeEachStore } from './stores.ts';

function lease(owner: string, nowSeconds: number, ttlSeconds = 60): LeaseRequest {
  return { name: 'settlement', owner, now: at(nowSeconds), expiresAt: at(nowSeconds + ttlSeconds) };
}

// Each test opens a fresh database and, on PostgreSQL, several pools; parallel test files share two CPUs.
jest.setTimeout(20_000);

describeEachStore('settlement repository contract', (current) => {
  const settlements = () => current().store.settlements;
  const repository = () => current().store.payments;
  const leases = () => current().store.leases;
  const refunds = () => current().store.refunds;
  const expire = (store: Store, createdBefore: string, now: string) => store.payments.expireUnbatched({ change: EXPIRY, createdBefore, now });

  describe('the lease', () => {
    test('when one owner holds it, then another is refused until it expires or is released, and the holder may renew', async () => {
      expect(await leases().acquire(lease('a', 0))).toBe(true);
      expect(await leases().acquire(lease('b', 30))).toBe(false);
      expect(await leases().acquire(lease('a', 50))).toBe(true);
      expect(await leases().acquire(lease('b', 100))).toBe(false);
      expect(await leases().acquire(lease('b', 110))).toBe(true);
      expect(await leases().acquire(lease('a', 120))).toBe(false);

      await leases().release('settlement', 'a');
      expect(await leases().acquire(lease('c', 121))).toBe(false);
      await leases().release('settlement', 'b');
      expect(await leases().acquire(lease('c', 122))).toBe(true);
    });

    test('when 20 owners on two instances race for a free lease, then exactly one gets it', async () => {
      const other = await current().openAnother();
      const owners = Array.from({ length: 20 }, (_unused, index) => `owner-${index}`);

      const results = await Promise.all(owners.map((owner, index) =>
        (index % 2 === 0 ? leases() : other.leases).acquire(lease(owner, 0))));

      expect(results.filter(Boolean)).toHaveLength(1);
      const holder = owners[results.indexOf(true)] ?? '';
      expect(await other.leases.acquire(lease(holder, 10))).toBe(true);
      expect(await leases().acquire(lease('late', 20))).toBe(false);
    });

    test('when the lease expired, then of two instances taking it over at once exactly one gets it', async () => {
      const other = await current().openAnother();
      await leases().acquire(lease('crashed', 0));

      const results = await Promise.all([leases().acquire(lease('x', 61)), other.leases.acquire(lease('y', 61))]);

      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });

  describe('runs', () => {
    test('when nothing is ready, then createRun records nothing', async () => {
      await repository().create(createInput(pendingPayment()));
      await authorizedPayment(current().store, { captureMethod: 'manual' });

      const run = await createRun(current().store, 'set_empty', { startedAt: at(60), batchSizeMax: 10 });

      expect(run).toBeNull();
      expect(await settlements().list({ limit: 10 })).toEqual({ data: [], hasMore: false });
      expect(await settlements().get('set_empty')).toBeNull();
    });

    test('when a run is created, then exactly the ready sales and refunds are taken, numbered into batches of batchSizeMax', async () => {
      const store = current().store;
      const refunded = await settledPayment(store, { amountMinor: 4000 });
      const refund = newRefund(refunded, 1500);
      expect((await refunds().create(refund)).kind).toBe('created');
      const automatic = [await authorizedPayment(store, { amountMinor: 1000 }), await authorizedPayment(store, { amountMinor: 2000 })];
      const manual = await authorizedPayment(store, { amountMinor: 5000, captureMethod: 'manual' });
      await repository().transition({ id: manual.id, from: ['authorized'], to: 'captured', changes: { capturedMinor: 3000, countedMinor: 3000 } });
      const stale = await authorizedPayment(store, { createdAt: new Date(Date.parse(WINDOW_START) - 1).toISOString() });
      await authorizedPayment(store, { captureMethod: 'manual' });
      await repository().create(createInput(pendingPayment()));

      const run = await createRun(current().store, 'set_two', { startedAt: at(300), batchSizeMax: 2 });

      expect(run).toMatchObject({ id: 'set_two', status: 'running', itemCount: 4, settledCount: 0, batchIds: ['set_two-1', 'set_two-2'] });
      expect(await settlements().unsentBatchNumbers('set_two')).toEqual([1, 2]);
      const batches = [await settlements().readBatch('set_two', 1), await settlements().readBatch('set_two', 2)];
      expect(batches.map((batch) => batch.length)).toEqual([2, 2]);
      const items = batches.flat();
      expect(items.map((item) => item.seq)).toEqual([...items.map((item) => item.seq)].sort((left, right) => left - right));
      expect(items.filter((item) => item.type === 'sale').map((item) => [item.paymentId, item.amountMinor]).sort())
        .toEqual([[automatic[0]?.id, 1000], [automatic[1]?.id, 2000], [manual.id, 3000]].sort());
      expect(items.find((item) => item.type === 'refund')).toMatchObject({
        paymentId: refunded.id, refundId: refund.id, merchantReference: refund.id, originalMerchantReference: refunded.merchantReference,
        amountMinor: 1500, currency: 'USD', status: 'pending', authorizationCode: 'A1B2C3', cardBrand: 'visa', cardLast4: '4242',
      });
      expect((await repository().get(manual.id))?.settlementId).toBe('set_two');
      expect((await repository().get(stale.id))?.settlementId).toBeNull();
      expect((await refunds().listOfPayment(refunded.id))[0]?.settlementId).toBe('set_two');
      expect(await settlements().findRunning()).toMatchObject({ id: 'set_two' });
    });

    test('when a run has taken a payment and not yet recorded it, then the payment names the run and cannot be voided or captured', async () => {
      const automatic = await authorizedPayment(current().store, { amountMinor: 1200 });
      await createRun(current().store, 'set_taken', { startedAt: at(60), batchSizeMax: 10 });

      const voided = await repository().transition({
        id: automatic.id, from: ['authorized', 'captured'], to: 'voided', unbatched: true,
        changes: { reason: 'merchant_void', countedMinor: 0, updatedAt: at(61) },
      });

      expect(voided).toBeNull();
      expect(await repository().get(automatic.id)).toMatchObject({ status: 'authorized', settlementId: 'set_taken' });
      expect((await repository().list({ limit: 10, status: 'authorized' })).data.map((payment) => payment.settlementId)).toEqual(['set_taken']);
    });

    test('when a run failed before its results were recorded, then its payments keep naming it, and no later run or expiry takes them', async () => {
      const stranded = await authorizedPayment(current().store, { amountMinor: 1300, createdAt: at(1) });
      await createRun(current().store, 'set_failed', { startedAt: at(60), batchSizeMax: 10 });
      await settlements().fail('set_failed', 'injected', at(61));
      const fresh = await authorizedPayment(current().store, { amountMinor: 1400, createdAt: at(2) });

      const next = await createRun(current().store, 'set_next', { startedAt: at(70), batchSizeMax: 10 });
      await expire(current().store, at(100), at(100));

      expect(next).toMatchObject({ itemCount: 1 });
      expect((await settlements().readBatch('set_next', 1)).map((item) => item.paymentId)).toEqual([fresh.id]);
      expect(await repository().get(stranded.id)).toMatchObject({ status: 'authorized', settlementId: 'set_failed' });
      expect(await repository().get(fresh.id)).toMatchObject({ status: 'authorized', settlementId: 'set_next' });
      expect(await settlements().get('set_failed')).toMatchObject({ status: 'failed' });
    });

    test('when two instances create runs at once, then every ready payment lands in exactly one run', async () => {
      const other = await current().openAnother();
      for (let index = 0; index < 20; index += 1) await authorizedPayment(current().store, { amountMinor: 100 + index });

      const runs = await Promise.all([
        createRun(current().store, 'set_a', { startedAt: at(60), batchSizeMax: 7 }),
        createRun(other, 'set_b', { startedAt: at(60), batchSizeMax: 7 }),
      ]);

      expect(runs.reduce((sum, run) => sum + (run?.itemCount ?? 0), 0)).toBe(20);
      const items = [];
      for (const run of runs) {
        if (!run) continue;
        for (const batchNo of await settlements().unsentBatchNumbers(run.id)) items.push(...await settlements().readBatch(run.id, batchNo));
      }
      expect(new Set(items.map((item) => item.paymentId)).size).toBe(20);
    });

    test('when batch answers are recorded and the run completed, then payments, counts and totals follow, and a repeat changes nothing', async () => {
      const store: Store = current().store;
      const payments = [];
      for (const amountMinor of [1000, 2000, 3000]) payments.push(await authorizedPayment(store, { amountMinor }));
      const euro = await authorizedPayment(store, { amountMinor: 700, currency: 'EUR' });
      const run = await createRun(current().store, 'set_rec', { startedAt: at(60), batchSizeMax: 2 });
      expect(run?.batchIds).toHaveLength(2);
      const first = await settlements().readBatch('set_rec', 1);
      const second = await settlements().readBatch('set_rec', 2);
      const rejectedId = second[0]?.paymentId;

      await recordResults(store, 'set_rec', 1, first.map((item) => ({ seq: item.seq, type: item.type, status: 'settled' })), at(70));
      await expect(settlements().complete('set_rec', at(71))).rejects.toThrow(/every item has a result/);
      const secondResults = second.map((item, index) => ({
        seq: item.seq, type: item.type, status: index === 0 ? 'rejected' as const : 'settled' as const, reason: index === 0 ? 'expired_authorization' : null,
      }));
      await recordResults(store, 'set_rec', 2, secondResults, at(80));
      await recordResults(store, 'set_rec', 2, secondResults.map((result) => ({ ...result, status: 'settled' as const })), at(90));
      const completed = await settlements().complete('set_rec', at(100));

      expect(await settlements().unsentBatchNumbers('set_rec')).toEqual([]);
      const rejected = [...payments, euro].find((payment) => payment.id === rejectedId);
      const settledTotal = [...payments, euro].filter((payment) => payment.id !== rejectedId && payment.currency === 'USD').reduce((sum, payment) => sum + payment.amountMinor, 0);
      expect(completed).toMatchObject({ id: 'set_rec', status: 'completed', completedAt: at(100), itemCount: 4, settledCount: 3, rejectedCount: 1 });
      expect(completed.totals.USD).toEqual({ sales: settledTotal, refunds: 0, net: settledTotal });
      expect(await repository().get(rejectedId ?? '')).toMatchObject({ status: 'settlement_rejected', countedMinor: 0, updatedAt: at(80) });
      for (const payment of [...payments, euro].filter((candidate) => candidate.id !== rejected?.id)) {
        expect(await repository().get(payment.id)).toMatchObject({ status: 'settled', capturedMinor: payment.amountMinor, settlementId: 'set_rec' });
      }
      const rejectedItem = (await settlements().readBatch('set_rec', 2)).find((item) => item.paymentId === rejectedId);
      expect(rejectedItem).toMatchObject({ status: 'rejected', reason: 'expired_authorization' });
      expect(await settlements().get('set_rec')).toEqual(completed);
      expect(await settlements().findRunning()).toBeNull();
    });

    test('when runs and items are listed, then runs come newest first and items in order, paged by cursor', async () => {
      for (const runId of ['set_01', 'set_02', 'set_03']) {
        await authorizedPayment(current().store);
        await authorizedPayment(current().store);
        await createRun(current().store, runId, { startedAt: at(60), batchSizeMax: 10 });
        await settlements().fail(runId, 'injected', at(61));
      }

      const firstPage = await settlements().list({ limit: 2 });
      const secondPage = await settlements().list({ limit: 2, startingAfter: 'set_02' });
      const items = await settlements().listItems('set_02', { limit: 1 });
      const moreItems = await settlements().listItems('set_02', { limit: 1, startingAfterSeq: items.data[0]?.seq });

      expect(firstPage.data.map((run) => run.id)).toEqual(['set_03', 'set_02']);
      expect(firstPage.hasMore).toBe(true);
      expect(secondPage).toMatchObject({ data: [{ id: 'set_01', status: 'failed', completedAt: at(61) }], hasMore: false });
      expect(items.hasMore).toBe(true);
      expect(moreItems.hasMore).toBe(false);
      expect(moreItems.data[0]?.seq).toBeGreaterThan(items.data[0]?.seq ?? Infinity);
    });

    test('when authorizations are older than the cutoff and never batched, then they expire and stop counting', async () => {
      const old = await authorizedPayment(current().store, { createdAt: at(-7200) });
      const young = await authorizedPayment(current().store, { createdAt: at(0) });

      const expired = await expire(current().store, at(-3600), at(10));

      expect(expired).toEqual([{ paymentId: old.id, paymentMethod: 'card', authorizationId: old.authorizationId }]);
      expect(await repository().get(old.id)).toMatchObject({ status: 'expired', countedMinor: 0, resolution: 'reverse', updatedAt: at(10) });
      expect((await repository().get(young.id))?.status).toBe('authorized');
      expect((await repository().listUnresolved({ before: at(11), limit: 10 })).map((payment) => payment.id)).toEqual([old.id]);
    });

    test('when an expired payment\'s hold was released, then its mark is cleared, and only an expired payment\'s', async () => {
      const old = await authorizedPayment(current().store, { createdAt: at(-7200) });
      const young = await authorizedPayment(current().store, { createdAt: at(0) });
      await expire(current().store, at(-3600), at(10));

      expect(await repository().holdReleased({ id: old.id, status: 'expired' })).toBe(true);
      expect(await repository().holdReleased({ id: young.id, status: 'expired' })).toBe(false);

      expect((await repository().get(old.id))?.resolution).toBeNull();
      expect(await repository().listUnresolved({ before: at(11), limit: 10 })).toEqual([]);
      expect((await repository().get(young.id))?.status).toBe('authorized');
    });
  });

  describe('refunds', () => {
    test('when a settled payment is refunded, then the refund is pending and the payment partially refunded; more than the rest is refused', async () => {
      const payment = await settledPayment(current().store, { amountMinor: 5000 });

      const first = await refunds().create(newRefund(payment, 2000));
      const tooMuch = await refunds().create(newRefund(payment, 3001));
      const rest = await refunds().create(newRefund(payment, 3000));

      expect(first).toMatchObject({ kind: 'created', refund: { paymentId: payment.id, amountMinor: 2000, status: 'pending', settlementId: null } });
      expect(tooMuch).toEqual({ kind: 'exceeds', refundableMinor: 3000 });
      expect(rest.kind).toBe('created');
      expect(await repository().get(payment.id)).toMatchObject({ status: 'refunded', refundedMinor: 5000 });
      expect(await refunds().listOfPayment(payment.id)).toHaveLength(2);
    });

    test('when the key was used before, then the first refund comes back, also when repeats race on two instances', async () => {
      const other = await current().openAnother();
      const payment = await settledPayment(current().store, { amountMinor: 5000 });
      const first = newRefund(payment, 5000);

      const results = await Promise.all(Array.from({ length: 10 }, (_unused, index) =>
        (index % 2 === 0 ? refunds() : other.refunds).create({ ...first, id: `re_race_${index}` })));

      expect(results.filter((result) => result.kind === 'created')).toHaveLength(1);
      expect(results.filter((result) => result.kind === 'existing')).toHaveLength(9);
      expect(await repository().get(payment.id)).toMatchObject({ status: 'refunded', refundedMinor: 5000 });
    });

    test('when refunds of one payment race on two instances, then together they never exceed what was settled', async () => {
      const other = await current().openAnother();
      const payment = await settledPayment(current().store, { amountMinor: 5000 });

      const results = await Promise.all(Array.from({ length: 10 }, (_unused, index) =>
        (index % 2 === 0 ? refunds() : other.refunds).create(newRefund(payment, 1500))));

      expect(results.filter((result) => result.kind === 'created')).toHaveLength(3);
      expect(results.filter((result) => result.kind === 'exceeds' && result.refundableMinor === 500)).toHaveLength(7);
      expect(await repository().get(payment.id)).toMatchObject({ status: 'partially_refunded', refundedMinor: 4500 });
    });

    test('when the payment is missing or not settled, then no refund is made', async () => {
      const authorized = await authorizedPayment(current().store);

      expect(await refunds().create(newRefund(authorized, 100))).toEqual({ kind: 'not_refundable', status: 'authorized' });
      expect(await refunds().create(newRefund({ ...authorized, id: 'pay_missing' }, 100))).toEqual({ kind: 'payment_not_found' });
      expect(await refunds().listOfPayment(authorized.id)).toEqual([]);
    });

    test('when the card company refuses two refunds of one payment in one batch, then both amounts return to the refundable balance', async () => {
      const store = current().store;
      const payment = await settledPayment(store, { amountMinor: 5000 });
      const settledRefund = newRefund(payment, 1000);
      for (const refund of [settledRefund, newRefund(payment, 1500), newRefund(payment, 500)]) await refunds().create(refund);
      const runId = 'set_refunds';
      await createRun(store, runId, { startedAt: at(600), batchSizeMax: 10 });
      const items = await settlements().readBatch(runId, 1);

      await recordResults(store, runId, 1, items.map((item) => item.refundId === settledRefund.id
        ? { seq: item.seq, type: item.type, status: 'settled' }
        : { seq: item.seq, type: item.type, status: 'rejected', reason: 'not_settled' }), at(610));
      const completed = await settlements().complete(runId, at(620));

      expect(await repository().get(payment.id)).toMatchObject({ status: 'partially_refunded', refundedMinor: 1000 });
      expect(completed).toMatchObject({ settledCount: 1, rejectedCount: 2, totals: { USD: { sales: 0, refunds: 1000, net: -1000 } } });
      const stored = await refunds().listOfPayment(payment.id);
      expect(stored.map((refund) => refund.status).sort()).toEqual(['rejected', 'rejected', 'settled']);
      expect(await createRun(current().store, 'set_after', { startedAt: at(700), batchSizeMax: 10 })).toBeNull();
    });
  });
});
