/**
 * The access log of every process: one line per request with its path, and never the query
 * string, where a careless client (or an attacker probing) may put a card number and a CVV; and
 * a payment makes one line at `info` in each process, which says what became of it.
 */
import request from 'supertest';
import { AUTH_HEADER as NETWORK_AUTH, authorizationBody, createTestNetwork } from '../helpers/network-sim.ts';
import { AUTH_HEADER, createProcessingHarness, freshKey, paymentBody } from '../helpers/processing.ts';
import { VALID_FORM, buildTestUi } from '../helpers/ui-app.ts';
import { paymentFixture, startFakeProcessing } from '../helpers/ui-fake-processing.ts';

const INFO = 30;

/** The lines a request wrote at info and above, found by its request id. */
function linesOf(lines: string[], requestId: string): Array<Record<string, unknown>> {
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.requestId === requestId && Number(line.level) >= INFO);
}

const CARD_QUERY = 'cardNumber=4242424242424242&cvv=987&holder=Ada%20Lovelace';

function expectNoQueryIn(lines: string[], path: string): void {
  const text = lines.join('\n');
  expect(text).not.toContain('4242424242424242');
  expect(text).not.toContain('cvv=');
  expect(text).not.toContain('cardNumber');
  expect(text).not.toContain('Lovelace');
  const access = lines.map((line) => JSON.parse(line) as { req?: { url?: string } }).filter((line) => line.req);
  expect(access.map((line) => line.req?.url)).toEqual([path]);
}

describe('request logging', () => {
  test('when the UI server gets a query string with card data, then its log line names the path only', async () => {
    const ui = buildTestUi({ processingUrls: ['http://127.0.0.1:9'] });

    await request(ui.app).get(`/make-payment?${CARD_QUERY}`);

    expectNoQueryIn(ui.logLines, '/make-payment');
  });

  test('when the processing server gets a query string with card data, then its log line names the path only', async () => {
    const harness = await createProcessingHarness();
    try {
      const response = await request(harness.app).get(`/v1/payments?${CARD_QUERY}`).set(AUTH_HEADER);

      expect(response.status).toBe(200);
      expectNoQueryIn(harness.logs.lines, '/v1/payments');
    } finally {
      await harness.close();
    }
  });

  test('when the simulator gets a query string with card data, then its log line names the path only', async () => {
    const network = createTestNetwork();
    try {
      await request(network.app).get(`/v1/authorizations?merchantReference=pay_x&${CARD_QUERY}`).set(NETWORK_AUTH);

      expectNoQueryIn(network.logLines, '/v1/authorizations');
    } finally {
      network.close();
    }
  });

  test('when a request without a key carries card data in its query, then the refused request is logged by its path only', async () => {
    const harness = await createProcessingHarness();
    try {
      const response = await request(harness.app).get(`/v1/payments/pay_1/refunds?${CARD_QUERY}`);

      expect(response.status).toBe(401);
      expectNoQueryIn(harness.logs.lines, '/v1/payments/pay_1/refunds');
    } finally {
      await harness.close();
    }
  });

  describe('a payment, in each process', () => {
    test('when the UI server answers a checkout, then it writes one line for it, carrying the outcome and the payment', async () => {
      const processing = await startFakeProcessing(() => ({ status: 201, body: paymentFixture() }));
      try {
        const ui = buildTestUi({ processingUrls: [processing.url] });

        const response = await request(ui.app).post('/make-payment').set('x-request-id', 'req-one-line-ui').set('Accept', 'application/json').send(VALID_FORM);

        expect(response.status).toBe(200);
        expect(linesOf(ui.logLines, 'req-one-line-ui')).toEqual([expect.objectContaining({
          level: INFO, msg: 'request completed', paymentStatus: 'approved', paymentId: 'pay_0001',
          req: { method: 'POST', url: '/make-payment' }, res: { statusCode: 200 }, responseTime: expect.any(Number),
        })]);
      } finally {
        await processing.close();
      }
    });

    test('when the processing server authorizes a payment, then it writes one line for it, carrying the payment and its outcome', async () => {
      const harness = await createProcessingHarness();
      try {
        const response = await request(harness.app).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', freshKey())
          .set('x-request-id', 'req-one-line-processing').send(paymentBody());

        expect(response.status).toBe(201);
        expect(linesOf(harness.logs.lines, 'req-one-line-processing')).toEqual([expect.objectContaining({
          level: INFO, msg: 'request completed', paymentId: response.body.id, paymentMethod: 'card', outcome: 'authorized', replayed: false,
          req: { method: 'POST', url: '/v1/payments' }, res: { statusCode: 201 },
        })]);
      } finally {
        await harness.close();
      }
    });

    test('when the card company decides an authorization, then it writes one line for it', async () => {
      const network = createTestNetwork();
      try {
        const response = await request(network.app).post('/v1/authorizations').set(NETWORK_AUTH).set('x-request-id', 'req-one-line-network')
          .send(authorizationBody());

        expect(response.status).toBe(200);
        expect(linesOf(network.logLines, 'req-one-line-network')).toEqual([expect.objectContaining({
          level: INFO, msg: 'request completed', req: { method: 'POST', url: '/v1/authorizations' }, res: { statusCode: 200 },
        })]);
      } finally {
        network.close();
      }
    });

    test('when the processing server fails a request with a 500, then its one line is an error that says so', async () => {
      const harness = await createProcessingHarness();
      try {
        await harness.store.close();

        const response = await request(harness.app).get('/v1/payments/pay_gone').set(AUTH_HEADER).set('x-request-id', 'req-one-line-500');

        expect(response.status).toBe(500);
        const lines = linesOf(harness.logs.lines, 'req-one-line-500');
        expect(lines.filter((line) => line.msg === 'request errored')).toEqual([expect.objectContaining({
          level: 50, req: { method: 'GET', url: '/v1/payments/pay_gone' }, res: { statusCode: 500 }, err: expect.objectContaining({ message: 'failed with status code 500' }),
        })]);
      } finally {
        await harness.close();
      }
    });
  });
});
