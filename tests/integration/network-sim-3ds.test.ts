/**
 * Card-network simulator, 3-D Secure: authentications, the issuer's challenge page, and the
 * `1A` decline of authorizations that need an authentication and lack one.
 */
import request from 'supertest';
import { authenticationResponseSchema, authenticationSchema, cardAuthorizationRecordSchema } from '../../shared/contracts/network.ts';
import {
  ACCOUNT_CARDS, AUTH_HEADER, TEST_CARDS, authorizationBody, createTestNetwork, lookUpAuthorization, postAuthorization,
  readAllFiles, uniqueReference, type TestNetwork,
} from '../helpers/network-sim.ts';

const PUBLIC_URL = 'https://acs.example.test';
const RETURN_URL = 'http://127.0.0.1:3000/checkout/return?paymentId=pay_123&step=3ds';

let network: TestNetwork;

beforeEach(() => {
  network = createTestNetwork({ env: { NETWORK_PUBLIC_URL: PUBLIC_URL } });
});

afterEach(() => {
  network.close();
});

interface AuthenticationOverrides {
  merchantReference?: string;
  cardNumber?: string;
  amount?: number;
  currency?: string;
  returnUrl?: string;
  merchantName?: string;
}

function authenticationBody(overrides: AuthenticationOverrides = {}) {
  return {
    merchantReference: overrides.merchantReference ?? uniqueReference('pay'),
    amount: overrides.amount ?? 1234,
    currency: overrides.currency ?? 'USD',
    card: { number: overrides.cardNumber ?? TEST_CARDS.challenge, expMonth: 12, expYear: 2030 },
    returnUrl: overrides.returnUrl ?? RETURN_URL,
    ...(overrides.merchantName === undefined ? {} : { merchantName: overrides.merchantName }),
  };
}

function authenticate(body: object) {
  return request(network.app).post('/v1/authentications').set(AUTH_HEADER).send(body);
}

function challengePath(authenticationId: string) {
  return `/3ds/challenge/${authenticationId}`;
}

function answerChallenge(authenticationId: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  return request(network.app).post(challengePath(authenticationId)).type('form').set(headers).send(form);
}

async function authenticationStatus(authenticationId: string) {
  return authenticationSchema.parse((await request(network.app).get(`/v1/authentications/${authenticationId}`).set(AUTH_HEADER)).body).status;
}

/** An authentication of the challenge card, passed with the right code. */
async function passedChallenge(overrides: AuthenticationOverrides = {}) {
  const body = authenticationBody(overrides);
  const { authenticationId } = authenticationResponseSchema.parse((await authenticate(body)).body);
  await answerChallenge(authenticationId, { code: '123456', action: 'verify' });
  return { body, authenticationId };
}

function paymentFor(authentication: ReturnType<typeof authenticationBody>, extra: object = {}) {
  return {
    ...authorizationBody({ cardNumber: authentication.card.number, amount: authentication.amount }),
    merchantReference: authentication.merchantReference,
    ...extra,
  };
}

describe('POST /v1/authentications', () => {
  test('when the challenge card is authenticated, then a challenge is required at the public URL', async () => {
    const response = await authenticate(authenticationBody());

    expect(response.status).toBe(200);
    const answer = authenticationResponseSchema.parse(response.body);
    expect(answer.status).toBe('challenge_required');
    expect(answer.challengeUrl).toBe(`${PUBLIC_URL}/3ds/challenge/${answer.authenticationId}`);
  });

  test.each([
    ['frictionless', TEST_CARDS.frictionless],
    ['not enrolled (visa)', TEST_CARDS.visa],
    ['not enrolled (account)', ACCOUNT_CARDS[0]],
    ['declining (do not honor)', TEST_CARDS.doNotHonor],
  ])('when the %s card is authenticated, then it is authenticated without a challenge', async (_name, cardNumber) => {
    const response = await authenticate(authenticationBody({ cardNumber }));

    expect(response.body).toEqual({ authenticationId: expect.stringMatching(/^3ds_/), status: 'authenticated' });
  });

  test('when NETWORK_PUBLIC_URL is not set, then the challenge URL uses 127.0.0.1 and NETWORK_PORT', async () => {
    const local = createTestNetwork({ env: { NETWORK_PORT: '4567' } });
    try {
      const response = await request(local.app).post('/v1/authentications').set(AUTH_HEADER).send(authenticationBody());
      expect(response.body.challengeUrl).toBe(`http://127.0.0.1:4567/3ds/challenge/${response.body.authenticationId}`);
    } finally {
      local.close();
    }
  });

  test('when an authentication is repeated with the same details, then the same authentication comes back', async () => {
    const body = authenticationBody();
    const first = await authenticate(body);
    const repeat = await authenticate(body);

    expect(repeat.body).toEqual(first.body);
  });

  test('when a decided authentication is repeated, then its decided status comes back without a challenge URL', async () => {
    const { body, authenticationId } = await passedChallenge();

    expect((await authenticate(body)).body).toEqual({ authenticationId, status: 'authenticated' });
  });

  test.each([
    ['amount', { amount: 999 }],
    ['card', { cardNumber: TEST_CARDS.frictionless }],
    ['returnUrl', { returnUrl: 'http://127.0.0.1:3000/other' }],
  ])('when a merchantReference is authenticated again with another %s, then the answer is 409 merchant_reference_reused', async (_what, change) => {
    const merchantReference = uniqueReference('pay');
    await authenticate(authenticationBody({ merchantReference }));
    const response = await authenticate(authenticationBody({ merchantReference, ...change }));

    expect(response.status).toBe(409);
    expect(response.body.code).toBe('merchant_reference_reused');
  });

  test.each([
    ['a Luhn-invalid number', 'card.number', { card: { number: '4000000000003221', expMonth: 12, expYear: 2030 } }],
    ['a relative returnUrl', 'returnUrl', { returnUrl: '/checkout/return' }],
    ['an ftp returnUrl', 'returnUrl', { returnUrl: 'ftp://example.com/return' }],
    ['a javascript returnUrl', 'returnUrl', { returnUrl: 'javascript:alert(1)' }],
    ['a returnUrl with a space', 'returnUrl', { returnUrl: 'http://shop.example/a b' }],
    ['no returnUrl', 'returnUrl', { returnUrl: undefined }],
    ['a zero amount', 'amount', { amount: 0 }],
    ['an unknown currency', 'currency', { currency: 'XXX' }],
    ['no merchantReference', 'merchantReference', { merchantReference: undefined }],
  ])('when the authentication has %s, then the answer is 400 naming %s', async (_what, field, change) => {
    const response = await authenticate({ ...authenticationBody(), ...change });

    expect(response.status).toBe(400);
    expect(response.body.code).toBe('validation_failed');
    expect(response.body.errors.map((problem: { field: string }) => problem.field)).toContain(field);
  });
});

describe('GET /v1/authentications/:id', () => {
  test('when the authentication exists, then its status, amount and times come back', async () => {
    const body = authenticationBody({ amount: 5000, currency: 'EUR' });
    const created = await authenticate(body);
    const response = await request(network.app).get(`/v1/authentications/${created.body.authenticationId}`).set(AUTH_HEADER);

    expect(response.status).toBe(200);
    expect(authenticationSchema.parse(response.body)).toEqual({
      authenticationId: created.body.authenticationId, merchantReference: body.merchantReference, status: 'challenge_required',
      amount: 5000, currency: 'EUR', createdAt: '2026-03-01T12:00:00.000Z', updatedAt: '2026-03-01T12:00:00.000Z',
    });
  });

  test('when the authentication is unknown, then the answer is 404 not_found', async () => {
    const response = await request(network.app).get('/v1/authentications/3ds_unknown').set(AUTH_HEADER);

    expect(response.status).toBe(404);
    expect(response.body.code).toBe('not_found');
  });
});

describe('GET /3ds/challenge/:authenticationId', () => {
  test('when the shopper opens the challenge, then an accessible form with the payment shows under a strict CSP, without a key', async () => {
    const created = await authenticate(authenticationBody({ merchantName: 'Ada & Co <Books>' }));
    const response = await request(network.app).get(challengePath(created.body.authenticationId));

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = response.headers['content-security-policy'];
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("form-action 'self' http://127.0.0.1:3000");
    expect(response.headers['cache-control']).toBe('no-store');
    const html = response.text;
    expect(html).toContain('<html lang="en">');
    expect(html).toMatch(/<title>Verify your payment – Cardlane Test Bank<\/title>/);
    expect(html).toMatch(/<h1>Cardlane Test Bank: verify your payment<\/h1>/);
    expect(html).toContain('12.34 USD');
    expect(html).toContain('Ada &amp; Co &lt;Books&gt;');
    expect(html).toContain('Visa ending in 3220');
    expect(html).not.toContain('4000000000003220');
    expect(html).toContain('<label for="code">One-time code</label>');
    expect(html).toMatch(/<input id="code" name="code"[^>]*inputmode="numeric"[^>]*autocomplete="one-time-code"/);
    expect(html).toMatch(/<button type="submit" name="action" value="verify">Verify<\/button>/);
    expect(html).toMatch(/<button type="submit" name="action" value="cancel" formnovalidate>Cancel<\/button>/);
    expect(html).not.toMatch(/<script|<style|\sstyle=|\son[a-z]+=/i);
  });

  test('when no merchant name was given, then the page names the returnUrl\'s host', async () => {
    const created = await authenticate(authenticationBody({ returnUrl: 'https://shop.example:8443/return' }));
    const response = await request(network.app).get(challengePath(created.body.authenticationId));

    expect(response.text).toContain('shop.example:8443 asks us to confirm');
    expect(response.headers['content-security-policy']).toContain("form-action 'self' https://shop.example:8443");
  });

  test('when the authentication is unknown, then a 404 page answers', async () => {
    const response = await request(network.app).get(challengePath('3ds_unknown'));

    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.text).toContain('verification not found');
  });

  test('when the authentication was already decided, then the page says it is finished and links back to the returnUrl', async () => {
    const { authenticationId } = await passedChallenge();
    const response = await request(network.app).get(challengePath(authenticationId));

    expect(response.status).toBe(200);
    expect(response.text).toContain('verification finished');
    expect(response.text).toContain('This payment has been verified.');
    expect(response.text).toContain(`<a href="${RETURN_URL.replace('&', '&amp;')}">`);
    expect(response.text).not.toContain('<form');
  });

  test('when the card network answers every /v1 request with injected faults, then the challenge page still answers', async () => {
    const created = await authenticate(authenticationBody());
    await request(network.app).post('/admin/faults').set(AUTH_HEADER).send({ errorRate: 1 });

    expect((await request(network.app).get(challengePath(created.body.authenticationId))).status).toBe(200);
  });
});

describe('POST /3ds/challenge/:authenticationId', () => {
  test('when the right code is posted, then the authentication passes and the browser is sent to the returnUrl exactly', async () => {
    const returnUrl = 'https://shop.example/return?paymentId=pay_9&note=a%2Fb%20c&empty=';
    const created = await authenticate(authenticationBody({ returnUrl }));
    network.clock.advanceMs(30_000);
    const response = await answerChallenge(created.body.authenticationId, { code: '123456', action: 'verify' }, { 'Sec-Fetch-Site': 'same-origin' });

    expect(response.status).toBe(303);
    expect(response.headers.location).toBe(returnUrl);
    const authentication = authenticationSchema.parse((await request(network.app).get(`/v1/authentications/${created.body.authenticationId}`).set(AUTH_HEADER)).body);
    expect(authentication).toMatchObject({ status: 'authenticated', updatedAt: '2026-03-01T12:00:30.000Z' });
    const line = network.logs().find((entry) => entry.msg === '3-D Secure challenge decided');
    expect(line).toMatchObject({ authenticationId: created.body.authenticationId, status: 'authenticated' });
    expect(network.logLines.join('')).not.toContain('123456');
  });

  test.each([
    ['a wrong code', { code: '000000', action: 'verify' }],
    ['an empty code', { code: '', action: 'verify' }],
    ['no code at all', { action: 'verify' }],
    ['cancel (even with the right code)', { code: '123456', action: 'cancel' }],
  ])('when %s is posted, then the authentication fails and the browser still goes back to the returnUrl', async (_what, form) => {
    const created = await authenticate(authenticationBody());
    const response = await answerChallenge(created.body.authenticationId, form);

    expect(response.status).toBe(303);
    expect(response.headers.location).toBe(RETURN_URL);
    expect(await authenticationStatus(created.body.authenticationId)).toBe('failed');
  });

  test('when a decided authentication is answered again, then it does not change', async () => {
    const created = await authenticate(authenticationBody());
    await answerChallenge(created.body.authenticationId, { code: '999999' });
    const again = await answerChallenge(created.body.authenticationId, { code: '123456' });

    expect(again.status).toBe(303);
    expect(await authenticationStatus(created.body.authenticationId)).toBe('failed');
  });

  test('when a frictionless authentication is posted to, then it stays authenticated', async () => {
    const created = await authenticate(authenticationBody({ cardNumber: TEST_CARDS.frictionless }));
    await answerChallenge(created.body.authenticationId, { action: 'cancel' });

    expect(await authenticationStatus(created.body.authenticationId)).toBe('authenticated');
  });

  test.each([
    ['Sec-Fetch-Site cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
    ['Sec-Fetch-Site same-site', { 'Sec-Fetch-Site': 'same-site' }],
    ['another Origin', { Origin: 'https://evil.example' }],
  ])('when the post comes from another site (%s), then it is refused 403 and decides nothing', async (_what, headers) => {
    const created = await authenticate(authenticationBody());
    const response = await answerChallenge(created.body.authenticationId, { code: '123456' }, headers);

    expect(response.status).toBe(403);
    expect(response.text).toContain('request refused');
    expect(await authenticationStatus(created.body.authenticationId)).toBe('challenge_required');
  });

  test('when the post carries the public URL\'s Origin, then it is the page\'s own and is accepted', async () => {
    const created = await authenticate(authenticationBody());
    const response = await answerChallenge(created.body.authenticationId, { code: '123456' }, { Origin: PUBLIC_URL });

    expect(response.status).toBe(303);
  });

  test('when the authentication is unknown, then a 404 page answers', async () => {
    const response = await answerChallenge('3ds_unknown', { code: '123456' });

    expect(response.status).toBe(404);
    expect(response.text).toContain('verification not found');
  });

  test('when the form body is larger than a code needs, then the answer is 413 and nothing is decided', async () => {
    const created = await authenticate(authenticationBody());
    const response = await answerChallenge(created.body.authenticationId, { code: '123456', padding: 'x'.repeat(5000) });

    expect(response.status).toBe(413);
    expect(await authenticationStatus(created.body.authenticationId)).toBe('challenge_required');
  });
});

describe('POST /v1/authorizations and 3-D Secure', () => {
  test.each([
    ['challenge', TEST_CARDS.challenge],
    ['frictionless', TEST_CARDS.frictionless],
  ])('when the %s card is authorized without an authentication, then it is declined 1A and nothing is held', async (_name, cardNumber) => {
    const body = authorizationBody({ cardNumber });
    const response = await postAuthorization(network.app, body);

    expect(response.body).toMatchObject({ responseCode: '1A', message: 'additional customer authentication required' });
    expect(response.body.authorizationCode).toBeUndefined();
    expect((await lookUpAuthorization(network.app, body.merchantReference)).body).toMatchObject({ status: 'declined', heldAmount: 0 });
  });

  test('when the challenge was passed, then the authorization that names it is approved and records it', async () => {
    const { body, authenticationId } = await passedChallenge();
    const payment = paymentFor(body, { authenticationId });
    const response = await postAuthorization(network.app, payment);

    expect(response.body.responseCode).toBe('00');
    const record = cardAuthorizationRecordSchema.parse((await lookUpAuthorization(network.app, payment.merchantReference)).body);
    expect(record).toMatchObject({ status: 'approved', heldAmount: 1234, authenticationId });
  });

  test('when the frictionless card was authenticated, then its authorization is approved', async () => {
    const body = authenticationBody({ cardNumber: TEST_CARDS.frictionless });
    const { authenticationId } = (await authenticate(body)).body;

    expect((await postAuthorization(network.app, paymentFor(body, { authenticationId }))).body.responseCode).toBe('00');
  });

  test('when a 1A decline is repeated with a passed authentication, then it is decided again in the same record', async () => {
    const authentication = authenticationBody();
    const withoutAuthentication = paymentFor(authentication);
    const declined = await postAuthorization(network.app, withoutAuthentication);
    const { authenticationId } = (await authenticate(authentication)).body;
    await answerChallenge(authenticationId, { code: '123456' });
    network.clock.advanceMs(60_000);
    const approved = await postAuthorization(network.app, { ...withoutAuthentication, authenticationId });

    expect(declined.body.responseCode).toBe('1A');
    expect(approved.body).toMatchObject({ authorizationId: declined.body.authorizationId, responseCode: '00' });
    expect((await lookUpAuthorization(network.app, authentication.merchantReference)).body)
      .toMatchObject({ status: 'approved', heldAmount: 1234, createdAt: '2026-03-01T12:01:00.000Z' });
  });

  test('when the approval is repeated without the authentication, then the stored approval comes back', async () => {
    const { body, authenticationId } = await passedChallenge();
    const approved = await postAuthorization(network.app, paymentFor(body, { authenticationId }));
    const repeat = await postAuthorization(network.app, paymentFor(body));

    expect(repeat.body).toEqual(approved.body);
  });

  test('when the challenge is still open, then the authorization is declined 1A', async () => {
    const authentication = authenticationBody();
    const { authenticationId } = (await authenticate(authentication)).body;

    expect((await postAuthorization(network.app, paymentFor(authentication, { authenticationId }))).body.responseCode).toBe('1A');
  });

  test('when the challenge failed, then the authorization is declined 1A, also on every repeat', async () => {
    const authentication = authenticationBody();
    const { authenticationId } = (await authenticate(authentication)).body;
    await answerChallenge(authenticationId, { code: '111111' });
    const payment = paymentFor(authentication, { authenticationId });

    expect((await postAuthorization(network.app, payment)).body.responseCode).toBe('1A');
    expect((await postAuthorization(network.app, payment)).body.responseCode).toBe('1A');
  });

  test.each([
    ['another payment (merchantReference)', (body: ReturnType<typeof authenticationBody>) => ({ merchantReference: uniqueReference('pay'), amount: body.amount })],
    ['another currency', () => ({ currency: 'EUR' })],
    ['a larger amount', (body: ReturnType<typeof authenticationBody>) => ({ amount: body.amount + 1 })],
  ])('when a passed authentication is used for %s, then the authorization is declined 1A', async (_what, change) => {
    const { body, authenticationId } = await passedChallenge();
    const response = await postAuthorization(network.app, paymentFor(body, { authenticationId, ...change(body) }));

    expect(response.body.responseCode).toBe('1A');
  });

  test('when a passed authentication is used with another card, then the authorization is declined 1A', async () => {
    const { body, authenticationId } = await passedChallenge();
    const payment = paymentFor(body, { authenticationId });
    const response = await postAuthorization(network.app, { ...payment, card: { ...payment.card, number: TEST_CARDS.frictionless } });

    expect(response.body.responseCode).toBe('1A');
  });

  test('when a passed authentication covers a smaller amount than authenticated, then the authorization is approved', async () => {
    const { body, authenticationId } = await passedChallenge({ amount: 5000 });

    expect((await postAuthorization(network.app, paymentFor(body, { authenticationId, amount: 4000 }))).body.responseCode).toBe('00');
  });

  test('when a card that needs no 3-D Secure names an unknown authentication, then it is declined 1A', async () => {
    const payment = authorizationBody({ cardNumber: TEST_CARDS.visa, amount: 1234 });

    expect((await postAuthorization(network.app, { ...payment, authenticationId: '3ds_unknown' })).body.responseCode).toBe('1A');
  });

  test('when a card that needs no 3-D Secure names its own authentication, then it is approved and records it', async () => {
    const authentication = authenticationBody({ cardNumber: TEST_CARDS.visa });
    const { authenticationId } = (await authenticate(authentication)).body;
    const response = await postAuthorization(network.app, paymentFor(authentication, { authenticationId }));

    expect(response.body.responseCode).toBe('00');
    expect((await lookUpAuthorization(network.app, authentication.merchantReference)).body.authenticationId).toBe(authenticationId);
  });

  test('when an account card names a valid authentication, then the credit limit still applies', async () => {
    const authentication = authenticationBody({ cardNumber: ACCOUNT_CARDS[0], amount: 600_000 });
    const { authenticationId } = (await authenticate(authentication)).body;

    expect((await postAuthorization(network.app, paymentFor(authentication, { authenticationId }))).body.responseCode).toBe('51');
  });
});

describe('card data at rest', () => {
  test('when cards were authenticated and challenged, then no file in DATA_DIR and no log line holds a full card number', async () => {
    const numbers = [TEST_CARDS.challenge, TEST_CARDS.frictionless, ACCOUNT_CARDS[1]];
    for (const cardNumber of numbers) {
      const { body, authenticationId } = await passedChallenge({ cardNumber });
      await postAuthorization(network.app, paymentFor(body, { authenticationId }));
    }

    const found = (text: string) => numbers.filter((number) => text.includes(number));
    expect(found(readAllFiles(network.dataDir).toString('latin1'))).toEqual([]);
    expect(found(network.logLines.join(''))).toEqual([]);
  });
});
