/** The webhook adapter: what it sends, what it counts as delivered, and its circuit breaker per endpoint. */
import { createWebhookClient } from '../../processing-server/src/providers/webhook-client.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../scripts/lib/webhook-receiver.ts';

const SECRET = 'client-test-secret';
const BODY = JSON.stringify({ id: 'evt_1', type: 'payment.authorized' });

describe('the webhook client', () => {
  const receivers: WebhookReceiver[] = [];
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
  });
  async function receiver(): Promise<WebhookReceiver> {
    const started = await startWebhookReceiver();
    receivers.push(started);
    return started;
  }

  test('when the endpoint answers 2xx, then it is delivered, with the body signed as sent and the attempt named', async () => {
    const endpoint = await receiver();
    endpoint.answer(() => 204);
    const client = createWebhookClient({ secret: SECRET, now: () => new Date('2026-01-01T00:00:00.000Z') });

    const answer = await client.send({ url: endpoint.url, body: BODY, eventId: 'evt_1', attempt: 3 });

    expect(answer).toEqual({ kind: 'delivered', responseStatus: 204 });
    const [delivery] = endpoint.deliveries;
    expect(delivery?.rawBody.toString('utf8')).toBe(BODY);
    expect(delivery?.attempt).toBe(3);
    expect(delivery?.signature).toMatch(/^t=1767225600,v1=[0-9a-f]{64}$/);
    expect(endpoint.signedWith(delivery!, SECRET, 1_767_225_600)).toBe(true);
  });

  test('when the endpoint answers a redirect or a refusal, then it is not delivered and its status is kept', async () => {
    const endpoint = await receiver();
    const statuses = [302, 410, 500];
    endpoint.answer((delivery) => statuses[delivery.index] ?? 200);
    const client = createWebhookClient({ secret: SECRET });

    const answers = [];
    for (const attempt of [1, 2, 3]) answers.push(await client.send({ url: endpoint.url, body: BODY, eventId: 'evt_1', attempt }));

    expect(answers).toEqual(statuses.map((responseStatus) => ({ kind: 'refused', responseStatus })));
    expect(endpoint.deliveries).toHaveLength(3);
  });

  test('when one endpoint fails five times in a row, then its circuit opens (nothing more is sent there) while another endpoint is still served', async () => {
    const failing = await receiver();
    failing.answer(() => 503);
    const healthy = await receiver();
    const client = createWebhookClient({ secret: SECRET, breakerThreshold: 5, breakerHalfOpenAfterMs: 60_000 });

    for (let attempt = 1; attempt <= 5; attempt += 1) await client.send({ url: failing.url, body: BODY, eventId: 'evt_1', attempt });
    const afterOpen = await client.send({ url: failing.url, body: BODY, eventId: 'evt_1', attempt: 6 });
    const elsewhere = await client.send({ url: healthy.url, body: BODY, eventId: 'evt_1', attempt: 1 });

    expect(afterOpen).toEqual({ kind: 'no_answer', error: 'circuit_open' });
    expect(failing.deliveries).toHaveLength(5);
    expect(elsewhere).toEqual({ kind: 'delivered', responseStatus: 200 });
  });

  test('when the endpoint drops the connection, then there is no answer (connection_reset)', async () => {
    const endpoint = await receiver();
    endpoint.answer(() => 'reset');

    const answer = await createWebhookClient({ secret: SECRET }).send({ url: endpoint.url, body: BODY, eventId: 'evt_1', attempt: 1 });

    expect(answer).toEqual({ kind: 'no_answer', error: 'connection_reset' });
  });
});
