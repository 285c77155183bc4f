/**
 * Loyalty points as a second way to pay (SPEC §4, §11), through the processing API with an
 * in-memory points provider: the payment's shape, the points currency, declines, idempotency
 * without the PIN, the spending limit per points account, a provider that does not answer,
 * recovery and the timeout reversal, and no PIN anywhere it could be kept.
 */
import request from 'supertest';
import { paymentSchema, pointsPaymentSchema } from '../../shared/contracts/processing.ts';
import { recoverPayments } from '../../processing-server/src/domain/recover.ts';
import { WRONG_PIN } from '../helpers/fake-network.ts';
import { AUTH_HEADER, createProcessingHarness, freshKey, paymentBody, type ProcessingHarness } from '../helpers/processing.ts';
import { readAllBytes } from '../helpers/temp-dir.ts';

const PIN = '48150926';

function pointsBody(overrides: Record<string, unknown> = {}, points: Record<string, unknown> = {}): Record<string, unknown> {
  return { amount: 2500, currency: 'USD', points: { accountId: 'PTS-0000-0001', pin: PIN, ...points }, ...overrides };
}

describe('processing server: points payments', () => {
  let harness: ProcessingHarness;
  const start = new Date('2026-05-01T10:00:00.000Z');

  beforeEach(async () => {
    harness = await createProcessingHarness({ now: start, env: { RECOVERY_GRACE_MS: '10000' } });
  });

  afterEach(async () => {
    await harness.close();
  });

  const pay = (body: Record<string, unknown>, key = freshKey()) =>
    request(harness.app).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', key).send(body);
  const later = (ms: number) => harness.setNow(new Date(start.getTime() + ms));
  const getPayment = async (id: string) => (await request(harness.app).get(`/v1/payments/${id}`).set(AUTH_HEADER)).body;

  test('when points pay, then 201 with a points payment (its account, no card, no holder), held at the points provider only', async () => {
    const response = await pay(pointsBody());

    expect(response.status).toBe(201);
    const payment = pointsPaymentSchema.parse(response.body);
    expect(payment).toMatchObject({
      status: 'authorized', paymentMethod: 'points', points: { accountId: 'PTS-0000-0001' }, amount: 2500, currency: 'USD',
      authorizationCode: expect.stringMatching(/^[A-Z0-9]{6}$/), decline: null,
    });
    expect(response.body).not.toHaveProperty('card');
    expect(response.body).not.toHaveProperty('holderName');
    expect(harness.points.authorizeCalls).toEqual([{
      merchantReference: payment.id, amountMinor: 2500, currency: 'USD', instrument: { method: 'points', accountId: 'PTS-0000-0001', pin: PIN },
    }]);
    expect(harness.network.authorizeCalls).toHaveLength(0);
    expect(await getPayment(payment.id)).toEqual(response.body);
    const listed = await request(harness.app).get('/v1/payments').set(AUTH_HEADER);
    expect(paymentSchema.array().parse(listed.body.data).map((item) => item.paymentMethod)).toEqual(['points']);
  });

  test('when points pay in another currency than POINTS_CURRENCY, then 400 currency_not_supported naming currency, and nothing is asked', async () => {
    const response = await pay(pointsBody({ currency: 'EUR' }));

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'currency_not_supported', errors: [{ field: 'currency', message: 'must be USD for a points payment' }] });
    expect(harness.points.authorizeCalls).toHaveLength(0);
    expect((await request(harness.app).get('/v1/payments').set(AUTH_HEADER)).body.data).toEqual([]);
  });

  test('when POINTS_CURRENCY is EUR, then points pay in EUR and not in USD', async () => {
    const euro = await createProcessingHarness({ env: { POINTS_CURRENCY: 'EUR' } });
    try {
      const payIn = (currency: string) => request(euro.app).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', freshKey()).send(pointsBody({ currency }));
      expect((await payIn('EUR')).status).toBe(201);
      expect((await payIn('USD')).body.code).toBe('currency_not_supported');
    } finally {
      await euro.close();
    }
  });

  test.each([
    ['a wrong PIN', 'incorrect_pin', { pin: WRONG_PIN }, '55'],
    ['an unknown account', 'unknown_account', { accountId: 'PTS-9999-9999' }, '14'],
    ['a blocked account', 'do_not_honor', { accountId: 'PTS-0000-0003' }, '05'],
  ])('when points pay with %s, then 402 declined %s and the payment counts nothing', async (_name, code, points, networkCode) => {
    const response = await pay(pointsBody({}, points));

    expect(response.status).toBe(402);
    expect(response.body).toMatchObject({ status: 'declined', paymentMethod: 'points', decline: { code, networkCode } });
    expect((await harness.store.payments.get(response.body.id))?.countedMinor).toBe(0);
  });

  test('when the same key and body come again with another PIN, then the first answer is replayed and the provider is not asked again', async () => {
    const key = freshKey();
    const first = await pay(pointsBody(), key);
    const second = await pay(pointsBody({}, { pin: '11112222' }), key);
    const otherAccount = await pay(pointsBody({}, { accountId: 'PTS-0000-0002' }), key);

    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(otherAccount.status).toBe(409);
    expect(otherAccount.body.code).toBe('idempotency_key_reused');
    expect(harness.points.authorizeCalls).toHaveLength(1);
  });

  test('when a points account reaches the spending limit, then its next payment is declined limit_exceeded; another account and a card are not', async () => {
    const limited = await createProcessingHarness({ env: { CARD_SPEND_LIMIT: '10.00' } });
    try {
      const payWith = (body: Record<string, unknown>) => request(limited.app).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', freshKey()).send(body);
      expect((await payWith(pointsBody({ amount: 600 }))).status).toBe(201);
      const over = await payWith(pointsBody({ amount: 401 }));
      expect(over.status).toBe(402);
      expect(over.body.decline).toMatchObject({ code: 'limit_exceeded', message: expect.stringContaining('This points account') });
      expect((await payWith(pointsBody({ amount: 400 }))).status).toBe(201);
      expect((await payWith(pointsBody({ amount: 1000 }, { accountId: 'PTS-0000-0002' }))).status).toBe(201);
      expect((await payWith(paymentBody({ amount: 1000 }))).status).toBe(201);
      expect(limited.points.authorizeCalls).toHaveLength(3);
    } finally {
      await limited.close();
    }
  });

  test('when the points provider is down, then 503 network_unavailable says no points were taken, and the payment failed', async () => {
    harness.points.mode = 'down';

    const response = await pay(pointsBody());

    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({
      code: 'network_unavailable', charged: false, detail: expect.stringContaining('no points were taken'),
      payment: { status: 'failed', paymentMethod: 'points', reason: 'network_unavailable' },
    });
  });

  test('when a points payment lost its answer and its look-up, then it stays pending and recovery authorizes it from the provider\'s record', async () => {
    harness.points.mode = 'lose_everything';
    const key = freshKey();
    const first = await pay(pointsBody(), key);
    expect(first.status).toBe(504);
    expect(first.body.detail).toContain('points provider');
    harness.points.mode = 'up';

    later(11_000);
    const report = await recoverPayments(harness.deps, { limit: 10 });

    expect(report).toMatchObject({ examined: 1, authorized: 1 });
    const repeat = await pay(pointsBody(), key);
    expect(repeat.status).toBe(201);
    expect(repeat.body).toMatchObject({ id: first.body.payment.id, status: 'authorized', paymentMethod: 'points' });
    expect(harness.points.authorizeCalls).toHaveLength(1);
  });

  test('when a points hold lands after the payment was failed, then recovery reverses it at the points provider: voided timeout_reversal', async () => {
    harness.points.mode = 'lose_everything';
    const first = await pay(pointsBody());
    const { id } = first.body.payment as { id: string };
    const hold = harness.points.holds.get(id);
    if (!hold) throw new Error('the points provider recorded the hold');
    harness.points.holds.delete(id);
    harness.points.mode = 'up';
    later(11_000);
    expect(await recoverPayments(harness.deps, { limit: 10 })).toMatchObject({ failed: 1 });

    harness.points.holds.set(id, hold);
    later(25_000);
    expect(await recoverPayments(harness.deps, { limit: 10 })).toMatchObject({ reversed: 1 });

    expect(await getPayment(id)).toMatchObject({ status: 'voided', reason: 'timeout_reversal', paymentMethod: 'points' });
    expect(harness.points.reversals).toEqual([{ authorizationId: hold.authorizationId, reason: 'timeout' }]);
    expect(harness.points.holds.get(id)).toMatchObject({ status: 'reversed', heldAmount: 0 });
    expect(harness.network.reversals).toEqual([]);
  });

  test('when a points payment is voided, then its hold is released at the points provider, not at the card company', async () => {
    const payment = await pay(pointsBody());

    const voided = await request(harness.app).post(`/v1/payments/${payment.body.id}/void`).set(AUTH_HEADER).send();

    expect(voided.body).toMatchObject({ status: 'voided', paymentMethod: 'points' });
    expect(harness.points.reversals).toEqual([{ authorizationId: expect.any(String), reason: 'void' }]);
    expect(harness.network.reversals).toEqual([]);
  });

  test('after points payments, declined and failed ones included, neither the database files nor the logs hold the PIN', async () => {
    await pay(pointsBody());
    await pay(pointsBody({ amount: 100 }, { accountId: 'PTS-0000-0003' }));
    harness.points.mode = 'down';
    await pay(pointsBody({ amount: 200 }));

    expect(readAllBytes(harness.dataDir).toString('latin1')).not.toContain(PIN);
    expect(harness.logs.text()).not.toContain(PIN);
    expect(harness.logs.text()).toContain('payment authorization finished');
  });
});
