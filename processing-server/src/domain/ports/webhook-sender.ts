/**
 * The webhook port: posting one event to one endpoint. The adapter (providers/webhook-client.ts)
 * signs the body, bounds the call in time and keeps a circuit breaker per endpoint; the domain
 * only learns whether the endpoint took the event.
 */

export interface WebhookRequest {
  url: string;
  /** The event as JSON: exactly the bytes that are signed and sent. */
  body: string;
  eventId: string;
  attempt: number;
}

export type WebhookAnswer =
  /** The endpoint took the event (a 2xx answer). */
  | { kind: 'delivered'; responseStatus: number }
  /** The endpoint answered with anything else. */
  | { kind: 'refused'; responseStatus: number }
  /** No answer in time, no connection, or the endpoint's circuit is open (nothing was sent). */
  | { kind: 'no_answer'; error: string };

export interface WebhookSender {
  send(request: WebhookRequest): Promise<WebhookAnswer>;
}
