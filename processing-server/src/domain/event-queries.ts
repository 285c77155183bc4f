/** Reading events and their webhook attempts, in their public form; an unknown payment or event is refused. */
import type { EventList, EventListQuery, PaymentEventList, WebhookAttemptList } from '../../../shared/contracts/events.ts';
import type { DomainDeps } from './deps.ts';
import { eventNotFound } from './errors.ts';
import { toPublicEvent } from './events.ts';
import { loadPayment } from './load.ts';
import { endpointForDisplay } from './webhook-endpoints.ts';

/**
 * A bound on the events of one payment: its status changes are a dozen at most, and each refund
 * adds two or three; a payment with more than this many shows the first ones.
 */
export const PAYMENT_EVENTS_MAX = 1000;

export async function listEvents(deps: Pick<DomainDeps, 'store'>, query: EventListQuery): Promise<EventList> {
  const page = await deps.store.events.list(query);
  return { data: page.data.map(toPublicEvent), hasMore: page.hasMore };
}

export async function listPaymentEvents(deps: Pick<DomainDeps, 'store'>, paymentId: string): Promise<PaymentEventList> {
  await loadPayment(deps, paymentId);
  const events = await deps.store.events.listOfPayment(paymentId, PAYMENT_EVENTS_MAX);
  return { data: events.map(toPublicEvent) };
}

export async function listWebhookAttempts(deps: Pick<DomainDeps, 'store'>, eventId: string): Promise<WebhookAttemptList> {
  const attempts = await deps.store.webhooks.attemptsOf(eventId);
  if (!attempts) throw eventNotFound(eventId);
  return {
    data: attempts.map((attempt) => ({
      eventId: attempt.eventId, url: endpointForDisplay(attempt.url), attempt: attempt.attempt, status: attempt.status,
      ...(attempt.responseStatus === null ? {} : { responseStatus: attempt.responseStatus }),
      ...(attempt.error === null ? {} : { error: attempt.error }),
      at: attempt.at,
    })),
  };
}
