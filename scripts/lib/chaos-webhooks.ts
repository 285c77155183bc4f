/**
 * The webhooks of the chaos run: an endpoint that fails a share of deliveries (a 500, or a dropped
 * connection, on a first attempt), and the audit of what it received once the run is over: every
 * event written was delivered at least once (a good signature, answered 200: a refused first
 * attempt counts only once a retry gets through), and every payment's status is the one its last
 * event carries.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import axios from 'axios';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';

export const CHAOS_WEBHOOK_SECRET = 'chaos-webhook-secret';
/** Of first attempts: this share is answered 500, this share has its connection dropped. */
const REFUSED_SHARE = 0.15;
const DROPPED_SHARE = 0.05;

export async function startChaosReceiver(random: () => number): Promise<WebhookReceiver> {
  return startWebhookReceiver((delivery) => {
    if (delivery.attempt > 1) return 200;
    const roll = random();
    if (roll < REFUSED_SHARE) return 500;
    return roll < REFUSED_SHARE + DROPPED_SHARE ? 'reset' : 200;
  });
}

interface EventView { id: string; type: string; paymentId?: string; data: { status?: string } }
interface PaymentView { id: string; status: string }

async function readEvents(processingUrl: string, key: string): Promise<EventView[]> {
  const events: EventView[] = [];
  let startingAfter: string | undefined;
  for (let page = 0; page < 10_000; page += 1) {
    const response = await axios.get(`${processingUrl}/v1/events`, { headers: { Authorization: `Bearer ${key}` }, params: { limit: 100, startingAfter }, timeout: 30_000 });
    events.push(...(response.data.data as EventView[]));
    if (!response.data.hasMore) return events;
    startingAfter = events[events.length - 1]!.id;
  }
  throw new Error('more than 10,000 pages of events');
}

/**
 * Event ids the receiver took: a delivery with a good signature that it answered 200. One it
 * refused (500) or dropped reached it, but was not delivered: only a retry delivers it.
 */
function deliveredIds(receiver: WebhookReceiver): Set<string> {
  return new Set(receiver.deliveries
    .filter((delivery) => delivery.eventId && delivery.reply === 200 && receiver.signedWith(delivery, CHAOS_WEBHOOK_SECRET))
    .map((delivery) => delivery.eventId!));
}

/**
 * Waits (at most `waitMs`: retries come 7.5–15 s after a failure, and a claim held by a killed
 * server lapses after 30 s) until every event written has reached the receiver, then checks.
 */
export async function auditWebhooks(input: {
  processingUrl: string; processingKey: string; receiver: WebhookReceiver; payments: PaymentView[]; waitMs: number;
}): Promise<{ findings: Record<string, number>; violations: string[] }> {
  let events = await readEvents(input.processingUrl, input.processingKey);
  for (const deadline = Date.now() + input.waitMs; Date.now() < deadline; await sleep(1_000)) {
    const received = deliveredIds(input.receiver);
    if (events.every((event) => received.has(event.id))) break;
    events = await readEvents(input.processingUrl, input.processingKey);
  }
  const received = deliveredIds(input.receiver);
  const violations: string[] = [];
  const violate = (text: string) => { if (violations.length < 50) violations.push(text); };
  for (const event of events.filter((candidate) => !received.has(candidate.id))) violate(`event ${event.id} (${event.type}, ${event.paymentId ?? '-'}) was never delivered to the webhook endpoint (answered 200) with a good signature`);
  // Events come newest first: the first payment event met for a payment is its last.
  const lastOf = new Map<string, EventView>();
  for (const event of events) if (event.paymentId && event.type.startsWith('payment.') && !lastOf.has(event.paymentId)) lastOf.set(event.paymentId, event);
  for (const payment of input.payments) {
    const last = lastOf.get(payment.id);
    if (payment.status === 'pending') continue;
    if (!last) violate(`payment ${payment.id} is ${payment.status} but has no event`);
    else if (last.data.status !== payment.status) violate(`payment ${payment.id} is ${payment.status} but its last event ${last.id} (${last.type}) says ${last.data.status}`);
  }
  const badSignatures = input.receiver.deliveries.filter((delivery) => !input.receiver.signedWith(delivery, CHAOS_WEBHOOK_SECRET)).length;
  if (badSignatures > 0) violate(`${badSignatures} deliveries carried a signature that does not verify`);
  return {
    violations,
    findings: {
      'events written': events.length,
      'events delivered (signed, answered 200)': events.filter((event) => received.has(event.id)).length,
      'webhook deliveries received (retries and repeats included)': input.receiver.deliveries.length,
      'first attempts refused (500) or dropped by the endpoint': input.receiver.deliveries.filter((delivery) => delivery.attempt === 1 && delivery.reply !== 200).length,
      'webhook retries received (attempt 2 and later)': input.receiver.deliveries.filter((delivery) => delivery.attempt > 1).length,
    },
  };
}
