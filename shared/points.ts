/**
 * Loyalty-points accounts as a shopper types them at the checkout: the rules for the account and
 * its PIN, and the account as a shopper's page shows it. public/points-rules.js is the browser's
 * copy of the rules (tests/unit/ui-points-rules.test.ts keeps both the same).
 */

export const POINTS_ACCOUNT_LENGTH_MAX = 40;

/** Letters, digits and dashes, such as PTS-0000-0001. */
const POINTS_ACCOUNT_PATTERN = /^[A-Za-z0-9-]+$/;
const POINTS_PIN_PATTERN = /^\d{4,12}$/;

/** Why an account is refused; each caller words it for its own audience. */
export type PointsAccountProblem = 'required' | 'too_long' | 'format';
export type PointsPinProblem = 'required' | 'format';

export function pointsAccountProblem(account: string): PointsAccountProblem | undefined {
  if (account === '') return 'required';
  if (account.length > POINTS_ACCOUNT_LENGTH_MAX) return 'too_long';
  return POINTS_ACCOUNT_PATTERN.test(account) ? undefined : 'format';
}

/** 4 to 12 digits. */
export function pointsPinProblem(pin: string): PointsPinProblem | undefined {
  if (pin === '') return 'required';
  return POINTS_PIN_PATTERN.test(pin) ? undefined : 'format';
}

/** Characters of the account kept at its end, as a card keeps its last four digits. */
const SHOWN_TAIL_LENGTH = 4;

/**
 * "PTS-…0001" for PTS-0000-0001: the part before the first dash (the programme's prefix) and the
 * last four characters, so a shopper recognises the account while a page, a screenshot or a
 * shared screen does not give it away whole. Without a prefix, only "…" and the last four.
 */
export function maskedPointsAccount(accountId: string): string {
  const tail = accountId.slice(-SHOWN_TAIL_LENGTH);
  const dash = accountId.indexOf('-');
  // The prefix is shown only when something between it and the tail stays hidden.
  const prefix = dash > 0 && dash + 1 < accountId.length - SHOWN_TAIL_LENGTH ? accountId.slice(0, dash + 1) : '';
  return `${prefix}…${tail}`;
}
