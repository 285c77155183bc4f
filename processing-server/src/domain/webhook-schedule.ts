/**
 * When a webhook delivery that failed is tried again (SPEC §14): the first retry within 30 s,
 * then delays that double up to two hours, each jittered so that the retries of many events to
 * one endpoint spread out; after 24 hours of retries the delivery is abandoned.
 */
import assert from 'node:assert/strict';

/** The delay after the first failure: a random time from half of it to all of it (7.5 s to 15 s). */
export const FIRST_RETRY_DELAY_MS = 15_000;
export const RETRY_DELAY_MAX_MS = 2 * 3_600_000;
/** A delivery is retried for at least this long after its first attempt. */
export const RETRY_WINDOW_MS = 24 * 3_600_000;
/**
 * A bound on attempts, above what the window needs (with every delay at its shortest, 24 hours
 * take about 33 attempts): the window decides, this only keeps the loop finite.
 */
export const ATTEMPTS_MAX = 50;

/** The delay after `failedAttempts` failures: doubling from FIRST_RETRY_DELAY_MS, capped, then jittered down by up to half. */
export function retryDelayMs(failedAttempts: number, random: () => number): number {
  assert.ok(Number.isSafeInteger(failedAttempts) && failedAttempts >= 1, 'a retry follows at least one failed attempt');
  const nominal = Math.min(FIRST_RETRY_DELAY_MS * 2 ** Math.min(failedAttempts - 1, 30), RETRY_DELAY_MAX_MS);
  return Math.round(nominal / 2 + (random() * nominal) / 2);
}

export type AfterFailure = { status: 'failed'; nextAttemptAt: string } | { status: 'abandoned' };

/** What a failed attempt leads to: another attempt later, or, once the window is over, none. */
export function afterFailure(options: { attempt: number; firstAttemptAt: string; at: Date; random: () => number }): AfterFailure {
  const elapsedMs = options.at.getTime() - Date.parse(options.firstAttemptAt);
  if (elapsedMs >= RETRY_WINDOW_MS || options.attempt >= ATTEMPTS_MAX) return { status: 'abandoned' };
  return { status: 'failed', nextAttemptAt: new Date(options.at.getTime() + retryDelayMs(options.attempt, options.random)).toISOString() };
}
