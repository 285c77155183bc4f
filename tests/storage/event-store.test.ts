/**
 * The events and webhook repositories, run against SQLite and PostgreSQL: events written with
 * their changes (and not without them), read newest first with filters and a cursor; the outbox
 * handed to the endpoints; due deliveries claimed by one dispatcher at a time, also across two
 * instances; attempts recorded only under the claim that made them.
 */
import { EXPIRY } from '../../processing-server/src/domain/expiry.ts';
import type { ClaimedDelivery, Store } from '../../processing-server/src/domain/ports/store.ts';
import {
  at, authorizedPayment, createInput, createRun, newRefund, pendingPayment, recordResults, settledPayment,
} from './builders.ts';
import { describeEachStore } from './stores.ts';

jest.setTimeout(30_000);

const URLS = ['http://127.0.0.1:9/one', 'http://127.0.0.1:9/two'];

describeEachStore('events and webhook deliveries in the store', (current) => {
  const store = (): Store => current().store;
  const typesOf = async (paymentId: string) => (await store().events.listOfPayment(paymentId, 100)).map((event) => event.type);

  describe('events', () => {
    test('when a compare-and-set does not apply, or a payment is created pending, then no event is written', async () => {
      const payment = pendingPayment();
      await store().payments.create(createInput(payment));

      expect(await store().payments.transition({ id: payment.id, from: ['authorized'], to: 'captured' })).toBeNull();

      expect(await typesOf(payment.id)).toEqual([]);
    });

    test('when a payment is declined over the limit at creation, then payment.declined is written with it, carrying its cause', async () => {
      const payment = pendingPayment({ amountMinor: 100_001 });

      const created = await store().payments.create({ ...createInput(payment), cause: 'request:over-the-limit' });

      expect(created.kind).toBe('limit_exceeded');
      const [event] = await store().events.listOfPayment(payment.id, 10);
      expect(event).toMatchObject({ type: 'payment.declined', paymentId: payment.id, cause: 'request:over-the-limit', createdAt: payment.createdAt });
      expect(JSON.parse(event?.data ?? '{}')).toMatchObject({ id: payment.id, status: 'declined', decline: { code: 'limit_exceeded' } });
    });

    test('when a change names its event, then that event is written instead of the one of its status', async () => {
      const payment = await authorizedPayment(store());

      await store().payments.transition({ id: payment.id, from: ['authorized'], to: 'captured', event: 'payment.amount_changed', cause: 'job:test' });

      expect(await typesOf(payment.id)).toEqual(['payment.authorized', 'payment.amount_changed']);
    });

    test('when events are listed, then they come newest first, filtered by type and payment, a page after the cursor', async () => {
      const first = await authorizedPayment(store());
      const second = await authorizedPayment(store());
      await store().payments.transition({ id: first.id, from: ['authorized'], to: 'voided' });

      const all = await store().events.list({ limit: 2 });
      const rest = await store().events.list({ limit: 2, startingAfter: all.data[1]?.id });
      const authorized = await store().events.list({ limit: 10, type: 'payment.authorized' });
      const ofFirst = await store().events.list({ limit: 10, paymentId: first.id });

      expect(all.data.map((event) => [event.type, event.paymentId])).toEqual([['payment.voided', first.id], ['payment.authorized', second.id]]);
      expect(all.hasMore).toBe(true);
      expect(rest).toEqual({ data: [expect.objectContaining({ type: 'payment.authorized', paymentId: first.id })], hasMore: false });
      expect(authorized.data.map((event) => event.paymentId)).toEqual([second.id, first.id]);
      expect(ofFirst.data.map((event) => event.type)).toEqual(['payment.voided', 'payment.authorized']);
      expect(await store().events.list({ limit: 10, startingAfter: 'evt_unknown' })).toEqual({ data: [], hasMore: false });
      expect(await store().events.countByType()).toEqual({ 'payment.authorized': 2, 'payment.voided': 1 });
    });

    test('when authorizations expire, then each writes payment.expired with its cause', async () => {
      const old = await authorizedPayment(store(), { createdAt: at(-200 * 3600) });
      const young = await authorizedPayment(store());

      const expired = await store().payments.expireUnbatched({ change: EXPIRY, createdBefore: at(-168 * 3600), now: at(0), cause: 'job:settlement-schedule' });

      expect(expired.map((authorization) => authorization.paymentId)).toEqual([old.id]);
      expect(await store().events.list({ limit: 10, type: 'payment.expired' })).toEqual({
        data: [expect.objectContaining({ paymentId: old.id, cause: 'job:settlement-schedule', createdAt: at(0) })], hasMore: false,
      });
      expect(await typesOf(young.id)).toEqual(['payment.authorized']);
    });

    test('when a batch of 600 results is recorded, then each payment that moved has its event, and recording it again writes none', async () => {
      const payments = [];
      for (let index = 0; index < 600; index += 1) payments.push(await authorizedPayment(store(), { createdAt: at(index) }));
      await createRun(store(), 'set_batch', { batchSizeMax: 600, startedAt: at(700) });
      const items = await store().settlements.readBatch('set_batch', 1);
      const results = items.map((item, index) => ({ seq: item.seq, type: item.type, status: index === 7 ? 'rejected' as const : 'settled' as const }));

      await recordResults(store(), 'set_batch', 1, results, at(800));
      await recordResults(store(), 'set_batch', 1, results, at(900));

      expect(await store().events.countByType()).toEqual({ 'payment.authorized': 600, 'payment.settled': 599, 'payment.settlement_rejected': 1 });
      const settled = await store().events.list({ limit: 1, type: 'payment.settled' });
      const [newest] = settled.data;
      expect(newest).toMatchObject({ settlementId: 'set_batch', createdAt: at(800) });
      expect(JSON.parse(newest?.data ?? '{}')).toMatchObject({ id: newest?.paymentId, status: 'settled', settlementId: 'set_batch' });
      expect(await typesOf(items[7]!.paymentId)).toEqual(['payment.authorized', 'payment.settlement_rejected']);
    });

    test('when a refund is made and then rejected at settlement, then refund.created, payment.refunded, refund.rejected and payment.refund_rejected follow', async () => {
      const payment = await settledPayment(store(), { amountMinor: 5000 });
      const refund = newRefund(payment, 2000);
      expect((await store().refunds.create(refund, 'request:refund-1')).kind).toBe('created');
      expect((await store().refunds.create(newRefund(payment, 9000), 'request:too-much')).kind).toBe('exceeds');
      await createRun(store(), 'set_refunds', { startedAt: at(300) });
      const [item] = await store().settlements.readBatch('set_refunds', 1);

      await recordResults(store(), 'set_refunds', 1, [{ seq: item!.seq, type: 'refund', status: 'rejected', reason: 'original_not_settled' }], at(400));

      const events = await store().events.listOfPayment(payment.id, 100);
      expect(events.map((event) => [event.type, event.refundId])).toEqual([
        ['payment.authorized', null], ['payment.settled', null], ['refund.created', refund.id], ['payment.refunded', refund.id],
        ['refund.rejected', refund.id], ['payment.refund_rejected', refund.id],
      ]);
      expect(JSON.parse(events[3]!.data)).toMatchObject({ status: 'partially_refunded', refundedAmount: 2000 });
      expect(JSON.parse(events[4]!.data)).toMatchObject({ id: refund.id, status: 'rejected', settlementId: 'set_refunds' });
      expect(JSON.parse(events[5]!.data)).toMatchObject({ status: 'settled', refundedAmount: 0 });
      expect(events[2]?.cause).toBe('request:refund-1');
    });

    test('when a run completes or fails, then settlement.completed or settlement.failed carries the run', async () => {
      await authorizedPayment(store());
      await createRun(store(), 'set_done', { startedAt: at(60) });
      const [item] = await store().settlements.readBatch('set_done', 1);
      await recordResults(store(), 'set_done', 1, [{ seq: item!.seq, type: 'sale', status: 'settled' }]);
      const completed = await store().settlements.complete('set_done', at(70), 'job:settle-command');
      await authorizedPayment(store());
      await createRun(store(), 'set_broken', { startedAt: at(80) });

      await store().settlements.fail('set_broken', 'the answer did not match', at(90), 'job:settle-command');
      await store().settlements.fail('set_broken', 'again', at(95), 'job:settle-command');

      const events = (await store().events.list({ limit: 10 })).data.filter((event) => event.type.startsWith('settlement.'));
      expect(events.map((event) => [event.type, event.settlementId, event.createdAt])).toEqual([
        ['settlement.failed', 'set_broken', at(90)], ['settlement.completed', 'set_done', at(70)],
      ]);
      expect(JSON.parse(events[1]!.data)).toEqual(completed);
      expect(JSON.parse(events[0]!.data)).toMatchObject({ id: 'set_broken', status: 'failed' });
    });
  });

  describe('webhook deliveries', () => {
    const claim = (target: Store, url: string, limit: number, nowSeconds: number, token: string) =>
      target.webhooks.claimDue({ url, limit, now: at(nowSeconds), claim: token, claimedUntil: at(nowSeconds + 30) });
    const record = (target: Store, delivery: ClaimedDelivery, status: 'delivered' | 'failed' | 'abandoned', nowSeconds: number, claimToken = delivery.claim) =>
      target.webhooks.recordAttempt({
        eventSeq: delivery.eventSeq, url: delivery.url, claim: claimToken, attempt: delivery.attempt, status,
        responseStatus: status === 'delivered' ? 204 : 500, error: null, at: at(nowSeconds), nextAttemptAt: status === 'failed' ? at(nowSeconds + 10) : null,
      });

    test('when the outbox is handed to two endpoints, then each event has one due delivery per endpoint, and with none it just empties', async () => {
      const payment = await authorizedPayment(store());
      await store().payments.transition({ id: payment.id, from: ['authorized'], to: 'voided' });

      expect(await store().webhooks.oldestUndelivered(URLS)).toBe(payment.createdAt);
      expect(await store().webhooks.fanOut({ urls: URLS, limit: 1, now: at(0) })).toBe(1);
      expect(await store().webhooks.fanOut({ urls: URLS, limit: 10, now: at(0) })).toBe(1);
      expect(await store().webhooks.fanOut({ urls: URLS, limit: 10, now: at(0) })).toBe(0);

      for (const url of URLS) {
        const claimed = await claim(store(), url, 10, 0, `claim-${url}`);
        expect(claimed.map((delivery) => [delivery.event.type, delivery.attempt, delivery.firstAttemptAt])).toEqual([
          ['payment.authorized', 1, null], ['payment.voided', 1, null],
        ]);
      }
      await authorizedPayment(store());
      expect(await store().webhooks.fanOut({ urls: [], limit: 10, now: at(0) })).toBe(1);
      expect(await store().webhooks.fanOut({ urls: URLS, limit: 10, now: at(0) })).toBe(0);
    });

    test('when an attempt is recorded, then only the claim that made it may, once, and the delivery is due again, done or abandoned as it says', async () => {
      const payment = await authorizedPayment(store());
      await store().webhooks.fanOut({ urls: URLS, limit: 10, now: at(0) });
      const [first] = await claim(store(), URLS[0]!, 10, 0, 'claim-a');

      expect(await claim(store(), URLS[0]!, 10, 5, 'claim-b')).toEqual([]);
      expect(await record(store(), first!, 'failed', 5, 'claim-stolen')).toBe(false);
      expect(await record(store(), first!, 'failed', 5)).toBe(true);
      expect(await record(store(), first!, 'failed', 5)).toBe(false);
      expect(await claim(store(), URLS[0]!, 10, 14, 'claim-c')).toEqual([]);
      const [second] = await claim(store(), URLS[0]!, 10, 15, 'claim-d');
      expect(second).toMatchObject({ attempt: 2, firstAttemptAt: at(5) });
      expect(await record(store(), second!, 'delivered', 16)).toBe(true);
      expect(await claim(store(), URLS[0]!, 10, 3600, 'claim-e')).toEqual([]);

      const eventId = (await store().events.listOfPayment(payment.id, 1))[0]!.id;
      expect(await store().webhooks.attemptsOf(eventId)).toEqual([
        { eventId, url: URLS[0], attempt: 1, status: 'failed', responseStatus: 500, error: null, at: at(5) },
        { eventId, url: URLS[0], attempt: 2, status: 'delivered', responseStatus: 204, error: null, at: at(16) },
      ]);
      expect(await store().webhooks.attemptsOf('evt_unknown')).toBeNull();
      // The second endpoint has not had it yet.
      expect(await store().webhooks.oldestUndelivered(URLS)).toBe(payment.createdAt);
      expect(await store().webhooks.oldestUndelivered([URLS[0]!])).toBeNull();
    });

    test('when a delivery is abandoned, then it is never due again', async () => {
      await authorizedPayment(store());
      await store().webhooks.fanOut({ urls: [URLS[0]!], limit: 10, now: at(0) });
      const [delivery] = await claim(store(), URLS[0]!, 10, 0, 'claim-a');

      expect(await record(store(), delivery!, 'abandoned', 1)).toBe(true);

      expect(await claim(store(), URLS[0]!, 10, 100_000, 'claim-b')).toEqual([]);
      expect(await store().webhooks.oldestUndelivered(URLS)).toBeNull();
    });

    test('when two instances claim 40 due deliveries at once, then every delivery is claimed by exactly one of them', async () => {
      const other = await current().openAnother();
      for (let index = 0; index < 40; index += 1) await authorizedPayment(store(), { createdAt: at(index) });
      await Promise.all([
        store().webhooks.fanOut({ urls: [URLS[0]!], limit: 25, now: at(0) }), other.webhooks.fanOut({ urls: [URLS[0]!], limit: 25, now: at(0) }),
      ]);
      await store().webhooks.fanOut({ urls: [URLS[0]!], limit: 25, now: at(0) });

      const claims = await Promise.all(Array.from({ length: 8 }, (_unused, index) => claim(index % 2 === 0 ? store() : other, URLS[0]!, 6, 1, `claim-${index}`)));

      const claimed = claims.flat().map((delivery) => delivery.eventSeq);
      expect(claimed).toHaveLength(40);
      expect(new Set(claimed).size).toBe(40);
    });
  });
});
