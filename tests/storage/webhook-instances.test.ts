/**
 * Two processing instances on one database deliver webhooks side by side: on PostgreSQL (two
 * pools, as two servers would have) and on SQLite (two connections to one file), each event
 * reaches the endpoint once per attempt, never the same attempt twice at once, whichever
 * instance makes it.
 */
import type { WebhookAttemptStatus } from '../../shared/contracts/events.ts';
import type { Store } from '../../processing-server/src/domain/ports/store.ts';
import { startWebhookDispatcher, type WebhookDispatcher } from '../../processing-server/src/jobs/webhook-dispatcher.ts';
import { createWebhookClient } from '../../processing-server/src/providers/webhook-client.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../scripts/lib/webhook-receiver.ts';
import { captureLogs } from '../helpers/log-capture.ts';
import { NOW, at, authorizedPayment } from './builders.ts';
import { describeEachStore } from './stores.ts';

jest.setTimeout(60_000);

const SECRET = 'two-instances-secret';
const EVENTS = 60;

describeEachStore('webhook delivery from two instances', (current) => {
  let receiver: WebhookReceiver | null = null;
  const dispatchers: WebhookDispatcher[] = [];

  afterEach(async () => {
    await Promise.all(dispatchers.splice(0).map((dispatcher) => dispatcher.stop()));
    await receiver?.close();
    receiver = null;
  });

  test('when two instances deliver 60 events that fail once, then each event arrives exactly once per attempt, and both instances took part', async () => {
    const endpoint = await startWebhookReceiver((delivery) => (delivery.attempt === 1 ? 500 : 200));
    receiver = endpoint;
    for (let index = 0; index < EVENTS; index += 1) await authorizedPayment(current().store, { createdAt: at(index) });
    let now = NOW;
    const made = new Map<string, WebhookAttemptStatus[]>();
    const instance = (name: string, store: Store): WebhookDispatcher => {
      made.set(name, []);
      const logs = captureLogs(`processing-${name}`);
      const dispatcher = startWebhookDispatcher({
        // A breaker that never opens here: every failed attempt must be a real one for the count below.
        deps: { store, sender: createWebhookClient({ secret: SECRET, breakerThreshold: 10_000 }), clock: () => now, logger: logs.logger, random: () => 1 },
        urls: [endpoint.url], intervalMs: 3_600_000, logger: logs.logger, onAttempt: (status) => made.get(name)?.push(status),
      });
      dispatchers.push(dispatcher);
      return dispatcher;
    };
    const first = instance('a', current().store);
    const second = instance('b', await current().openAnother());

    // Each pass claims at most 8 attempts per instance; retries fall due 15 s after their failure.
    for (let round = 0; round < 40 && endpoint.deliveries.filter((delivery) => delivery.attempt === 2).length < EVENTS; round += 1) {
      await Promise.all([first.runOnce(), second.runOnce()]);
      now = new Date(now.getTime() + 16_000);
    }
    // A delivery that succeeds asks for another pass at once, and that pass's attempts may still be
    // under way when runOnce returns: stopping waits for them, so every attempt made is counted.
    await Promise.all(dispatchers.splice(0).map((dispatcher) => dispatcher.stop()));

    const received = endpoint.deliveries.map((delivery) => `${delivery.eventId}#${delivery.attempt}`);
    expect(received).toHaveLength(2 * EVENTS);
    expect(new Set(received).size).toBe(2 * EVENTS);
    const eventIds = new Set(endpoint.deliveries.map((delivery) => delivery.eventId));
    expect(eventIds.size).toBe(EVENTS);
    for (const delivery of endpoint.deliveries) expect(endpoint.signedWith(delivery, SECRET)).toBe(true);
    expect(made.get('a')?.length).toBeGreaterThan(0);
    expect(made.get('b')?.length).toBeGreaterThan(0);
    expect([...made.values()].flat().sort()).toEqual([...Array(EVENTS).fill('delivered'), ...Array(EVENTS).fill('failed')].sort());
    for (const eventId of eventIds) {
      expect((await current().store.webhooks.attemptsOf(eventId!))?.map((attempt) => [attempt.attempt, attempt.status])).toEqual([[1, 'failed'], [2, 'delivered']]);
    }
  });
});
