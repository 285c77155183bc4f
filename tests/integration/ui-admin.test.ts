/**
 * The back office (/admin/) against a fake processing server: login, sessions and their cookie,
 * the CSRF token, the payment pages and their actions, settlement runs, and the activity chart's
 * bounded read. What the UI server sends downstream is checked request by request.
 */
import path from 'node:path';
import request from 'supertest';
import type { CardPayment, SettlementRun } from '../../shared/contracts/processing.ts';
import { createLogger } from '../../shared/logger.ts';
import { hourlyActivity } from '../../ui-server/src/admin/activity.ts';
import { createSessionStore } from '../../ui-server/src/admin/sessions.ts';
import { createApp, type UiApp } from '../../ui-server/src/app.ts';
import { loadUiConfig } from '../../ui-server/src/config.ts';
import { PUBLIC_DIR, TEST_PROCESSING_KEY, rawGet } from '../helpers/ui-app.ts';
import { createBackOfficeClient } from '../../ui-server/src/admin/back-office-client.ts';
import { paymentFixture, pointsPaymentFixture, problem, refusedUrl, startFakeProcessing, type FakeProcessing, type FakeReply, type RecordedRequest } from '../helpers/ui-fake-processing.ts';

const USER = 'ops';
const PASSWORD = 'correct horse battery staple';
const NOW = new Date('2026-01-15T12:30:00.000Z');

interface TestAdmin {
  app: UiApp;
  logLines: string[];
  clock: { nowMs: number };
}

function buildAdmin(processingUrl: string, options: { loginFailuresMax?: number } = {}): TestAdmin {
  const config = loadUiConfig({
    NODE_ENV: 'test', LOG_LEVEL: 'debug', UI_RATE_LIMIT_PER_MINUTE: '0', PROCESSING_URL: processingUrl,
    PROCESSING_API_KEY: TEST_PROCESSING_KEY, PROCESSING_TIMEOUT_MS: '2000', ADMIN_USER: USER, ADMIN_PASSWORD: PASSWORD,
  });
  const logLines: string[] = [];
  const logger = createLogger({ service: 'ui-server', level: 'debug', destination: { write: (line: string) => void logLines.push(line) } });
  const clock = { nowMs: NOW.getTime() };
  const clockDep = { now: () => new Date(clock.nowMs) };
  const app = createApp({
    config, logger, publicDir: PUBLIC_DIR, clock: clockDep, sessions: createSessionStore({ clock: clockDep }),
    chartJsDir: path.resolve(PUBLIC_DIR, '../node_modules/chart.js/dist'),
    ...(options.loginFailuresMax === undefined ? {} : { adminLoginFailuresMax: options.loginFailuresMax }),
  });
  return { app, logLines, clock };
}

type Route = (recorded: RecordedRequest) => FakeReply | undefined;

/** Answers by method and path; anything unexpected is a 500 the test will notice. */
function routes(...handlers: Route[]) {
  return (recorded: RecordedRequest): FakeReply => {
    for (const handler of handlers) {
      const reply = handler(recorded);
      if (reply) return reply;
    }
    return { status: 500, body: problem(500, 'unexpected_request', { url: recorded.url }) };
  };
}

const on = (method: string, pattern: RegExp, reply: (recorded: RecordedRequest) => FakeReply): Route =>
  (recorded) => (recorded.method === method && pattern.test(recorded.url) ? reply(recorded) : undefined);

function runFixture(overrides: Partial<SettlementRun> = {}): SettlementRun {
  return {
    id: 'set_1', status: 'completed', startedAt: '2026-01-15T12:00:00.000Z', completedAt: '2026-01-15T12:00:02.000Z',
    itemCount: 2, settledCount: 2, rejectedCount: 0, totals: { USD: { sales: 3000, refunds: 0, net: 3000 } }, batchIds: ['set_1-1'],
    ...overrides,
  };
}

const item = (id: string, paymentId: string, amount: number) => ({ id, paymentId, type: 'sale', paymentMethod: 'card', amount, currency: 'USD', batchId: 'set_1-1', status: 'settled' });

/** Logs in and answers the cookie header and the session's CSRF token (read from a page's form). */
async function logIn(admin: TestAdmin): Promise<{ cookie: string; csrfToken: string }> {
  const login = await request(admin.app).post('/admin/login').type('form').send({ user: USER, password: PASSWORD, next: '/admin/settlements' });
  expect(login.status).toBe(303);
  const cookie = String(login.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
  // Any back-office page carries the token (in its logout form); this one asks the processing server nothing.
  const page = await request(admin.app).get('/admin/no-such-page').set('Cookie', cookie);
  const csrfToken = /name="csrfToken" value="([^"]+)"/.exec(page.text)?.[1];
  if (!csrfToken) throw new Error(`no CSRF token in the page: ${page.status}`);
  return { cookie, csrfToken };
}

let processing: FakeProcessing;

beforeEach(async () => {
  processing = await startFakeProcessing(routes(
    on('GET', /^\/v1\/payments(\?|$)/, () => ({ status: 200, body: { data: [], hasMore: false } })),
  ));
});

afterEach(async () => {
  await processing.close();
});

describe('back-office login and session', () => {
  test('when a page is asked for without a session, then the browser goes to the login with the page to come back to', async () => {
    const admin = buildAdmin(processing.url);

    const response = await request(admin.app).get('/admin/payments?status=settled');

    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/admin/login?next=%2Fadmin%2Fpayments%3Fstatus%3Dsettled');
    expect(processing.requests).toHaveLength(0);
  });

  test('when the password is wrong, then 401, the form again, no cookie, and the password is not logged', async () => {
    const admin = buildAdmin(processing.url);

    const response = await request(admin.app).post('/admin/login').type('form').send({ user: USER, password: 'wrong-guess-123', next: '/admin/payments' });

    expect(response.status).toBe(401);
    expect(response.text).toContain('The user name or password is not right.');
    expect(response.headers['set-cookie']).toBeUndefined();
    expect(admin.logLines.join('')).not.toContain('wrong-guess-123');
    expect(admin.logLines.join('')).toContain('admin_login_failed');
  });

  test('when the login is right, then an httpOnly SameSite=Strict cookie scoped to /admin and a redirect to the page asked for', async () => {
    const admin = buildAdmin(processing.url);

    const response = await request(admin.app).post('/admin/login').type('form').send({ user: USER, password: PASSWORD, next: '/admin/settlements?after=set_9' });

    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/admin/settlements?after=set_9');
    const cookie = String(response.headers['set-cookie']?.[0]);
    expect(cookie).toMatch(/^cardlane_admin=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/admin');
  });

  test.each(['https://evil.example/', '//evil.example/admin/', '/admin/\\evil', '/payment.html', '/admin/login'])(
    'when the page to come back to is %s, then the login goes to the payments instead', async (next) => {
      const admin = buildAdmin(processing.url);

      const response = await request(admin.app).post('/admin/login').type('form').send({ user: USER, password: PASSWORD, next });

      expect(response.headers.location).toBe('/admin/payments');
    });

  test('when logins keep failing from one address, then they are refused with 429, and successful logins do not count', async () => {
    const admin = buildAdmin(processing.url, { loginFailuresMax: 3 });
    const attempt = (password: string) => request(admin.app).post('/admin/login').type('form').send({ user: USER, password });

    expect((await attempt(PASSWORD)).status).toBe(303);
    for (let index = 0; index < 3; index += 1) expect((await attempt('nope')).status).toBe(401);
    const refused = await attempt(PASSWORD);

    expect(refused.status).toBe(429);
    expect(refused.text).toContain('Too many failed logins');
  });

  test('when the session is unused for more than 30 minutes, then it is over', async () => {
    const admin = buildAdmin(processing.url);
    const { cookie } = await logIn(admin);
    expect((await request(admin.app).get('/admin/payments').set('Cookie', cookie)).status).toBe(200);

    admin.clock.nowMs += 31 * 60_000;
    const response = await request(admin.app).get('/admin/payments').set('Cookie', cookie);

    expect(response.status).toBe(303);
    expect(response.headers.location).toMatch(/^\/admin\/login/);
  });

  test('when the merchant logs out, then the session is gone and the cookie cleared', async () => {
    const admin = buildAdmin(processing.url);
    const { cookie, csrfToken } = await logIn(admin);

    const response = await request(admin.app).post('/admin/logout').set('Cookie', cookie).type('form').send({ csrfToken });

    expect(response.status).toBe(303);
    expect(String(response.headers['set-cookie']?.[0])).toMatch(/^cardlane_admin=;.*Expires=Thu, 01 Jan 1970/);
    expect((await request(admin.app).get('/admin/payments').set('Cookie', cookie)).status).toBe(303);
  });

  test('when an action is posted without the CSRF token, or from another site, then it is refused and nothing is sent', async () => {
    const admin = buildAdmin(processing.url);
    const { cookie, csrfToken } = await logIn(admin);
    const before = processing.requests.length;

    const missing = await request(admin.app).post('/admin/settlements').set('Cookie', cookie).type('form').send({});
    const crossSite = await request(admin.app).post('/admin/settlements').set('Cookie', cookie).set('Origin', 'https://evil.example').type('form').send({ csrfToken });
    const noSession = await request(admin.app).post('/admin/settlements').type('form').send({ csrfToken });

    expect(missing.status).toBe(403);
    expect(missing.text).toContain('This form has expired');
    expect(crossSite.status).toBe(403);
    expect(noSession.status).toBe(401);
    expect(processing.requests.length).toBe(before);
  });
});

describe('back-office payments', () => {
  test('when the list is filtered, then the processing server is asked with the filters (To as the next day) and values are escaped', async () => {
    const hostile = paymentFixture({ id: 'pay_x', holderName: '<img src=x onerror=alert(1)>' });
    processing.reply(routes(on('GET', /^\/v1\/payments\?/, () => ({ status: 200, body: { data: [hostile], hasMore: true } }))));
    const admin = buildAdmin(processing.url);
    const { cookie } = await logIn(admin);

    const response = await request(admin.app).get('/admin/payments?status=authorized&from=2026-01-10&to=2026-01-11').set('Cookie', cookie);

    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const listCall = processing.requests.at(-1)!;
    const query = new URL(listCall.url, 'http://x').searchParams;
    expect(Object.fromEntries(query)).toEqual({ limit: '25', status: 'authorized', from: '2026-01-10T00:00:00.000Z', to: '2026-01-12T00:00:00.000Z' });
    expect(listCall.headers.authorization).toBe(`Bearer ${TEST_PROCESSING_KEY}`);
    expect(response.text).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(response.text).not.toContain('<img src=x');
    expect(response.text).toContain('href="/admin/payments?status=authorized&amp;from=2026-01-10&amp;to=2026-01-11&amp;after=pay_x"');
    expect(response.text).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
  });

  test('when the list holds a card, a saved card and a points payment, then each row says what paid it', async () => {
    const payments = [
      paymentFixture({ id: 'pay_card', holderName: 'Ada Lovelace' }),
      paymentFixture({ id: 'pay_saved', paymentMethod: 'saved_card', card: { brand: 'mastercard', last4: '4444', expMonth: 1, expYear: 2031 }, holderName: 'Grace Hopper' }),
      pointsPaymentFixture({ id: 'pay_points', points: { accountId: 'PTS-0000-0001' } }),
    ];
    processing.reply(routes(on('GET', /^\/v1\/payments\?/, () => ({ status: 200, body: { data: payments, hasMore: false } }))));
    const admin = buildAdmin(processing.url);
    const { cookie } = await logIn(admin);

    const response = await request(admin.app).get('/admin/payments').set('Cookie', cookie);

    expect(response.status).toBe(200);
    expect(response.text).toContain('<th scope="col">Paid with</th>');
    const cells = [...response.text.matchAll(/<td class="cell-method" data-label="Paid with">(.*?)<\/td>/g)].map((match) => match[1]);
    expect(cells).toEqual([
      '<span class="nowrap">Visa •••• 4242</span><span class="sub">Ada Lovelace</span>',
      '<span class="nowrap">Saved card Mastercard •••• 4444</span><span class="sub">Grace Hopper</span>',
      '<span class="nowrap">Points PTS-0000-0001</span>',
    ]);
  });

  test('when a points payment\'s page is shown, then it names the account and the points, no card, and its actions speak of points', async () => {
    const points = pointsPaymentFixture({ id: 'pay_points', amount: 250_000, points: { accountId: 'PTS-0000-0001' } });
    processing.reply(routes(on('GET', /^\/v1\/payments\/pay_points$/, () => ({ status: 200, body: points }))));
    const admin = buildAdmin(processing.url);
    const { cookie } = await logIn(admin);

    const response = await request(admin.app).get('/admin/payments/pay_points').set('Cookie', cookie);

    expect(response.status).toBe(200);
    expect(response.text).toContain('<dt>Paid with</dt><dd>Points PTS-0000-0001</dd>');
    expect(response.text).toContain('<dt>Points</dt><dd>250,000</dd>');
    expect(response.text).not.toContain('Card holder');
    expect(response.text).not.toContain('••••');
    expect(response.text).toContain('Releases the hold on the points account.');
  });

  test('when a saved-card payment\'s page is shown, then it names the saved card and links its customer to their saved cards', async () => {
    const saved = paymentFixture({ id: 'pay_saved', paymentMethod: 'saved_card', cardId: 'card_0001', customerId: 'cus_AAAAAAAAAAAAAAAAAAAAAA' });
    processing.reply(routes(on('GET', /^\/v1\/payments\/pay_saved$/, () => ({ status: 200, body: saved }))));
    const admin = buildAdmin(processing.url);
    const { cookie } = await logIn(admin);

    const response = await request(admin.app).get('/admin/payments/pay_saved').set('Cookie', cookie);

    expect(response.text).toContain('<dt>Paid with</dt><dd>Saved card Visa •••• 4242 (expires 12/2030)</dd>');
    expect(response.text).toContain('<dt>Saved card</dt><dd>card_0001</dd>');
    expect(response.text).toContain('<dt>Customer</dt><dd><span class="mono">cus_AAAAAAAAAAAAAAAAAAAAAA</span> · <a href="/admin/customers/cus_AAAAAAAAAAAAAAAAAAAAAA/cards">saved cards</a></dd>');
  });

  test('when a customer\'s saved cards are shown, then each is listed masked with its expiry and holder; none is said plainly; a bad id is 404', async () => {
    const cards = [
      { id: 'card_0002', brand: 'mastercard', last4: '4444', expMonth: 3, expYear: 2031, holderName: 'Grace Hopper', customerId: 'cus_1', createdAt: '2026-01-15T11:00:00.000Z' },
      { id: 'card_0001', brand: 'visa', last4: '4242', expMonth: 12, expYear: 2030, holderName: 'Grace Hopper', customerId: 'cus_1', createdAt: '2026-01-15T10:00:00.000Z' },
    ];
    processing.reply(routes(
      on('GET', /^\/v1\/cards\?customerId=cus_1$/, () => ({ status: 200, body: { data: cards } })),
      on('GET', /^\/v1\/cards\?customerId=cus_2$/, () => ({ status: 200, body: { data: [] } })),
    ));
    const admin = buildAdmin(processing.url);
    const { cookie } = await logIn(admin);

    const listed = await request(admin.app).get('/admin/customers/cus_1/cards').set('Cookie', cookie);
    const none = await request(admin.app).get('/admin/customers/cus_2/cards').set('Cookie', cookie);
    const bad = await request(admin.app).get('/admin/customers/%20x/cards').set('Cookie', cookie);

    expect(listed.status).toBe(200);
    const rows = [...listed.text.matchAll(/<td data-label="Card"><span class="nowrap">(.*?)<\/span><\/td>\s*<td class="nowrap" data-label="Expires">(.*?)<\/td>/g)].map((match) => [match[1], match[2]]);
    expect(rows).toEqual([['Mastercard •••• 4444', '03/2031'], ['Visa •••• 4242', '12/2030']]);
    expect(none.text).toContain('This customer has no saved cards.');
    expect(bad.status).toBe(404);
  });

  test('when a card payment\'s page is shown, then it names the card with its expiry and the holder', async () => {
    processing.reply(routes(on('GET', /^\/v1\/payments\/pay_card$/, () => ({ status: 200, body: paymentFixture({ id: 'pay_card', holderName: 'Ada Lovelace' }) }))));
    const admin = buildAdmin(processing.url);
    const { cookie } = await logIn(admin);

    const response = await request(admin.app).get('/admin/payments/pay_card').set('Cookie', cookie);

    expect(response.text).toContain('<dt>Paid with</dt><dd>Visa •••• 4242 (expires 12/2030)</dd>');
    expect(response.text).toContain('<dt>Card holder</dt><dd>Ada Lovelace</dd>');
    expect(response.text).toContain('Releases the hold on the card.');
  });

  test('when a filter is not a real date, then the page says so and nothing is asked', async () => {
    const admin = buildAdmin(processing.url);
    const { cookie } = await logIn(admin);
    const before = processing.requests.length;

    const response = await request(admin.app).get('/admin/payments?from=2026-02-30&status=lost').set('Cookie', cookie);

    expect(response.status).toBe(400);
    expect(response.text).toContain('From: enter a date such as 2026-01-31.');
    expect(response.text).toContain('Status: choose one from the list.');
    expect(processing.requests.length).toBe(before);
  });

  test('when a manual payment is captured, then the form\'s idempotency key and the amount in minor units are sent, and the page says so', async () => {
    const manual = paymentFixture({ id: 'pay_m', captureMethod: 'manual', amount: 5000 });
    processing.reply(routes(
      on('GET', /^\/v1\/payments\/pay_m$/, () => ({ status: 200, body: manual })),
      on('POST', /^\/v1\/payments\/pay_m\/capture$/, () => ({ status: 200, body: { ...manual, status: 'captured', capturedAmount: 1050 } })),
      on('GET', /^\/v1\/payments/, () => ({ status: 200, body: { data: [], hasMore: false } })),
    ));
    const admin = buildAdmin(processing.url);
    const { cookie, csrfToken } = await logIn(admin);
    const page = await request(admin.app).get('/admin/payments/pay_m').set('Cookie', cookie);
    const again = await request(admin.app).get('/admin/payments/pay_m').set('Cookie', cookie);
    const key = /action="\/admin\/payments\/pay_m\/capture"[\s\S]*?name="idempotencyKey" value="([^"]+)"/.exec(page.text)?.[1];
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    expect(again.text).not.toContain(key);

    const response = await request(admin.app).post('/admin/payments/pay_m/capture').set('Cookie', cookie).type('form').send({ csrfToken, idempotencyKey: key, amount: '10.50' });

    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/admin/payments/pay_m');
    const capture = processing.requests.find((recorded) => recorded.url.endsWith('/capture'))!;
    expect(capture.body).toEqual({ amount: 1050 });
    expect(capture.headers['idempotency-key']).toBe(key);
    const after = await request(admin.app).get('/admin/payments/pay_m').set('Cookie', cookie);
    expect(after.text).toContain('Captured USD 10.50');
  });

  test('when "Change amount" is posted on an authorized payment, then the new total in minor units goes with the form\'s key, and the page says so', async () => {
    const authorized = paymentFixture({ id: 'pay_a', amount: 5000 });
    processing.reply(routes(
      on('GET', /^\/v1\/payments\/pay_a$/, () => ({ status: 200, body: authorized })),
      on('POST', /^\/v1\/payments\/pay_a\/adjust$/, () => ({ status: 200, body: { ...authorized, amount: 6250 } })),
      on('GET', /^\/v1\/payments/, () => ({ status: 200, body: { data: [], hasMore: false } })),
    ));
    const admin = buildAdmin(processing.url);
    const { cookie, csrfToken } = await logIn(admin);
    const page = await request(admin.app).get('/admin/payments/pay_a').set('Cookie', cookie);
    const key = /action="\/admin\/payments\/pay_a\/adjust"[\s\S]*?name="idempotencyKey" value="([^"]+)"/.exec(page.text)?.[1];
    expect(page.text).toContain('Change amount');
    expect(key).toMatch(/^[0-9a-f-]{36}$/);

    const response = await request(admin.app).post('/admin/payments/pay_a/adjust').set('Cookie', cookie).type('form').send({ csrfToken, idempotencyKey: key, amount: '62.50' });

    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/admin/payments/pay_a');
    const adjust = processing.requests.find((recorded) => recorded.url.endsWith('/adjust'))!;
    expect(adjust.body).toEqual({ amount: 6250 });
    expect(adjust.headers['idempotency-key']).toBe(key);
    expect((await request(admin.app).get('/admin/payments/pay_a').set('Cookie', cookie)).text).toContain('The amount is now USD 62.50.');
  });

  test('when a higher amount is declined, or over the spending limit, then the page says the amount did not change and why', async () => {
    const authorized = paymentFixture({ id: 'pay_a', amount: 5000 });
    let answer = 0;
    processing.reply(routes(
      on('GET', /^\/v1\/payments\/pay_a$/, () => ({ status: 200, body: authorized })),
      on('POST', /^\/v1\/payments\/pay_a\/adjust$/, () => {
        answer += 1;
        const decline = answer === 1 ? { code: 'insufficient_funds', message: 'insufficient funds', networkCode: '51' } : { code: 'limit_exceeded', message: 'over' };
        return { status: 402, body: { ...authorized, decline } };
      }),
      on('GET', /^\/v1\/payments/, () => ({ status: 200, body: { data: [], hasMore: false } })),
    ));
    const admin = buildAdmin(processing.url);
    const { cookie, csrfToken } = await logIn(admin);
    const post = (key: string) => request(admin.app).post('/admin/payments/pay_a/adjust').set('Cookie', cookie).type('form').send({ csrfToken, idempotencyKey: key, amount: '900.00' });

    await post('k-adjust-1');
    const declined = await request(admin.app).get('/admin/payments/pay_a').set('Cookie', cookie);
    await post('k-adjust-2');
    const overLimit = await request(admin.app).get('/admin/payments/pay_a').set('Cookie', cookie);

    expect(declined.text).toContain('The card issuer declined the higher amount (insufficient funds); the amount did not change.');
    expect(overLimit.text).toContain('above what this card may spend in 24 hours');
  });

  test('when a payment is captured or already taken by a run, then its page offers no "Change amount"', async () => {
    const captured = paymentFixture({ id: 'pay_c', status: 'captured', captureMethod: 'manual', capturedAmount: 5000, amount: 5000 });
    const taken = paymentFixture({ id: 'pay_t', settlementId: 'set_1' });
    processing.reply(routes(
      on('GET', /^\/v1\/payments\/pay_c$/, () => ({ status: 200, body: captured })),
      on('GET', /^\/v1\/payments\/pay_t$/, () => ({ status: 200, body: taken })),
      on('GET', /^\/v1\/payments/, () => ({ status: 200, body: { data: [], hasMore: false } })),
    ));
    const admin = buildAdmin(processing.url);
    const { cookie } = await logIn(admin);

    for (const id of ['pay_c', 'pay_t']) {
      expect((await request(admin.app).get(`/admin/payments/${id}`).set('Cookie', cookie)).text).not.toContain('Change amount');
    }
  });

  test('when a refund amount has too many decimals, then nothing is sent and the page says why', async () => {
    const settled = paymentFixture({ id: 'pay_s', status: 'settled', capturedAmount: 1234 });
    processing.reply(routes(on('GET', /^\/v1\/payments\/pay_s$/, () => ({ status: 200, body: settled })), on('GET', /^\/v1\/payments/, () => ({ status: 200, body: { data: [], hasMore: false } }))));
    const admin = buildAdmin(processing.url);
    const { cookie, csrfToken } = await logIn(admin);

    await request(admin.app).post('/admin/payments/pay_s/refunds').set('Cookie', cookie).type('form').send({ csrfToken, idempotencyKey: 'k-1', amount: '1.005' });

    expect(processing.requests.some((recorded) => recorded.method === 'POST')).toBe(false);
    const page = await request(admin.app).get('/admin/payments/pay_s').set('Cookie', cookie);
    expect(page.text).toContain('Amount: USD allows at most 2 decimal places.');
  });

  test('when the processing server refuses a refund as too large, then the page names the most that can be refunded', async () => {
    const settled = paymentFixture({ id: 'pay_s', status: 'partially_refunded', capturedAmount: 1234, refundedAmount: 234 });
    processing.reply(routes(
      on('GET', /^\/v1\/payments\/pay_s$/, () => ({ status: 200, body: settled })),
      on('POST', /^\/v1\/payments\/pay_s\/refunds$/, () => ({ status: 400, body: problem(400, 'amount_exceeds_refundable') })),
      on('GET', /^\/v1\/payments/, () => ({ status: 200, body: { data: [], hasMore: false } })),
    ));
    const admin = buildAdmin(processing.url);
    const { cookie, csrfToken } = await logIn(admin);

    await request(admin.app).post('/admin/payments/pay_s/refunds').set('Cookie', cookie).type('form').send({ csrfToken, idempotencyKey: 'k-2', amount: '12.00' });

    const refund = processing.requests.find((recorded) => recorded.url.endsWith('/refunds'))!;
    expect(refund.body).toEqual({ amount: 1200 });
    expect(refund.headers['idempotency-key']).toBe('k-2');
    const page = await request(admin.app).get('/admin/payments/pay_s').set('Cookie', cookie);
    expect(page.text).toContain('The refund may be at most USD 10.00');
  });

  test.each(['/admin/payments/.', '/admin/payments/..', '/admin/payments/%2e', '/admin/payments/%2E%2e', '/admin/settlements/..', '/admin/settlements/%2e'])(
    'when %s is asked, then 404 and the processing server is asked nothing (no list in place of one item)',
    async (path) => {
      processing.reply(routes(on('GET', /^\/v1\/(payments|settlements)/, () => ({ status: 200, body: { data: [], hasMore: false } }))));
      const admin = buildAdmin(processing.url);
      const { cookie } = await logIn(admin);
      const before = processing.requests.length;

      const response = await rawGet(admin.app, path, { Cookie: cookie });

      expect(response.status).toBe(404);
      expect(processing.requests.slice(before)).toEqual([]);
    },
  );

  test('when the back-office client is given an id that is a dot segment or holds / ? #, then no call can leave its resource', async () => {
    processing.reply(() => ({ status: 404, body: problem(404, 'not_found') }));
    const client = createBackOfficeClient({ baseUrls: [processing.url], apiKey: TEST_PROCESSING_KEY, timeoutMs: 2000, logger: createLogger({ service: 'test', level: 'silent' }) });
    const context = { requestId: 'req-1', idempotencyKey: 'key-1' };

    for (const id of ['.', '..', '']) {
      await expect(client.getPayment(id, context)).resolves.toMatchObject({ kind: 'problem', status: 404 });
      await expect(client.voidPayment(id, context)).resolves.toMatchObject({ kind: 'problem', status: 404 });
      await expect(client.listItems(id, { limit: 5 }, context)).resolves.toMatchObject({ kind: 'problem', status: 404 });
    }
    expect(processing.requests).toEqual([]);
    await client.getPayment('pay_1/../../settlements?x=#y', context);
    await client.refund('%2e%2e', 100, context);
    expect(processing.requests.map((recorded) => recorded.url)).toEqual([
      '/v1/payments/pay_1%2F..%2F..%2Fsettlements%3Fx%3D%23y',
      '/v1/payments/%252e%252e/refunds',
    ]);
  });

  test('when the processing server cannot be reached, then the page says it is unavailable (503)', async () => {
    const admin = buildAdmin(await refusedUrl());
    const login = await request(admin.app).post('/admin/login').type('form').send({ user: USER, password: PASSWORD });
    const cookie = String(login.headers['set-cookie']?.[0]).split(';')[0]!;

    const response = await request(admin.app).get('/admin/payments/pay_1').set('Cookie', cookie);

    expect(response.status).toBe(503);
    expect(response.text).toContain('Processing server unavailable');
  });

  test('when the processing server refuses the UI server\'s key, then the page blames the configuration, not the merchant\'s login', async () => {
    processing.reply(routes(
      on('GET', /^\/v1\/payments\/pay_1$/, () => ({ status: 401, body: problem(401, 'unauthorized') })),
      on('GET', /^\/v1\/payments/, () => ({ status: 200, body: { data: [], hasMore: false } })),
    ));
    const admin = buildAdmin(processing.url);
    const { cookie } = await logIn(admin);

    const response = await request(admin.app).get('/admin/payments/pay_1').set('Cookie', cookie);

    expect(response.status).toBe(503);
    expect(response.text).toContain('check PROCESSING_API_KEY');
  });
});

describe('back-office settlements', () => {
  test('when "Run settlement now" is answered 202, then the run page reloads itself and shows the progress, without reconciliation yet', async () => {
    const running = runFixture({ status: 'running', completedAt: null, itemCount: 4, settledCount: 1, rejectedCount: 0, totals: {} });
    processing.reply(routes(
      on('POST', /^\/v1\/settlements$/, () => ({ status: 202, body: running })),
      on('GET', /^\/v1\/settlements\/set_1$/, () => ({ status: 200, body: running })),
      on('GET', /^\/v1\/settlements\/set_1\/items/, () => ({ status: 200, body: { data: [item('item_1', 'pay_1', 1000)], hasMore: false } })),
      on('GET', /^\/v1\/payments/, () => ({ status: 200, body: { data: [], hasMore: false } })),
    ));
    const admin = buildAdmin(processing.url);
    const { cookie, csrfToken } = await logIn(admin);

    const started = await request(admin.app).post('/admin/settlements').set('Cookie', cookie).type('form').send({ csrfToken });
    expect(started.status).toBe(303);
    expect(started.headers.location).toBe('/admin/settlements/set_1');
    const page = await request(admin.app).get('/admin/settlements/set_1').set('Cookie', cookie);

    expect(page.text).toContain('<meta http-equiv="refresh" content="2">');
    expect(page.text).toContain('<progress id="run-progress" max="4" value="1"');
    expect(page.text).toContain('1 of 4 items (25%)');
    expect(page.text).toContain('Settlement run started with 4 items');
    expect(processing.requests.some((recorded) => recorded.url.includes('reconciliation'))).toBe(false);
  });

  test('when nothing is ready to settle, then the runs page says so', async () => {
    processing.reply(routes(
      on('POST', /^\/v1\/settlements$/, () => ({ status: 200, body: { itemCount: 0, message: 'Nothing is ready to settle; no run was recorded.' } })),
      on('GET', /^\/v1\/settlements\?/, () => ({ status: 200, body: { data: [], hasMore: false } })),
      on('GET', /^\/v1\/payments/, () => ({ status: 200, body: { data: [], hasMore: false } })),
    ));
    const admin = buildAdmin(processing.url);
    const { cookie, csrfToken } = await logIn(admin);

    const started = await request(admin.app).post('/admin/settlements').set('Cookie', cookie).type('form').send({ csrfToken });
    const page = await request(admin.app).get(String(started.headers.location)).set('Cookie', cookie);

    expect(started.headers.location).toBe('/admin/settlements');
    expect(page.text).toContain('Nothing is ready to settle, so no run was recorded.');
  });

  test('when a run is already going (409), then the merchant is taken to that run', async () => {
    processing.reply(routes(
      on('POST', /^\/v1\/settlements$/, () => ({ status: 409, body: problem(409, 'settlement_running', { id: 'set_busy', itemCount: 3, run: runFixture({ id: 'set_busy', status: 'running' }) }) })),
      on('GET', /^\/v1\/payments/, () => ({ status: 200, body: { data: [], hasMore: false } })),
    ));
    const admin = buildAdmin(processing.url);
    const { cookie, csrfToken } = await logIn(admin);

    const started = await request(admin.app).post('/admin/settlements').set('Cookie', cookie).type('form').send({ csrfToken });

    expect(started.headers.location).toBe('/admin/settlements/set_busy');
  });

  test('when a completed run is shown, then its totals, items and the reconciliation with its differences are on the page', async () => {
    processing.reply(routes(
      on('GET', /^\/v1\/settlements\/set_1$/, () => ({ status: 200, body: runFixture() })),
      on('GET', /^\/v1\/settlements\/set_1\/items\?/, () => ({ status: 200, body: { data: [item('item_1', 'pay_1', 1000), item('item_2', 'pay_2', 2000)], hasMore: true } })),
      on('GET', /^\/v1\/settlements\/set_1\/reconciliation$/, () => ({
        status: 200,
        body: { runId: 'set_1', matched: 1, missingAtNetwork: [], missingInLedger: [], amountMismatches: [{ batchId: 'set_1-1', merchantReference: 'pay_2', type: 'sale', ledgerAmount: 2000, networkAmount: 1999, ledgerStatus: 'settled', networkStatus: 'settled' }] },
      })),
      on('GET', /^\/v1\/payments/, () => ({ status: 200, body: { data: [], hasMore: false } })),
    ));
    const admin = buildAdmin(processing.url);
    const { cookie } = await logIn(admin);

    const page = await request(admin.app).get('/admin/settlements/set_1').set('Cookie', cookie);

    expect(page.status).toBe(200);
    expect(page.text).not.toContain('http-equiv="refresh"');
    expect(page.text).toContain('USD 30.00');
    expect(page.text).toContain('pay_2');
    expect(page.text).toContain('1 differences');
    expect(page.text).toContain('Amount or outcome differs (1)');
    expect(page.text).toContain('href="/admin/settlements/set_1?itemsAfter=item_2"');
    const itemsCall = processing.requests.find((recorded) => recorded.url.startsWith('/v1/settlements/set_1/items'))!;
    expect(new URL(itemsCall.url, 'http://x').searchParams.get('limit')).toBe('50');
  });
});

describe('back-office activity chart', () => {
  test('when there are more payments than the bound, then exactly 10 pages of 100 are read, chained by cursor, and the page says so', async () => {
    let served = 0;
    processing.reply(routes(on('GET', /^\/v1\/payments\?/, () => {
      const data = Array.from({ length: 100 }, () => {
        served += 1;
        return paymentFixture({ id: `pay_${served}`, createdAt: new Date(NOW.getTime() - served * 60_000).toISOString() });
      });
      return { status: 200, body: { data, hasMore: true } };
    })));
    const admin = buildAdmin(processing.url);
    const { cookie } = await logIn(admin);
    const before = processing.requests.length;

      const page = await request(admin.app).get('/admin/activity').set('Cookie', cookie);

    expect(page.status).toBe(200);
    const calls = processing.requests.slice(before).map((recorded) => Object.fromEntries(new URL(recorded.url, 'http://x').searchParams));
    expect(calls).toHaveLength(10);
    expect(calls[0]).toEqual({ limit: '100' });
    expect(calls[9]).toEqual({ limit: '100', startingAfter: 'pay_900' });
    expect(page.text).toContain('the 1,000 most recent payments');
    expect(page.text).toContain('older payments are not included');
    expect(page.text).toContain('<script defer src="/admin/vendor/chart.js/chart.umd.min.js"></script>');
  });

  test('when payments are aggregated, then approvals, declines and settled volume land in their creation hour, in the chosen currency', () => {
    const at = (iso: string, overrides: Partial<CardPayment>) => paymentFixture({ createdAt: iso, ...overrides });
    const activity = hourlyActivity({
      truncated: false,
      payments: [
        at('2026-01-15T12:10:00.000Z', { status: 'settled', amount: 1000, capturedAmount: 1000 }),
        at('2026-01-15T12:20:00.000Z', { status: 'declined' }),
        at('2026-01-15T11:59:59.000Z', { status: 'authorized' }),
        at('2026-01-15T11:00:00.000Z', { status: 'partially_refunded', amount: 5000, capturedAmount: 4000, refundedAmount: 100 }),
        at('2026-01-15T11:30:00.000Z', { status: 'failed' }),
        at('2026-01-15T12:00:00.000Z', { currency: 'EUR', status: 'authorized' }),
      ],
    }, undefined, NOW);

    expect(activity.currency).toBe('USD');
    expect(activity.currencies).toEqual(['USD', 'EUR']);
    expect(activity.buckets).toHaveLength(24);
    expect(activity.buckets.at(-1)).toEqual({ hour: '2026-01-15T12:00:00.000Z', approved: 1, declined: 1, settledMinor: 1000 });
    expect(activity.buckets.at(-2)).toEqual({ hour: '2026-01-15T11:00:00.000Z', approved: 2, declined: 0, settledMinor: 4000 });
    expect(hourlyActivity({ truncated: false, payments: [at('2026-01-15T12:00:00.000Z', { currency: 'EUR', status: 'authorized' })] }, 'EUR', NOW).buckets.at(-1)?.approved).toBe(1);
  });

  test('when the activity page shows money, then with the currency first, thousands separators and the currency\'s decimals', async () => {
    const settled = (id: string, currency: 'USD' | 'JPY' | 'KWD', amount: number) => paymentFixture({
      id, currency, amount, capturedAmount: amount, status: 'settled', createdAt: new Date(NOW.getTime() - 60_000).toISOString(),
    });
    processing.reply(routes(on('GET', /^\/v1\/payments\?/, () => ({
      status: 200,
      body: { data: [settled('pay_1', 'USD', 1_234_567), settled('pay_2', 'JPY', 150_000), settled('pay_3', 'KWD', 1_250), settled('pay_4', 'USD', 3)], hasMore: false },
    }))));
    const admin = buildAdmin(processing.url);
    const { cookie } = await logIn(admin);

    const usd = await request(admin.app).get('/admin/activity').set('Cookie', cookie);
    const jpy = await request(admin.app).get('/admin/activity?currency=JPY').set('Cookie', cookie);
    const kwd = await request(admin.app).get('/admin/activity?currency=KWD').set('Cookie', cookie);

    expect(usd.text).toContain('USD 12,345.70');
    expect(usd.text).toMatch(/<td class="number">USD 12,345.70<\/td>/);
    expect(usd.text).toContain('data-settled="12345.70"');
    expect(jpy.text).toContain('JPY 150,000');
    expect(jpy.text).not.toContain('150000 JPY');
    expect(kwd.text).toContain('KWD 1.250');
  });

  test('when the activity page is read, then it speaks plainly: no "auth" or "txn", and each number is explained', async () => {
    processing.reply(routes(on('GET', /^\/v1\/payments\?/, () => ({ status: 200, body: { data: [paymentFixture({ createdAt: NOW.toISOString() })], hasMore: false } }))));
    const admin = buildAdmin(processing.url);
    const { cookie } = await logIn(admin);

    const page = await request(admin.app).get('/admin/activity').set('Cookie', cookie);

    const words = page.text.replace(/<[^>]+>/g, ' ');
    expect(words).not.toMatch(/\bauth\b|\btxns?\b|\bvolume\b|aggregated/i);
    for (const label of ['Approved payments', 'Declined payments', 'Money settled']) expect(words).toContain(label);
    expect(words).toMatch(/Approved payments\s+1\s+Payments the card company approved/);
  });

  test('when chart.js is asked for, then the UI server serves it from node_modules without a login', async () => {
    const admin = buildAdmin(processing.url);

    const response = await request(admin.app).get('/admin/vendor/chart.js/chart.umd.min.js');

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toContain('javascript');
  });
});
