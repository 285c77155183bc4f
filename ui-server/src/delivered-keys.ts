/**
 * The idempotency keys this UI server has already delivered to the processing server, kept in
 * memory (bounded in count and age). A refused connection proves only that THIS request never
 * arrived; if an earlier request with the same key did, a payment may exist, so the shopper must
 * hear "we are confirming", never "you have not been charged".
 *
 * The UI server stays stateless on disk: after a restart, or behind a load balancer that sends a
 * shopper's repeat to another instance, the memory is not there, and a repeat refused during a
 * processing outage is then reported "not charged" as a first request would be (docs/DESIGN.md).
 */
export interface DeliveredKeys {
  remember(key: string): void;
  wasDelivered(key: string): boolean;
}

export function createDeliveredKeys(options: { sizeMax?: number; ttlMs?: number; now?: () => number } = {}): DeliveredKeys {
  const sizeMax = options.sizeMax ?? 100_000;
  const ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1000;
  const now = options.now ?? Date.now;
  // A Map iterates in insertion order: the first entry is the oldest, evicted first.
  const deliveredAt = new Map<string, number>();
  return {
    remember(key) {
      deliveredAt.delete(key);
      deliveredAt.set(key, now());
      while (deliveredAt.size > sizeMax) {
        const oldest = deliveredAt.keys().next().value;
        if (oldest === undefined) break;
        deliveredAt.delete(oldest);
      }
    },
    wasDelivered(key) {
      const at = deliveredAt.get(key);
      return at !== undefined && now() - at <= ttlMs;
    },
  };
}
