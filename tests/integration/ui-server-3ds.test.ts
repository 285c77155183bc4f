/**
 * 3-D Secure at the UI server, against a fake processing server: the checkout's answer to a card
 * whose issuer asks the shopper to confirm (a 303 for a browser, requires_action JSON for other
 * clients), the return page that confirms the payment and says how it ended, the issuer's origin
 * as the only other place a browser is sent, and the CSP's form-action.
 */
import request from 'supertest';
import { makePaymentResultSchema } from '../../shared/contracts/ui.ts';
import { paymentFixture, problem, refusedUrl, startFakeProcessing, type FakeProcessing } from '../helpers/ui-fake-processing.ts';
import { BROWSER_ACCEPT, VALID_FORM, buildTestUi } from '../helpers/ui-app.ts';

const ISSUER = 'http://issuer.test:3002';
const CHALLENGE_URL = `${ISSUER}/3ds/challenge/3ds_0001`;
const WAITING = paymentFixture({ status: 'requires_action', authorizationCode: null, nextAction: { type: 'redirect', url: CHALLENGE_URL } });

let processing: FakeProcessing;

beforeEach(async () => {
  processing = await startFakeProcessing(() => ({ status: 202, body: WAITING }));
});

afterEach(async () => {
  await processing.close();
});

const testUi = () => buildTestUi({ processingUrls: [processing.url], env: { NETWORK_PUBLIC_URL: ISSUER } });
const returnPath = (paymentId = 'pay_0001') => `/payments/authentication-return?paymentId=${paymentId}`;

describe('the checkout of a card whose issuer asks the shopper to confirm', () => {
  test('when a browser posts the form, then it is sent to the issuer\'s page with a 303, and the return address is this server\'s', async () => {
    const ui = testUi();

    const response = await request(ui.app).post('/make-payment').type('form').set('Accept', BROWSER_ACCEPT).send(VALID_FORM);

    expect(response.status).toBe(303);
    expect(response.headers.location).toBe(CHALLENGE_URL);
    expect(response.headers['cache-control']).toBe('no-store');
    expect((processing.requests[0]?.body as { returnUrl: string }).returnUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/payments\/authentication-return$/);
  });

  test('when a client asks for JSON, then 202 requires_action with the payment, the masked card and the issuer\'s page as nextAction', async () => {
    const ui = testUi();

    const response = await request(ui.app).post('/make-payment').set('Accept', 'application/json').send(VALID_FORM);

    expect(response.status).toBe(202);
    expect(makePaymentResultSchema.parse(response.body)).toEqual({
      status: 'requires_action', paymentId: 'pay_0001', message: expect.stringContaining('Your bank asks you to confirm'),
      card: { brand: 'visa', last4: '4242' }, amount: '12.34', currency: 'USD', nextAction: { type: 'redirect', url: CHALLENGE_URL },
    });
  });

  test('when the processing server names a page that is not the issuer\'s, then the browser is not sent there and is told nothing was charged', async () => {
    processing.reply(() => ({ status: 202, body: { ...WAITING, nextAction: { type: 'redirect', url: 'https://evil.example/phish' } } }));
    const ui = testUi();

    const page = await request(ui.app).post('/make-payment').type('form').set('Accept', BROWSER_ACCEPT).send(VALID_FORM);

    expect(page.status).toBe(503);
    expect(page.headers.location).toBeUndefined();
    expect(page.text).toContain('You have not been charged.');
    expect(page.text).not.toContain('evil.example');
    expect(ui.logText()).toContain('3-D Secure page is not on NETWORK_PUBLIC_URL');
  });

  test('when points pay, then no return address is sent: points have no 3-D Secure', async () => {
    processing.reply(() => ({ status: 500, body: problem(500, 'internal_error') }));
    const ui = testUi();

    await request(ui.app).post('/make-payment').set('Accept', 'application/json')
      .send({ paymentMethod: 'points', pointsAccount: 'PTS-0000-0001', pointsPin: '1234', amount: '10.00', currency: 'USD', idempotencyKey: 'points-3ds-1' });

    expect(processing.requests[0]?.body).not.toHaveProperty('returnUrl');
  });
});

describe('GET /payments/authentication-return', () => {
  test('when the bank confirmed the shopper, then the payment is confirmed and the page shows the approval with its authorization code', async () => {
    processing.reply(() => ({ status: 201, body: paymentFixture({ authorizationCode: 'Q7W8E9' }) }));
    const ui = testUi();

    const page = await request(ui.app).get(returnPath()).set('Accept', BROWSER_ACCEPT);
    const json = await request(ui.app).get(returnPath()).set('Accept', 'application/json');

    expect(processing.requests.map((sent) => `${sent.method} ${sent.url}`)).toEqual(['POST /v1/payments/pay_0001/confirm', 'POST /v1/payments/pay_0001/confirm']);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Payment approved');
    expect(page.text).toContain('Q7W8E9');
    expect(json.body).toMatchObject({ status: 'approved', authorizationCode: 'Q7W8E9', paymentId: 'pay_0001', amount: '12.34' });
  });

  test('when the bank could not confirm the shopper, then the page says so in plain words, once, and that nothing was charged', async () => {
    processing.reply(() => ({
      status: 402,
      body: paymentFixture({ status: 'declined', authorizationCode: null, decline: { code: 'authentication_failed', message: 'not authenticated', networkCode: '1A' } }),
    }));
    const ui = testUi();

    const page = await request(ui.app).get(returnPath()).set('Accept', BROWSER_ACCEPT);

    expect(page.status).toBe(402);
    expect(page.text).toContain('Your bank could not confirm it was you. You have not been charged.');
    expect(page.text.match(/You have not been charged/g)).toHaveLength(1);
    expect(page.text).toContain('Try again');
  });

  test('when the shopper comes back before finishing the bank\'s page, then a browser is sent back to it and JSON says requires_action', async () => {
    const ui = testUi();

    const page = await request(ui.app).get(returnPath()).set('Accept', BROWSER_ACCEPT);
    const json = await request(ui.app).get(returnPath()).set('Accept', 'application/json');

    expect(page.status).toBe(303);
    expect(page.headers.location).toBe(CHALLENGE_URL);
    expect(json.status).toBe(202);
    expect(json.body).toMatchObject({ status: 'requires_action', nextAction: { url: CHALLENGE_URL } });
  });

  test('when the payment waited too long and failed, then the shopper is told the confirmation took too long and nothing was charged', async () => {
    const failed = paymentFixture({ status: 'failed', authorizationCode: null, reason: 'authentication_abandoned' });
    processing.reply(() => ({ status: 503, body: problem(503, 'network_unavailable', { paymentStatus: 'failed', charged: false, payment: failed }) }));
    const ui = testUi();

    const json = await request(ui.app).get(returnPath()).set('Accept', 'application/json');

    expect(json.status).toBe(503);
    expect(json.body).toMatchObject({ status: 'error', message: expect.stringContaining('not finished in time') });
    expect(json.body.message).toContain('You have not been charged.');
  });

  test('when the outcome is not known yet, or the processing server cannot be reached, then the page says pending and looks again at this address', async () => {
    processing.reply(() => ({ status: 504, body: problem(504, 'confirmation_pending', { paymentStatus: 'requires_action', payment: WAITING }) }));
    const ui = testUi();
    const unreachable = buildTestUi({ processingUrls: [await refusedUrl()], env: { NETWORK_PUBLIC_URL: ISSUER } });

    const page = await request(ui.app).get(returnPath()).set('Accept', BROWSER_ACCEPT);
    const down = await request(unreachable.app).get(returnPath()).set('Accept', 'application/json');

    expect(page.status).toBe(503);
    expect(page.text).toContain('We are confirming your payment');
    expect(page.text).toContain(`url=/payments/authentication-return?paymentId=pay_0001`);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'pending' });
    expect(down.body.message).not.toContain('not been charged');
  });

  test('when the payment id is missing, malformed or unknown, then 404 and nothing or the one look-up is sent', async () => {
    processing.reply(() => ({ status: 404, body: problem(404, 'not_found') }));
    const ui = testUi();

    const answers = await Promise.all([
      request(ui.app).get('/payments/authentication-return').set('Accept', 'application/json'),
      request(ui.app).get('/payments/authentication-return?paymentId=..%2Fv1').set('Accept', 'application/json'),
      request(ui.app).get(returnPath('pay_9999')).set('Accept', 'application/json'),
    ]);

    expect(answers.map((answer) => answer.status)).toEqual([404, 404, 404]);
    expect(processing.requests.map((sent) => sent.url)).toEqual(['/v1/payments/pay_9999/confirm']);
  });
});

describe('the content security policy', () => {
  test('when NETWORK_PUBLIC_URL is set, then form-action allows this server and the issuer\'s origin, and nothing else changes', async () => {
    const ui = buildTestUi({ processingUrls: [processing.url], env: { NETWORK_PUBLIC_URL: 'https://acs.example.com/network' } });

    const csp = String((await request(ui.app).get('/payment.html')).headers['content-security-policy']);

    expect(csp).toContain("form-action 'self' https://acs.example.com;");
    expect(csp).toContain("default-src 'self';");
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toContain('unsafe');
  });
});
