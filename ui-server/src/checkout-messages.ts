/**
 * Every sentence the checkout says about what the shopper typed, in one place. The UI server
 * words its own checks with them (a form posted without JavaScript comes back with these exact
 * words beside its fields, and JSON clients get them too), and serves the same table to the page
 * as /checkout-messages.js, so the inline validation cannot drift into other words.
 *
 * `{name}` marks a value filled in when the message is used (a currency code, a digit count).
 * Each message fits on the one line the page keeps free under its field, even on a 375 px wide
 * phone (tests/browser/checkout-form.test.ts measures them): keep new ones as short.
 */
import type { AmountProblem } from '../../shared/money.ts';
import type { CardNumberProblem, CvvProblem, ExpiryTextProblem, HolderNameProblem } from '../../shared/cards.ts';
import type { PointsAccountProblem, PointsPinProblem } from '../../shared/points.ts';

export const CHECKOUT_MESSAGES = {
  amount: {
    required: 'Enter the amount.',
    format: 'Enter the amount as a number, like 12.34.',
    no_minor_unit: '{currency} takes whole numbers only.',
    too_many_decimals: '{currency} allows at most {decimals} decimal places.',
    zero: 'The amount must be greater than zero.',
    too_large: 'The amount is too large.',
  } satisfies Record<AmountProblem | 'required', string>,
  currency: {
    required: 'Choose a currency.',
    unknown: 'Choose a listed currency.',
    // Points are worth minor units of one currency (POINTS_CURRENCY) and pay for nothing else.
    points_only: 'Points pay in {currency} only.',
    // The processing server refused the currency for points (its points currency is another).
    points_refused: 'Points cannot pay in {currency}.',
  },
  paymentMethod: {
    unknown: 'Choose a card, a saved card or points.',
  },
  savedCardId: {
    required: 'Choose one of your saved cards.',
    unavailable: 'This saved card is no longer available.',
  },
  saveCard: {
    format: 'Tick the box to save the card, or leave it.',
  },
  cardholderName: {
    required: 'Enter the name as it appears on the card.',
    hidden_characters: 'The name has hidden characters.',
    too_long: 'Use at most 100 characters for the name.',
  } satisfies Record<HolderNameProblem, string>,
  cardNumber: {
    required: 'Enter the card number.',
    not_digits: 'Use only digits in the card number.',
    length: 'The card number is too short or too long.',
    luhn: 'Check the card number: it is not valid.',
  } satisfies Record<CardNumberProblem, string>,
  expiry: {
    required: 'Enter the expiry date.',
    format: 'Enter the expiry date as MM/YY.',
    month: 'The month must be 01 to 12.',
    expired: 'This card has expired.',
  } satisfies Record<ExpiryTextProblem, string>,
  cvv: {
    required: 'Enter the security code.',
    length: 'The security code is {length} digits.',
  } satisfies Record<CvvProblem, string>,
  pointsAccount: {
    required: 'Enter the points account number.',
    too_long: 'Use at most 40 characters.',
    format: 'Use only letters, digits and dashes.',
  } satisfies Record<PointsAccountProblem, string>,
  pointsPin: {
    required: 'Enter the PIN.',
    format: 'The PIN is 4 to 12 digits.',
  } satisfies Record<PointsPinProblem, string>,
  idempotencyKey: {
    required: 'This checkout is missing its payment key. Please reload the page.',
    format: 'This checkout\'s payment key is not valid. Please reload the page.',
  },
  form: {
    correct_one: 'Please correct 1 field before paying.',
    correct_many: 'Please correct {count} fields before paying.',
    not_text: 'Send this field as text.',
    processing: 'Processing your payment. Please wait and do not close this page.',
  },
} as const;

export type MessageGroup = keyof typeof CHECKOUT_MESSAGES;
export type MessageName<Group extends MessageGroup> = keyof (typeof CHECKOUT_MESSAGES)[Group] & string;

/**
 * The message with its `{name}` places filled; a place without a value stays as written. An
 * unknown name is a programming error (a problem without words), so it throws.
 */
export function checkoutMessage<Group extends MessageGroup>(group: Group, name: MessageName<Group>, values: Record<string, string | number> = {}): string {
  const messages: Record<string, string> = CHECKOUT_MESSAGES[group];
  const template = Object.hasOwn(messages, name) ? messages[name] : undefined;
  if (template === undefined) throw new RangeError(`no checkout message ${group}.${name}`);
  return template.replace(/\{(\w+)\}/g, (place, key: string) => (Object.hasOwn(values, key) ? String(values[key]) : place));
}

/** "Please correct 2 fields before paying." */
export function correctFieldsMessage(count: number): string {
  return count === 1 ? checkoutMessage('form', 'correct_one') : checkoutMessage('form', 'correct_many', { count });
}

/**
 * The table as an ES module for the page. JSON is valid JavaScript, so the messages go over
 * exactly as they are here; the page fills the `{name}` places the same way.
 */
export function checkoutMessagesModule(): string {
  return `// The checkout's messages, written by the UI server from its own table (one source for the
// server's checks and this page's inline validation). Places such as {currency} are filled in.
export const MESSAGES = ${JSON.stringify(CHECKOUT_MESSAGES, null, 2)};
`;
}
