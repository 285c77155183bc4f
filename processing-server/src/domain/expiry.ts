/**
 * Expiry (SPEC §3): an authorization not settled within AUTH_TTL_HOURS is never sent for
 * settlement, and its hold is released at the card company (or points provider). A settlement run marks the payments
 * expired with `resolution: reverse` in one set-based change (under its lease), and releases the
 * holds afterwards; whatever it cannot release (the provider unreachable, a crash, more than
 * one run takes on) stays marked, and the recovery worker releases it later. Nothing is lost.
 */
import type { DomainDeps } from './deps.ts';
import { checkedChange, type StatusChange } from './lifecycle.ts';
import type { ExpiredAuthorization } from './ports/store.ts';
import { providerOf } from './providers.ts';

/** Which payments expire, and into what: never batched, authorized or captured. */
export const EXPIRY: StatusChange = checkedChange({ from: ['authorized', 'captured'], to: 'expired' });

/**
 * What one run releases itself, at most: so many holds, for so long (the run's answer waits for
 * it). The recovery worker takes the rest, 200 a pass.
 */
export const EXPIRY_RELEASES_MAX = 1000;
export const EXPIRY_RELEASE_BUDGET_MS = 2_000;

export type ExpiryDeps = Pick<DomainDeps, 'store' | 'providers' | 'logger' | 'cause'> & {
  settings: Pick<DomainDeps['settings'], 'authTtlHours'>;
  lifecycle?: { signal: AbortSignal } | undefined;
};

/** The instant before which an unsettled authorization has expired. */
export function expiryCutoff(authTtlHours: number, now: Date): string {
  return new Date(now.getTime() - authTtlHours * 3_600_000).toISOString();
}

/** Marks every expired authorization (each still to be released) and returns them. */
export async function expireAuthorizations(deps: ExpiryDeps, now: Date): Promise<ExpiredAuthorization[]> {
  const expired = await deps.store.payments.expireUnbatched({
    change: EXPIRY, createdBefore: expiryCutoff(deps.settings.authTtlHours, now), now: now.toISOString(), cause: deps.cause,
  });
  if (expired.length > 0) deps.logger.info({ expired: expired.length }, 'expired authorizations older than AUTH_TTL_HOURS');
  return expired;
}

/**
 * Reverses the holds of expired payments, one at a time, and clears the mark of each one
 * released. Stops at the first failure (the provider is most likely unreachable; the
 * recovery worker retries), at shutdown, or past its bounds. Never throws: what is left is marked.
 */
export async function releaseExpiredHolds(deps: ExpiryDeps, expired: ExpiredAuthorization[], requestId?: string): Promise<number> {
  let released = 0;
  let failure: unknown = null;
  const startedMs = performance.now();
  try {
    for (const authorization of expired.slice(0, EXPIRY_RELEASES_MAX)) {
      if (deps.lifecycle?.signal.aborted || performance.now() - startedMs > EXPIRY_RELEASE_BUDGET_MS) break;
      if (authorization.authorizationId) {
        const reversal = await providerOf(deps, authorization).reverse({ authorizationId: authorization.authorizationId, reason: 'expiry' }, { requestId });
        if (reversal.kind !== 'released') {
          failure = reversal.error;
          break;
        }
      }
      await deps.store.payments.holdReleased({ id: authorization.paymentId, status: EXPIRY.to });
      released += 1;
    }
  } catch (error) {
    failure = error;
  }
  if (failure !== null) {
    deps.logger.warn({ err: failure, released, left: expired.length - released }, 'expired holds not all released; the recovery worker releases the rest');
  }
  if (released > 0) deps.logger.info({ released, left: expired.length - released }, 'released the holds of expired authorizations');
  return released;
}
