/**
 * The metrics of events and webhooks (docs/DESIGN.md, "Events and webhooks"): events on record by
 * type and the age of the oldest event not yet delivered, both read from the store when
 * /metrics is scraped (so they count what every instance and `npm run settle` wrote), and the
 * attempts this process made, by outcome.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Store } from '../domain/ports/store.ts';

/** Counting events by type reads an index of every event: at most once in this long, whatever the scrape rate. */
const COUNTS_CACHE_MS = 10_000;

export function createAttemptCounter(): Counter<'outcome'> {
  return new Counter({
    name: 'cardlane_webhook_attempts_total', help: 'Webhook delivery attempts made by this process, by outcome (delivered, failed, abandoned)',
    labelNames: ['outcome'] as const, registers: [],
  });
}

export function registerEventMetrics(registry: Registry, options: {
  store: Pick<Store, 'events' | 'webhooks'>; urls: readonly string[]; clock: () => Date; attempts: Counter<'outcome'>;
}): void {
  registry.registerMetric(options.attempts);
  let counts: { at: number; byType: Record<string, number> } | null = null;
  new Gauge({
    name: 'cardlane_events', help: 'Events on record, by type: every change of a payment, refund, saved card or settlement run writes one',
    labelNames: ['type'] as const, registers: [registry],
    async collect() {
      if (!counts || Date.now() - counts.at > COUNTS_CACHE_MS) counts = { at: Date.now(), byType: await options.store.events.countByType() };
      for (const [type, count] of Object.entries(counts.byType)) this.set({ type }, count);
    },
  });
  new Gauge({
    name: 'cardlane_webhook_oldest_undelivered_seconds', help: 'Age of the oldest event not yet delivered to every webhook endpoint (0 when none waits)',
    registers: [registry],
    async collect() {
      // With no endpoint nothing waits to be delivered (the dispatcher empties the outbox to nobody).
      const oldest = options.urls.length === 0 ? null : await options.store.webhooks.oldestUndelivered(options.urls);
      this.set(oldest ? Math.max(0, (options.clock().getTime() - Date.parse(oldest)) / 1000) : 0);
    },
  });
}
