/**
 * GET /payments/:id: where a shopper told "pending" sees the outcome, looked up on the
 * processing server (GET /v1/payments/:id).
 */
import request from 'supertest';
import { declinedFixture, paymentFixture, problem, refusedUrl, startFakeProcessing, type FakeProcessing } from '../helpers/ui-fake-processing.ts';
import { BROWSER_ACCEPT, TEST_PROCESSING_KEY, buildTestUi } from '../helpers/ui-app.ts';

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

  test('when the processing server cannot be reached, then 503 problem', async () => {
    const ui = buildTestUi({ processingUrls: [await refusedUrl()] });

    const response = await request(ui.app).get('/payments/pay_42');

    expect(response.status).toBe(503);
    expect(JSON.parse(response.text)).toMatchObject({ code: 'processing_unavailable' });
  });
});
