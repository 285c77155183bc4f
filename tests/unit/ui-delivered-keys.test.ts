import { createDeliveredKeys } from '../../ui-server/src/delivered-keys.ts';

describe('delivered idempotency keys', () => {
  test('when a key is remembered, then it is known until it ages out or is evicted by newer keys', () => {
    let now = 0;
    const keys = createDeliveredKeys({ sizeMax: 2, ttlMs: 1000, now: () => now });
    keys.remember('a');
    expect(keys.wasDelivered('a')).toBe(true);
    expect(keys.wasDelivered('b')).toBe(false);
    now = 1001;
    expect(keys.wasDelivered('a')).toBe(false);
    keys.remember('b');
    keys.remember('c');
    keys.remember('d');
    expect([keys.wasDelivered('b'), keys.wasDelivered('c'), keys.wasDelivered('d')]).toEqual([false, true, true]);
  });
});
