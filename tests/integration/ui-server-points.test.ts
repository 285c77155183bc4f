/**
 * "Pay with points" through POST /make-payment against a fake processing server that decides like
 * the points provider's test accounts: what the UI server sends, what the shopper is told for each
 * answer, bad input refused before anything leaves, and the PIN never in a log line or a page.
 */
import request from 'supertest';
import {
  fakeProcessingModel, pointsPaymentFixture, problem, startFakeProcessing, type FakeProcessing,
} from '../helpers/ui-fake-processing.ts';
import { BROWSER_ACCEPT, buildTestUi, containsToken } from '../helpers/ui-app.ts';

const POINTS_FORM = {
  paymentMethod: 'points',
  pointsAccount: 'PTS-0000-0001',
  pointsPin: '1234',
  amount: '25.00',
  currency: 'USD',
  idempotencyKey: 'checkout-points-0001',
};

let processing: FakeProcessing;

beforeEach(async () => {
  processing = await startFakeProcessing(fakeProcessingModel().handler);
});

afterEach(async () => {
  await processing.close();
});

function post(ui: ReturnType<typeof buildTestUi>, form: Record<string, string>, accept = 'application/json') {
  return request(ui.app).post('/make-payment').type('form').set('Accept', accept).send(form);
}

describe('paying with points: the request to the processing server', () => {
  test('when the points form is posted, then the processing server gets points {accountId, pin}, no card, the amount in minor units and the key', async () => {
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const response = await post(ui, POINTS_FORM);

    expect(response.status).toBe(200);
    expect(processing.requests).toHaveLength(1);
    const sent = processing.requests[0]!;
    expect(sent.url).toBe('/v1/payments');
    expect(sent.headers['idempotency-key']).toBe('checkout-points-0001');
    expect(sent.body).toEqual({ amount: 2500, currency: 'USD', points: { accountId: 'PTS-0000-0001', pin: '1234' }, captureMethod: 'automatic' });
  });

  test('when the points payment is sent as JSON, then the same request goes out and the JSON answer is approved with the masked account and the points spent', async () => {
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const response = await request(ui.app).post('/make-payment').send(POINTS_FORM);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: 'approved', message: 'Payment approved.', paymentId: 'pay_0001', authorizationCode: 'P_0001',
      paymentMethod: 'points', points: { account: 'PTS-…0001', spent: 2500 }, amount: '25.00', currency: 'USD',
    });
    expect((processing.requests[0]!.body as Record<string, unknown>).points).toEqual({ accountId: 'PTS-0000-0001', pin: '1234' });
  });

  test('when a card form carries leftover points fields, then only the card is sent', async () => {
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const response = await post(ui, {
      cardholderName: 'Ada Lovelace', cardNumber: '4242 4242 4242 4242', expiry: '12/30', cvv: '123', amount: '12.34', currency: 'USD',
      idempotencyKey: 'checkout-card-0001', paymentMethod: 'card', pointsAccount: 'PTS-0000-0001', pointsPin: '1234',
    });

    expect(response.status).toBe(200);
    expect(processing.requests[0]!.body).not.toHaveProperty('points');
    expect(processing.requests[0]!.body).toHaveProperty('card.number', '4242424242424242');
  });
});

describe('paying with points: the answers', () => {
  test('when a browser pays with points and it is approved, then the page says "Paid with points" with the masked account and the points spent, instead of a card', async () => {
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const response = await post(ui, { ...POINTS_FORM, amount: '987.65' }, BROWSER_ACCEPT);

    expect(response.status).toBe(200);
    expect(response.type).toBe('text/html');
    expect(response.text).toContain('Payment approved');
    expect(response.text).toContain('Paid with points (account PTS-…0001).');
    expect(response.text).toContain('<dt>Points spent</dt><dd>98,765</dd>');
    expect(response.text).toContain('987.65 USD');
    expect(response.text).not.toContain('••••');
    expect(response.text).not.toContain('PTS-0000-0001');
  });

  test.each([
    { name: 'a wrong PIN', form: { pointsPin: '9999' }, code: 'incorrect_pin', words: 'The PIN is not correct' },
    { name: 'too few points (500 for 25.00)', form: { pointsAccount: 'PTS-0000-0002' }, code: 'insufficient_points', words: 'This points account has too few points for this payment' },
    { name: 'an unknown account', form: { pointsAccount: 'PTS-9999-9999' }, code: 'unknown_account', words: 'We don&#39;t know this points account' },
    { name: 'a blocked account', form: { pointsAccount: 'PTS-0000-0003' }, code: 'do_not_honor', words: 'This points account cannot be used' },
  ])('when points are declined for $name, then 402 $code, explained plainly, nothing taken, and "Try again" keeps the amount and points', async ({ form, code, words }) => {
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const json = await post(ui, { ...POINTS_FORM, ...form });
    const page = await post(ui, { ...POINTS_FORM, ...form, idempotencyKey: 'checkout-points-0002' }, BROWSER_ACCEPT);

    expect(json.status).toBe(402);
    expect(json.body).toMatchObject({ status: 'declined', declineCode: code, paymentMethod: 'points', amount: '25.00', currency: 'USD' });
    expect((json.body.message as string).startsWith(words.replace('&#39;', '\''))).toBe(true);
    expect(json.body.points.spent).toBeUndefined();
    expect(page.status).toBe(402);
    expect(page.text).toContain('Payment declined');
    expect(page.text).toContain(words);
    expect(page.text).toContain('You have not been charged: no points were taken.');
    expect(page.text).toContain('href="/payment.html?amount=25.00&amp;currency=USD&amp;method=points"');
  });

  test('when "Try again" after a points decline is followed, then the checkout has points chosen, the amount kept, no PIN and a new key', async () => {
    const ui = buildTestUi({ processingUrls: [processing.url] });
    const declined = await post(ui, { ...POINTS_FORM, pointsPin: '9999' }, BROWSER_ACCEPT);
    const retryPath = /href="(\/payment\.html\?[^"]+)"/.exec(declined.text)?.[1]?.replaceAll('&amp;', '&');

    const checkout = await request(ui.app).get(retryPath ?? '/missing');

    expect(checkout.status).toBe(200);
    expect(checkout.text).toContain('id="method-points" name="paymentMethod" value="points" checked');
    expect(checkout.text).not.toMatch(/value="card" checked/);
    expect(checkout.text).toMatch(/<input id="amount" value="25\.00"/);
    expect(checkout.text).toMatch(/<input id="pointsPin" name="pointsPin"/);
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(checkout.text)?.[1];
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    expect(key).not.toBe(POINTS_FORM.idempotencyKey);
  });

  test('when the processing server refuses the currency for points, then the currency field says so and nothing claims a charge', async () => {
    await processing.close();
    processing = await startFakeProcessing(fakeProcessingModel({ pointsCurrency: 'EUR' }).handler);
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const json = await post(ui, POINTS_FORM);
    const page = await post(ui, { ...POINTS_FORM, idempotencyKey: 'checkout-points-0002' }, BROWSER_ACCEPT);

    expect(json.status).toBe(400);
    expect(json.body).toMatchObject({ status: 'error', paymentMethod: 'points', errors: [{ field: 'currency', message: 'Points cannot pay in USD.' }] });
    expect(page.status).toBe(400);
    expect(page.text).toContain('<p id="currency-error" class="field-error">Points cannot pay in USD.</p>');
  });

  test('when a points payment is looked up later, then its page shows the masked account and the points spent', async () => {
    const ui = buildTestUi({ processingUrls: [processing.url] });
    const paid = await post(ui, POINTS_FORM);

    const json = await request(ui.app).get(`/payments/${paid.body.paymentId as string}`).set('Accept', 'application/json');
    const page = await request(ui.app).get(`/payments/${paid.body.paymentId as string}`).set('Accept', BROWSER_ACCEPT);

    expect(json.body).toMatchObject({ status: 'approved', paymentMethod: 'points', points: { account: 'PTS-…0001', spent: 2500 } });
    expect(page.text).toContain('Paid with points (account PTS-…0001).');
  });

  test('when the processing server answers a points payment without its account, then the shopper is told "pending", never approved', async () => {
    const { points: _points, ...withoutAccount } = pointsPaymentFixture();
    processing.reply(() => ({ status: 201, body: withoutAccount }));
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const response = await post(ui, POINTS_FORM);

    expect(response.status).toBe(503);
    expect(response.body.status).toBe('pending');
  });
});

describe('paying with points: bad input is refused before anything leaves', () => {
  test.each([
    { name: 'no account and no PIN', form: { pointsAccount: '', pointsPin: '' }, errors: [
      { field: 'pointsAccount', message: 'Enter the points account number.' }, { field: 'pointsPin', message: 'Enter the PIN.' },
    ] },
    { name: 'an account with spaces', form: { pointsAccount: 'PTS 0000 0001' }, errors: [{ field: 'pointsAccount', message: 'Use only letters, digits and dashes.' }] },
    { name: 'a 41-character account', form: { pointsAccount: `PTS-${'1'.repeat(37)}` }, errors: [{ field: 'pointsAccount', message: 'Use at most 40 characters.' }] },
    { name: 'a 3-digit PIN', form: { pointsPin: '123' }, errors: [{ field: 'pointsPin', message: 'The PIN is 4 to 12 digits.' }] },
    { name: 'a PIN with letters', form: { pointsPin: '12ab' }, errors: [{ field: 'pointsPin', message: 'The PIN is 4 to 12 digits.' }] },
    { name: 'another currency than the points currency', form: { currency: 'EUR' }, errors: [{ field: 'currency', message: 'Points pay in USD only.' }] },
    { name: 'an unknown way to pay', form: { paymentMethod: 'bitcoin' }, errors: [{ field: 'paymentMethod', message: 'Choose a card, a saved card or points.' }] },
  ])('when the points form has $name, then 400 names the fields and nothing is sent', async ({ form, errors }) => {
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const response = await post(ui, { ...POINTS_FORM, ...form });

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ status: 'error', errors });
    expect(processing.requests).toHaveLength(0);
  });

  test('when POINTS_CURRENCY is JPY, then points pay yen amounts and refuse dollars, and the page says 1 point = 1 JPY', async () => {
    await processing.close();
    processing = await startFakeProcessing(fakeProcessingModel({ pointsCurrency: 'JPY' }).handler);
    const ui = buildTestUi({ processingUrls: [processing.url], env: { POINTS_CURRENCY: 'JPY' } });

    const dollars = await post(ui, POINTS_FORM);
    const yen = await post(ui, { ...POINTS_FORM, amount: '2500', currency: 'JPY' });
    const checkout = await request(ui.app).get('/payment.html');

    expect(dollars.body.errors).toEqual([{ field: 'currency', message: 'Points pay in JPY only.' }]);
    expect(yen.status).toBe(200);
    expect(yen.body).toMatchObject({ points: { spent: 2500 }, amount: '2500', currency: 'JPY' });
    expect(checkout.text).toContain('Points pay for JPY amounts: 1 point = 1 JPY.');
    expect(checkout.text).toContain('data-currency="JPY"');
  });

  test('when a browser posts a points form with errors, then the checkout comes back with points chosen, each error beside its field, the account kept and the PIN gone', async () => {
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const page = await post(ui, { ...POINTS_FORM, pointsAccount: 'PTS_0000', pointsPin: '58291', currency: 'EUR' }, BROWSER_ACCEPT);

    expect(page.status).toBe(400);
    expect(page.text).toContain('id="method-points" name="paymentMethod" value="points" checked');
    expect(page.text).toContain('<p id="pointsAccount-error" class="field-error">Use only letters, digits and dashes.</p>');
    expect(page.text).toContain('<p id="currency-error" class="field-error">Points pay in USD only.</p>');
    expect(page.text).toMatch(/<input id="pointsAccount" value="PTS_0000" aria-invalid="true"/);
    expect(page.text).toMatch(/<input id="pointsPin" name="pointsPin"/);
    expect(page.text).toContain('Please correct 2 fields before paying.');
    expect(containsToken(page.text, '58291')).toBe(false);
    expect(processing.requests).toHaveLength(0);
  });
});

describe('the PIN is never logged, echoed back or kept', () => {
  const PIN = '58291736';

  test('when points are paid, declined, refused, or the answer is pending, then no log line and no answer (JSON or page) holds the PIN', async () => {
    const answers = [
      { status: 201, body: pointsPaymentFixture() },
      { status: 402, body: pointsPaymentFixture({ status: 'declined', authorizationCode: null, decline: { code: 'incorrect_pin', message: 'incorrect pin' } }) },
      { status: 400, body: problem(400, 'validation_failed', { errors: [{ field: 'points.pin', message: 'is not accepted' }] }) },
      { status: 409, body: problem(409, 'idempotency_key_in_flight') },
      { status: 503, body: problem(503, 'points_unavailable', { payment: pointsPaymentFixture({ status: 'failed' }) }) },
      { status: 500, body: problem(500, 'internal_error') },
    ];
    let next = 0;
    processing.reply(() => answers[next % answers.length]!);
    const ui = buildTestUi({ processingUrls: [processing.url] });
    const texts: string[] = [];

    for (next = 0; next < answers.length; next += 1) {
      const form = { ...POINTS_FORM, pointsPin: PIN, idempotencyKey: `checkout-pin-${next}` };
      texts.push((await post(ui, form)).text);
      texts.push((await post(ui, { ...form, idempotencyKey: `checkout-pin-page-${next}` }, BROWSER_ACCEPT)).text);
    }
    // Refused before sending, with the PIN in the body and in the query string.
    texts.push((await post(ui, { ...POINTS_FORM, pointsPin: PIN, currency: 'EUR' }, BROWSER_ACCEPT)).text);
    texts.push((await request(ui.app).post(`/make-payment?pointsPin=${PIN}`).send({ ...POINTS_FORM, pointsPin: PIN, pointsAccount: '' })).text);

    expect(processing.requests.length).toBe(answers.length * 2);
    expect(processing.requests.every((sent) => (sent.body as { points: { pin: string } }).points.pin === PIN)).toBe(true);
    for (const text of [...texts, ui.logText()]) expect(containsToken(text, PIN)).toBe(false);
    expect(ui.logText()).toContain('"paymentMethod":"points"');
  });
});
