// The browser's copy of the points rules in shared/points.ts (the account a shopper types and its
// PIN), kept small and free of imports so a unit test (tests/unit/ui-points-rules.test.ts) can
// check that both always agree. The server checks everything again. Each check answers a
// problem code; the words for it come from /checkout-messages.js, the server's own.

export const POINTS_ACCOUNT_LENGTH_MAX = 40;

const POINTS_ACCOUNT_PATTERN = /^[A-Za-z0-9-]+$/;
const POINTS_PIN_PATTERN = /^\d{4,12}$/;

/** 'required', 'too_long' (over 40 characters), 'format' (letters, digits and dashes only), or undefined. */
export function pointsAccountProblem(account) {
  if (account === '') return 'required';
  if (account.length > POINTS_ACCOUNT_LENGTH_MAX) return 'too_long';
  return POINTS_ACCOUNT_PATTERN.test(account) ? undefined : 'format';
}

/** 'required', 'format' (4 to 12 digits), or undefined. */
export function pointsPinProblem(pin) {
  if (pin === '') return 'required';
  return POINTS_PIN_PATTERN.test(pin) ? undefined : 'format';
}
