/**
 * Card-network simulator, authorizations: decisions, idempotency, look-up, listing,
 * reversals, keys and bad input.
 */
import request from 'supertest';
import fc from 'fast-check';
import { problemSchema } from '../../shared/contracts/common.ts';
import { authorizationListSchema, authorizationRecordSchema, authorizationResponseSchema } from '../../shared/contracts/network.ts';
import {
  ACCOUNT_CARDS, AUTH_HEADER, TEST_CARDS, authorizationBody, approvedSale, createTestNetwork, postAuthorization, postBatch,
  type TestNetwork,
} from '../helpers/network-sim.ts';

let network: TestNetwork;

beforeEach(() => {
  network = createTestNetwork();
});

afterEach(() => {
  network.close();
});

function lookUp(merchantReference: string) {
  return request(network.app).get('/v1/authorizations').query({ merchantReference }).set(AUTH_HEADER);
}

function reverse(authorizationId: string, body: object = {}) {
  return request(network.app).post(`/v1/authorizations/${authorizationId}/reversal`).set(AUTH_HEADER).send(body);
}

async function listAll() {
  const response = await request(network.app).get('/v1/authorizations').query({ limit: 1000 }).set(AUTH_HEADER);
  return authorizationListSchema.parse(response.body).data;
}

describe('POST /v1/authorizations: decisions', () => {
  test.each([
    ['visa', TEST_CARDS.visa, '00'],
    ['mastercard', TEST_CARDS.mastercard, '00'],
    ['amex', TEST_CARDS.amex, '00'],
    ['do not honor', TEST_CARDS.doNotHonor, '05'],
    ['insufficient funds', TEST_CARDS.insufficientFunds, '51'],
    ['expired card', TEST_CARDS.expired, '54'],
    ['CVV mismatch', TEST_CARDS.cvvMismatch, 'N7'],
    ['issuer unavailable', TEST_CARDS.issuerUnavailable, '91'],
    ['lost card', TEST_CARDS.lost, '41'],
    ['stolen card', TEST_CARDS.stolen, '43'],
  ])('when the %s test card is authorized, then the answer is response code %s', async (_name, cardNumber, expectedCode) => {
    const body = authorizationBody({ cardNumber });
    const response = await postAuthorization(network.app, body);

    expect(response.status).toBe(200);
    const answer = authorizationResponseSchema.parse(response.body);
    expect(answer.responseCode).toBe(expectedCode);
    const record = authorizationRecordSchema.parse((await lookUp(body.merchantReference)).body);
    if (expectedCode === '00') {
      expect(answer.authorizationCode).toMatch(/^[A-Z0-9]{6}$/);
      expect(record).toMatchObject({ status: 'approved', heldAmount: body.amount, authorizationCode: answer.authorizationCode });
    } else {
      expect(answer.authorizationCode).toBeUndefined();
      expect(record).toMatchObject({ status: 'declined', heldAmount: 0, responseCode: expectedCode });
    }
  });

  test('when the card number fails the Luhn check, then the answer is 14', async () => {
    const response = await postAuthorization(network.app, authorizationBody({ cardNumber: '4242424242424241' }));

    expect(response.body).toMatchObject({ responseCode: '14', message: 'invalid card number' });
  });

  test('when the card expired last month, then the answer is 54; the current month still approves', async () => {
    const expired = authorizationBody({ card: { number: TEST_CARDS.visa, expMonth: 2, expYear: 2026, cvv: '123' } });
    const current = authorizationBody({ card: { number: TEST_CARDS.visa, expMonth: 3, expYear: 2026, cvv: '123' } });

    expect((await postAuthorization(network.app, expired)).body.responseCode).toBe('54');
    expect((await postAuthorization(network.app, current)).body.responseCode).toBe('00');
  });

  test('when an account card reaches its credit limit, then it approves up to the limit and answers 51 beyond it', async () => {
    const cardNumber = ACCOUNT_CARDS[0];
    const first = await postAuthorization(network.app, authorizationBody({ cardNumber, amount: 400_000 }));
    const toTheLimit = await postAuthorization(network.app, authorizationBody({ cardNumber, amount: 100_000 }));
    const beyond = await postAuthorization(network.app, authorizationBody({ cardNumber, amount: 1 }));
    const otherCurrency = await postAuthorization(network.app, authorizationBody({ cardNumber, amount: 500_000, currency: 'EUR' }));

    expect(first.body.responseCode).toBe('00');
    expect(toTheLimit.body.responseCode).toBe('00');
    expect(beyond.body).toMatchObject({ responseCode: '51', message: 'insufficient funds' });
    expect(otherCurrency.body.responseCode).toBe('00');
  });

  test('when a hold on an account card is reversed, then its credit is available again', async () => {
    const cardNumber = ACCOUNT_CARDS[1];
    const first = await postAuthorization(network.app, authorizationBody({ cardNumber, amount: 500_000 }));
    await reverse(first.body.authorizationId);
    const second = await postAuthorization(network.app, authorizationBody({ cardNumber, amount: 500_000 }));

    expect(second.body.responseCode).toBe('00');
  });

  test('when NETWORK_CARD_CREDIT_LIMIT is set, then account cards use that limit', async () => {
    const small = createTestNetwork({ env: { NETWORK_CARD_CREDIT_LIMIT: '10.00' } });
    try {
      const cardNumber = ACCOUNT_CARDS[2];
      expect((await postAuthorization(small.app, authorizationBody({ cardNumber, amount: 1000 }))).body.responseCode).toBe('00');
      expect((await postAuthorization(small.app, authorizationBody({ cardNumber, amount: 1 }))).body.responseCode).toBe('51');
    } finally {
      small.close();
    }
  });

  test('when an approving test card is charged far above any limit, then it still approves', async () => {
    const response = await postAuthorization(network.app, authorizationBody({ cardNumber: TEST_CARDS.visa, amount: 999_999_999_999 }));

    expect(response.body.responseCode).toBe('00');
  });

  test('when many different authorizations for one account card arrive at once, then the holds never exceed the limit', async () => {
    const cardNumber = ACCOUNT_CARDS[0];
    const responses = await Promise.all(Array.from({ length: 20 }, () => postAuthorization(network.app, authorizationBody({ cardNumber, amount: 50_000 }))));

    const approved = responses.filter((response) => response.body.responseCode === '00');
    const declined = responses.filter((response) => response.body.responseCode === '51');
    expect(approved).toHaveLength(10);
    expect(declined).toHaveLength(10);
    const held = (await listAll()).reduce((sum, record) => sum + record.heldAmount, 0);
    expect(held).toBe(500_000);
  });
});

describe('POST /v1/authorizations: idempotency by merchantReference', () => {
  test('when the same request is repeated, then the first answer comes back and one hold is placed', async () => {
    const body = authorizationBody({ cardNumber: ACCOUNT_CARDS[0], amount: 300_000 });
    const first = await postAuthorization(network.app, body);
    network.clock.advanceMs(1000);
    const repeat = await postAuthorization(network.app, body);

    expect(repeat.status).toBe(200);
    expect(repeat.body).toEqual(first.body);
    const records = await listAll();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ heldAmount: 300_000, authorizationCode: first.body.authorizationCode });
  });

  test('when 20 identical requests arrive at once, then there is one record and every answer is the same', async () => {
    const body = authorizationBody({ cardNumber: ACCOUNT_CARDS[1], amount: 200_000 });
    const responses = await Promise.all(Array.from({ length: 20 }, () => postAuthorization(network.app, body)));

    const answers = new Set(responses.map((response) => JSON.stringify(response.body)));
    expect(answers.size).toBe(1);
    expect(responses[0]?.body.responseCode).toBe('00');
    const records = await listAll();
    expect(records).toHaveLength(1);
    expect(records[0]?.heldAmount).toBe(200_000);
  });

  test.each([
    ['amount', { amount: 1001 }],
    ['currency', { currency: 'EUR' as const }],
    ['card', { card: { number: TEST_CARDS.mastercard, expMonth: 12, expYear: 2030, cvv: '123' } }],
  ])('when a reference is reused with another %s, then the answer is 409 merchant_reference_reused and nothing changes', async (_what, change) => {
    const body = authorizationBody({ amount: 1000 });
    const first = await postAuthorization(network.app, body);
    const reused = await postAuthorization(network.app, { ...body, ...change });

    expect(reused.status).toBe(409);
    expect(reused.headers['content-type']).toContain('application/problem+json');
    expect(problemSchema.parse(reused.body).code).toBe('merchant_reference_reused');
    expect((await lookUp(body.merchantReference)).body).toMatchObject({ authorizationId: first.body.authorizationId, amount: 1000, currency: 'USD' });
  });

  test('when a request that answered 91 (retryable) is repeated, then it is decided again in the same record', async () => {
    const body = authorizationBody({ cardNumber: TEST_CARDS.issuerUnavailable });
    const first = await postAuthorization(network.app, body);
    network.clock.advanceMs(5000);
    const retry = await postAuthorization(network.app, body);

    expect(retry.body).toMatchObject({ authorizationId: first.body.authorizationId, responseCode: '91' });
    const record = (await lookUp(body.merchantReference)).body;
    expect(record.updatedAt).toBe(new Date(network.clock.now()).toISOString());
    const metrics = await request(network.app).get('/metrics');
    expect(metrics.text).toMatch(/network_authorizations_total\{response_code="91",service="card-network-sim"\} 2/);
  });

  test('when a final decline is repeated, then it is not decided again', async () => {
    const body = authorizationBody({ cardNumber: TEST_CARDS.doNotHonor });
    await postAuthorization(network.app, body);
    const createdAt = (await lookUp(body.merchantReference)).body.updatedAt;
    network.clock.advanceMs(5000);
    const repeat = await postAuthorization(network.app, body);

    expect(repeat.body.responseCode).toBe('05');
    expect((await lookUp(body.merchantReference)).body.updatedAt).toBe(createdAt);
  });
});

describe('GET /v1/authorizations', () => {
  test('when the reference is known, then the record comes back with status, hold and timestamps', async () => {
    const body = authorizationBody({ amount: 2500 });
    const created = await postAuthorization(network.app, body);
    const response = await lookUp(body.merchantReference);

    expect(response.status).toBe(200);
    expect(authorizationRecordSchema.parse(response.body)).toEqual({
      authorizationId: created.body.authorizationId,
      responseCode: '00',
      authorizationCode: created.body.authorizationCode,
      message: 'approved',
      merchantReference: body.merchantReference,
      amount: 2500,
      currency: 'USD',
      status: 'approved',
      heldAmount: 2500,
      createdAt: '2026-03-01T12:00:00.000Z',
      updatedAt: '2026-03-01T12:00:00.000Z',
    });
  });

  test('when the reference is unknown, then the answer is 404 not_found', async () => {
    const response = await lookUp('never-sent');

    expect(response.status).toBe(404);
    expect(response.body.code).toBe('not_found');
  });

  test('when no reference is given, then all records come back in pages, oldest first', async () => {
    const references: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      const body = authorizationBody();
      references.push(body.merchantReference);
      await postAuthorization(network.app, body);
    }
    const page1 = await request(network.app).get('/v1/authorizations?limit=2').set(AUTH_HEADER);
    const cursor1 = page1.body.data[1].authorizationId as string;
    const page2 = await request(network.app).get(`/v1/authorizations?limit=2&startingAfter=${cursor1}`).set(AUTH_HEADER);
    const cursor2 = page2.body.data[1].authorizationId as string;
    const page3 = await request(network.app).get(`/v1/authorizations?limit=2&startingAfter=${cursor2}`).set(AUTH_HEADER);

    const pages = [page1, page2, page3].map((page) => authorizationListSchema.parse(page.body));
    expect(pages.map((page) => page.hasMore)).toEqual([true, true, false]);
    expect(pages.flatMap((page) => page.data.map((record) => record.merchantReference))).toEqual(references);
  });

  test.each([
    ['limit=0', 'limit'],
    ['limit=1001', 'limit'],
    ['limit=abc', 'limit'],
    ['merchantReference=has%20space', 'merchantReference'],
    ['merchantReference=a&merchantReference=b', 'merchantReference'],
    ['startingAfter=auth_unknown', 'startingAfter'],
  ])('when the query is %s, then the answer is 400 naming %s', async (query, field) => {
    const response = await request(network.app).get(`/v1/authorizations?${query}`).set(AUTH_HEADER);

    expect(response.status).toBe(400);
    expect(response.body.errors.map((problem: { field: string }) => problem.field)).toContain(field);
  });
});

describe('POST /v1/authorizations/:id/reversal', () => {
  test('when a hold is reversed in full, then the record is reversed with nothing held', async () => {
    const created = await postAuthorization(network.app, authorizationBody({ amount: 5000 }));
    const response = await reverse(created.body.authorizationId, { reason: 'void' });

    expect(response.status).toBe(200);
    expect(authorizationRecordSchema.parse(response.body)).toMatchObject({ status: 'reversed', heldAmount: 0, amount: 5000 });
  });

  test('when part of a hold is reversed, then the hold shrinks and stays approved; a full reversal releases the rest', async () => {
    const created = await postAuthorization(network.app, authorizationBody({ amount: 5000 }));
    const partial = await reverse(created.body.authorizationId, { amount: 2000, reason: 'partial_capture' });
    const rest = await reverse(created.body.authorizationId, { reason: 'void' });

    expect(partial.body).toMatchObject({ status: 'approved', heldAmount: 3000 });
    expect(rest.body).toMatchObject({ status: 'reversed', heldAmount: 0 });
  });

  test('when a partial reversal is sent again (a retry after a lost answer), then it releases nothing twice', async () => {
    const created = await postAuthorization(network.app, authorizationBody({ amount: 10_000 }));
    const first = await reverse(created.body.authorizationId, { amount: 4000, reason: 'partial_capture' });
    const retry = await reverse(created.body.authorizationId, { amount: 4000, reason: 'partial_capture' });

    expect(first.body.heldAmount).toBe(6000);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
  });

  test('when a partial amount releases the whole authorization, then the authorization is reversed', async () => {
    const created = await postAuthorization(network.app, authorizationBody({ amount: 700 }));
    const response = await reverse(created.body.authorizationId, { amount: 700 });

    expect(response.body).toMatchObject({ status: 'reversed', heldAmount: 0 });
  });

  test('when a reversed hold is reversed again, then the answer is 200 with the record unchanged', async () => {
    const created = await postAuthorization(network.app, authorizationBody());
    const first = await reverse(created.body.authorizationId);
    network.clock.advanceMs(1000);
    const again = await reverse(created.body.authorizationId);

    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
  });

  test('when the authorization is unknown, then the answer is 404', async () => {
    const response = await reverse('auth_unknown');

    expect(response.status).toBe(404);
    expect(response.body.code).toBe('not_found');
  });

  test('when the authorization was declined, then the answer is 409 not_approved', async () => {
    const created = await postAuthorization(network.app, authorizationBody({ cardNumber: TEST_CARDS.doNotHonor }));
    const response = await reverse(created.body.authorizationId);

    expect(response.status).toBe(409);
    expect(response.body.code).toBe('not_approved');
  });

  test('when the authorization is settled, then the answer is 409 already_settled', async () => {
    const sale = await approvedSale(network.app);
    await postBatch(network.app, 'run-1-1', [sale]);
    const authorizationId = (await lookUp(sale.merchantReference)).body.authorizationId as string;
    const response = await reverse(authorizationId);

    expect(response.status).toBe(409);
    expect(response.body.code).toBe('already_settled');
  });

  test('when the amount is above the authorization, then the answer is 400 naming amount and the hold is kept', async () => {
    const created = await postAuthorization(network.app, authorizationBody({ amount: 1000 }));
    const response = await reverse(created.body.authorizationId, { amount: 1001 });

    expect(response.status).toBe(400);
    expect(response.body.errors[0].field).toBe('amount');
    expect((await reverse(created.body.authorizationId, { amount: 1 })).body.heldAmount).toBe(999);
  });

  test.each([
    [{ amount: -5 }, 'amount'],
    [{ amount: 1.5 }, 'amount'],
    [{ reason: 'because' }, 'reason'],
  ])('when the body is %j, then the answer is 400 naming %s', async (body, field) => {
    const created = await postAuthorization(network.app, authorizationBody());
    const response = await reverse(created.body.authorizationId, body);

    expect(response.status).toBe(400);
    expect(response.body.errors[0].field).toBe(field);
  });

  test('when an authorization outlived AUTH_TTL_HOURS, then it reads as expired and reversing it changes nothing', async () => {
    const created = await postAuthorization(network.app, authorizationBody({ amount: 700 }));
    network.clock.advanceHours(169);
    const response = await reverse(created.body.authorizationId);

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'expired', heldAmount: 0 });
  });
});

describe('keys', () => {
  const protectedRoutes: Array<[string, string]> = [
    ['post', '/v1/authorizations'],
    ['get', '/v1/authorizations'],
    ['get', '/v1/authorizations?merchantReference=x'],
    ['post', '/v1/authorizations/auth_x/reversal'],
    ['post', '/v1/authorizations/auth_x/adjustment'],
    ['post', '/v1/authentications'],
    ['get', '/v1/authentications/3ds_x'],
    ['get', '/v1/points/accounts/PTS-0000-0001'],
    ['post', '/v1/points/authorizations'],
    ['get', '/v1/points/authorizations?merchantReference=x'],
    ['post', '/v1/points/authorizations/pts_x/reversal'],
    ['post', '/v1/points/authorizations/pts_x/adjustment'],
    ['post', '/v1/settlement-batches'],
    ['get', '/v1/settlement-batches/run-1-1'],
    ['get', '/v1/merchant-account'],
    ['get', '/v1/no-such-route'],
    ['get', '/admin/faults'],
    ['post', '/admin/faults'],
  ];

  test.each(protectedRoutes)('when %s %s has no key or a wrong key, then the answer is 401', async (method, path) => {
    const agent = request(network.app);
    const call = (headers: Record<string, string>) => (method === 'post' ? agent.post(path).send({}) : agent.get(path)).set(headers);
    const attempts: Array<Record<string, string>> = [{}, { Authorization: 'Bearer wrong-key' }, { Authorization: 'Basic dGVzdA==' }, { Authorization: 'Bearer' }];
    for (const headers of attempts) {
      const response = await call(headers);
      expect(response.status).toBe(401);
      expect(response.body.code).toBe('unauthorized');
    }
  });

  test.each(['/healthz', '/readyz', '/metrics'])('when %s is called without a key, then it answers 200', async (path) => {
    expect((await request(network.app).get(path)).status).toBe(200);
  });
});

describe('bad input', () => {
  test.each([
    ['no merchantReference', 'merchantReference', { merchantReference: undefined }],
    ['a merchantReference with spaces', 'merchantReference', { merchantReference: 'a b' }],
    ['a fractional amount', 'amount', { amount: 10.5 }],
    ['an amount as text', 'amount', { amount: '10' }],
    ['a negative amount', 'amount', { amount: -1 }],
    ['an unknown authenticationId shape', 'authenticationId', { authenticationId: 'not an id' }],
    ['an unknown currency', 'currency', { currency: 'XXX' }],
    ['letters in the card number', 'card.number', { card: { number: '4242abcd42424242', expMonth: 12, expYear: 2030, cvv: '123' } }],
    ['month 13', 'card.expMonth', { card: { number: TEST_CARDS.visa, expMonth: 13, expYear: 2030, cvv: '123' } }],
    ['a two-digit year', 'card.expYear', { card: { number: TEST_CARDS.visa, expMonth: 12, expYear: 30, cvv: '123' } }],
    ['a short CVV', 'card.cvv', { card: { number: TEST_CARDS.visa, expMonth: 12, expYear: 2030, cvv: '1' } }],
    ['no card', 'card', { card: undefined }],
  ])('when the authorization has %s, then the answer is 400 naming %s', async (_what, field, change) => {
    const response = await postAuthorization(network.app, { ...authorizationBody(), ...change });

    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body.code).toBe('validation_failed');
    expect(response.body.errors.map((problem: { field: string }) => problem.field)).toContain(field);
    expect(await listAll()).toHaveLength(0);
  });

  test('when the body is malformed JSON, then the answer is 400 naming body', async () => {
    const response = await request(network.app).post('/v1/authorizations').set(AUTH_HEADER)
      .set('Content-Type', 'application/json').send('{"merchantReference": "x", ');

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'malformed_body', errors: [{ field: 'body' }] });
  });

  test.each(['[]', '"text"', 'null', '42'])('when the body is %s, then the answer is 400', async (body) => {
    const response = await request(network.app).post('/v1/authorizations').set(AUTH_HEADER).set('Content-Type', 'application/json').send(body);

    expect(response.status).toBe(400);
  });

  test('when the body is not JSON at all, then the answer is 400 naming the missing fields', async () => {
    const response = await request(network.app).post('/v1/authorizations').set(AUTH_HEADER).set('Content-Type', 'text/plain').send('hello');

    expect(response.status).toBe(400);
    expect(response.body.errors.map((problem: { field: string }) => problem.field)).toContain('merchantReference');
  });

  test('when random JSON is posted to every write endpoint, then no answer is a 5xx', async () => {
    const paths = ['/v1/authorizations', '/v1/settlement-batches', '/v1/authorizations/auth_x/reversal', '/admin/faults'];
    await fc.assert(fc.asyncProperty(fc.constantFrom(...paths), fc.jsonValue(), async (path, body) => {
      const response = await request(network.app).post(path).set(AUTH_HEADER).set('Content-Type', 'application/json').send(JSON.stringify(body));
      expect(response.status).toBeLessThan(500);
    }), { numRuns: 150 });
  });

  test('when random authorization-shaped bodies are posted, then every answer is 200 or a 4xx problem', async () => {
    const bodyArbitrary = fc.record({
      merchantReference: fc.oneof(fc.string(), fc.stringMatching(/^[a-z0-9]{1,10}$/)),
      amount: fc.oneof(fc.integer(), fc.double(), fc.string()),
      currency: fc.oneof(fc.constantFrom('USD', 'JPY', 'KWD', 'usd'), fc.string()),
      card: fc.record({
        number: fc.oneof(fc.stringMatching(/^\d{12,19}$/), fc.string()),
        expMonth: fc.integer({ min: -1, max: 14 }),
        expYear: fc.integer({ min: 1990, max: 2100 }),
        cvv: fc.stringMatching(/^\d{2,5}$/),
      }),
    }, { requiredKeys: [] });
    await fc.assert(fc.asyncProperty(bodyArbitrary, async (body) => {
      const response = await postAuthorization(network.app, body);
      expect([200, 400, 409]).toContain(response.status);
    }), { numRuns: 150 });
  });
});
