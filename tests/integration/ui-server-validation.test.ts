/**
 * POST /make-payment with bad input: every check of SPEC §2 happens before anything leaves, each
 * problem names the form's own field, and nothing the shopper typed is echoed unescaped.
 */
import request from 'supertest';
import { paymentFixture, problem, startFakeProcessing, type FakeProcessing } from '../helpers/ui-fake-processing.ts';
import { BROWSER_ACCEPT, VALID_FORM, buildTestUi } from '../helpers/ui-app.ts';
import { CHECKOUT_MESSAGES } from '../../ui-server/src/checkout-messages.ts';

let processing: FakeProcessing;

beforeEach(async () => {
  processing = await startFakeProcessing((sent) => {
    const body = sent.body as { amount: number; currency: 'USD' };
    return { status: 201, body: paymentFixture({ amount: body.amount, currency: body.currency }) };
  });
});

afterEach(async () => {
  await processing.close();
});

/** A JSON client by default; with the browser's Accept header, a form post as a browser sends it. */
function post(form: Record<string, unknown>, accept = 'application/json') {
  const ui = buildTestUi({ processingUrls: [processing.url] });
  const pending = request(ui.app).post('/make-payment').set('Accept', accept);
  return accept === BROWSER_ACCEPT ? pending.type('form').send(form as Record<string, string>) : pending.send(form);
}

describe('amounts are parsed exactly, by currency', () => {
  test.each([
    { amount: '1000', currency: 'JPY', minor: 1000 },
    { amount: '1.234', currency: 'KWD', minor: 1234 },
    { amount: '0.01', currency: 'USD', minor: 1 },
    { amount: '19.9', currency: 'EUR', minor: 1990 },
    { amount: ' 7 ', currency: 'gbp', minor: 700 },
  ])('when $amount $currency is posted, then $minor minor units are sent', async ({ amount, currency, minor }) => {
    const response = await post({ ...VALID_FORM, amount, currency });

    expect(response.status).toBe(200);
    expect((processing.requests[0]!.body as { amount: number; currency: string })).toMatchObject({ amount: minor, currency: currency.toUpperCase() });
  });

  test.each([
    { amount: '10.005', currency: 'USD' },
    { amount: '10.5', currency: 'JPY' },
    { amount: '1.2345', currency: 'KWD' },
    { amount: '0', currency: 'USD' },
    { amount: '0.00', currency: 'USD' },
    { amount: '1e3', currency: 'USD' },
    { amount: '-5', currency: 'USD' },
    { amount: '1,000', currency: 'USD' },
    { amount: '0x10', currency: 'USD' },
    { amount: '9999999999999', currency: 'USD' },
  ])('when $amount $currency is posted, then 400 names amount and nothing is sent', async ({ amount, currency }) => {
    const response = await post({ ...VALID_FORM, amount, currency });

    expect(response.status).toBe(400);
    expect(response.body.status).toBe('error');
    expect(response.body.errors).toEqual([{ field: 'amount', message: expect.any(String) }]);
    expect(processing.requests).toHaveLength(0);
  });

  test('when a JSON client sends the amount as a number, then it is refused: amounts are decimal strings', async () => {
    const response = await post({ ...VALID_FORM, amount: 12.34 });

    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ field: 'amount', message: CHECKOUT_MESSAGES.form.not_text }]);
  });
});

describe('each field is checked and named', () => {
  test.each([
    { field: 'cardNumber', value: '4242424242424241', why: 'Luhn fails' },
    { field: 'cardNumber', value: '42424242', why: 'too short' },
    { field: 'cardNumber', value: '4242x42424242424', why: 'not digits' },
    { field: 'expiry', value: '12/25', why: 'in the past' },
    { field: 'expiry', value: '13/30', why: 'month 13' },
    { field: 'expiry', value: '1230', why: 'no slash' },
    { field: 'cvv', value: '12', why: 'too short' },
    { field: 'cvv', value: '1234', why: '4 digits on a Visa' },
    { field: 'cvv', value: 'abc', why: 'not digits' },
    { field: 'cardholderName', value: '   ', why: 'blank' },
    { field: 'currency', value: 'XXX', why: 'unknown currency' },
    { field: 'idempotencyKey', value: 'has spaces in it', why: 'not a token' },
  ])('when $field is $why, then 400 names $field', async ({ field, value }) => {
    const response = await post({ ...VALID_FORM, [field]: value });

    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ field, message: expect.any(String) }]);
    expect(processing.requests).toHaveLength(0);
  });

  test.each(['cardholderName', 'cardNumber', 'expiry', 'cvv', 'amount', 'currency', 'idempotencyKey'] as const)(
    'when %s is missing, then 400 says it is required, in the checkout\'s words',
    async (field) => {
      const form: Record<string, string> = { ...VALID_FORM };
      delete form[field];

      const response = await post(form);

      expect(response.status).toBe(400);
      expect(response.body.errors).toContainEqual({ field, message: CHECKOUT_MESSAGES[field].required });
    },
  );

  test('when an Amex has a 3-digit CVV, then cvv is refused; with 4 digits it is sent', async () => {
    const amex = { ...VALID_FORM, cardNumber: '3782 822463 10005' };

    const wrong = await post({ ...amex, cvv: '123' });
    const right = await post({ ...amex, cvv: '1234' });

    expect(wrong.body.errors).toEqual([{ field: 'cvv', message: 'The security code is 4 digits.' }]);
    expect(right.status).toBe(200);
    expect((processing.requests[0]!.body as { card: { number: string } }).card.number).toBe('378282246310005');
  });

  test('when the card expires this month, then it is still accepted', async () => {
    const response = await post({ ...VALID_FORM, expiry: '01/26' });

    expect(response.status).toBe(200);
  });

  test('when several fields are wrong, then each is named once, in the form order', async () => {
    const response = await post({ ...VALID_FORM, cardholderName: '', cardNumber: '1234', cvv: '', amount: 'abc' });

    expect(response.body.errors.map((problem: { field: string }) => problem.field)).toEqual(['cardholderName', 'cardNumber', 'cvv', 'amount']);
  });

  test('when the body is a JSON array, then every field is reported missing', async () => {
    const ui = buildTestUi({ processingUrls: [processing.url] });

    const response = await request(ui.app).post('/make-payment').send([1, 2]);

    expect(response.status).toBe(400);
    expect(response.body.errors).toHaveLength(7);
  });

  test('when a browser posts an invalid form, then the checkout comes back with each error beside its field and the values kept, except number and CVV', async () => {
    const response = await post({ ...VALID_FORM, cardholderName: 'Ada "the Countess"', cardNumber: '4242424242424241', expiry: '01/20', cvv: '987', currency: 'eur' }, BROWSER_ACCEPT);

    expect(response.status).toBe(400);
    expect(response.type).toBe('text/html');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.text).toContain('<form id="payment-form" method="post" action="/make-payment"');
    expect(response.text).toContain(`<p id="cardNumber-error" class="field-error">${CHECKOUT_MESSAGES.cardNumber.luhn}</p>`);
    expect(response.text).toContain(`<p id="expiry-error" class="field-error">${CHECKOUT_MESSAGES.expiry.expired}</p>`);
    expect(response.text).toContain('<p id="cvv-error" class="field-error"></p>');
    expect(response.text).toContain('aria-atomic="true">Please correct 2 fields before paying.</div>');
    expect(response.text).toMatch(/<input id="cardNumber" aria-invalid="true" autofocus /);
    expect(response.text).toMatch(/<input id="expiry" value="01\/20" aria-invalid="true" /);
    expect(response.text).toMatch(/<input id="cardholderName" value="Ada &quot;the Countess&quot;" /);
    expect(response.text).toMatch(/<input id="amount" value="12.34" /);
    expect(response.text).toContain('<option value="EUR" selected');
    expect(response.text).not.toContain('4242424242424241');
    expect(response.text).not.toMatch(/<input id="cvv" value=/);
    expect(response.text).not.toContain('value="checkout-0001"');
    expect(response.text).toMatch(/name="idempotencyKey" value="[0-9a-f-]{36}"/);
  });

  test('when the holder name holds control or invisible formatting characters, then 400 names cardholderName and nothing is sent', async () => {
    for (const [name, message] of [
      ['Ada\u0000Lovelace', CHECKOUT_MESSAGES.cardholderName.hidden_characters],
      ['Ada\u202eecalevoL', CHECKOUT_MESSAGES.cardholderName.hidden_characters],
      ['Ada\u009bLovelace', CHECKOUT_MESSAGES.cardholderName.hidden_characters],
      ['\u2066\u200b\u2069', CHECKOUT_MESSAGES.cardholderName.required],
      [' \u202e ', CHECKOUT_MESSAGES.cardholderName.required],
    ]) {
      const response = await post({ ...VALID_FORM, cardholderName: name! });

      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([{ field: 'cardholderName', message }]);
    }
    expect(processing.requests).toHaveLength(0);
  });
});

describe('nothing is echoed unescaped', () => {
  test('when the holder name and amount hold markup, then the page shows them escaped or not at all', async () => {
    const response = await post({ ...VALID_FORM, cardholderName: '<script>alert(1)</script>', amount: '<img src=x>' }, BROWSER_ACCEPT);

    expect(response.status).toBe(400);
    expect(response.text).not.toContain('<script>alert(1)</script>');
    expect(response.text).not.toContain('<img src=x>');
    expect(response.text).not.toMatch(/<script(?![^>]*\ssrc=)/);
  });

  test('when the processing server answers with markup in its messages and ids, then the page escapes them', async () => {
    processing.reply(() => ({
      status: 400,
      body: problem(400, 'validation_failed', { errors: [{ field: 'card.holderName', message: '<script>alert("x")</script>' }] }),
    }));

    const response = await post({ ...VALID_FORM, cardholderName: '<b>Ada</b>' }, BROWSER_ACCEPT);

    expect(response.text).not.toContain('<script>alert');
    expect(response.text).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(response.text).not.toContain('<b>Ada</b>');
  });

  test('when an approved payment id holds markup, then it is escaped on the page and in the status link', async () => {
    processing.reply(() => ({ status: 201, body: paymentFixture({ id: '"><svg onload=1>' }) }));

    const response = await post(VALID_FORM, BROWSER_ACCEPT);

    expect(response.text).not.toContain('<svg onload=1>');
    expect(response.text).toContain('&quot;&gt;&lt;svg onload=1&gt;');
  });
});
