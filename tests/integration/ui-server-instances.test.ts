/**
 * The UI server in front of several processing instances (PROCESSING_URLS), and several UI
 * servers in front of them: payments spread round robin, a refused connection fails over and
 * rests the instance until /readyz says it is ready, a timeout or reset after sending is never
 * sent elsewhere, and a repeat of a key that may have reached an instance is never told
 * "not charged", whichever UI server it lands on.
 */
import request from 'supertest';
import { paymentFixture, problem, refusedUrl, startFakeProcessing, type FakeProcessing, type FakeReply } from '../helpers/ui-fake-processing.ts';
import { BROWSER_ACCEPT, VALID_FORM, buildTestUi, type TestUi } from '../helpers/ui-app.ts';

const started: FakeProcessing[] = [];

async function instance(reply: (path: string, index: number) => FakeReply = () => ({ status: 201, body: paymentFixture() }), port = 0): Promise<FakeProcessing> {
  const fake = await startFakeProcessing((sent, index) => reply(sent.url, index), port);
  started.push(fake);
  return fake;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((fake) => fake.close()));
});

function postForm(ui: TestUi, key: string, extra: { cookie?: string; accept?: string; fields?: Record<string, string> } = {}) {
  const post = request(ui.app).post('/make-payment').type('form').set('Accept', extra.accept ?? 'application/json');
  if (extra.cookie) post.set('Cookie', extra.cookie);
  return post.send({ ...VALID_FORM, idempotencyKey: key, ...extra.fields });
}

const payments = (fake: FakeProcessing) => fake.requests.filter((sent) => sent.url === '/v1/payments');
const probes = (fake: FakeProcessing) => fake.requests.filter((sent) => sent.url === '/readyz');
const portOf = (url: string) => Number(new URL(url).port);

function sentCookieOf(response: { headers: Record<string, unknown> }): string | undefined {
  const cookies = response.headers['set-cookie'] as string[] | undefined;
  return cookies?.find((cookie) => cookie.startsWith('cardlane_sent_'))?.split(';')[0];
}

describe('the UI server spreads payments over the processing instances', () => {
  test('when six payments are made through two instances, then each instance gets three, in turn', async () => {
    const first = await instance();
    const second = await instance();
    const ui = buildTestUi({ processingUrls: [first.url, second.url] });

    for (let index = 0; index < 6; index += 1) expect((await postForm(ui, `spread-${index}`)).status).toBe(200);

    expect(payments(first).map((sent) => sent.headers['idempotency-key'])).toEqual(['spread-0', 'spread-2', 'spread-4']);
    expect(payments(second).map((sent) => sent.headers['idempotency-key'])).toEqual(['spread-1', 'spread-3', 'spread-5']);
  });

  test('when an instance refuses the connection, then the payment goes to the next one and the refusing one is left out of later payments', async () => {
    const down = await refusedUrl();
    const up = await instance();
    const ui = buildTestUi({ processingUrls: [down, up.url], clientOptions: { restMs: 60_000 } });

    const answers = [await postForm(ui, 'failover-1'), await postForm(ui, 'failover-2'), await postForm(ui, 'failover-3')];

    expect(answers.map((answer) => answer.body.status)).toEqual(['approved', 'approved', 'approved']);
    expect(payments(up)).toHaveLength(3);
    const refusals = ui.logLines.filter((line) => line.includes('"failure":"refused"'));
    expect(refusals).toHaveLength(1);
    expect(ui.logText()).toContain('processing instance left out for now');
  });

  test('when a resting instance comes back, then it gets payments again only after GET /readyz answers ready', async () => {
    let now = 1_000_000;
    const other = await instance();
    const comingBack = await instance();
    const port = portOf(comingBack.url);
    const ui = buildTestUi({ processingUrls: [comingBack.url, other.url], clientOptions: { restMs: 1_000, now: () => now } });
    await comingBack.close();
    expect((await postForm(ui, 'back-1')).body.status).toBe('approved');

    let ready = false;
    const restarted = await instance((path) => (path === '/readyz' ? { status: ready ? 200 : 503, body: {} } : { status: 201, body: paymentFixture() }), port);
    expect((await postForm(ui, 'back-2')).body.status).toBe('approved');
    expect(probes(restarted)).toHaveLength(0);
    now += 1_000;
    for (const key of ['back-3', 'back-4']) expect((await postForm(ui, key)).body.status).toBe('approved');
    expect(probes(restarted).length).toBeGreaterThanOrEqual(1);
    expect(payments(restarted)).toHaveLength(0);

    ready = true;
    now += 1_000;
    for (const key of ['back-5', 'back-6', 'back-7', 'back-8']) expect((await postForm(ui, key)).body.status).toBe('approved');

    expect(payments(restarted).length).toBeGreaterThanOrEqual(1);
    expect(payments(other).length + payments(restarted).length).toBe(8);
    expect(ui.logText()).toContain('processing instance back in the rotation');
  });

  test('when every instance rests and one is due, then the payment waits for its probe and goes there once it is ready', async () => {
    let now = 1_000_000;
    const only = await instance();
    const port = portOf(only.url);
    const ui = buildTestUi({ processingUrls: [only.url], clientOptions: { restMs: 1_000, now: () => now } });
    await only.close();
    expect((await postForm(ui, 'due-1')).body.status).toBe('error');

    const restarted = await instance((path) => (path === '/readyz' ? { status: 200, body: {} } : { status: 201, body: paymentFixture() }), port);
    now += 1_000;
    const answer = await postForm(ui, 'due-2');

    expect(answer.body.status).toBe('approved');
    expect(restarted.requests.map((sent) => sent.url)).toEqual(['/readyz', '/v1/payments']);
  });

  test('when an instance does not answer in time, then the payment is not sent to another one and the shopper hears "pending"', async () => {
    const hanging = await instance(() => ({ action: 'hang' }));
    const other = await instance();
    const ui = buildTestUi({ processingUrls: [hanging.url, other.url], env: { PROCESSING_TIMEOUT_MS: '200' } });

    const answer = await postForm(ui, 'hang-1');

    expect(answer.status).toBe(503);
    expect(answer.body.status).toBe('pending');
    expect(payments(hanging)).toHaveLength(1);
    expect(payments(other)).toHaveLength(0);
  });

  test('when an instance resets the connection once, then the retry goes back to that instance with the same key, never to another', async () => {
    const resetting = await instance((_path, index) => (index === 0 ? { action: 'reset' } : { status: 201, body: paymentFixture() }));
    const other = await instance();
    const ui = buildTestUi({ processingUrls: [resetting.url, other.url] });

    const answer = await postForm(ui, 'reset-1');

    expect(answer.body.status).toBe('approved');
    expect(payments(resetting).map((sent) => sent.headers['idempotency-key'])).toEqual(['reset-1', 'reset-1']);
    expect(payments(other)).toHaveLength(0);
  });

  test('when an instance keeps timing out, then after three in a row it is left out and the others take the payments', async () => {
    const hanging = await instance(() => ({ action: 'hang' }));
    const other = await instance();
    const ui = buildTestUi({ processingUrls: [hanging.url, other.url], env: { PROCESSING_TIMEOUT_MS: '100' }, clientOptions: { restMs: 60_000 } });

    const answers = [];
    for (let index = 0; index < 8; index += 1) answers.push((await postForm(ui, `slow-${index}`)).body.status);

    expect(payments(hanging)).toHaveLength(3);
    expect(answers.filter((status) => status === 'pending')).toHaveLength(3);
    expect(answers.filter((status) => status === 'approved')).toHaveLength(5);
    expect(ui.logText()).toContain('3 timeouts, resets or internal errors in a row');
  });

  test('when an instance answers 500 three times in a row (its database gone), then it is left out until /readyz says ready', async () => {
    let now = 1_000_000;
    let databaseUp = false;
    const broken = await instance((path) => {
      if (path === '/readyz') return { status: databaseUp ? 200 : 503, body: {} };
      return databaseUp ? { status: 201, body: paymentFixture() } : { status: 500, body: problem(500, 'internal_error') };
    });
    const other = await instance();
    const ui = buildTestUi({ processingUrls: [broken.url, other.url], clientOptions: { restMs: 1_000, now: () => now } });

    const answers = [];
    for (let index = 0; index < 8; index += 1) answers.push((await postForm(ui, `broken-${index}`)).body.status);
    now += 1_000;
    for (const key of ['broken-8', 'broken-9']) answers.push((await postForm(ui, key)).body.status);
    const sentWhileBroken = payments(broken).length;
    databaseUp = true;
    now += 1_000;
    for (const key of ['broken-10', 'broken-11', 'broken-12']) answers.push((await postForm(ui, key)).body.status);

    // The 500s themselves are "pending" (the request arrived; nothing says it was not charged), never sent elsewhere.
    expect(answers.filter((status) => status === 'pending')).toHaveLength(3);
    expect(sentWhileBroken).toBe(3);
    expect(probes(broken).length).toBeGreaterThanOrEqual(2);
    expect(payments(broken).length).toBeGreaterThan(3);
    expect(answers.slice(-3)).toEqual(['approved', 'approved', 'approved']);
  });
});

describe('a repeat lands on another UI server while every processing instance refuses', () => {
  /** The first request reached an instance and its outcome is not known; then every instance goes down. */
  async function firstRequestThenOutage(): Promise<{ first: request.Response; uiA: TestUi; uiB: TestUi }> {
    const pendingPayment = paymentFixture({ id: 'pay_maybe', status: 'pending', authorizationCode: null });
    const reached = await instance(() => ({ status: 504, body: problem(504, 'authorization_pending', { payment: pendingPayment }) }));
    const alsoDown = await refusedUrl();
    const urls = [reached.url, alsoDown];
    // Two UI servers that share nothing, as two instances behind a load balancer.
    const uiA = buildTestUi({ processingUrls: urls });
    const uiB = buildTestUi({ processingUrls: urls });
    const first = await postForm(uiA, 'outage-key');
    await reached.close();
    return { first, uiA, uiB };
  }

  test('when the browser sends the cookie of its first answer, then the other UI server answers "pending", as JSON and as a page', async () => {
    const { first, uiB } = await firstRequestThenOutage();
    const cookie = sentCookieOf(first);

    const json = await postForm(uiB, 'outage-key', { cookie });
    const page = await postForm(uiB, 'outage-key', { cookie, accept: BROWSER_ACCEPT });

    expect(first.body.status).toBe('pending');
    expect(cookie).toMatch(/^cardlane_sent_[A-Za-z0-9_-]{22}=1$/);
    expect(json.status).toBe(503);
    expect(json.body.status).toBe('pending');
    expect(page.text).toContain('We are confirming your payment');
    expect(page.text).not.toContain('not been charged');
  });

  test('when a client without cookies marks its repeat with repeat: "true", then the other UI server answers "pending"', async () => {
    const { uiB } = await firstRequestThenOutage();

    const marked = await request(uiB.app).post('/make-payment').set('Accept', 'application/json')
      .send({ ...VALID_FORM, idempotencyKey: 'outage-key', repeat: 'true' });

    expect(marked.status).toBe(503);
    expect(marked.body.status).toBe('pending');
  });

  test('when a first request finds every instance refusing, then it is "not charged" and gets no cookie, so its repeat is "not charged" too', async () => {
    const ui = buildTestUi({ processingUrls: [await refusedUrl(), await refusedUrl()] });

    const first = await postForm(ui, 'never-sent');
    const again = await postForm(ui, 'never-sent');

    expect(first.body.status).toBe('error');
    expect(first.body.message).toContain('You have not been charged.');
    expect(sentCookieOf(first)).toBeUndefined();
    expect(again.body.status).toBe('error');
  });

  test('when the cookie is set, then it is HttpOnly, SameSite=Strict and sent back only to /make-payment', async () => {
    const { first } = await firstRequestThenOutage();

    const cookie = (first.headers['set-cookie'] as unknown as string[]).find((line) => line.startsWith('cardlane_sent_'))!;

    expect(cookie).toContain('Path=/make-payment');
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toMatch(/Max-Age=86400/);
  });
});
