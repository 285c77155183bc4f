/** When a failed webhook delivery is tried again, and when it is given up. */
import {
  ATTEMPTS_MAX, FIRST_RETRY_DELAY_MS, RETRY_DELAY_MAX_MS, RETRY_WINDOW_MS, afterFailure, retryDelayMs,
} from '../../processing-server/src/domain/webhook-schedule.ts';

const FIRST = new Date('2026-02-01T00:00:00.000Z');

describe('the webhook retry schedule', () => {
  test('when the first attempt fails, then the retry comes within 30 s (7.5 s to 15 s), and later delays double up to two hours', () => {
    expect([retryDelayMs(1, () => 0), retryDelayMs(1, () => 1)]).toEqual([FIRST_RETRY_DELAY_MS / 2, FIRST_RETRY_DELAY_MS]);
    expect(retryDelayMs(1, () => 1)).toBeLessThanOrEqual(30_000);
    expect([2, 3, 4].map((failed) => retryDelayMs(failed, () => 1))).toEqual([30_000, 60_000, 120_000]);
    expect(retryDelayMs(12, () => 1)).toBe(RETRY_DELAY_MAX_MS);
    expect(retryDelayMs(1_000, () => 0.5)).toBe(RETRY_DELAY_MAX_MS * 0.75);
  });

  test.each([['shortest', () => 0], ['longest', () => 1], ['in between', () => 0.37]])('when every delay is the %s, then the attempts go on for at least 24 hours and then stop', (_case, random) => {
    let at = FIRST;
    let attempts = 0;
    for (let attempt = 1; attempt <= ATTEMPTS_MAX; attempt += 1) {
      attempts = attempt;
      const next = afterFailure({ attempt, firstAttemptAt: FIRST.toISOString(), at, random });
      if (next.status === 'abandoned') break;
      at = new Date(next.nextAttemptAt);
    }

    expect(at.getTime() - FIRST.getTime()).toBeGreaterThanOrEqual(RETRY_WINDOW_MS);
    expect(attempts).toBeLessThan(ATTEMPTS_MAX);
  });

  test('when a retry fails 24 hours after the first attempt, or after the most attempts, then the delivery is abandoned', () => {
    const justBefore = new Date(FIRST.getTime() + RETRY_WINDOW_MS - 1);
    const atTheEnd = new Date(FIRST.getTime() + RETRY_WINDOW_MS);

    expect(afterFailure({ attempt: 20, firstAttemptAt: FIRST.toISOString(), at: justBefore, random: () => 1 }).status).toBe('failed');
    expect(afterFailure({ attempt: 20, firstAttemptAt: FIRST.toISOString(), at: atTheEnd, random: () => 1 })).toEqual({ status: 'abandoned' });
    expect(afterFailure({ attempt: ATTEMPTS_MAX, firstAttemptAt: FIRST.toISOString(), at: FIRST, random: () => 1 })).toEqual({ status: 'abandoned' });
  });
});
