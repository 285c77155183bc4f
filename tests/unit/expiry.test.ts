/** Releasing the holds of expired payments: bounded, stopping at the first failure, never throwing. */
import { EXPIRY_RELEASES_MAX, releaseExpiredHolds, type ExpiryDeps } from '../../processing-server/src/domain/expiry.ts';
import type { ExpiredAuthorization, Store } from '../../processing-server/src/domain/ports/store.ts';
import type { PaymentProvider, ReverseCommand, ReverseOutcome } from '../../processing-server/src/domain/ports/provider.ts';
import { captureLogs } from '../helpers/log-capture.ts';

function depsWith(reverse: (command: ReverseCommand) => Promise<ReverseOutcome>): { deps: ExpiryDeps; cleared: string[]; reversed: string[] } {
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
    providers: {
      card: {
        reverse: async (command: ReverseCommand) => {
          const outcome = await reverse(command);
          reversed.push(command.authorizationId);
          return outcome;
        },
      } as unknown as PaymentProvider,
      points: {} as PaymentProvider,
      saved_card: {} as PaymentProvider,
    },
    logger: captureLogs('processing-server').logger,
    settings: { authTtlHours: 168 },
  };
  return { deps, cleared, reversed };
}

const expiredPayments = (count: number): ExpiredAuthorization[] => Array.from({ length: count }, (_unused, index) => ({
  paymentId: `pay_${index}`, paymentMethod: 'card', authorizationId: `auth_${index}`,
}));
const RELEASED: ReverseOutcome = { kind: 'released', heldMinor: 0 };

describe('releasing expired holds', () => {
  test('when every reversal goes through, then each is sent with reason expiry and its mark cleared, up to the bound', async () => {
    const commands: ReverseCommand[] = [];
    const { deps, cleared, reversed } = depsWith(async (command) => {
      commands.push(command);
      return RELEASED;
    });

    const released = await releaseExpiredHolds(deps, expiredPayments(EXPIRY_RELEASES_MAX + 5));

    expect(released).toBe(EXPIRY_RELEASES_MAX);
    expect(reversed).toHaveLength(EXPIRY_RELEASES_MAX);
    expect(cleared).toEqual(reversed.map((id) => id.replace('auth_', 'pay_')));
    expect(commands[0]).toEqual({ authorizationId: 'auth_0', reason: 'expiry' });
  });

  test('when a reversal fails, then it stops there, leaves the rest marked, and does not throw', async () => {
    let calls = 0;
    const { deps, cleared } = depsWith(async () => {
      calls += 1;
      return calls === 2 ? { kind: 'not_released', error: 'the card company is unreachable' } : RELEASED;
    });

    const count = await releaseExpiredHolds(deps, expiredPayments(5));

    expect(count).toBe(1);
    expect(calls).toBe(2);
    expect(cleared).toEqual(['pay_0']);
  });

  test('when the store fails to clear a mark, then it stops there and does not throw', async () => {
    const { deps, reversed } = depsWith(async () => RELEASED);
    deps.store.payments.holdReleased = async () => { throw new Error('database is locked'); };

    expect(await releaseExpiredHolds(deps, expiredPayments(3))).toBe(0);
    expect(reversed).toEqual(['auth_0']);
  });

  test('when a payment has no authorization at the card company, then its mark is cleared without a call', async () => {
    const { deps, cleared, reversed } = depsWith(async () => RELEASED);

    expect(await releaseExpiredHolds(deps, [{ paymentId: 'pay_x', paymentMethod: 'card', authorizationId: null }])).toBe(1);
    expect(reversed).toEqual([]);
    expect(cleared).toEqual(['pay_x']);
  });

  test('when the process is shutting down, then nothing more is released', async () => {
    const stopping = new AbortController();
    stopping.abort();
    const { deps, reversed } = depsWith(async () => RELEASED);

    expect(await releaseExpiredHolds({ ...deps, lifecycle: { signal: stopping.signal } }, expiredPayments(3))).toBe(0);
    expect(reversed).toEqual([]);
  });
});
