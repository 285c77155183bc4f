/**
 * The domain's rules, each through the domain (the processing API and its jobs), on SQLite and on
 * PostgreSQL alike: the spending limit under concurrency, refund eligibility, expiry, settlement
 * outcomes, points that are never overdrawn, and a points payment that lost its answer. The
 * card company and points provider are the real simulator, except where a test needs a provider
 * that loses answers on demand.
 */
import request from 'supertest';
import { recoverPayments } from '../../processing-server/src/domain/recover.ts';
import { AUTH_HEADER as NETWORK_AUTH } from '../helpers/network-sim.ts';
import { AUTH_HEADER, createProcessingHarness, freshKey, paymentBody, pointsPaymentBody } from '../helpers/processing.ts';
import { createSettlementSystem, type SettlementSystem } from '../helpers/settlement-system.ts';
import { describeEachStore } from './stores.ts';

// Each test opens a fresh database (and on PostgreSQL several pools) and a simulator; parallel test files share two CPUs.
jest.setTimeout(30_000);

describeEachStore('the domain\'s rules', (current) => {
  let system: SettlementSystem | null = null;

  afterEach(async () => {
    await system?.close();
    system = null;
  });

  async function settlementSystem(simEnv: Record<string, string> = {}): Promise<SettlementSystem> {
    system = await createSettlementSystem({ store: current().store, simEnv });
    return system;
  }

  const settleNow = (target: SettlementSystem) => target.api().post('/v1/settlements').set(AUTH_HEADER).send();
  const paymentOf = async (target: SettlementSystem, id: string) => (await target.api().get(`/v1/payments/${id}`).set(AUTH_HEADER)).body;

  test('when 50 payments of 100.00 race on one card with a limit of 1,000.00, then exactly 10 are authorized and the card company sees 10', async () => {
    const target = await settlementSystem();

    const responses = await Promise.all(Array.from({ length: 50 }, () => target.pay({ amount: 10_000 })));

    expect(responses.filter((response) => response.status === 201)).toHaveLength(10);
    const declined = responses.filter((response) => response.status === 402);
    expect(declined).toHaveLength(40);
    for (const response of declined) expect(response.body.decline.code).toBe('limit_exceeded');
    const held = await request(target.sim.app).get('/v1/authorizations?limit=100').set(NETWORK_AUTH);
    expect(held.body.data).toHaveLength(10);
  });

  test('when refunds are asked of a settled payment, then only what was settled and not yet refunded is given, and the status follows', async () => {
    const target = await settlementSystem();
    const settled = await target.pay({ amount: 5000 });
    const unsettled = await target.pay({ amount: 700, captureMethod: 'manual' });
    await settleNow(target).expect(201);
    const refund = (id: string, amount: number) => target.api().post(`/v1/payments/${id}/refunds`).set(AUTH_HEADER).set('Idempotency-Key', freshKey()).send({ amount });

    expect((await refund(unsettled.body.id, 100)).body).toMatchObject({ status: 409, code: 'invalid_state' });
    expect((await refund(settled.body.id, 5001)).body).toMatchObject({ status: 400, code: 'amount_exceeds_refundable', errors: [{ field: 'amount', message: 'must be at most 5000' }] });
    expect((await refund(settled.body.id, 2000)).status).toBe(201);
    expect(await paymentOf(target, settled.body.id)).toMatchObject({ status: 'partially_refunded', refundedAmount: 2000 });
    expect((await refund(settled.body.id, 3001)).body).toMatchObject({ code: 'amount_exceeds_refundable' });
    expect((await refund(settled.body.id, 3000)).status).toBe(201);
    expect(await paymentOf(target, settled.body.id)).toMatchObject({ status: 'refunded', refundedAmount: 5000 });
    expect((await refund(settled.body.id, 1)).body).toMatchObject({ code: 'invalid_state' });
  });

  test('when an authorization outlives AUTH_TTL_HOURS, then a run expires it, stops counting it, and releases its hold at the card company', async () => {
    // The card company keeps it longer than we do: only our reversal releases it.
    const target = await settlementSystem({ AUTH_TTL_HOURS: '336' });
    const old = await target.pay({ amount: 100_000, captureMethod: 'manual' });
    target.clock.advanceHours(169);

    const run = await settleNow(target);

    expect(run.status).toBe(200);
    expect(await paymentOf(target, old.body.id)).toMatchObject({ status: 'expired' });
    expect(await current().store.payments.get(old.body.id)).toMatchObject({ countedMinor: 0, resolution: null });
    const hold = await request(target.sim.app).get(`/v1/authorizations?merchantReference=${old.body.id}`).set(NETWORK_AUTH);
    expect(hold.body).toMatchObject({ status: 'reversed', heldAmount: 0 });
  });

  test('when a run settles a card sale, a points sale and a sale the card company rejects, then each payment moves as the outcomes say', async () => {
    const target = await settlementSystem();
    const card = await target.pay({ amount: 1000 });
    const points = await target.payPoints({ amount: 2500 });
    const reversed = await target.pay({ amount: 300 });
    // Released at the card company behind our back: the run's item for it is rejected.
    const hold = await request(target.sim.app).get(`/v1/authorizations?merchantReference=${reversed.body.id}`).set(NETWORK_AUTH);
    await request(target.sim.app).post(`/v1/authorizations/${hold.body.authorizationId}/reversal`).set(NETWORK_AUTH).send({}).expect(200);

    const run = await settleNow(target);

    expect(run.body).toMatchObject({ status: 'completed', itemCount: 3, settledCount: 2, rejectedCount: 1, totals: { USD: { sales: 3500, net: 3500 } } });
    expect(await paymentOf(target, card.body.id)).toMatchObject({ status: 'settled', capturedAmount: 1000, settlementId: run.body.id });
    expect(await paymentOf(target, points.body.id)).toMatchObject({ status: 'settled', paymentMethod: 'points', capturedAmount: 2500 });
    expect(await paymentOf(target, reversed.body.id)).toMatchObject({ status: 'settlement_rejected', settlementId: run.body.id });
    expect((await current().store.payments.get(reversed.body.id))?.countedMinor).toBe(0);
    const items = await target.api().get(`/v1/settlements/${run.body.id}/items`).set(AUTH_HEADER);
    expect(items.body.data.map((item: { paymentId: string; paymentMethod: string; status: string; reason?: string }) => [item.paymentId, item.paymentMethod, item.status, item.reason]))
      .toEqual(expect.arrayContaining([[card.body.id, 'card', 'settled', undefined], [points.body.id, 'points', 'settled', undefined], [reversed.body.id, 'card', 'rejected', 'authorization_reversed']]));
    expect(await target.pointsAccount('PTS-0000-0001')).toEqual({ accountId: 'PTS-0000-0001', balance: 97_500, held: 0 });
  });

  test('when 40 points payments of 100 race on an account of 1,000 points, then exactly 10 hold its points and it is never overdrawn', async () => {
    const target = await settlementSystem();
    await target.openPointsAccount('PTS-RACE-0001', 1_000);

    const responses = await Promise.all(Array.from({ length: 40 }, () => target.payPoints({ amount: 100 }, { accountId: 'PTS-RACE-0001' })));

    expect(responses.filter((response) => response.status === 201)).toHaveLength(10);
    const declined = responses.filter((response) => response.status === 402);
    expect(declined).toHaveLength(30);
    for (const response of declined) expect(response.body.decline).toMatchObject({ code: 'insufficient_points', networkCode: '51' });
    expect(await target.pointsAccount('PTS-RACE-0001')).toEqual({ accountId: 'PTS-RACE-0001', balance: 1_000, held: 1_000 });
    await settleNow(target).expect(201);
    expect(await target.pointsAccount('PTS-RACE-0001')).toEqual({ accountId: 'PTS-RACE-0001', balance: 0, held: 0 });
  });

  test('when a points payment lost its answer, then the look-up keeps the approval; lost with its look-up, recovery resolves it or reverses a late hold', async () => {
    const start = new Date('2026-05-01T10:00:00.000Z');
    let now = start;
    const harness = await createProcessingHarness({ store: current().store, clock: () => now, env: { RECOVERY_GRACE_MS: '10000' } });
    try {
      const pay = (key = freshKey()) => request(harness.app).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', key).send(pointsPaymentBody());
      harness.points.mode = 'lose_answers';
      const kept = await pay();
      expect(kept.body).toMatchObject({ status: 'authorized', paymentMethod: 'points' });

      harness.points.mode = 'lose_everything';
      const pending = await pay();
      const late = await pay();
      expect([pending.status, late.status]).toEqual([504, 504]);
      const lateHold = harness.points.holds.get(late.body.payment.id);
      harness.points.holds.delete(late.body.payment.id);
      harness.points.mode = 'up';
      now = new Date(start.getTime() + 11_000);
      expect(await recoverPayments(harness.deps, { limit: 10 })).toMatchObject({ examined: 2, authorized: 1, failed: 1 });

      if (!lateHold) throw new Error('the points provider recorded the late payment');
      harness.points.holds.set(late.body.payment.id, lateHold);
      now = new Date(start.getTime() + 30_000);
      expect(await recoverPayments(harness.deps, { limit: 10 })).toMatchObject({ reversed: 1 });
      expect(await harness.store.payments.get(pending.body.payment.id)).toMatchObject({ status: 'authorized', paymentMethod: 'points' });
      expect(await harness.store.payments.get(late.body.payment.id)).toMatchObject({ status: 'voided', reason: 'timeout_reversal', resolution: null });
      expect(harness.points.holds.get(late.body.payment.id)).toMatchObject({ status: 'reversed', heldAmount: 0 });
      expect(harness.network.authorizeCalls).toHaveLength(0);
    } finally {
      await harness.close();
    }
  });

  test('when a card payment and a points payment are made, then both are kept with their method, and a card that fails its checks keeps nothing', async () => {
    const harness = await createProcessingHarness({ store: current().store });
    try {
      const pay = (body: Record<string, unknown>) => request(harness.app).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', freshKey()).send(body);
      const card = await pay(paymentBody());
      const points = await pay(pointsPaymentBody());
      const bad = await pay(paymentBody({}, { number: '4242424242424241' }));

      expect(await harness.store.payments.get(card.body.id)).toMatchObject({ paymentMethod: 'card', cardLast4: '4242', pointsAccountId: null });
      expect(await harness.store.payments.get(points.body.id)).toMatchObject({ paymentMethod: 'points', cardLast4: null, cardSealed: null, pointsAccountId: 'PTS-0000-0001' });
      expect(bad.status).toBe(400);
      expect((await harness.store.payments.list({ limit: 10 })).data).toHaveLength(2);
    } finally {
      await harness.close();
    }
  });

  test('when a card is saved at the card company and then pays by its id, then it is authorized on file, settled with the typed cards, and counts against one limit with its typed twin', async () => {
    const target = await createSettlementSystem({ store: current().store, vaultStore: await current().openVault() });
    system = target;
    const saved = await target.api().post('/v1/cards').set(AUTH_HEADER).set('Idempotency-Key', freshKey())
      .send({ card: { number: '5555555555554444', expMonth: 12, expYear: 2030, cvv: '321', holderName: 'Grace Hopper' }, customerId: 'cus_grace' });
    expect(saved.status).toBe(201);
    const payWithCard = (amount: number) => target.api().post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', freshKey())
      .send({ amount, currency: 'USD', cardId: saved.body.id, customerId: 'cus_grace' });

    const bySavedCard = await payWithCard(70_000);
    const typed = await target.pay({ amount: 20_000 }, { number: '5555555555554444' });
    const overTheLimit = await payWithCard(10_001);

    expect(bySavedCard.status).toBe(201);
    expect(typed.status).toBe(201);
    expect(overTheLimit.body).toMatchObject({ status: 'declined', decline: { code: 'limit_exceeded' } });
    const verification = await request(target.sim.app).get(`/v1/authorizations?merchantReference=${saved.body.id}`).set(NETWORK_AUTH);
    expect(verification.body).toMatchObject({ amount: 0, status: 'verified', heldAmount: 0 });
    const hold = await request(target.sim.app).get(`/v1/authorizations?merchantReference=${bySavedCard.body.id}`).set(NETWORK_AUTH);
    expect(hold.body).toMatchObject({ status: 'approved', heldAmount: 70_000 });

    const run = await settleNow(target);

    expect(run.body).toMatchObject({ status: 'completed', settledCount: 2, totals: { USD: { sales: 90_000, net: 90_000 } } });
    expect(await paymentOf(target, bySavedCard.body.id)).toMatchObject({ status: 'settled', paymentMethod: 'saved_card', cardId: saved.body.id, settlementId: run.body.id });
    const items = await target.api().get(`/v1/settlements/${run.body.id}/items`).set(AUTH_HEADER);
    expect(items.body.data.map((item: { paymentId: string; paymentMethod: string }) => [item.paymentId, item.paymentMethod]))
      .toEqual(expect.arrayContaining([[bySavedCard.body.id, 'saved_card'], [typed.body.id, 'card']]));
    expect((await target.merchantAccount()).balances.USD).toBe(90_000);

    await target.api().delete(`/v1/cards/${saved.body.id}`).set(AUTH_HEADER).expect(204);
    expect((await payWithCard(100)).body).toMatchObject({ status: 404, code: 'card_not_found' });
    expect(await paymentOf(target, bySavedCard.body.id)).toMatchObject({ status: 'settled', card: { last4: '4444' } });
  });
});
