/**
 * Webhook delivery from the processing server (SPEC §14): every event reaches every endpoint,
 * signed, at least once; failures are retried on a growing schedule for 24 hours, then abandoned;
 * a dead endpoint's circuit opens without slowing the others; a dispatcher that dies holding a
 * claim loses it, and the attempt is made again. The endpoints are real HTTP servers; the clock
 * is the test's.
 */
import request from 'supertest';
import { JOB_CAUSES } from '../../processing-server/src/domain/events.ts';
import { CLAIM_TTL_MS, claimDue } from '../../processing-server/src/domain/webhook-delivery.ts';
import { startWebhookDispatcher, type WebhookDispatcher } from '../../processing-server/src/jobs/webhook-dispatcher.ts';
import { createWebhookClient } from '../../processing-server/src/providers/webhook-client.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../scripts/lib/webhook-receiver.ts';
import { refusedUrl } from '../helpers/ui-fake-processing.ts';
import { AUTH_HEADER, createProcessingHarness, freshKey, paymentBody, type ProcessingHarness } from '../helpers/processing.ts';

const SECRET = 'test-webhook-secret';
const START = new Date('2026-04-01T09:00:00.000Z');

describe('webhook delivery', () => {
  let harness: ProcessingHarness;
  let now: Date;
  const receivers: WebhookReceiver[] = [];
  const dispatchers: WebhookDispatcher[] = [];

  beforeEach(async () => {
    now = START;
    harness = await createProcessingHarness({ clock: () => now });
  });

  afterEach(async () => {
    await Promise.all(dispatchers.splice(0).map((dispatcher) => dispatcher.stop()));
    await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
    await harness.close();
  });

  const later = (ms: number) => { now = new Date(START.getTime() + ms); };
  const pay = (body = paymentBody()) => request(harness.app).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', freshKey()).send(body);
  const attemptsOf = async (eventId: string) => (await request(harness.app).get(`/v1/webhook-deliveries?eventId=${eventId}`).set(AUTH_HEADER).expect(200)).body.data;

  async function receiver(): Promise<WebhookReceiver> {
    const started = await startWebhookReceiver();
    receivers.push(started);
    return started;
  }

  /** A dispatcher on the harness's store and clock, with retry delays at their longest (no jitter down), handing over the vault's events. */
  function dispatcher(urls: string[], client: { timeoutMs?: number } = {}): WebhookDispatcher {
    const started = startWebhookDispatcher({
      deps: { store: harness.store, sender: createWebhookClient({ secret: SECRET, ...client }), clock: () => now, logger: harness.logs.logger, random: () => 1 },
      urls, intervalMs: 3_600_000, logger: harness.logs.logger, handOver: (limit) => harness.vault.handOverEvents(limit),
    });
    dispatchers.push(started);
    return started;
  }

  test('when an endpoint answers 500 three times and then 200, then the event arrives on the fourth attempt, each after its delay, signed', async () => {
    const endpoint = await receiver();
    endpoint.answer((delivery) => (delivery.index < 3 ? 500 : 200));
    const payment = await pay().expect(201);
    const [event] = (await request(harness.app).get(`/v1/payments/${payment.body.id}/events`).set(AUTH_HEADER).expect(200)).body.data;
    const deliver = dispatcher([endpoint.url]);

    await deliver.runOnce();
    later(14_000);
    expect(await deliver.runOnce()).toMatchObject({ started: 0 });
    // Retries after 15 s, 30 s and 60 s (the longest each can be: the first within 30 s of the failure).
    for (const at of [15_000, 45_000, 105_000]) {
      later(at);
      expect(await deliver.runOnce()).toMatchObject({ started: 1 });
    }

    expect(endpoint.deliveries.map((delivery) => [delivery.eventId, delivery.attempt])).toEqual([[event.id, 1], [event.id, 2], [event.id, 3], [event.id, 4]]);
    for (const delivery of endpoint.deliveries) {
      expect(endpoint.signedWith(delivery, SECRET)).toBe(true);
      expect(endpoint.signedWith(delivery, 'another-secret')).toBe(false);
      expect(JSON.parse(delivery.rawBody.toString('utf8'))).toEqual(event);
    }
    expect(await attemptsOf(event.id)).toEqual([
      { eventId: event.id, url: endpoint.url, attempt: 1, status: 'failed', responseStatus: 500, at: START.toISOString() },
      { eventId: event.id, url: endpoint.url, attempt: 2, status: 'failed', responseStatus: 500, at: new Date(START.getTime() + 15_000).toISOString() },
      { eventId: event.id, url: endpoint.url, attempt: 3, status: 'failed', responseStatus: 500, at: new Date(START.getTime() + 45_000).toISOString() },
      { eventId: event.id, url: endpoint.url, attempt: 4, status: 'delivered', responseStatus: 200, at: new Date(START.getTime() + 105_000).toISOString() },
    ]);
    later(10 * 3_600_000);
    expect(await deliver.runOnce()).toMatchObject({ started: 0 });
  });

  test('when an endpoint does not answer within the timeout, or refuses the connection, then the attempt fails without an answer and is tried again', async () => {
    const silent = await receiver();
    silent.answer(() => 'hang');
    const nobody = await refusedUrl();
    const payment = await pay().expect(201);
    const deliver = dispatcher([silent.url, `${nobody}/webhooks`], { timeoutMs: 1_000 });

    await deliver.runOnce();

    const [event] = (await request(harness.app).get(`/v1/events?paymentId=${payment.body.id}`).set(AUTH_HEADER).expect(200)).body.data;
    expect((await attemptsOf(event.id)).map((attempt: Record<string, unknown>) => [attempt.url, attempt.status, attempt.error, attempt.responseStatus])).toEqual(
      expect.arrayContaining([[silent.url, 'failed', 'timeout', undefined], [`${nobody}/webhooks`, 'failed', 'connection_refused', undefined]]),
    );
    silent.answer(() => 204);
    later(15_000);
    await deliver.runOnce();
    expect((await attemptsOf(event.id)).filter((attempt: Record<string, unknown>) => attempt.url === silent.url).map((attempt: Record<string, unknown>) => attempt.status))
      .toEqual(['failed', 'delivered']);
  });

  test('when one endpoint is dead, then its circuit opens and fails its attempts at once, while the other endpoint gets every event', async () => {
    const dead = await receiver();
    dead.answer(() => 'hang');
    const alive = await receiver();
    for (let index = 0; index < 10; index += 1) await pay().expect(201);
    const deliver = dispatcher([dead.url, alive.url], { timeoutMs: 1_000 });

    await deliver.runOnce();
    later(15_000);
    await deliver.runOnce();

    const events = (await request(harness.app).get('/v1/events?limit=100').set(AUTH_HEADER).expect(200)).body.data as Array<{ id: string }>;
    expect(new Set(alive.deliveries.map((delivery) => delivery.eventId))).toEqual(new Set(events.map((event) => event.id)));
    const deadAttempts = (await Promise.all(events.map((event) => attemptsOf(event.id)))).flat().filter((attempt) => attempt.url === dead.url);
    // The first attempts waited for the timeout and opened the circuit; the next ones were not even sent.
    expect(deadAttempts.filter((attempt) => attempt.error === 'timeout').length).toBeGreaterThanOrEqual(5);
    expect(deadAttempts.filter((attempt) => attempt.error === 'circuit_open').length).toBeGreaterThan(0);
    expect(dead.deliveries.length).toBe(deadAttempts.filter((attempt) => attempt.error === 'timeout').length);
  });

  test('when an endpoint keeps failing, then it is retried for 24 hours, the last attempt abandons the delivery, and none follows', async () => {
    const endpoint = await receiver();
    endpoint.answer(() => 503);
    const payment = await pay().expect(201);
    const deliver = dispatcher([endpoint.url]);

    // Every retry is due within two hours of the one before; a pass every two hours makes each as it falls due.
    for (let hour = 0; hour <= 30; hour += 2) {
      later(hour * 3_600_000);
      await deliver.runOnce();
    }

    const [event] = (await request(harness.app).get(`/v1/events?paymentId=${payment.body.id}`).set(AUTH_HEADER).expect(200)).body.data;
    const attempts = await attemptsOf(event.id) as Array<{ attempt: number; status: string; at: string }>;
    const last = attempts.at(-1)!;
    expect(last.status).toBe('abandoned');
    expect(Date.parse(last.at) - START.getTime()).toBeGreaterThanOrEqual(24 * 3_600_000);
    expect(attempts.slice(0, -1).every((attempt) => attempt.status === 'failed')).toBe(true);
    expect(attempts.map((attempt) => attempt.attempt)).toEqual(attempts.map((_attempt, index) => index + 1));
    later(100 * 3_600_000);
    expect(await deliver.runOnce()).toMatchObject({ started: 0 });
    expect(harness.logs.text()).toContain('webhook delivery abandoned after retrying for 24 hours');
  });

  test('when a dispatcher dies holding a claim, then the attempt is made once its claim lapses, and recorded once', async () => {
    const endpoint = await receiver();
    const payment = await pay().expect(201);
    const deliver = dispatcher([endpoint.url]);
    await deliver.stop();
    // Another dispatcher took the outbox and claimed the delivery, then died before sending it.
    await harness.store.webhooks.fanOut({ urls: [endpoint.url], limit: 10, now: now.toISOString() });
    const [claimed] = await claimDue({ store: harness.store, clock: () => now }, endpoint.url, 10);
    expect(claimed).toMatchObject({ attempt: 1 });
    const restarted = dispatcher([endpoint.url]);

    later(CLAIM_TTL_MS - 1_000);
    expect(await restarted.runOnce()).toMatchObject({ started: 0 });
    later(CLAIM_TTL_MS);
    expect(await restarted.runOnce()).toMatchObject({ started: 1 });

    const [event] = (await request(harness.app).get(`/v1/events?paymentId=${payment.body.id}`).set(AUTH_HEADER).expect(200)).body.data;
    expect(endpoint.deliveries.map((delivery) => [delivery.eventId, delivery.attempt])).toEqual([[event.id, 1]]);
    expect(await attemptsOf(event.id)).toEqual([expect.objectContaining({ attempt: 1, status: 'delivered' })]);
  });

  test('when a saved card\'s event cannot be handed over from the vault\'s file at once, then the card is saved all the same, and the dispatcher\'s next pass hands it over and delivers it, once', async () => {
    const endpoint = await receiver();
    const { handOver } = harness.store.events;
    harness.store.events.handOver = async () => { throw new Error('the processing database is busy'); };
    const saved = await request(harness.app).post('/v1/cards').set(AUTH_HEADER).set('Idempotency-Key', freshKey())
      .send({ card: { number: '4242424242424242', expMonth: 12, expYear: START.getUTCFullYear() + 2, cvv: '123', holderName: 'Ada Lovelace' } })
      .expect(201);
    const beforeHandOver = (await request(harness.app).get('/v1/events?type=card.saved').set(AUTH_HEADER).expect(200)).body.data;
    harness.store.events.handOver = handOver;
    const deliver = dispatcher([endpoint.url]);

    await deliver.runOnce();
    expect(await deliver.runOnce()).toEqual({ handedOver: 0, fannedOut: 0, started: 0 });

    expect(beforeHandOver).toEqual([]);
    expect(harness.logs.text()).toContain('could not be handed over now');
    const events = (await request(harness.app).get('/v1/events?type=card.saved').set(AUTH_HEADER).expect(200)).body.data;
    expect(events).toEqual([expect.objectContaining({ type: 'card.saved', cardId: saved.body.id, data: saved.body })]);
    expect(endpoint.deliveries.map((delivery) => delivery.eventId)).toEqual([events[0].id]);
    expect(endpoint.signedWith(endpoint.deliveries[0]!, SECRET)).toBe(true);
  });

  test('when no endpoint is configured, then the events leave the outbox and nothing waits', async () => {
    await pay().expect(201);
    expect(await harness.store.webhooks.oldestUndelivered([])).toBe(START.toISOString());
    const deliver = dispatcher([]);

    await deliver.runOnce();

    expect(await harness.store.webhooks.oldestUndelivered([])).toBeNull();
  });

  test('when the jobs run, then the dispatcher delivers with WEBHOOK_SECRET and /metrics counts events, attempts and the oldest wait', async () => {
    const endpoint = await receiver();
    const server = await createProcessingHarness({ clock: () => now, env: { JOBS_ENABLED: 'true', WEBHOOK_URLS: endpoint.url, WEBHOOK_SECRET: SECRET, RECOVERY_INTERVAL_MS: '3600000' } });
    try {
      const payment = await request(server.app).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', freshKey()).send(paymentBody()).expect(201);
      later(90_000);
      const before = (await request(server.app).get('/metrics').expect(200)).text;
      expect(before).toMatch(/cardlane_events\{type="payment\.authorized",service="processing-server"\} 1\n/);
      expect(before).toMatch(/cardlane_webhook_oldest_undelivered_seconds\{service="processing-server"\} 90\n/);

      const jobs = server.processing.startJobs();
      await jobs?.webhooks.runOnce();

      expect(endpoint.deliveries).toHaveLength(1);
      expect(endpoint.signedWith(endpoint.deliveries[0]!, SECRET)).toBe(true);
      expect(JSON.parse(endpoint.deliveries[0]!.rawBody.toString('utf8'))).toMatchObject({ type: 'payment.authorized', paymentId: payment.body.id, data: payment.body });
      const after = (await request(server.app).get('/metrics').expect(200)).text;
      expect(after).toMatch(/cardlane_webhook_attempts_total\{outcome="delivered",service="processing-server"\} 1\n/);
      expect(after).toMatch(/cardlane_webhook_oldest_undelivered_seconds\{service="processing-server"\} 0\n/);
    } finally {
      await server.close();
    }
  });
});

describe('reading events and attempts', () => {
  let harness: ProcessingHarness;

  beforeEach(async () => {
    harness = await createProcessingHarness();
  });

  afterEach(async () => {
    await harness.close();
  });

  test('when the queries are wrong or name nothing, then the answers say so: 400 naming the field, 404 for an unknown payment or event', async () => {
    const missing = await request(harness.app).get('/v1/webhook-deliveries').set(AUTH_HEADER).expect(400);
    const badType = await request(harness.app).get('/v1/events?type=payment.teleported').set(AUTH_HEADER).expect(400);
    const badLimit = await request(harness.app).get('/v1/events?limit=0').set(AUTH_HEADER).expect(400);

    expect(missing.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'query.eventId', message: 'is required' }] });
    expect(badType.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'query.type' }] });
    expect(badLimit.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'query.limit' }] });
    expect((await request(harness.app).get('/v1/webhook-deliveries?eventId=evt_0000').set(AUTH_HEADER).expect(404)).body.code).toBe('not_found');
    expect((await request(harness.app).get('/v1/payments/pay_unknown/events').set(AUTH_HEADER).expect(404)).body.code).toBe('not_found');
    expect((await request(harness.app).get('/v1/events').expect(401)).body.code).toBe('unauthorized');
  });

  test('when an event has not been tried yet, then its attempts are an empty list', async () => {
    const payment = await request(harness.app).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', freshKey()).send(paymentBody()).expect(201);
    const [event] = (await request(harness.app).get(`/v1/payments/${payment.body.id}/events`).set(AUTH_HEADER).expect(200)).body.data;

    expect((await request(harness.app).get(`/v1/webhook-deliveries?eventId=${event.id}`).set(AUTH_HEADER).expect(200)).body).toEqual({ data: [] });
    expect(event.cause).toMatch(/^request:/);
    expect(event.cause).not.toBe(JOB_CAUSES.recovery);
  });
});
