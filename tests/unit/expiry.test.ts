/** Releasing the holds of expired payments: bounded, stopping at the first failure, never throwing. */
import { EXPIRY_RELEASES_MAX, releaseExpiredHolds, type ExpiryDeps } from '../../processing-server/src/domain/expiry.ts';
import type { Store } from '../../processing-server/src/domain/ports/store.ts';
import type { NetworkClient } from '../../processing-server/src/network-client.ts';
import { captureLogs } from '../helpers/log-capture.ts';

function depsWith(reverse: NetworkClient['reverse']): { deps: ExpiryDeps; cleared: string[]; reversed: string[] } {
  const cleared: string[] = [];
  const reversed: string[] = [];
  const deps: ExpiryDeps = {
    store: {
      payments: {
        holdReleased: async ({ id, status }: { id: string; status: string }) => {
          expect(status).toBe('expired');
          cleared.push(id);
          return true;
        },
      },
    } as unknown as Store,
    network: {
      reverse: async (authorizationId, body, context) => {
        const record = await reverse(authorizationId, body, context);
        reversed.push(authorizationId);
        return record;
      },
    } as NetworkClient,
    logger: captureLogs('processing-server').logger,
    settings: { authTtlHours: 168 },
  };
  return { deps, cleared, reversed };
}

const expiredPayments = (count: number) => Array.from({ length: count }, (_unused, index) => ({ paymentId: `pay_${index}`, authorizationId: `auth_${index}` }));
const record = { status: 'reversed', heldAmount: 0 } as Awaited<ReturnType<NetworkClient['reverse']>>;

describe('releasing expired holds', () => {
  test('when every reversal goes through, then each is sent with reason expiry and its mark cleared, up to the bound', async () => {
    const bodies: unknown[] = [];
    const { deps, cleared, reversed } = depsWith(async (_id, body) => { bodies.push(body); return record; });

    const released = await releaseExpiredHolds(deps, expiredPayments(EXPIRY_RELEASES_MAX + 5));

    expect(released).toBe(EXPIRY_RELEASES_MAX);
    expect(reversed).toHaveLength(EXPIRY_RELEASES_MAX);
    expect(cleared).toEqual(reversed.map((id) => id.replace('auth_', 'pay_')));
    expect(bodies[0]).toEqual({ reason: 'expiry' });
  });

  test('when a reversal fails, then it stops there, leaves the rest marked, and does not throw', async () => {
    let calls = 0;
    const { deps, cleared } = depsWith(async () => {
      calls += 1;
      if (calls === 2) throw new Error('the card company is unreachable');
      return record;
    });

    const released = await releaseExpiredHolds(deps, expiredPayments(5));

    expect(released).toBe(1);
    expect(calls).toBe(2);
    expect(cleared).toEqual(['pay_0']);
  });

  test('when a payment has no authorization at the card company, then its mark is cleared without a call', async () => {
    const { deps, cleared, reversed } = depsWith(async () => record);

    expect(await releaseExpiredHolds(deps, [{ paymentId: 'pay_x', authorizationId: null }])).toBe(1);
    expect(reversed).toEqual([]);
    expect(cleared).toEqual(['pay_x']);
  });

  test('when the process is shutting down, then nothing more is released', async () => {
    const stopping = new AbortController();
    stopping.abort();
    const { deps, reversed } = depsWith(async () => record);

    expect(await releaseExpiredHolds({ ...deps, lifecycle: { signal: stopping.signal } }, expiredPayments(3))).toBe(0);
    expect(reversed).toEqual([]);
  });
});
