/**
 * GET /payments/:id: where a shopper told "pending" sees the outcome, looked up on the
 * processing server (GET /v1/payments/:id).
 */
import request from 'supertest';
import { declinedFixture, paymentFixture, problem, refusedUrl, startFakeProcessing, type FakeProcessing } from '../helpers/ui-fake-processing.ts';
import { BROWSER_ACCEPT, TEST_PROCESSING_KEY, buildTestUi, rawGet } from '../helpers/ui-app.ts';
import { createLogger } from '../../shared/logger.ts';
import { createProcessingClient } from '../../ui-server/src/processing-client.ts';

let processing: FakeProcessing;

beforeEach(async () => {
  processing = await startFakeProcessing(() => ({ status: 200, body: paymentFixture({ id: 'pay_42' }) }));
});

afterEach(async () => {
  await processing.close();
});

describe('GET /payments/:id', () => {
  test('when the payment exists, then it is looked up with the key and request id and shown as a result', async () => {
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const response = await request(ui.app).get('/payments/pay_42').set('x-request-id', 'req-status-1');

    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toMatchObject({ status: 'approved', paymentId: 'pay_42', authorizationCode: 'A1B2C3', amount: '12.34', currency: 'USD' });
    expect(processing.requests).toHaveLength(1);
    expect(processing.requests[0]).toMatchObject({ method: 'GET', url: '/v1/payments/pay_42' });
    expect(processing.requests[0]!.headers.authorization).toBe(`Bearer ${TEST_PROCESSING_KEY}`);
    expect(processing.requests[0]!.headers['x-request-id']).toBe('req-status-1');
  });

  test('when the payment is still pending, then the page says so and reloads itself', async () => {
    processing.reply(() => ({ status: 200, body: paymentFixture({ id: 'pay_42', status: 'pending', authorizationCode: null }) }));
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const response = await request(ui.app).get('/payments/pay_42').set('Accept', BROWSER_ACCEPT);

    expect(response.status).toBe(200);
    expect(response.text).toContain('We are confirming your payment');
    expect(response.text).toContain('<meta http-equiv="refresh" content="5;url=/payments/pay_42">');
  });

  test('when the payment was declined, then the page gives the human reason', async () => {
    processing.reply(() => ({ status: 200, body: declinedFixture('expired_card', '54') }));
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const response = await request(ui.app).get('/payments/pay_0001').set('Accept', BROWSER_ACCEPT);

    expect(response.text).toContain('Payment declined');
    expect(response.text).toContain('this card has expired');
  });

  test('when the payment failed, then the result is an error saying the shopper was not charged', async () => {
    processing.reply(() => ({ status: 200, body: paymentFixture({ status: 'failed', authorizationCode: null }) }));
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const response = await request(ui.app).get('/payments/pay_0001');

    expect(response.body.status).toBe('error');
    expect(response.body.message).toContain('You have not been charged.');
  });

  test('when the processing server does not know the payment, then 404', async () => {
    processing.reply(() => ({ status: 404, body: problem(404, 'not_found') }));
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const response = await request(ui.app).get('/payments/pay_missing');

    expect(response.status).toBe(404);
    expect(JSON.parse(response.text)).toMatchObject({ code: 'not_found' });
  });

  test('when the id is not a plausible payment id, then 404 without asking the processing server', async () => {
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const response = await request(ui.app).get(`/payments/${encodeURIComponent('../v1/settlements')}`);

    expect(response.status).toBe(404);
    expect(processing.requests).toHaveLength(0);
  });

  test.each([
    '/payments/.', '/payments/..', '/payments/%2e', '/payments/%2E', '/payments/%2e%2e', '/payments/.%2e', '/payments/...',
    '/payments/pay_42%2F..', '/payments/pay_42%3Fstatus=declined', '/payments/pay_', '/payments/pay_4.2', '/payments/set_01a22cf14c4b',
    '/payments/%70ay_', '/payments/pay_42%00',
  ])('when %s is asked (not a payment id), then 404 and the processing server is asked nothing, least of all its payment list', async (path) => {
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const json = await rawGet(ui.app, path);
    const page = await rawGet(ui.app, path, { Accept: BROWSER_ACCEPT });

    expect(json.status).toBe(404);
    expect(JSON.parse(json.text)).toMatchObject({ code: 'not_found' });
    expect(page.status).toBe(404);
    expect(page.text).toContain('Page not found');
    expect(processing.requests).toEqual([]);
  });

  test('when the processing server cannot be reached, then 503 problem', async () => {
    const ui = buildTestUi({ processingUrls: [await refusedUrl()] });

    const response = await request(ui.app).get('/payments/pay_42');

    expect(response.status).toBe(503);
    expect(JSON.parse(response.text)).toMatchObject({ code: 'processing_unavailable' });
  });
});

describe('the processing client\'s payment look-up', () => {
  const client = () => createProcessingClient({ baseUrls: [processing.url], apiKey: TEST_PROCESSING_KEY, timeoutMs: 2000, logger: createLogger({ service: 'test', level: 'silent' }), retryBackoffMs: 1 });

  test.each(['.', '..', ''])('when the id is %j (a dot segment or nothing), then it is not found without a call: it cannot become the payment list', async (paymentId) => {
    await expect(client().getPayment(paymentId, { requestId: 'req-1' })).resolves.toEqual({ kind: 'not_found' });
    expect(processing.requests).toEqual([]);
  });

  test('when the id holds / ? # or a percent sign, then they are encoded and stay inside the one path segment', async () => {
    processing.reply(() => ({ status: 404, body: problem(404, 'not_found') }));

    await client().getPayment('pay_1/../x?status=declined#y', { requestId: 'req-1' });
    await client().getPayment('%2e%2e', { requestId: 'req-2' });

    expect(processing.requests.map((recorded) => recorded.url)).toEqual(['/v1/payments/pay_1%2F..%2Fx%3Fstatus%3Ddeclined%23y', '/v1/payments/%252e%252e']);
  });
});
