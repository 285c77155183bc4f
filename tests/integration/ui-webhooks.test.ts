/**
 * The UI server as a webhook receiver (POST /webhooks/cardlane) and the back office's views of
 * events: a delivery is taken only with a good, fresh signature over its raw body, once per event
 * id; /admin/webhooks lists what arrived; a payment's page shows its events as a timeline (and
 * still shows the payment when they cannot be read).
 */
import request from 'supertest';
import type { Event } from '../../shared/contracts/events.ts';
import { WEBHOOK_SIGNATURE_HEADER, signWebhook } from '../../shared/webhook-signature.ts';
import { createLogger } from '../../shared/logger.ts';
import { createApp, type UiApp } from '../../ui-server/src/app.ts';
import { loadUiConfig } from '../../ui-server/src/config.ts';
import { createWebhookInbox } from '../../ui-server/src/webhook-inbox.ts';
import { PUBLIC_DIR, TEST_PROCESSING_KEY } from '../helpers/ui-app.ts';
import { paymentFixture, problem, startFakeProcessing, type FakeProcessing, type FakeReply } from '../helpers/ui-fake-processing.ts';

const SECRET = 'ui-test-webhook-secret';
const NOW = new Date('2026-01-15T12:30:00.000Z');
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
const USER = 'ops';
const PASSWORD = 'correct horse battery staple';

function eventOf(overrides: Partial<Event> = {}): Event {
  return {
    id: 'evt_0190a1b2c3d4e5f60718293a4b5c6d7e', type: 'payment.authorized', createdAt: '2026-01-15T12:29:00.000Z', paymentId: 'pay_0001',
    cause: 'request:checkout-1', data: paymentFixture(), ...overrides,
  } as Event;
}

let processing: FakeProcessing;
let app: UiApp;
let logLines: string[];

beforeEach(async () => {
  processing = await startFakeProcessing(() => ({ status: 500, body: problem(500, 'unexpected_request') }));
  const config = loadUiConfig({
    NODE_ENV: 'test', LOG_LEVEL: 'debug', UI_RATE_LIMIT_PER_MINUTE: '0', PROCESSING_URL: processing.url, PROCESSING_API_KEY: TEST_PROCESSING_KEY,
    PROCESSING_TIMEOUT_MS: '2000', ADMIN_USER: USER, ADMIN_PASSWORD: PASSWORD, WEBHOOK_SECRET: SECRET,
  });
  logLines = [];
  const logger = createLogger({ service: 'ui-server', level: 'debug', destination: { write: (line: string) => void logLines.push(line) } });
  app = createApp({ config, logger, publicDir: PUBLIC_DIR, clock: { now: () => NOW }, webhookInbox: createWebhookInbox({ eventsMax: 3 }) });
});

afterEach(async () => {
  await processing.close();
});

/** POSTs `body` as the processing server would, signed with `secret` at `timestampSeconds`. */
function deliver(body: string, options: { secret?: string; timestampSeconds?: number; signature?: string | null; contentType?: string } = {}) {
  const signature = options.signature === undefined ? signWebhook(options.secret ?? SECRET, body, options.timestampSeconds ?? NOW_SECONDS) : options.signature;
  const post = request(app).post('/webhooks/cardlane').set('Content-Type', options.contentType ?? 'application/json');
  return (signature === null ? post : post.set(WEBHOOK_SIGNATURE_HEADER, signature)).send(body);
}

async function logIn(): Promise<string> {
  const login = await request(app).post('/admin/login').type('form').send({ user: USER, password: PASSWORD, next: '/admin/webhooks' });
  expect(login.status).toBe(303);
  return String(login.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
}

describe('POST /webhooks/cardlane', () => {
  test('when a signed event arrives, then it is taken (200); the same event again is answered as a duplicate and kept once', async () => {
    const body = JSON.stringify(eventOf());

    const first = await deliver(body).expect(200);
    // A retry signs again, later, and may come from another site's point of view: only the signature counts.
    const again = await deliver(body, { timestampSeconds: NOW_SECONDS + 60 }).set('Sec-Fetch-Site', 'cross-site').expect(200);

    expect(first.body).toEqual({ received: true, duplicate: false });
    expect(again.body).toEqual({ received: true, duplicate: true });
    const page = await request(app).get('/admin/webhooks').set('Cookie', await logIn()).expect(200);
    expect(page.text.match(/evt_0190a1b2c3d4e5f60718293a4b5c6d7e/g)).toHaveLength(1);
    expect(page.text).toMatch(/<td class="number" data-label="Deliveries">2<\/td>/);
    expect(page.text).toContain('href="/admin/payments/pay_0001"');
  });

  test.each([
    ['signed with another secret', { secret: 'someone-elses-secret' }, 'does not match'],
    ['without a signature', { signature: null }, 'is missing'],
    ['with a signature that is not t=…,v1=…', { signature: 'v1=abc' }, 'is not t=<seconds>,v1=<hex>'],
    ['signed six minutes ago', { timestampSeconds: NOW_SECONDS - 360 }, 'more than 5 minutes old'],
    ['signed six minutes ahead', { timestampSeconds: NOW_SECONDS + 360 }, 'more than 5 minutes ahead'],
  ])('when a delivery comes %s, then it is refused with 401 invalid_signature and not kept', async (_case, options, detail) => {
    const refused = await deliver(JSON.stringify(eventOf()), options).expect(401);

    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ code: 'invalid_signature', status: 401, detail: expect.stringContaining(detail) });
    const page = await request(app).get('/admin/webhooks').set('Cookie', await logIn()).expect(200);
    expect(page.text).not.toContain('evt_0190a1b2c3d4e5f60718293a4b5c6d7e');
  });

  test('when the body is changed after it was signed, then the signature no longer matches (401)', async () => {
    const signed = JSON.stringify(eventOf());
    const tampered = signed.replace('"amount":1234', '"amount":1');

    const refused = await deliver(tampered, { signature: signWebhook(SECRET, signed, NOW_SECONDS) }).expect(401);

    expect(refused.body.code).toBe('invalid_signature');
  });

  test('when a delivery is too large, not JSON, or a signed body that is not an event, then it is refused with the matching problem', async () => {
    const large = JSON.stringify(eventOf({ data: { ...paymentFixture(), description: 'x'.repeat(70 * 1024) } } as Partial<Event>));

    expect((await deliver(large).expect(413)).body.code).toBe('payload_too_large');
    expect((await deliver('id=evt_1', { contentType: 'application/x-www-form-urlencoded' }).expect(415)).body.code).toBe('unsupported_media_type');
    expect((await deliver('{"id": "evt_1",').expect(400)).body.code).toBe('malformed_body');
    const notAnEvent = await deliver(JSON.stringify({ id: 'evt_1', type: 'payment.teleported' })).expect(400);
    expect(notAnEvent.body).toMatchObject({ code: 'validation_failed', errors: expect.arrayContaining([expect.objectContaining({ field: 'type' })]) });
  });

  test('when a saved card\'s events arrive, then the page tells the card (brand, last four, expiry, never a number) and links its customer\'s cards', async () => {
    const card = { id: 'card_0190a1b2c3d4e5f60718293a4b5c6d7e', brand: 'visa', last4: '4242', expMonth: 3, expYear: 2031, holderName: 'Ada Lovelace', customerId: 'cus_ada', createdAt: '2026-01-15T12:00:00.000Z' };
    const saved = eventOf({ id: 'evt_00000000000000000000000000000021', type: 'card.saved', cardId: card.id, paymentId: undefined, data: card } as Partial<Event>);
    const deleted = eventOf({ id: 'evt_00000000000000000000000000000022', type: 'card.deleted', cardId: card.id, paymentId: undefined, data: { ...card, customerId: null } } as Partial<Event>);

    await deliver(JSON.stringify(saved)).expect(200);
    await deliver(JSON.stringify(deleted)).expect(200);

    const page = await request(app).get('/admin/webhooks').set('Cookie', await logIn()).expect(200);
    expect(page.text).toContain('visa ····4242, expires 03/2031');
    expect(page.text).toContain(`href="/admin/customers/cus_ada/cards">${card.id}</a>`);
    expect(page.text.match(new RegExp(card.id, 'g'))).toHaveLength(2);
  });

  test('when more events arrive than the page keeps, then the newest are shown, and an old one delivered again is still a duplicate', async () => {
    const ids = ['evt_00000000000000000000000000000001', 'evt_00000000000000000000000000000002', 'evt_00000000000000000000000000000003', 'evt_00000000000000000000000000000004'];
    for (const id of ids) await deliver(JSON.stringify(eventOf({ id }))).expect(200);

    const page = await request(app).get('/admin/webhooks').set('Cookie', await logIn()).expect(200);
    const repeat = await deliver(JSON.stringify(eventOf({ id: ids[0] }))).expect(200);

    expect(ids.map((id) => page.text.includes(id))).toEqual([false, true, true, true]);
    expect(page.text.indexOf(ids[3]!)).toBeLessThan(page.text.indexOf(ids[1]!));
    expect(repeat.body.duplicate).toBe(true);
    expect(logLines.join('')).toContain('"msg":"webhook received"');
  });
});

describe('events in the back office', () => {
  const events: Event[] = [
    eventOf({ id: 'evt_00000000000000000000000000000011', createdAt: '2026-01-15T12:00:00.000Z' }),
    eventOf({
      id: 'evt_00000000000000000000000000000012', type: 'payment.voided', createdAt: '2026-01-15T12:05:00.000Z', cause: 'job:recovery',
      data: paymentFixture({ status: 'voided', reason: 'timeout_reversal' }),
    } as Partial<Event>),
  ];

  function answerPayment(eventsReply: FakeReply): void {
    processing.reply((recorded) => {
      if (recorded.url === '/v1/payments/pay_0001') return { status: 200, body: paymentFixture({ status: 'voided', reason: 'timeout_reversal' }) };
      if (recorded.url === '/v1/payments/pay_0001/events') return eventsReply;
      return { status: 500, body: problem(500, 'unexpected_request') };
    });
  }

  test('when a payment\'s page is opened, then it shows its events in order, each with its status and cause', async () => {
    answerPayment({ status: 200, body: { data: events } });

    const page = await request(app).get('/admin/payments/pay_0001').set('Cookie', await logIn()).expect(200);

    const timeline = page.text.slice(page.text.indexOf('<ol class="timeline"'), page.text.indexOf('</ol>'));
    expect(timeline.indexOf('payment.authorized')).toBeLessThan(timeline.indexOf('payment.voided'));
    expect(timeline).toContain('timeout reversal');
    expect(timeline).toContain('recovery job');
    expect(timeline).toContain('request checkout-1');
    expect(processing.requests.map((recorded) => recorded.url)).toEqual(['/v1/payments/pay_0001', '/v1/payments/pay_0001/events']);
  });

  test('when the events cannot be read, then the payment\'s page still shows the payment and says so', async () => {
    answerPayment({ action: 'reset' });

    const page = await request(app).get('/admin/payments/pay_0001').set('Cookie', await logIn()).expect(200);

    expect(page.text).toContain('The events could not be read from the processing server just now');
    expect(page.text).toContain('USD 12.34');
    expect(page.text).toContain('Merchant reference');
  });
});
