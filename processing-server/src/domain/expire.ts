/**
 * Expiry (SPEC §3): an authorization not settled within AUTH_TTL_HOURS is never sent for
 * settlement, and its hold is released at the card company. A settlement run marks the payments
 * expired with `resolution: reverse` in one statement (under its lease), and releases the holds
 * afterwards; whatever it cannot release (the card company unreachable, a crash, more than one
 * run takes on) stays marked, and the recovery worker releases it later. Nothing is lost.
 */
import type { Logger } from '../../../shared/logger.ts';
import type { NetworkClient } from '../network-client.ts';
import type { ExpiredAuthorization, SettlementRepository } from '../storage/settlement-repository.ts';

/**
 * What one run releases itself, at most: so many holds, for so long (the run's answer waits for
 * it). The recovery worker takes the rest, 200 a pass.
 */
export const EXPIRY_RELEASES_MAX = 1000;
export const EXPIRY_RELEASE_BUDGET_MS = 2_000;

export interface ExpiryDeps {
  settlements: SettlementRepository;
  network: NetworkClient;
  logger: Logger;
  settings: { authTtlHours: number };
  lifecycle?: { signal: AbortSignal } | undefined;
}

/** The instant before which an unsettled authorization has expired. */
export function expiryCutoff(deps: Pick<ExpiryDeps, 'settings'>, now: Date): string {
  return new Date(now.getTime() - deps.settings.authTtlHours * 3_600_000).toISOString();
}

/** Marks every expired authorization (each still to be released) and returns them. */
export async function expireAuthorizations(deps: ExpiryDeps, now: Date): Promise<ExpiredAuthorization[]> {
  const expired = await deps.settlements.expireAuthorizations(expiryCutoff(deps, now), now.toISOString());
  if (expired.length > 0) deps.logger.info({ expired: expired.length }, 'expired authorizations older than AUTH_TTL_HOURS');
  return expired;
}

/**
 * Reverses the holds of expired payments, one at a time, and clears the mark of each one
 * released. Stops at the first failure (the card company is most likely unreachable; the
 * recovery worker retries), at shutdown, or past its bounds. Never throws: what is left is marked.
 */
export async function releaseExpiredHolds(deps: ExpiryDeps, expired: ExpiredAuthorization[], requestId?: string): Promise<number> {
  let released = 0;
  const startedMs = performance.now();
  try {
    for (const authorization of expired.slice(0, EXPIRY_RELEASES_MAX)) {
      if (deps.lifecycle?.signal.aborted || performance.now() - startedMs > EXPIRY_RELEASE_BUDGET_MS) break;
      if (authorization.authorizationId) {
        await deps.network.reverse(authorization.authorizationId, { reason: 'expiry' }, { requestId });
      }
      await deps.settlements.holdReleased(authorization.paymentId);
      released += 1;
    }
  } catch (error) {
    deps.logger.warn({ err: error, released, left: expired.length - released }, 'expired holds not all released; the recovery worker releases the rest');
  }
  if (released > 0) deps.logger.info({ released, left: expired.length - released }, 'released the holds of expired authorizations');
  return released;
}
