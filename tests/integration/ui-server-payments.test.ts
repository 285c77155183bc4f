/**
 * POST /make-payment against a fake processing server: what the UI server sends, and what the
 * shopper is told for every answer the processing server can give (SPEC §4, §7).
 */
import request from 'supertest';
import {
  declinedFixture, paymentFixture, problem, refusedUrl, startFakeProcessing, type FakeProcessing,
} from '../helpers/ui-fake-processing.ts';
import { BROWSER_ACCEPT, TEST_PROCESSING_KEY, VALID_FORM, buildTestUi, containsToken } from '../helpers/ui-app.ts';

let processing: FakeProcessing;

beforeEach(async () => {
  processing = await startFakeProcessing(() => ({ status: 201, body: paymentFixture() }));
});

afterEach(async () => {
  await processing.close();
});

function postForm(ui: ReturnType<typeof buildTestUi>, form: Record<string, string> = VALID_FORM, accept = 'application/json') {
  return request(ui.app).post('/make-payment').type('form').set('Accept', accept).send(form);
}

/** The cookie an answer set for its key, as the browser sends it back. */
function sentCookieOf(response: { headers: Record<string, unknown> }): string {
  const cookies = response.headers['set-cookie'] as string[] | undefined;
  const sent = cookies?.find((cookie) => cookie.startsWith('cardlane_sent_'));
  if (!sent) throw new Error(`no cardlane_sent_ cookie in ${JSON.stringify(cookies)}`);
  return sent.split(';')[0]!;
}

describe('POST /make-payment: the request to the processing server', () => {
  test('when a valid form is posted, then the processing server gets minor units, digits only, a 4-digit year, the key and the request id', async () => {
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const response = await postForm(ui).set('x-request-id', 'req-test-0001');

    expect(response.status).toBe(200);
    expect(processing.requests).toHaveLength(1);
    const sent = processing.requests[0]!;
    expect(sent.method).toBe('POST');
    expect(sent.url).toBe('/v1/payments');
    expect(sent.headers.authorization).toBe(`Bearer ${TEST_PROCESSING_KEY}`);
    expect(sent.headers['idempotency-key']).toBe(VALID_FORM.idempotencyKey);
    expect(sent.headers['x-request-id']).toBe('req-test-0001');
    expect(response.headers['x-request-id']).toBe('req-test-0001');
    const answered = ui.logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.requestId === 'req-test-0001');
    expect(answered).toEqual([expect.objectContaining({ msg: 'request completed', paymentStatus: 'approved', paymentId: 'pay_0001', res: { statusCode: 200 } })]);
    expect(sent.body).toEqual({
      amount: 1234,
      currency: 'USD',
      card: { number: '4242424242424242', expMonth: 12, expYear: 2030, cvv: '123', holderName: 'Ada Lovelace' },
      captureMethod: 'automatic',
      // Where the card issuer sends the shopper back after 3-D Secure: this server, as it was reached.
      returnUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/payments\/authentication-return$/),
    });
  });

  test('when the browser sends no request id, then the minted one is both answered and forwarded', async () => {
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const response = await postForm(ui);

    const minted = response.headers['x-request-id'];
    expect(minted).toMatch(/^[0-9a-f-]{36}$/);
    expect(processing.requests[0]!.headers['x-request-id']).toBe(minted);
  });

  test('when the same checkout is posted twice, then both carry the same key and the same payment comes back', async () => {
    const firstByKey = new Map<string, ReturnType<typeof paymentFixture>>();
    processing.reply((sent, index) => {
      const key = String(sent.headers['idempotency-key']);
      if (!firstByKey.has(key)) firstByKey.set(key, paymentFixture({ id: `pay_${index}` }));
      return { status: 201, body: firstByKey.get(key) };
    });
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const first = await postForm(ui);
    const second = await postForm(ui);

    expect(processing.requests.map((sent) => sent.headers['idempotency-key'])).toEqual([VALID_FORM.idempotencyKey, VALID_FORM.idempotencyKey]);
    expect(second.body.paymentId).toBe(first.body.paymentId);
  });
});

describe('POST /make-payment: answers by outcome', () => {
  test('when the payment is authorized, then JSON says approved with the id, code, masked card and amount', async () => {
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const response = await postForm(ui);

    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toEqual({
      status: 'approved',
      paymentId: 'pay_0001',
      authorizationCode: 'A1B2C3',
      message: 'Payment approved.',
      card: { brand: 'visa', last4: '4242' },
      amount: '12.34',
      currency: 'USD',
    });
  });

  test('when the payment is authorized and a browser posted, then the page shows the amount, masked card, code and reference', async () => {
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const response = await postForm(ui, VALID_FORM, BROWSER_ACCEPT);

    expect(response.status).toBe(200);
    expect(response.type).toBe('text/html');
    expect(response.text).toContain('Payment approved');
    expect(response.text).toContain('12.34 USD');
    expect(response.text).toContain('Visa •••• 4242');
    expect(response.text).toContain('A1B2C3');
    expect(response.text).toContain('pay_0001');
  });

  test('when JSON is posted without an Accept header, then the answer is JSON', async () => {
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const response = await request(ui.app).post('/make-payment').send(VALID_FORM);

    expect(response.status).toBe(200);
    expect(response.type).toBe('application/json');
    expect(response.body.status).toBe('approved');
  });

  test('when the card is declined, then 402 with the decline code and a human reason', async () => {
    processing.reply(() => ({ status: 402, body: declinedFixture('insufficient_funds', '51') }));
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const json = await postForm(ui);
    const page = await postForm(ui, VALID_FORM, BROWSER_ACCEPT);

    expect(json.status).toBe(402);
    expect(json.body).toMatchObject({ status: 'declined', declineCode: 'insufficient_funds', paymentId: 'pay_0001', amount: '12.34', currency: 'USD' });
    expect(json.body.message).toMatch(/not enough funds/);
    expect(page.status).toBe(402);
    expect(page.text).toContain('Payment declined');
    expect(page.text).toMatch(/not enough funds/);
    expect(page.text).toContain('You have not been charged.');
  });

  test('when the processing server finds fields invalid, then 400 names them with the form field names', async () => {
    processing.reply(() => ({
      status: 400,
      body: problem(400, 'validation_failed', { errors: [{ field: 'card.number', message: 'is not valid' }, { field: 'card.expYear', message: 'the card has expired' }] }),
    }));
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const response = await postForm(ui);

    expect(response.status).toBe(400);
    expect(response.body.status).toBe('error');
    expect(response.body.errors).toEqual([{ field: 'cardNumber', message: 'is not valid' }, { field: 'expiry', message: 'the card has expired' }]);
  });

  test('when the first request with this key is still in flight, then 409 pending', async () => {
    processing.reply(() => ({ status: 409, body: problem(409, 'idempotency_key_in_flight') }));
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const json = await postForm(ui);
    const page = await postForm(ui, VALID_FORM, BROWSER_ACCEPT);

    expect(json.status).toBe(409);
    expect(json.body).toMatchObject({ status: 'pending', amount: '12.34', currency: 'USD' });
    expect(page.status).toBe(409);
    expect(page.text).toContain('We are confirming your payment');
    expect(page.text).toContain('href="/payment.html"');
    expect(page.text).not.toContain('You have not been charged');
    // A new checkout is a new attempt with a new key: only resending the same request is safe.
    expect(page.text).not.toMatch(/going back/i);
    expect(page.text).toContain('Please do not start a new payment before you know the result.');
  });

  test('when the in-flight answer names the payment, then the pending page links to its status and moves there by itself', async () => {
    processing.reply(() => ({ status: 409, body: problem(409, 'idempotency_key_in_flight', { paymentId: 'pay_busy' }) }));
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const json = await postForm(ui);
    const page = await postForm(ui, VALID_FORM, BROWSER_ACCEPT);

    expect(json.status).toBe(409);
    expect(json.body).toMatchObject({ status: 'pending', paymentId: 'pay_busy' });
    expect(page.text).toContain('href="/payments/pay_busy"');
    expect(page.text).toContain('<meta http-equiv="refresh" content="5;url=/payments/pay_busy">');
  });

  test('when the key was used for other details, then 409 idempotency_key_reused, never "not charged", and a browser can start a new checkout with the amount kept', async () => {
    processing.reply(() => ({ status: 409, body: problem(409, 'idempotency_key_reused') }));
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const json = await postForm(ui);
    const page = await postForm(ui, VALID_FORM, BROWSER_ACCEPT);

    expect(json.status).toBe(409);
    expect(json.body).toMatchObject({ status: 'error', code: 'idempotency_key_reused', amount: '12.34', currency: 'USD' });
    expect(json.body.errors).toBeUndefined();
    expect(page.status).toBe(409);
    expect(page.text).toContain('This checkout was already used');
    expect(page.text).toContain('href="/payment.html?amount=12.34&amp;currency=USD"');
    for (const text of [json.text, page.text]) expect(text).not.toMatch(/nothing was charged|not been charged/i);
    expect(processing.requests).toHaveLength(2);
  });

  test('when the card company was unreachable and the payment failed, then 503 error and "not charged"', async () => {
    const failed = paymentFixture({ status: 'failed', authorizationCode: null, reason: 'network_unavailable' });
    processing.reply(() => ({ status: 503, body: problem(503, 'network_unavailable', { payment: failed }) }));
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const json = await postForm(ui);
    const page = await postForm(ui, VALID_FORM, BROWSER_ACCEPT);

    expect(json.status).toBe(503);
    expect(json.body).toMatchObject({ status: 'error', paymentId: 'pay_0001' });
    expect(json.body.message).toContain('You have not been charged.');
    expect(page.status).toBe(503);
    expect(page.text).toContain('You have not been charged.');
    expect(processing.requests).toHaveLength(2);
  });

  test('when the hold was released by a timeout reversal (voided, charged: false), then 503 error and "not charged"', async () => {
    const voided = paymentFixture({ status: 'voided', authorizationCode: null, reason: 'timeout_reversal' });
    processing.reply(() => ({ status: 503, body: problem(503, 'network_unavailable', { charged: false, payment: voided }) }));
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const json = await postForm(ui);

    expect(json.status).toBe(503);
    expect(json.body).toMatchObject({ status: 'error' });
    expect(json.body.message).toContain('You have not been charged.');
  });

  test('when the outcome at the card company is unknown, then 503 pending with a link to the payment status', async () => {
    const pending = paymentFixture({ id: 'pay_pending', status: 'pending', authorizationCode: null });
    processing.reply(() => ({ status: 504, body: problem(504, 'network_timeout', { payment: pending }) }));
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const json = await postForm(ui);
    const page = await postForm(ui, VALID_FORM, BROWSER_ACCEPT);

    expect(json.status).toBe(503);
    expect(json.body).toMatchObject({ status: 'pending', paymentId: 'pay_pending' });
    expect(page.status).toBe(503);
    expect(page.text).toContain('We are confirming your payment');
    expect(page.text).toContain('href="/payments/pay_pending"');
    expect(page.text).toMatch(/<meta http-equiv="refresh" content="5;url=\/payments\/pay_pending">/);
    expect(page.text).not.toContain('not been charged');
  });

  test('when a 503 carries no payment, then the outcome is unknown: 503 pending', async () => {
    processing.reply(() => ({ status: 503, body: problem(503, 'service_unavailable') }));
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const response = await postForm(ui);

    expect(response.status).toBe(503);
    expect(response.body.status).toBe('pending');
  });

  test('when the processing server answers a malformed payment, then pending rather than a guess', async () => {
    processing.reply(() => ({ status: 201, body: { id: 'pay_x', status: 'authorized' } }));
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const response = await postForm(ui);

    expect(response.status).toBe(503);
    expect(response.body.status).toBe('pending');
  });

  test('when the processing server refuses our key, then 503 error: nothing was charged', async () => {
    processing.reply(() => ({ status: 401, body: problem(401, 'unauthorized') }));
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const response = await postForm(ui);

    expect(response.status).toBe(503);
    expect(response.body.status).toBe('error');
    expect(processing.requests).toHaveLength(1);
  });
});

describe('POST /make-payment: transport failures and retries', () => {
  test('when the processing server does not answer in time, then 503 pending and no retry', async () => {
    processing.reply(() => ({ action: 'hang' }));
    const ui = buildTestUi({ processingUrls: [processing.url], env: { PROCESSING_TIMEOUT_MS: '200' } });

    const response = await postForm(ui);

    expect(response.status).toBe(503);
    expect(response.body.status).toBe('pending');
    expect(processing.requests).toHaveLength(1);
  });

  test('when no processing URL accepts a connection, then 503 error "not charged", each tried once while the retries find them resting', async () => {
    const ui = buildTestUi({ processingUrls: [await refusedUrl(), await refusedUrl()], defaultClient: true });

    const json = await postForm(ui);
    const page = await postForm(ui, { ...VALID_FORM, idempotencyKey: 'checkout-0002' }, BROWSER_ACCEPT);

    expect(json.status).toBe(503);
    expect(json.body.status).toBe('error');
    expect(json.body.message).toContain('You have not been charged.');
    expect(page.text).toContain('You have not been charged.');
    const requestId = String(json.headers['x-request-id']);
    const refusals = ui.logLines.filter((line) => line.includes('"failure":"refused"') && line.includes(requestId));
    expect(refusals).toHaveLength(2);
  });

  test('when the processing server refused, then it rests and later checkouts fail fast without a call', async () => {
    const ui = buildTestUi({ processingUrls: [await refusedUrl()], clientOptions: { restMs: 60_000 } });
    await postForm(ui);
    const callsBefore = ui.logLines.filter((line) => line.includes('call to the processing server failed')).length;

    const fast = await postForm(ui, { ...VALID_FORM, idempotencyKey: 'checkout-0002' });

    expect(callsBefore).toBe(1);
    expect(fast.status).toBe(503);
    expect(fast.body.status).toBe('error');
    expect(fast.body.message).toContain('You have not been charged.');
    expect(ui.logLines.filter((line) => line.includes('call to the processing server failed')).length).toBe(callsBefore);
  });

  test('when the first URL refuses connections, then the next one gets the payment, once', async () => {
    const ui = buildTestUi({ processingUrls: [await refusedUrl(), processing.url] });

    const response = await postForm(ui);

    expect(response.status).toBe(200);
    expect(processing.requests).toHaveLength(1);
  });

  test('when the connection is reset once, then the retry carries the same key and the replayed answer is used', async () => {
    processing.reply((_sent, index) => (index === 0 ? { action: 'reset' } : { status: 201, body: paymentFixture() }));
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const response = await postForm(ui);

    expect(response.status).toBe(200);
    expect(response.body.status).toBe('approved');
    expect(processing.requests).toHaveLength(2);
    expect(processing.requests.map((sent) => sent.headers['idempotency-key'])).toEqual([VALID_FORM.idempotencyKey, VALID_FORM.idempotencyKey]);
    expect(processing.requests[1]!.body).toEqual(processing.requests[0]!.body);
  });

  test('when the processing server dies mid-request (reset) and then refuses, then 503 pending, never "not charged"', async () => {
    const dying = await startFakeProcessing();
    dying.reply(() => {
      // The request arrived; the process dies before answering, and stays down for the retries.
      setImmediate(() => { void dying.close(); });
      return { action: 'reset' };
    });
    const ui = buildTestUi({ processingUrls: [dying.url] });

    const response = await postForm(ui);

    expect(response.status).toBe(503);
    expect(response.body.status).toBe('pending');
    expect(response.body.message).not.toContain('not been charged');
  });

  test('when a key that already reached the processing server is repeated with its cookie during an outage, then 503 pending, not "not charged"', async () => {
    const flaky = await startFakeProcessing();
    flaky.reply(() => ({ status: 504, body: problem(504, 'authorization_pending', { payment: paymentFixture({ id: 'pay_unknown', status: 'pending', authorizationCode: null }) }) }));
    const ui = buildTestUi({ processingUrls: [flaky.url] });
    const first = await postForm(ui);
    expect(first.body.status).toBe('pending');
    const cookie = sentCookieOf(first);

    await flaky.close();
    const repeat = await postForm(ui).set('Cookie', cookie);
    const unmarked = await postForm(ui);
    const freshKey = await postForm(ui, { ...VALID_FORM, idempotencyKey: 'another-checkout-key' }).set('Cookie', cookie);

    expect(repeat.status).toBe(503);
    expect(repeat.body.status).toBe('pending');
    // Without the mark the UI server cannot tell a repeat from a first request: nothing is remembered here.
    expect(unmarked.body.status).toBe('error');
    expect(freshKey.body.status).toBe('error');
  });

  test('when every attempt is reset, then 503 pending after at most 2 retries', async () => {
    processing.reply(() => ({ action: 'reset' }));
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const response = await postForm(ui);

    expect(response.status).toBe(503);
    expect(response.body.status).toBe('pending');
    expect(processing.requests).toHaveLength(3);
  });

  test('when the processing server answers 4xx, then it is not retried', async () => {
    processing.reply(() => ({ status: 400, body: problem(400, 'validation_failed', { errors: [{ field: 'amount', message: 'is too large' }] }) }));
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const response = await postForm(ui);

    expect(response.status).toBe(400);
    expect(processing.requests).toHaveLength(1);
  });
});

describe('POST /make-payment: card data never leaks', () => {
  const outcomes = [
    { name: 'approved', reply: () => ({ status: 201, body: paymentFixture() }) },
    { name: 'declined', reply: () => ({ status: 402, body: declinedFixture('cvv_mismatch', 'N7') }) },
    { name: 'invalid', reply: () => ({ status: 400, body: problem(400, 'validation_failed', { errors: [{ field: 'card.cvv', message: 'is wrong' }] }) }) },
    { name: 'failed', reply: () => ({ status: 503, body: problem(503, 'network_unavailable', { payment: paymentFixture({ status: 'failed' }) }) }) },
    { name: 'reset', reply: () => ({ action: 'reset' as const }) },
  ];

  test.each(outcomes)('when the outcome is $name, then no response body or log line holds the card number or CVV', async ({ reply }) => {
    processing.reply(reply);
    const ui = buildTestUi({ processingUrls: [processing.url] });
    // Not one of the test cards the checkout page lists: the page may come back as the form.
    const form = { ...VALID_FORM, cardNumber: '5105105105105100', cvv: '987' };

    const json = await postForm(ui, form);
    const page = await postForm(ui, form, BROWSER_ACCEPT);

    for (const text of [json.text, page.text, ui.logText()]) {
      expect(text).not.toContain('5105105105105100');
      expect(text).not.toContain('5105 1051 0510 5100');
      expect(containsToken(text, '987')).toBe(false);
    }
    // The access line says how the payment was answered (and so was checked above).
    expect(ui.logText()).toContain('"paymentStatus"');
  });

  test('when the form itself is invalid, then neither the number nor the CVV is echoed', async () => {
    const ui = buildTestUi({ processingUrls: [processing.url] });
    const form = { ...VALID_FORM, cardNumber: '4242424242424241', cvv: '9876' };

    const json = await postForm(ui, form);
    const page = await postForm(ui, form, BROWSER_ACCEPT);

    for (const text of [json.text, page.text, ui.logText()]) {
      expect(text).not.toContain('4242424242424241');
      expect(containsToken(text, '9876')).toBe(false);
    }
    expect(processing.requests).toHaveLength(0);
  });
});
