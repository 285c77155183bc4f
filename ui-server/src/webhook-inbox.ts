/**
 * What the UI server's webhook receiver keeps: the last events it received, newest first, for the
 * back office to show, and the ids it has seen, to tell a repeat delivery from a new event. Both
 * are bounded and in memory: nothing here is needed for a payment to be right (the processing
 * server keeps every event), so a restart or a second UI instance only shows less.
 */
import type { Event } from '../../shared/contracts/events.ts';

export interface ReceivedEvent {
  event: Event;
  /** When it first arrived. */
  receivedAt: string;
  /** How many deliveries of it arrived (a retry after a lost answer, or a second delivery). */
  deliveries: number;
}

export interface WebhookInbox {
  /** Keeps the event; true when its id was seen before (nothing new is kept then). */
  receive(event: Event, receivedAt: Date): { duplicate: boolean };
  /** The kept events, newest first. */
  list(): ReceivedEvent[];
}

export const INBOX_EVENTS_MAX = 200;
/** Ids remembered for de-duplication: far more than are shown, since retries can come a day later. */
export const INBOX_IDS_MAX = 50_000;

export function createWebhookInbox(options: { eventsMax?: number; idsMax?: number } = {}): WebhookInbox {
  const eventsMax = options.eventsMax ?? INBOX_EVENTS_MAX;
  const idsMax = options.idsMax ?? INBOX_IDS_MAX;
  const kept: ReceivedEvent[] = [];
  // A Map keeps insertion order: the first key is the oldest id, dropped first.
  const seen = new Map<string, ReceivedEvent | null>();
  return {
    receive(event, receivedAt) {
      if (seen.has(event.id)) {
        const entry = seen.get(event.id);
        if (entry) entry.deliveries += 1;
        return { duplicate: true };
      }
      const entry: ReceivedEvent = { event, receivedAt: receivedAt.toISOString(), deliveries: 1 };
      kept.unshift(entry);
      seen.set(event.id, entry);
      const dropped = kept.splice(eventsMax);
      // An event no longer shown is still remembered (without its body) for de-duplication.
      for (const old of dropped) seen.set(old.event.id, null);
      while (seen.size > idsMax) {
        const oldest = seen.keys().next().value;
        if (oldest === undefined) break;
        seen.delete(oldest);
      }
      return { duplicate: false };
    },
    list: () => [...kept],
  };
}
