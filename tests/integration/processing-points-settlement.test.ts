/**
 * Points payments against the real points provider (the simulator, over HTTP): its declines as
 * the API names them, and the lifecycle as for cards — capture of part, void, expiry, settlement
 * in the same batches as cards, refunds given back after the next run, reconciliation.
 */
import request from 'supertest';
import { AUTH_HEADER as NETWORK_AUTH } from '../helpers/network-sim.ts';
import { AUTH_HEADER, freshKey } from '../helpers/processing.ts';
import { createSettlementSystem, type SettlementSystem } from '../helpers/settlement-system.ts';

describe('points payments with the points provider', () => {
  let system: SettlementSystem;

  beforeEach(async () => {
    system = await createSettlementSystem({ simEnv: { AUTH_TTL_HOURS: '336' } });
  });

  afterEach(async () => {
    await system.close();
  });

  const settleNow = () => system.api().post('/v1/settlements').set(AUTH_HEADER).send();
  const paymentOf = async (id: string) => (await system.api().get(`/v1/payments/${id}`).set(AUTH_HEADER)).body;
  const hold = async (merchantReference: string) =>
    (await request(system.sim.app).get('/v1/points/authorizations').query({ merchantReference }).set(NETWORK_AUTH)).body;

  test.each([
    ['a wrong PIN', 'incorrect_pin', '55', { pin: '9999' }],
    ['too few points', 'insufficient_points', '51', { accountId: 'PTS-0000-0002' }],
    ['an unknown account', 'unknown_account', '14', { accountId: 'PTS-0000-9999' }],
    ['a blocked account', 'do_not_honor', '05', { accountId: 'PTS-0000-0003' }],
  ])('when the points provider is asked with %s, then 402 %s (%s)', async (_name, code, networkCode, points) => {
    const response = await system.payPoints({ amount: 600 }, points);

    expect(response.status).toBe(402);
    expect(response.body).toMatchObject({ status: 'declined', paymentMethod: 'points', decline: { code, networkCode } });
  });

  test('when a day of card and points payments settles and a points payment is refunded, then points, deposits and reconciliation all agree', async () => {
    const points = await system.payPoints({ amount: 2500 });
    const card = await system.pay({ amount: 1000 });
    expect(await system.pointsAccount('PTS-0000-0001')).toEqual({ accountId: 'PTS-0000-0001', balance: 100_000, held: 2500 });

    const run = await settleNow();

    expect(run.body).toMatchObject({ status: 'completed', itemCount: 2, settledCount: 2, totals: { USD: { sales: 3500, net: 3500 } } });
    expect(run.body.batchIds).toHaveLength(1);
    expect(await system.pointsAccount('PTS-0000-0001')).toEqual({ accountId: 'PTS-0000-0001', balance: 97_500, held: 0 });
    expect(await paymentOf(points.body.id)).toMatchObject({ status: 'settled', capturedAmount: 2500, settlementId: run.body.id });
    expect((await system.merchantAccount()).balances.USD).toBe(3500);
    const reconciliation = await system.api().get(`/v1/settlements/${run.body.id}/reconciliation`).set(AUTH_HEADER);
    expect(reconciliation.body).toMatchObject({ matched: 2, missingAtNetwork: [], missingInLedger: [], amountMismatches: [] });

    const refund = await system.api().post(`/v1/payments/${points.body.id}/refunds`).set(AUTH_HEADER).set('Idempotency-Key', freshKey()).send({ amount: 1000 });
    expect(refund.status).toBe(201);
    expect(await system.pointsAccount('PTS-0000-0001')).toMatchObject({ balance: 97_500 });
    const refundRun = await settleNow();

    expect(refundRun.body).toMatchObject({ itemCount: 1, totals: { USD: { sales: 0, refunds: 1000, net: -1000 } } });
    expect(await system.pointsAccount('PTS-0000-0001')).toEqual({ accountId: 'PTS-0000-0001', balance: 98_500, held: 0 });
    expect((await system.merchantAccount()).balances.USD).toBe(2500);
    expect(await paymentOf(points.body.id)).toMatchObject({ status: 'partially_refunded', refundedAmount: 1000 });
    const items = await system.api().get(`/v1/settlements/${refundRun.body.id}/items`).set(AUTH_HEADER);
    expect(items.body.data).toEqual([expect.objectContaining({ type: 'refund', paymentMethod: 'points', amount: 1000, status: 'settled' })]);
    expect(card.status).toBe(201);
  });

  test('when a manual points payment is captured in part, then the rest of the hold is released and only the part is redeemed', async () => {
    const payment = await system.payPoints({ amount: 3000, captureMethod: 'manual' });

    const captured = await system.api().post(`/v1/payments/${payment.body.id}/capture`).set(AUTH_HEADER).send({ amount: 1200 });

    expect(captured.body).toMatchObject({ status: 'captured', capturedAmount: 1200, paymentMethod: 'points' });
    expect(await system.pointsAccount('PTS-0000-0001')).toMatchObject({ held: 1200 });
    await settleNow().expect(201);
    expect(await system.pointsAccount('PTS-0000-0001')).toEqual({ accountId: 'PTS-0000-0001', balance: 98_800, held: 0 });
  });

  test('when a points payment is voided, then its hold is released at once; when one expires, then the run releases it', async () => {
    const voided = await system.payPoints({ amount: 400 });
    const expiring = await system.payPoints({ amount: 700, captureMethod: 'manual' });
    await system.api().post(`/v1/payments/${voided.body.id}/void`).set(AUTH_HEADER).send().expect(200);
    expect(await hold(voided.body.id)).toMatchObject({ status: 'reversed', heldAmount: 0 });
    expect(await system.pointsAccount('PTS-0000-0001')).toMatchObject({ held: 700 });

    system.clock.advanceHours(169);
    const run = await settleNow();

    expect(run.status).toBe(200);
    expect(await paymentOf(expiring.body.id)).toMatchObject({ status: 'expired', paymentMethod: 'points' });
    expect(await hold(expiring.body.id)).toMatchObject({ status: 'reversed', heldAmount: 0 });
    expect(await system.pointsAccount('PTS-0000-0001')).toEqual({ accountId: 'PTS-0000-0001', balance: 100_000, held: 0 });
  });

  test('when the points provider loses the answer after holding the points, then the look-up finds the hold and the payment is authorized, held once', async () => {
    await request(system.sim.app).post('/admin/faults').set(NETWORK_AUTH).send({ lostAnswerRate: 1 }).expect(200);

    const response = await system.payPoints({ amount: 800 });

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ status: 'authorized', paymentMethod: 'points' });
    expect(await hold(response.body.id)).toMatchObject({ status: 'approved', heldAmount: 800 });
    expect(await system.pointsAccount('PTS-0000-0001')).toMatchObject({ held: 800 });
  });
});
