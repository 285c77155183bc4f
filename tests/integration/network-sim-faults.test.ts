/**
 * Card-network simulator, operations: fault injection and its admin API, health, readiness,
 * metrics, body limits, and card data never at rest.
 */
import request from 'supertest';
import { faultSettingsSchema } from '../../shared/contracts/network.ts';
import {
  ACCOUNT_CARDS, AUTH_HEADER, TEST_CARDS, approvedSale, authorizationBody, createTestNetwork, postAuthorization, postBatch,
  readAllFiles, refundItem, type TestNetwork,
} from '../helpers/network-sim.ts';

const networks: TestNetwork[] = [];

function network(options: Parameters<typeof createTestNetwork>[0] = {}): TestNetwork {
  const created = createTestNetwork(options);
  networks.push(created);
  return created;
}

afterEach(() => {
  for (const created of networks.splice(0)) created.close();
});

function setFaults(target: TestNetwork, body: object) {
  return request(target.app).post('/admin/faults').set(AUTH_HEADER).send(body);
}

function lookUp(target: TestNetwork, merchantReference: string) {
  return request(target.app).get('/v1/authorizations').query({ merchantReference }).set(AUTH_HEADER);
}

describe('injected errors', () => {
  test('when the error rate is 1, then authorizations answer 503 injected_fault and nothing is recorded', async () => {
    const target = network({ env: { NETWORK_FAULT_ERROR_RATE: '1' } });
    const body = authorizationBody();
    const response = await postAuthorization(target.app, body).set('x-request-id', 'req-fault-1');

    expect(response.status).toBe(503);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body.code).toBe('injected_fault');
    await setFaults(target, { errorRate: 0 });
    expect((await lookUp(target, body.merchantReference)).status).toBe(404);
    const logged = target.logs().find((line) => line.msg === 'injected fault: error');
    expect(logged).toMatchObject({ level: 30, requestId: 'req-fault-1', fault: 'error' });
  });

  test('when the error rate is 1, then a settlement batch answers 503 and settles nothing', async () => {
    const target = network();
    const sale = await approvedSale(target.app);
    await setFaults(target, { errorRate: 1 });
    const response = await postBatch(target.app, 'run-1-1', [sale]);
    await setFaults(target, { errorRate: 0 });

    expect(response.status).toBe(503);
    expect((await request(target.app).get('/v1/settlement-batches/run-1-1').set(AUTH_HEADER)).status).toBe(404);
    expect((await lookUp(target, sale.merchantReference)).body.status).toBe('approved');
  });

  test('when the random draw is below the error rate, then the request fails; at or above it, it goes through', async () => {
    const target = network({ random: () => 0.5 });
    await setFaults(target, { errorRate: 0.6 });
    const failing = await postAuthorization(target.app, authorizationBody());
    await setFaults(target, { errorRate: 0.5 });
    const passing = await postAuthorization(target.app, authorizationBody());

    expect(failing.status).toBe(503);
    expect(passing.status).toBe(200);
  });

  test('when the error rate is 1, then a wrong key is still answered 401 and health stays up', async () => {
    const target = network({ env: { NETWORK_FAULT_ERROR_RATE: '1' } });

    expect((await request(target.app).post('/v1/authorizations').send({})).status).toBe(401);
    expect((await request(target.app).get('/healthz')).status).toBe(200);
  });
});

describe('lost answers', () => {
  test('when the lost-answer rate is 1, then the caller sees a reset and the authorization was recorded with its hold', async () => {
    const target = network({ env: { NETWORK_FAULT_LOST_ANSWER_RATE: '1' } });
    const body = authorizationBody({ cardNumber: ACCOUNT_CARDS[0], amount: 12_345 });

    await expect(postAuthorization(target.app, body).set('x-request-id', 'req-lost-1')).rejects.toThrow(/socket hang up|ECONNRESET/);
    await setFaults(target, { lostAnswerRate: 0 });
    const record = await lookUp(target, body.merchantReference);
    expect(record.body).toMatchObject({ status: 'approved', heldAmount: 12_345 });
    const retry = await postAuthorization(target.app, body);
    expect(retry.body.authorizationId).toBe(record.body.authorizationId);
    expect(target.logs().find((line) => line.msg === 'injected fault: lost_answer')).toMatchObject({ requestId: 'req-lost-1' });
  });

  test('when the answer to a settlement batch is lost, then the batch was settled and a resend gets the stored answer', async () => {
    const target = network();
    const sale = await approvedSale(target.app, { amount: 777 });
    await setFaults(target, { lostAnswerRate: 1 });

    await expect(postBatch(target.app, 'run-1-1', [sale])).rejects.toThrow(/socket hang up|ECONNRESET/);
    await setFaults(target, { lostAnswerRate: 0 });
    const resend = await postBatch(target.app, 'run-1-1', [sale]);
    expect(resend.body).toMatchObject({ settledCount: 1, totals: { USD: { net: 777 } } });
    const account = await request(target.app).get('/v1/merchant-account').set(AUTH_HEADER);
    expect(account.body.deposits).toHaveLength(1);
  });

  test('when the lost-answer rate is 1, then look-ups and reversals are still answered', async () => {
    const target = network();
    const created = await postAuthorization(target.app, authorizationBody());
    await setFaults(target, { lostAnswerRate: 1 });

    expect((await request(target.app).get('/v1/authorizations').set(AUTH_HEADER)).status).toBe(200);
    expect((await request(target.app).post(`/v1/authorizations/${created.body.authorizationId}/reversal`).set(AUTH_HEADER).send({})).status).toBe(200);
  });
});

describe('latency', () => {
  test('when a fixed latency is set, then every /v1 request waits at least that long', async () => {
    const target = network({ env: { NETWORK_FAULT_LATENCY_MS: '60' } });
    const startedMs = performance.now();
    const response = await postAuthorization(target.app, authorizationBody());

    expect(response.status).toBe(200);
    expect(performance.now() - startedMs).toBeGreaterThanOrEqual(55);
    expect(target.logs().find((line) => line.msg === 'injected fault: latency')).toMatchObject({ delayMs: 60 });
  });

  test('when a range is set, then the wait is drawn from it with the injected randomness', async () => {
    const target = network({ random: () => 0.999 });
    await setFaults(target, { latencyMs: '10-40' });
    await request(target.app).get('/v1/merchant-account').set(AUTH_HEADER);

    expect(target.logs().find((line) => line.msg === 'injected fault: latency')).toMatchObject({ delayMs: 40 });
  });

  test('when latency is set, then health checks do not wait', async () => {
    const target = network({ env: { NETWORK_FAULT_LATENCY_MS: '5000' } });
    const startedMs = performance.now();

    expect((await request(target.app).get('/healthz')).status).toBe(200);
    expect(performance.now() - startedMs).toBeLessThan(1000);
  });
});

describe('/admin/faults', () => {
  test('when the settings come from the environment, then GET shows them', async () => {
    const target = network({ env: { NETWORK_FAULT_LATENCY_MS: '10-20', NETWORK_FAULT_ERROR_RATE: '0.25', NETWORK_FAULT_LOST_ANSWER_RATE: '0.1' } });
    const response = await request(target.app).get('/admin/faults').set(AUTH_HEADER);

    expect(response.status).toBe(200);
    expect(faultSettingsSchema.parse(response.body)).toEqual({ latencyMs: { min: 10, max: 20 }, errorRate: 0.25, lostAnswerRate: 0.1 });
  });

  test('when a partial update is posted, then only those settings change and the answer shows all of them', async () => {
    const target = network();
    const first = await setFaults(target, { errorRate: 0.5 });
    const second = await setFaults(target, { latencyMs: 15 });
    const third = await setFaults(target, { latencyMs: { min: 1, max: 3 }, lostAnswerRate: 0.2 });

    expect(first.body).toEqual({ latencyMs: { min: 0, max: 0 }, errorRate: 0.5, lostAnswerRate: 0 });
    expect(second.body).toEqual({ latencyMs: { min: 15, max: 15 }, errorRate: 0.5, lostAnswerRate: 0 });
    expect(third.body).toEqual({ latencyMs: { min: 1, max: 3 }, errorRate: 0.5, lostAnswerRate: 0.2 });
    expect((await request(target.app).get('/admin/faults').set(AUTH_HEADER)).body).toEqual(third.body);
  });

  test.each([
    ['an error rate above 1', { errorRate: 2 }, 'errorRate'],
    ['a negative lost-answer rate', { lostAnswerRate: -0.1 }, 'lostAnswerRate'],
    ['a latency range upside down', { latencyMs: '50-10' }, 'latencyMs'],
    ['a latency object upside down', { latencyMs: { min: 50, max: 10 } }, 'latencyMs'],
    ['a latency of words', { latencyMs: 'slow' }, 'latencyMs'],
    ['a latency far too long', { latencyMs: 600_000 }, 'latencyMs'],
    ['an unknown setting', { errorrate: 1 }, 'errorrate'],
  ])('when the update has %s, then the answer is 400 naming the field and nothing changes', async (_what, body, field) => {
    const target = network();
    const response = await setFaults(target, body);

    expect(response.status).toBe(400);
    expect(response.body.errors.map((problem: { field: string }) => problem.field).join(' ')).toContain(field);
    expect((await request(target.app).get('/admin/faults').set(AUTH_HEADER)).body).toEqual({ latencyMs: { min: 0, max: 0 }, errorRate: 0, lostAnswerRate: 0 });
  });

  test('when NETWORK_ADMIN_ENABLED is false, then /admin/faults answers 404', async () => {
    const target = network({ env: { NETWORK_ADMIN_ENABLED: 'false' } });

    expect((await request(target.app).get('/admin/faults').set(AUTH_HEADER)).status).toBe(404);
    expect((await setFaults(target, { errorRate: 1 })).status).toBe(404);
  });

  test('when NODE_ENV is production and admin is not set, then /admin/faults answers 404', async () => {
    const target = network({ env: { NODE_ENV: 'production' } });

    expect((await request(target.app).get('/admin/faults').set(AUTH_HEADER)).status).toBe(404);
  });
});

describe('health, readiness and metrics', () => {
  test('when the database answers, then /healthz and /readyz answer 200', async () => {
    const target = network();

    expect((await request(target.app).get('/healthz')).body).toEqual({ status: 'ok' });
    expect((await request(target.app).get('/readyz')).status).toBe(200);
  });

  test('when the database is closed, then /readyz answers 503 and /healthz still 200', async () => {
    const target = network();
    target.store.close();

    expect((await request(target.app).get('/readyz')).status).toBe(503);
    expect((await request(target.app).get('/healthz')).status).toBe(200);
  });

  test('when authorizations and a batch were processed, then /metrics counts them in Prometheus text', async () => {
    const target = network();
    const sale = await approvedSale(target.app);
    await postAuthorization(target.app, authorizationBody({ cardNumber: TEST_CARDS.stolen }));
    await postBatch(target.app, 'run-1-1', [sale, { ...sale, merchantReference: 'unknown-ref' }]);
    const response = await request(target.app).get('/metrics');

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    expect(response.text).toMatch(/network_authorizations_total\{response_code="00",service="card-network-sim"\} 1/);
    expect(response.text).toMatch(/network_authorizations_total\{response_code="43",service="card-network-sim"\} 1/);
    expect(response.text).toMatch(/network_settlement_items_total\{status="settled",service="card-network-sim"\} 1/);
    expect(response.text).toMatch(/network_settlement_items_total\{status="rejected",service="card-network-sim"\} 1/);
    expect(response.text).toContain('http_request_duration_seconds');
  });
});

describe('body limits', () => {
  test('when a body is larger than SETTLEMENT_BATCH_MAX items need, then the answer is 413', async () => {
    const target = network({ env: { SETTLEMENT_BATCH_MAX: '1' } });
    const oversized = JSON.stringify({ batchId: 'run-1-1', items: [{ merchantReference: 'x'.repeat(200_000) }] });
    const response = await request(target.app).post('/v1/settlement-batches').set(AUTH_HEADER).set('Content-Type', 'application/json').send(oversized);

    expect(response.status).toBe(413);
    expect(response.body.code).toBe('payload_too_large');
  });

  test('when the admin body is oversized, then the answer is 413', async () => {
    const target = network();
    const response = await setFaults(target, { padding: 'x'.repeat(50_000) });

    expect(response.status).toBe(413);
  });
});

describe('card data at rest', () => {
  test('when every kind of request has been handled, then no file in DATA_DIR and no log line holds a full card number', async () => {
    const target = network();
    const numbers = [...Object.values(TEST_CARDS), ...ACCOUNT_CARDS];
    const sales = [];
    for (const cardNumber of numbers) {
      const body = authorizationBody({ cardNumber });
      const response = await postAuthorization(target.app, body);
      if (response.body.responseCode === '00') {
        sales.push({ merchantReference: body.merchantReference, authorizationCode: response.body.authorizationCode, amount: body.amount, currency: body.currency, type: 'sale' as const, card: { number: cardNumber } });
      }
    }
    await postAuthorization(target.app, authorizationBody({ cardNumber: '4242424242424241' }));
    await postBatch(target.app, 'run-1-1', sales);
    const firstSale = sales[0];
    if (!firstSale) throw new Error('expected approved sales');
    await postBatch(target.app, 'run-2-1', [refundItem(firstSale, 100)]);

    const findNumbers = (text: string) => [...numbers, '4242424242424241'].filter((number) => text.includes(number));
    expect(findNumbers(readAllFiles(target.dataDir).toString('latin1'))).toEqual([]);
    expect(findNumbers(target.logLines.join(''))).toEqual([]);
    target.store.close();
    expect(findNumbers(readAllFiles(target.dataDir).toString('latin1'))).toEqual([]);
  });
});
