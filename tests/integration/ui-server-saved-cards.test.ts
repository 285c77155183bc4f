/**
 * A returning shopper's checkout on the UI server, against a fake processing server with a card
 * vault: "Save this card" after an approval (and an approval that stands when saving fails), the
 * customer cookie and its attributes, saved cards on the checkout page, paying with one, and
 * removing one (only the cookie's customer's).
 */
import request from 'supertest';
import { CUSTOMER_COOKIE } from '../../ui-server/src/customer-cookie.ts';
import { saveCardKey } from '../../ui-server/src/checkout-payment.ts';
import {
  declinedFixture, fakeProcessingModel, problem, refusedUrl, savedCardFixture, startFakeProcessing, type FakeProcessing, type FakeProcessingModel,
} from '../helpers/ui-fake-processing.ts';
import { BROWSER_ACCEPT, VALID_FORM, buildTestUi, containsToken, type TestUi } from '../helpers/ui-app.ts';

let model: FakeProcessingModel;
let processing: FakeProcessing;
let ui: TestUi;

beforeEach(async () => {
  model = fakeProcessingModel();
  processing = await startFakeProcessing(model.handler);
  ui = buildTestUi({ processingUrls: [processing.url] });
});

afterEach(async () => {
  await processing.close();
});

const CUSTOMER = 'cus_AAAAAAAAAAAAAAAAAAAAAA';
const OTHER_CUSTOMER = 'cus_BBBBBBBBBBBBBBBBBBBBBB';
const cookieOf = (customerId: string) => `${CUSTOMER_COOKIE}=${customerId}`;
const sent = (method: string, path: string) => processing.requests.filter((recorded) => recorded.method === method && recorded.url.split('?')[0] === path);

function checkout(form: Record<string, string>, options: { cookie?: string; accept?: string } = {}) {
  const call = request(ui.app).post('/make-payment').type('form').set('Accept', options.accept ?? 'application/json');
  return (options.cookie ? call.set('Cookie', options.cookie) : call).send(form);
}

/** The customer cookie a response set, with its attributes. */
function customerCookie(response: request.Response): string | undefined {
  const cookies = response.headers['set-cookie'] as unknown as string[] | undefined;
  return cookies?.find((cookie) => cookie.startsWith(`${CUSTOMER_COOKIE}=`));
}

describe('"Save this card for next time"', () => {
  test('when a new shopper pays by card with saveCard on, then the card is saved for a new customer, the cookie remembers them, and the answer says so', async () => {
    const response = await checkout({ ...VALID_FORM, saveCard: 'on' });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'approved', cardSaved: true, message: 'Payment approved. Your card is saved for your next checkout.' });
    const cookie = customerCookie(response);
    const customerId = /^cardlane_customer=(cus_[A-Za-z0-9_-]{22});/.exec(cookie ?? '')?.[1];
    expect(customerId).toBeDefined();
    expect(cookie).toMatch(/; Max-Age=15552000; Path=\/; Expires=.+; HttpOnly; SameSite=Lax$/);
    expect(cookie).not.toContain('Secure');
    expect(sent('POST', '/v1/payments')[0]?.body).toMatchObject({ customerId, card: { number: '4242424242424242', cvv: '123' } });
    const save = sent('POST', '/v1/cards')[0];
    expect(save?.body).toEqual({ card: { number: '4242424242424242', expMonth: 12, expYear: 2030, cvv: '123', holderName: 'Ada Lovelace' }, customerId });
    expect(save?.headers['idempotency-key']).toBe(saveCardKey(VALID_FORM.idempotencyKey));
    expect(model.cards).toEqual([expect.objectContaining({ customerId, last4: '4242' })]);
  });

  test('when two shoppers each save a card, then each gets a customer id of their own', async () => {
    const first = await checkout({ ...VALID_FORM, saveCard: 'on' });
    const second = await checkout({ ...VALID_FORM, idempotencyKey: 'checkout-0002', saveCard: 'on' });

    expect(customerCookie(first)).not.toBe(customerCookie(second));
  });

  test('when the shopper came over HTTPS through a trusted proxy, then the cookie is Secure', async () => {
    ui = buildTestUi({ processingUrls: [processing.url], env: { UI_TRUST_PROXY_HOPS: '1' } });

    const response = await request(ui.app).post('/make-payment').type('form').set('Accept', 'application/json').set('X-Forwarded-Proto', 'https')
      .send({ ...VALID_FORM, saveCard: 'on' });

    expect(customerCookie(response)).toMatch(/; Secure; SameSite=Lax$/);
  });

  test('when a known shopper saves another card, then it is saved for them and no new customer is made', async () => {
    const response = await checkout({ ...VALID_FORM, cardNumber: '5555 5555 5555 4444', saveCard: 'on' }, { cookie: cookieOf(CUSTOMER) });

    expect(response.body.cardSaved).toBe(true);
    expect(sent('POST', '/v1/cards')[0]?.body).toMatchObject({ customerId: CUSTOMER });
    expect(customerCookie(response)).toContain(`${CUSTOMER_COOKIE}=${CUSTOMER};`);
  });

  test.each([
    ['declines to verify it', { status: 402, body: problem(402, 'card_declined', { decline: { code: 'do_not_honor', message: 'no' } }) }],
    ['is unavailable', { status: 503, body: problem(503, 'provider_unavailable') }],
    ['never answers sensibly', { status: 200, body: { not: 'a card' } }],
  ])('when the vault %s, then the payment is still approved, the shopper is told the card was not saved, and no cookie is set', async (_name, reply) => {
    processing.reply((recorded, index) => (recorded.url === '/v1/cards' ? reply : model.handler(recorded, index)));

    const response = await checkout({ ...VALID_FORM, saveCard: 'on' });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'approved', paymentId: 'pay_0001', cardSaved: false, message: 'Paid; we could not save the card. You can save it on your next checkout.' });
    expect(customerCookie(response)).toBeUndefined();
  });

  test('when the approved checkout is a browser\'s, then the result page says the card is saved', async () => {
    const response = await checkout({ ...VALID_FORM, saveCard: 'on' }, { accept: BROWSER_ACCEPT });

    expect(response.text).toContain('<p class="card-saved" role="status">Payment approved. Your card is saved for your next checkout.</p>');
  });

  test('when the payment is declined, then nothing is saved; without the box ticked, nothing is saved either', async () => {
    processing.reply(() => ({ status: 402, body: declinedFixture('do_not_honor', '05') }));
    const declined = await checkout({ ...VALID_FORM, saveCard: 'on' });
    processing.reply(model.handler);
    const unticked = await checkout({ ...VALID_FORM, idempotencyKey: 'checkout-0003' });

    expect(declined.body).toMatchObject({ status: 'declined' });
    expect(declined.body.cardSaved).toBeUndefined();
    expect(unticked.body).toMatchObject({ status: 'approved', message: 'Payment approved.' });
    expect(unticked.body.cardSaved).toBeUndefined();
    expect(sent('POST', '/v1/cards')).toEqual([]);
    expect(customerCookie(unticked)).toBeUndefined();
  });

  test('when the same checkout is posted twice with saveCard on, then both saves carry the same key (the vault keeps the card once)', async () => {
    await checkout({ ...VALID_FORM, saveCard: 'on' }, { cookie: cookieOf(CUSTOMER) });
    await checkout({ ...VALID_FORM, saveCard: 'on' }, { cookie: cookieOf(CUSTOMER) });

    const keys = sent('POST', '/v1/cards').map((recorded) => recorded.headers['idempotency-key']);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
    expect(model.cards).toHaveLength(1);
  });

  test('when a card is saved, then no log line holds the card number, the CVV or the customer cookie', async () => {
    await checkout({ ...VALID_FORM, cvv: '987', saveCard: 'on' }, { cookie: cookieOf(CUSTOMER) });

    expect(ui.logText()).toContain('"cardSaved":true');
    expect(ui.logText()).not.toContain('4242424242424242');
    expect(containsToken(ui.logText(), '987')).toBe(false);
    expect(ui.logText()).not.toContain(CUSTOMER);
  });
});

describe('saved cards on the checkout page', () => {
  test('when a remembered shopper opens the checkout, then their cards are listed, the newest chosen, each with a Remove form of its own', async () => {
    model.cards.push(savedCardFixture({ id: 'card_0001', last4: '4242', expMonth: 12, expYear: 2030 }));
    model.cards.push(savedCardFixture({ id: 'card_0002', brand: 'mastercard', last4: '4444', expMonth: 3, expYear: 2031 }));

    const page = await request(ui.app).get('/payment.html?amount=25.00&currency=EUR').set('Cookie', cookieOf(CUSTOMER));

    expect(page.status).toBe(200);
    expect(page.text).toContain('id="method-saved_card" name="paymentMethod" value="saved_card" checked> Pay with a saved card');
    expect(page.text).toMatch(/<input type="radio" id="saved-card_0002" name="savedCardId" value="card_0002" checked[^>]*>\s*<label for="saved-card_0002"><span class="saved-card-name">Mastercard •••• 4444<\/span> <span class="saved-card-expiry">expires 03\/31<\/span><\/label>/);
    expect(page.text).toMatch(/value="card_0001" aria-describedby/);
    expect(page.text).toContain('<button type="submit" class="link-button remove-card" form="remove-card_0001">Remove<span class="visually-hidden"> Visa •••• 4242</span></button>');
    expect(page.text).toContain('<form id="remove-card_0001" class="remove-card-form" method="post" action="/saved-cards/card_0001/remove"><input type="hidden" name="amount" value="25.00"><input type="hidden" name="currency" value="EUR"></form>');
    expect(page.text).not.toContain('id="method-card" name="paymentMethod" value="card" checked');
    expect(sent('GET', '/v1/cards')[0]?.url).toBe(`/v1/cards?customerId=${CUSTOMER}`);
  });

  test('when the shopper is not remembered (no cookie, or not one of ours), then no saved card is offered and the vault is not asked', async () => {
    const plain = await request(ui.app).get('/payment.html');
    const forged = await request(ui.app).get('/payment.html').set('Cookie', `${CUSTOMER_COOKIE}=../../v1/payments`);

    for (const page of [plain, forged]) {
      expect(page.text).not.toContain('saved-card-fields');
      expect(page.text).toContain('id="method-card" name="paymentMethod" value="card" checked');
    }
    expect(sent('GET', '/v1/cards')).toEqual([]);
  });

  test('when the vault cannot be reached, then the checkout still opens, without saved cards', async () => {
    ui = buildTestUi({ processingUrls: [await refusedUrl()] });

    const page = await request(ui.app).get('/payment.html').set('Cookie', cookieOf(CUSTOMER));

    expect(page.status).toBe(200);
    expect(page.text).not.toContain('saved-card-fields');
    expect(ui.logText()).toContain('saved cards not shown');
  });
});

describe('paying with a saved card', () => {
  test('when the shopper pays with one of their saved cards, then the processing server gets the card id and the customer, no card, and the cookie is renewed', async () => {
    model.cards.push(savedCardFixture({ id: 'card_0001', customerId: CUSTOMER }));

    const response = await checkout({ paymentMethod: 'saved_card', savedCardId: 'card_0001', amount: '25.00', currency: 'USD', idempotencyKey: 'checkout-saved-1' }, { cookie: cookieOf(CUSTOMER) });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'approved', card: { brand: 'visa', last4: '4242' }, amount: '25.00', currency: 'USD' });
    // A saved card's issuer may ask for 3-D Secure too, so it carries the return address like a typed card.
    expect(sent('POST', '/v1/payments')[0]?.body).toEqual({
      amount: 2500, currency: 'USD', cardId: 'card_0001', customerId: CUSTOMER, captureMethod: 'automatic',
      returnUrl: expect.stringMatching(/\/payments\/authentication-return$/),
    });
    expect(customerCookie(response)).toContain(`${CUSTOMER_COOKIE}=${CUSTOMER};`);
  });

  test('when the card is not the shopper\'s (or gone), then the form says the saved card is no longer available and nothing was charged', async () => {
    model.cards.push(savedCardFixture({ id: 'card_0001', customerId: OTHER_CUSTOMER }));
    const form = { paymentMethod: 'saved_card', savedCardId: 'card_0001', amount: '25.00', currency: 'USD', idempotencyKey: 'checkout-saved-2' };

    const json = await checkout(form, { cookie: cookieOf(CUSTOMER) });
    const page = await checkout(form, { cookie: cookieOf(CUSTOMER), accept: BROWSER_ACCEPT });

    expect(json.status).toBe(400);
    expect(json.body).toMatchObject({ status: 'error', errors: [{ field: 'savedCardId', message: 'This saved card is no longer available.' }] });
    expect(page.status).toBe(400);
    expect(page.text).toContain('This saved card is no longer available.');
  });

  test('when a saved card is posted without the customer cookie, then it is refused before anything is sent', async () => {
    const response = await checkout({ paymentMethod: 'saved_card', savedCardId: 'card_0001', amount: '25.00', currency: 'USD', idempotencyKey: 'checkout-saved-3' });

    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ field: 'savedCardId', message: 'This saved card is no longer available.' }]);
    expect(processing.requests).toEqual([]);
  });

  test('when a returning shopper\'s form comes back with errors, then it still lists their saved cards', async () => {
    model.cards.push(savedCardFixture({ id: 'card_0001', customerId: CUSTOMER }));

    const page = await checkout({ paymentMethod: 'saved_card', savedCardId: 'card_0001', amount: '', currency: 'USD', idempotencyKey: 'checkout-saved-4' }, { cookie: cookieOf(CUSTOMER), accept: BROWSER_ACCEPT });

    expect(page.status).toBe(400);
    expect(page.text).toContain('Enter the amount.');
    expect(page.text).toContain('value="card_0001" checked');
  });
});

describe('POST /saved-cards/:cardId/remove', () => {
  const remove = (cardId: string, options: { cookie?: string; accept?: string; form?: Record<string, string> } = {}) => {
    const call = request(ui.app).post(`/saved-cards/${cardId}/remove`).type('form').set('Accept', options.accept ?? BROWSER_ACCEPT);
    return (options.cookie ? call.set('Cookie', options.cookie) : call).send(options.form ?? {});
  };

  test('when the shopper removes one of their cards, then it is deleted and the browser goes back to the checkout with the order and a notice', async () => {
    model.cards.push(savedCardFixture({ id: 'card_0001', customerId: CUSTOMER }));

    const response = await remove('card_0001', { cookie: cookieOf(CUSTOMER), form: { amount: '25.00', currency: 'EUR' } });

    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/payment.html?notice=card_removed&amount=25.00&currency=EUR');
    expect(sent('DELETE', '/v1/cards/card_0001')).toHaveLength(1);
    expect(model.cards).toEqual([]);
    const page = await request(ui.app).get(response.headers.location as string).set('Cookie', cookieOf(CUSTOMER));
    expect(page.text).toContain('The saved card was removed.');
    expect(page.text).toContain('value="25.00"');
  });

  test('when a client that does not ask for HTML removes a card, then 204', async () => {
    model.cards.push(savedCardFixture({ id: 'card_0001', customerId: CUSTOMER }));

    expect((await remove('card_0001', { cookie: cookieOf(CUSTOMER), accept: 'application/json' })).status).toBe(204);
  });

  test('when the card is another customer\'s, unknown, or there is no cookie, then 404 and nothing is deleted', async () => {
    model.cards.push(savedCardFixture({ id: 'card_0001', customerId: OTHER_CUSTOMER }));

    const answers = [
      await remove('card_0001', { cookie: cookieOf(CUSTOMER), accept: 'application/json' }),
      await remove('card_9999', { cookie: cookieOf(CUSTOMER), accept: 'application/json' }),
      await remove('card_0001', { accept: 'application/json' }),
      await remove('..', { cookie: cookieOf(CUSTOMER), accept: 'application/json' }),
    ];

    expect(answers.map((answer) => answer.status)).toEqual([404, 404, 404, 404]);
    expect(answers[0]?.body).toMatchObject({ code: 'not_found', detail: 'This saved card was not found.' });
    expect(sent('DELETE', '/v1/cards/card_0001')).toEqual([]);
    expect(model.cards).toHaveLength(1);
  });

  test('when the processing server cannot be reached, then 503 and the page says to try again', async () => {
    ui = buildTestUi({ processingUrls: [await refusedUrl()] });

    const response = await remove('card_0001', { cookie: cookieOf(CUSTOMER) });

    expect(response.status).toBe(503);
    expect(response.text).toContain('Your saved cards cannot be changed right now.');
  });

  test('when the removal is posted from another site, then it is refused before the vault is asked', async () => {
    const response = await request(ui.app).post('/saved-cards/card_0001/remove').set('Sec-Fetch-Site', 'cross-site').set('Cookie', cookieOf(CUSTOMER)).send();

    expect(response.status).toBe(403);
    expect(processing.requests).toEqual([]);
  });
});
