import request from 'supertest';
import { paymentSchema } from '../../shared/contracts/processing.ts';
import { AUTH_HEADER, createProcessingHarness, freshKey, paymentBody, type ProcessingHarness } from '../helpers/processing.ts';
import { readAllBytes } from '../helpers/temp-dir.ts';

const TEST_CARD_NUMBERS = ['4242424242424242', '5555555555554444', '378282246310005', '4000000000000002'];

describe('processing server: POST /v1/payments', () => {
  let harness: ProcessingHarness;

  beforeEach(async () => {
    harness = await createProcessingHarness();
  });

  afterEach(async () => {
    await harness.close();
  });

  function pay(body: Record<string, unknown>, key = freshKey()) {
    return request(harness.app).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', key).send(body);
  }

  test('when an approved card pays, then 201 with an authorized, masked payment, stored and sent once to the card company', async () => {
    const response = await pay(paymentBody());

    expect(response.status).toBe(201);
    const payment = paymentSchema.parse(response.body);
    expect(payment).toMatchObject({
      status: 'authorized', amount: 1000, currency: 'USD', captureMethod: 'automatic',
      card: { brand: 'visa', last4: '4242' }, decline: null, merchantReference: payment.id,
    });
    expect(payment.authorizationCode).toMatch(/^[A-Z0-9]{6}$/);
    expect(JSON.stringify(response.body)).not.toContain('4242424242424242');
    expect(harness.network.authorizeCalls).toHaveLength(1);
    expect(harness.network.authorizeCalls[0]).toMatchObject({
      merchantReference: payment.id, amountMinor: 1000, currency: 'USD', instrument: { method: 'card', number: '4242424242424242', cvv: '123' },
    });
    const stored = await request(harness.app).get(`/v1/payments/${payment.id}`).set(AUTH_HEADER);
    expect(stored.body).toEqual(response.body);
    const metrics = await request(harness.app).get('/metrics');
    expect(metrics.text).toContain('cardlane_payment_authorizations_total{outcome="authorized",replayed="false",service="processing-server"} 1');
  });

  test('when the card company declines, then 402 with the payment declined and a readable reason', async () => {
    const response = await pay(paymentBody({}, { number: '4000000000000002' }));

    expect(response.status).toBe(402);
    expect(response.body).toMatchObject({ status: 'declined', decline: { code: 'do_not_honor', networkCode: '05' }, authorizationCode: null });
  });

  test('when the Idempotency-Key header is missing, then 400 idempotency_key_required and nothing is sent', async () => {
    const response = await request(harness.app).post('/v1/payments').set(AUTH_HEADER).send(paymentBody());

    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body).toMatchObject({ code: 'idempotency_key_required', status: 400, errors: [{ field: 'Idempotency-Key' }] });
    expect(harness.network.authorizeCalls).toHaveLength(0);
  });

  test('when the same key and body are sent twice, then the first answer is replayed and one hold is placed', async () => {
    const key = freshKey();
    const first = await pay(paymentBody(), key);
    const second = await pay(paymentBody(), key);

    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(harness.network.authorizeCalls).toHaveLength(1);
  });

  test('when the same key and body come again with another CVV, then the first answer is replayed and the card company is not asked again', async () => {
    const key = freshKey();
    const first = await pay(paymentBody({}, { cvv: '123' }), key);
    const second = await pay(paymentBody({}, { cvv: '987' }), key);

    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(harness.network.authorizeCalls).toHaveLength(1);
  });

  test('when the same key comes with a different body, then 409 idempotency_key_reused', async () => {
    const key = freshKey();
    await pay(paymentBody(), key);
    const response = await pay(paymentBody({ amount: 2000 }), key);

    expect(response.status).toBe(409);
    expect(response.body.code).toBe('idempotency_key_reused');
    expect(harness.network.authorizeCalls).toHaveLength(1);
  });

  test('when the same key arrives while the first request is in flight, then 409 idempotency_key_in_flight, then the final answer', async () => {
    let release = (): void => undefined;
    harness.network.gate = new Promise<void>((resolve) => { release = resolve; });
    const key = freshKey();
    const first = pay(paymentBody(), key).then((response) => response);
    await waitFor(() => harness.network.authorizeCalls.length === 1);

    const second = await pay(paymentBody(), key);
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('idempotency_key_in_flight');

    release();
    expect((await first).status).toBe(201);
    const third = await pay(paymentBody(), key);
    expect(third.status).toBe(201);
    expect(harness.network.authorizeCalls).toHaveLength(1);
  });

  test('when 50 payments of 100.00 race on one card with a 1,000.00 limit, then exactly 10 are authorized and 40 declined limit_exceeded', async () => {
    const responses = await Promise.all(Array.from({ length: 50 }, () => pay(paymentBody({ amount: 10_000 }))));

    const authorized = responses.filter((response) => response.status === 201);
    const declined = responses.filter((response) => response.status === 402);
    expect(authorized).toHaveLength(10);
    expect(declined).toHaveLength(40);
    for (const response of declined) expect(response.body.decline.code).toBe('limit_exceeded');
    expect(harness.network.authorizeCalls).toHaveLength(10);
  });

  test('when a card reaches its limit in one currency, then another currency and another card are unaffected, and declines do not count', async () => {
    expect((await pay(paymentBody({ amount: 100_000 }))).status).toBe(201);
    expect((await pay(paymentBody({ amount: 1 }))).body.decline.code).toBe('limit_exceeded');
    expect((await pay(paymentBody({ amount: 100_000, currency: 'EUR' }))).status).toBe(201);
    expect((await pay(paymentBody({ amount: 100_000 }, { number: '5555555555554444' }))).status).toBe(201);
    // A declined payment releases its share: the card that was declined by the issuer can still spend.
    expect((await pay(paymentBody({ amount: 100_000 }, { number: '4000000000000002' }))).status).toBe(402);
    expect((await pay(paymentBody({ amount: 100_000 }, { number: '4000000000000002' }))).body.decline.code).toBe('do_not_honor');
  });

  test('when the limit window has passed, then the card can spend again (injected clock)', async () => {
    harness.setNow(new Date('2026-01-01T10:00:00Z'));
    expect((await pay(paymentBody({ amount: 100_000 }))).status).toBe(201);
    harness.setNow(new Date('2026-01-02T09:59:59Z'));
    expect((await pay(paymentBody({ amount: 1 }))).status).toBe(402);
    harness.setNow(new Date('2026-01-02T10:00:01Z'));
    expect((await pay(paymentBody({ amount: 100_000 }))).status).toBe(201);
  });

  test('when the spending limit is in JPY, then 1000.00 means 1000 yen', async () => {
    expect((await pay(paymentBody({ amount: 1000, currency: 'JPY' }))).status).toBe(201);
    expect((await pay(paymentBody({ amount: 1, currency: 'JPY' }))).body.decline.code).toBe('limit_exceeded');
  });

  test('when CARD_SPEND_LIMIT is USD:1000.00,JPY:150000, then JPY spends up to 150000 yen, USD up to 1000.00, and an unlisted currency up to 1000.00', async () => {
    const limited = await createProcessingHarness({ env: { CARD_SPEND_LIMIT: 'USD:1000.00,JPY:150000' } });
    try {
      const payIn = (amount: number, currency: string) => request(limited.app).post('/v1/payments').set(AUTH_HEADER)
        .set('Idempotency-Key', freshKey()).send(paymentBody({ amount, currency }));
      expect((await payIn(150_000, 'JPY')).status).toBe(201);
      const overYen = await payIn(1, 'JPY');
      expect(overYen.status).toBe(402);
      expect(overYen.body.decline).toMatchObject({ code: 'limit_exceeded', message: expect.stringContaining('150000 JPY') });
      expect((await payIn(100_000, 'USD')).status).toBe(201);
      expect((await payIn(1, 'USD')).status).toBe(402);
      expect((await payIn(100_000, 'EUR')).status).toBe(201);
      expect((await payIn(1, 'EUR')).status).toBe(402);
    } finally {
      await limited.close();
    }
  });

  test('when CARD_SPEND_LIMIT starts with an amount for every currency, then unlisted currencies get that amount', async () => {
    const limited = await createProcessingHarness({ env: { CARD_SPEND_LIMIT: '500.00,JPY:150000' } });
    try {
      const payIn = (amount: number, currency: string) => request(limited.app).post('/v1/payments').set(AUTH_HEADER)
        .set('Idempotency-Key', freshKey()).send(paymentBody({ amount, currency }));
      expect((await payIn(50_001, 'GBP')).body.decline?.code).toBe('limit_exceeded');
      expect((await payIn(50_000, 'GBP')).status).toBe(201);
      expect((await payIn(150_000, 'JPY')).status).toBe(201);
    } finally {
      await limited.close();
    }
  });

  test('after payments, neither the database files nor the logs hold a full card number or the CVV', async () => {
    for (const number of TEST_CARD_NUMBERS) {
      await pay(paymentBody({}, { number, cvv: number.startsWith('37') ? '9876' : '123' }));
    }
    const stored = readAllBytes(harness.dataDir).toString('latin1');
    const logged = harness.logs.text();
    for (const number of TEST_CARD_NUMBERS) {
      expect(stored).not.toContain(number);
      expect(logged).not.toContain(number);
    }
    // Quoted, so a hex payment id that happens to contain these digits cannot match.
    expect(logged).not.toContain('"9876"');
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
