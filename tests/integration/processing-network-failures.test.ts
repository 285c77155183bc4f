import request from 'supertest';
import { AUTH_HEADER, createProcessingHarness, freshKey, paymentBody, type ProcessingHarness } from '../helpers/processing.ts';

describe('processing server: when the card company does not answer', () => {
  let harness: ProcessingHarness;

  beforeEach(async () => {
    harness = await createProcessingHarness();
  });

  afterEach(async () => {
    await harness.close();
  });

  const pay = (key = freshKey()) => request(harness.app).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', key).send(paymentBody());

  test('when the card company is unreachable, then 503 with the payment failed and not charged, and a repeat gets the same answer', async () => {
    harness.network.mode = 'down';
    const key = freshKey();
    const response = await pay(key);

    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({ code: 'network_unavailable', paymentStatus: 'failed', charged: false, payment: { status: 'failed', reason: 'network_unavailable' } });
    harness.network.mode = 'up';
    const repeat = await pay(key);
    expect(repeat.status).toBe(503);
    expect(harness.network.holds.size).toBe(0);
  });

  test('when the answer is lost but the card company approved, then the look-up finds the approval: 201 authorized, kept, and replayed for the key', async () => {
    harness.network.mode = 'lose_answers';
    const key = freshKey();
    const response = await pay(key);

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ status: 'authorized', authorizationCode: expect.any(String) });
    const stored = await request(harness.app).get(`/v1/payments/${response.body.id}`).set(AUTH_HEADER);
    expect(stored.body).toMatchObject({ status: 'authorized', reason: null });
    expect(harness.network.reversals).toHaveLength(0);
    expect(harness.network.holds.get(response.body.id)).toMatchObject({ status: 'approved', heldAmount: 1000 });
    harness.network.mode = 'up';
    const repeat = await pay(key);
    expect(repeat.status).toBe(201);
    expect(repeat.body).toEqual(response.body);
    expect(harness.network.authorizeCalls).toHaveLength(1);
  });

  test('when the answer is lost and the card company declined, then the look-up finds the decline: 402', async () => {
    harness.network.mode = 'lose_answers';
    const response = await request(harness.app).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', freshKey())
      .send(paymentBody({}, { number: '4000000000000002' }));

    expect(response.status).toBe(402);
    expect(response.body).toMatchObject({ status: 'declined', decline: { code: 'do_not_honor' } });
  });

  test('when the answer is lost and the look-up finds the hold already released, then 503 failed and not charged', async () => {
    harness.network.mode = 'lose_answers';
    const originalLookup = harness.network.lookup;
    harness.network.lookup = async (reference, context) => {
      const found = await originalLookup(reference, context);
      return found.kind === 'found' ? { kind: 'found', authorization: { ...found.authorization, status: 'reversed', heldMinor: 0 } } : found;
    };
    const response = await pay();

    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({ charged: false, payment: { status: 'failed' } });
  });

  test('when neither the answer nor the look-up arrives, then the payment stays pending, 504, and a repeat says in flight', async () => {
    harness.network.mode = 'lose_everything';
    const key = freshKey();
    const response = await pay(key);

    expect(response.status).toBe(504);
    expect(response.body).toMatchObject({ code: 'authorization_pending', paymentStatus: 'pending', payment: { status: 'pending' } });
    const repeat = await pay(key);
    expect(repeat.status).toBe(409);
    expect(repeat.body.code).toBe('idempotency_key_in_flight');
    const stored = await request(harness.app).get(`/v1/payments/${response.body.payment.id}`).set(AUTH_HEADER);
    expect(stored.body.status).toBe('pending');
  });

  test('when the card company answers a retryable decline every time, then the payment is declined with that code', async () => {
    const response = await request(harness.app).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', freshKey())
      .send(paymentBody({}, { number: '4000000000000119' }));
    expect(response.status).toBe(402);
    expect(response.body.decline).toMatchObject({ code: 'issuer_unavailable', networkCode: '91' });
  });

  test('when readiness is asked and the card company is down, then 503 not_ready; when up, 200', async () => {
    harness.network.mode = 'down';
    const down = await request(harness.app).get('/readyz');
    expect(down.status).toBe(503);
    expect(down.body.checks).toMatchObject({ database: 'ok', network: 'unreachable' });
  });
});
