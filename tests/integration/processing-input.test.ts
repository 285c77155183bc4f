import fc from 'fast-check';
import request from 'supertest';
import { AUTH_HEADER, createProcessingHarness, freshKey, paymentBody, type ProcessingHarness } from '../helpers/processing.ts';

describe('processing server: bad input, keys and reading payments', () => {
  let harness: ProcessingHarness;

  beforeAll(() => {
    harness = createProcessingHarness();
  });

  afterAll(async () => {
    await harness.close();
  });

  function pay(body: unknown) {
    return request(harness.app).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', freshKey()).send(body as object);
  }

  const thisYear = new Date().getUTCFullYear();
  const invalidBodies: Array<[string, Record<string, unknown>, string]> = [
    ['a Luhn-invalid number', paymentBody({}, { number: '4242424242424241' }), 'card.number'],
    ['letters in the number', paymentBody({}, { number: '4242abcd42424242' }), 'card.number'],
    ['a number too short', paymentBody({}, { number: '42424242424' }), 'card.number'],
    ['an expired card', paymentBody({}, { expMonth: 1, expYear: thisYear - 1 }), 'card.expYear'],
    ['month 13', paymentBody({}, { expMonth: 13 }), 'card.expMonth'],
    ['a two-digit year', paymentBody({}, { expYear: 30 }), 'card.expYear'],
    ['a 3-digit CVV on Amex', paymentBody({}, { number: '378282246310005', cvv: '123' }), 'card.cvv'],
    ['a 4-digit CVV on Visa', paymentBody({}, { cvv: '1234' }), 'card.cvv'],
    ['no holder name', paymentBody({}, { holderName: '  ' }), 'card.holderName'],
    ['a NUL in the holder name', paymentBody({}, { holderName: 'Ada\u0000Lovelace' }), 'card.holderName'],
    ['a right-to-left override in the holder name', paymentBody({}, { holderName: 'Ada\u202eecalevoL' }), 'card.holderName'],
    ['a holder name of bidi isolates only', paymentBody({}, { holderName: '\u2066\u2069' }), 'card.holderName'],
    ['a C1 control in the holder name', paymentBody({}, { holderName: 'Ada\u009bLovelace' }), 'card.holderName'],
    ['a decimal amount', paymentBody({ amount: 10.5 }), 'amount'],
    ['a string amount', paymentBody({ amount: '1000' }), 'amount'],
    ['a zero amount', paymentBody({ amount: 0 }), 'amount'],
    ['a negative amount', paymentBody({ amount: -5 }), 'amount'],
    ['an unknown currency', paymentBody({ currency: 'XXX' }), 'currency'],
    ['an unknown capture method', paymentBody({ captureMethod: 'later' }), 'captureMethod'],
    ['no card', { amount: 100, currency: 'USD' }, 'card'],
    ['no card and no amount', { currency: 'USD' }, 'card'],
    ['both a card and points', { ...paymentBody(), points: { accountId: 'PTS-0000-0001', pin: '1234' } }, 'points'],
    ['a points PIN of letters', { amount: 100, currency: 'USD', points: { accountId: 'PTS-0000-0001', pin: 'abcd' } }, 'points.pin'],
    // Points are in the contract; this server does not authorize them yet, and says so by field.
    ['points instead of a card', { amount: 100, currency: 'USD', points: { accountId: 'PTS-0000-0001', pin: '1234' } }, 'points'],
  ];

  test.each(invalidBodies)('when the body has %s, then 400 problem+json naming %s and no call to the card company', async (_name, body, field) => {
    const calls = harness.network.authorizeCalls.length;
    const response = await pay(body);

    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    expect(harness.network.authorizeCalls.length).toBe(calls);
  });

  test('when the body is not JSON, then 400 malformed_body; another content type is 415; over 1 MB is 413', async () => {
    const malformed = await request(harness.app).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', freshKey())
      .set('Content-Type', 'application/json').send('{"amount": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('malformed_body');

    const text = await request(harness.app).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', freshKey())
      .set('Content-Type', 'text/plain').send('amount=1');
    expect(text.status).toBe(415);

    const huge = await pay({ ...paymentBody(), description: 'x'.repeat(1_100_000) });
    expect(huge.status).toBe(413);
  });

  test('when any JSON value is posted, then the answer is a 4xx problem or a payment, never a 5xx', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(fc.jsonValue(), fc.record({
      amount: fc.oneof(fc.integer(), fc.double(), fc.string()),
      currency: fc.oneof(fc.constantFrom('USD', 'JPY', 'KWD'), fc.string()),
      card: fc.record({ number: fc.string(), expMonth: fc.integer(), expYear: fc.integer(), cvv: fc.string(), holderName: fc.string() }, { requiredKeys: [] }),
    }, { requiredKeys: [] })), async (body) => {
      const response = await request(harness.app).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', freshKey())
        .set('Content-Type', 'application/json').send(JSON.stringify(body));
      expect(response.status).toBeLessThan(500);
    }), { numRuns: 150 });
  });

  test('when the bearer key is missing or wrong, then 401 on every /v1 route; health routes need no key', async () => {
    for (const [method, path] of [['post', '/v1/payments'], ['get', '/v1/payments'], ['get', '/v1/payments/pay_x']] as const) {
      expect((await request(harness.app)[method](path)).status).toBe(401);
      expect((await request(harness.app)[method](path).set('Authorization', 'Bearer wrong-key')).status).toBe(401);
      expect((await request(harness.app)[method](path).set('Authorization', 'Basic abc')).status).toBe(401);
    }
    expect((await request(harness.app).get('/healthz')).status).toBe(200);
    expect((await request(harness.app).get('/metrics')).status).toBe(200);
  });

  test('when a payment id is unknown, then 404 problem', async () => {
    const response = await request(harness.app).get('/v1/payments/pay_unknown').set(AUTH_HEADER);
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('not_found');
  });

  test('when payments are listed, then newest first, paged by cursor, filtered by status and time', async () => {
    const local = createProcessingHarness();
    try {
      const ids: string[] = [];
      for (let index = 0; index < 5; index += 1) {
        local.setNow(new Date(Date.UTC(2026, 0, 1, 0, index)));
        const number = index === 2 ? '4000000000000002' : '4242424242424242';
        const response = await request(local.app).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', freshKey())
          .send(paymentBody({}, { number, expYear: 2030 }));
        ids.push(response.body.id);
      }
      const list = (query: string) => request(local.app).get(`/v1/payments${query}`).set(AUTH_HEADER);

      const first = await list('?limit=2');
      expect(first.body.data.map((payment: { id: string }) => payment.id)).toEqual([ids[4], ids[3]]);
      expect(first.body.hasMore).toBe(true);
      const second = await list(`?limit=2&startingAfter=${ids[3]}`);
      expect(second.body.data.map((payment: { id: string }) => payment.id)).toEqual([ids[2], ids[1]]);
      const last = await list(`?limit=2&startingAfter=${ids[1]}`);
      expect(last.body).toMatchObject({ hasMore: false });
      expect(last.body.data).toHaveLength(1);

      const declined = await list('?status=declined');
      expect(declined.body.data.map((payment: { id: string }) => payment.id)).toEqual([ids[2]]);
      const window = await list('?from=2026-01-01T00:01:00Z&to=2026-01-01T00:03:00Z');
      expect(window.body.data.map((payment: { id: string }) => payment.id)).toEqual([ids[2], ids[1]]);
      expect(JSON.stringify(first.body)).not.toContain('4242424242424242');
    } finally {
      await local.close();
    }
  });

  test.each([
    ['?limit=0', 'query.limit'], ['?limit=101', 'query.limit'], ['?limit=abc', 'query.limit'],
    ['?status=paid', 'query.status'], ['?from=yesterday', 'query.from'],
  ])('when the list query is %s, then 400 naming %s', async (query, field) => {
    const response = await request(harness.app).get(`/v1/payments${query}`).set(AUTH_HEADER);
    expect(response.status).toBe(400);
    expect(response.body.errors[0].field).toBe(field);
  });
});
