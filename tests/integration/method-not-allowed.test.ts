/**
 * Methods a path does not take: 405 problem+json with an `Allow` header on every path an app
 * serves, in all three processes; a path nobody serves stays 404. And the Idempotency-Key header,
 * when it is wrong, is the field the problem names.
 */
import type { Express } from 'express';
import request from 'supertest';
import { AUTH_HEADER as NETWORK_AUTH, createTestNetwork, type TestNetwork } from '../helpers/network-sim.ts';
import { AUTH_HEADER, createProcessingHarness, freshKey, paymentBody, type ProcessingHarness } from '../helpers/processing.ts';
import { buildTestUi } from '../helpers/ui-app.ts';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete' | 'trace' | 'options';

function send(app: Express, method: Method, path: string, headers: Record<string, string> = {}) {
  return request(app)[method](path).set(headers);
}

async function expect405(app: Express, method: Method, path: string, allow: string, headers: Record<string, string> = {}): Promise<void> {
  const response = await send(app, method, path, headers);
  expect({ method, path, status: response.status, allow: response.headers.allow }).toEqual({ method, path, status: 405, allow });
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ status: 405, code: 'method_not_allowed', errors: [{ field: 'method' }] });
}

describe('405 method not allowed', () => {
  describe('processing server', () => {
    let harness: ProcessingHarness;
    beforeEach(async () => { harness = await createProcessingHarness(); });
    afterEach(async () => { await harness.close(); });

    test.each([
      ['put', '/v1/payments', 'GET, HEAD, POST'],
      ['trace', '/v1/payments', 'GET, HEAD, POST'],
      ['delete', '/v1/payments/pay_123', 'GET, HEAD'],
      ['get', '/v1/payments/pay_123/capture', 'POST'],
      ['put', '/v1/payments/pay_123/void', 'POST'],
      ['patch', '/v1/payments/pay_123/refunds', 'GET, HEAD, POST'],
      ['delete', '/v1/settlements', 'GET, HEAD, POST'],
      ['post', '/v1/settlements/set_1/items', 'GET, HEAD'],
      ['put', '/v1/settlements/set_1/reconciliation', 'GET, HEAD'],
      ['post', '/healthz', 'GET, HEAD'],
      ['delete', '/readyz', 'GET, HEAD'],
      ['post', '/metrics', 'GET, HEAD'],
      ['post', '/openapi.json', 'GET, HEAD'],
    ] as Array<[Method, string, string]>)('when %s %s, then 405 with Allow: %s', async (method, path, allow) => {
      await expect405(harness.app, method, path, allow, AUTH_HEADER);
    });

    test('when a method is wrong and the key is missing, then the key is refused first (401)', async () => {
      const response = await request(harness.app).put('/v1/payments');
      expect(response.status).toBe(401);
    });

    test('when a PUT carries a body that is not JSON, then 405 still, and nothing is parsed', async () => {
      const response = await request(harness.app).put('/v1/payments').set(AUTH_HEADER).set('Content-Type', 'text/plain').send('not json');
      expect(response.status).toBe(405);
    });

    test('when OPTIONS asks what a path takes, then 204 with the Allow header', async () => {
      const response = await request(harness.app).options('/v1/payments/pay_123/capture').set(AUTH_HEADER);
      expect(response.status).toBe(204);
      expect(response.headers.allow).toBe('POST');
    });

    test('when a path is served by no route, then 404 for any method', async () => {
      for (const method of ['get', 'put', 'trace'] as Method[]) {
        const response = await send(harness.app, method, '/v1/nothing-here', AUTH_HEADER);
        expect({ method, status: response.status }).toEqual({ method, status: 404 });
      }
      expect((await request(harness.app).delete('/elsewhere')).status).toBe(404);
    });

    test('when a method a path takes is used, then the route answers as before', async () => {
      const response = await request(harness.app).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', freshKey()).send(paymentBody());
      expect(response.status).toBe(201);
      expect((await request(harness.app).head('/healthz')).status).toBe(200);
    });
  });

  describe('card-network simulator', () => {
    let network: TestNetwork;
    beforeEach(() => { network = createTestNetwork(); });
    afterEach(() => { network.close(); });

    test.each([
      ['put', '/v1/authorizations', 'GET, HEAD, POST'],
      ['trace', '/v1/authorizations', 'GET, HEAD, POST'],
      ['get', '/v1/authorizations/auth_1/reversal', 'POST'],
      ['delete', '/v1/settlement-batches', 'POST'],
      ['post', '/v1/settlement-batches/set_1-1', 'GET, HEAD'],
      ['post', '/v1/merchant-account', 'GET, HEAD'],
      ['put', '/admin/faults', 'GET, HEAD, POST'],
      ['post', '/healthz', 'GET, HEAD'],
      ['post', '/openapi.json', 'GET, HEAD'],
    ] as Array<[Method, string, string]>)('when %s %s, then 405 with Allow: %s', async (method, path, allow) => {
      await expect405(network.app, method, path, allow, NETWORK_AUTH);
    });

    test('when a path is served by no route, then 404', async () => {
      expect((await request(network.app).put('/v1/nothing').set(NETWORK_AUTH)).status).toBe(404);
    });

    test('when fault injection is off, then its path is not served at all (404, not 405)', async () => {
      const closed = createTestNetwork({ env: { NETWORK_ADMIN_ENABLED: 'false' } });
      try {
        expect((await request(closed.app).put('/admin/faults').set(NETWORK_AUTH)).status).toBe(404);
      } finally {
        closed.close();
      }
    });
  });

  describe('UI server', () => {
    const { app } = buildTestUi({ processingUrls: ['http://127.0.0.1:9'] });

    test.each([
      ['get', '/make-payment', 'POST'],
      ['put', '/make-payment', 'POST'],
      ['trace', '/', 'GET, HEAD'],
      ['post', '/payment.html', 'GET, HEAD'],
      ['post', '/payment.js', 'GET, HEAD'],
      ['delete', '/base.css', 'GET, HEAD'],
      ['put', '/payments/pay_123', 'GET, HEAD'],
      ['post', '/healthz', 'GET, HEAD'],
      ['post', '/metrics', 'GET, HEAD'],
      ['post', '/admin/vendor/chart.js/chart.umd.js', 'GET, HEAD'],
    ] as Array<[Method, string, string]>)('when %s %s, then 405 with Allow: %s', async (method, path, allow) => {
      await expect405(app, method, path, allow, { Accept: 'application/json' });
    });

    test('when a path is served by nothing, then 404', async () => {
      expect((await request(app).put('/no-such-page').set('Accept', 'application/json')).status).toBe(404);
    });
  });
});

describe('Idempotency-Key problems name the header', () => {
  let harness: ProcessingHarness;
  beforeEach(async () => { harness = await createProcessingHarness(); });
  afterEach(async () => { await harness.close(); });

  const cases: Array<[string, string | undefined, string]> = [
    ['missing', undefined, 'idempotency_key_required'],
    ['empty', '', 'idempotency_key_required'],
    ['too long', 'k'.repeat(256), 'validation_failed'],
    ['with a space inside', 'two words', 'validation_failed'],
    ['with a character outside printable ASCII', 'clé', 'validation_failed'],
  ];

  test.each(cases)('when the key is %s on a payment, then 400 naming the field Idempotency-Key', async (_what, key, code) => {
    const call = request(harness.app).post('/v1/payments').set(AUTH_HEADER);
    if (key !== undefined) call.set('Idempotency-Key', key);
    const response = await call.send(paymentBody());

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code, errors: [{ field: 'Idempotency-Key' }] });
    expect(response.body.errors).toHaveLength(1);
  });

  test.each(cases)('when the key is %s on a refund, then 400 naming the field Idempotency-Key', async (_what, key, code) => {
    const call = request(harness.app).post('/v1/payments/pay_123/refunds').set(AUTH_HEADER);
    if (key !== undefined) call.set('Idempotency-Key', key);
    const response = await call.send({ amount: 100 });

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code, errors: [{ field: 'Idempotency-Key' }] });
    expect(response.body.errors).toHaveLength(1);
  });
});
