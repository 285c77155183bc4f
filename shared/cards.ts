/**
 * Card rules shared by the UI server and the processing server: normalization,
 * Luhn, brand detection, expiry, CVV length and masking. Pure functions, no I/O.
 */

export type CardBrand = 'visa' | 'mastercard' | 'amex' | 'discover' | 'jcb' | 'diners' | 'unionpay' | 'unknown';

export const BRAND_NAMES: Record<CardBrand, string> = {
  visa: 'Visa', mastercard: 'Mastercard', amex: 'American Express', discover: 'Discover',
  jcb: 'JCB', diners: 'Diners Club', unionpay: 'UnionPay', unknown: 'Card',
};

export const CARD_NUMBER_LENGTH_MIN = 12;
export const CARD_NUMBER_LENGTH_MAX = 19;

/** Removes the spaces and dashes people type; anything else is left for validation to refuse. */
export function normalizeCardNumber(input: string): string {
  return input.replace(/[\s-]/g, '');
}

export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let index = 0; index < digits.length; index += 1) {
    let digit = digits.charCodeAt(digits.length - 1 - index) - 48;
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

function prefixBetween(digits: string, length: number, low: number, high: number): boolean {
  if (digits.length < length) return false;
  const prefix = Number(digits.slice(0, length));
  return prefix >= low && prefix <= high;
}

/** Brand from the issuer identification number (the leading digits). */
export function detectBrand(digits: string): CardBrand {
  if (/^3[47]/.test(digits)) return 'amex';
  if (/^4/.test(digits)) return 'visa';
  if (prefixBetween(digits, 2, 51, 55) || prefixBetween(digits, 4, 2221, 2720)) return 'mastercard';
  if (/^(6011|65)/.test(digits) || prefixBetween(digits, 3, 644, 649) || prefixBetween(digits, 6, 622126, 622925)) {
    return 'discover';
  }
  if (prefixBetween(digits, 4, 3528, 3589)) return 'jcb';
  if (/^3(0[0-5]|[68])/.test(digits)) return 'diners';
  if (/^62/.test(digits)) return 'unionpay';
  return 'unknown';
}

export function cvvLength(brand: CardBrand): 3 | 4 {
  return brand === 'amex' ? 4 : 3;
}

/** A card is valid through the last moment of its expiry month (UTC). */
export function expiryValid(expMonth: number, expYear: number, now: Date): boolean {
  if (!Number.isInteger(expMonth) || expMonth < 1 || expMonth > 12) return false;
  const currentYear = now.getUTCFullYear();
  const currentMonth = now.getUTCMonth() + 1;
  return expYear > currentYear || (expYear === currentYear && expMonth >= currentMonth);
}

/** "MM/YY" or "MM/YYYY" (spaces allowed) → month and four-digit year, or null. */
export function parseExpiry(text: string): { expMonth: number; expYear: number } | null {
  const match = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(text);
  if (!match) return null;
  const expMonth = Number(match[1]);
  const year = Number(match[2]);
  if (expMonth < 1 || expMonth > 12) return null;
  return { expMonth, expYear: (match[2] ?? '').length === 2 ? 2000 + year : year };
}

export function last4(digits: string): string {
  return digits.slice(-4);
}

/** The most of a number ever shown: brand name and last four digits. */
export function maskedLabel(brand: CardBrand, lastFour: string): string {
  return `${BRAND_NAMES[brand]} •••• ${lastFour}`;
}

export interface CardInput {
  number: string;
  expMonth: number;
  expYear: number;
  cvv: string;
  holderName?: string;
}

export interface FieldProblem {
  field: string;
  message: string;
}

/** Why a card number is refused; each caller words it for its own audience. */
export type CardNumberProblem = 'required' | 'not_digits' | 'length' | 'luhn';

export function cardNumberProblem(number: string): CardNumberProblem | undefined {
  const digits = normalizeCardNumber(number);
  if (digits === '') return 'required';
  if (!/^\d+$/.test(digits)) return 'not_digits';
  if (digits.length < CARD_NUMBER_LENGTH_MIN || digits.length > CARD_NUMBER_LENGTH_MAX) return 'length';
  if (!luhnValid(digits)) return 'luhn';
  return undefined;
}

export type CvvProblem = 'required' | 'length';

export function cvvProblem(cvv: string, brand: CardBrand): CvvProblem | undefined {
  if (cvv === '') return 'required';
  return new RegExp(`^\\d{${cvvLength(brand)}}$`).test(cvv) ? undefined : 'length';
}

export type ExpiryTextProblem = 'required' | 'format' | 'month' | 'expired';

/** The expiry as a shopper types it ("MM/YY" or "MM/YYYY"). */
export function expiryTextProblem(text: string, now: Date): ExpiryTextProblem | undefined {
  if (text.trim() === '') return 'required';
  const match = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(text);
  if (!match) return 'format';
  const expMonth = Number(match[1]);
  if (expMonth < 1 || expMonth > 12) return 'month';
  const year = Number(match[2]);
  return expiryValid(expMonth, (match[2] ?? '').length === 2 ? 2000 + year : year, now) ? undefined : 'expired';
}

export const HOLDER_NAME_LENGTH_MAX = 100;

/**
 * Characters a cardholder name never holds. Controls (C0, DEL, C1: NUL, tab, newline, escape…)
 * break logs, receipts and the card company's records. Invisible formatting characters (Unicode
 * Cf: bidi embeddings, overrides, isolates and marks, zero-width spaces, word joiners, the byte
 * order mark, tag characters), line and paragraph separators and lone surrogates can hide or
 * reorder what a merchant reads in the back office ("Ada\u202Eecila" is not what it shows).
 * Letters that render as nothing (Hangul fillers, the blank braille pattern) hide text the same
 * way. The zero-width non-joiner and joiner are allowed: Persian and Indic names need them.
 */
const HOLDER_NAME_FORBIDDEN = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}\u115f\u1160\u3164\uffa0\u2800]|(?![\u200c\u200d])\p{Cf}/u;
/** A character that shows: not space, not a control, not invisible formatting, not blank. */
const HOLDER_NAME_VISIBLE = /[^\s\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\u115f\u1160\u3164\uffa0\u2800]/u;

export type HolderNameProblem = 'required' | 'hidden_characters' | 'too_long';

/** A name made only of spaces and invisible characters is not there at all ("required"). */
export function holderNameProblem(name: string): HolderNameProblem | undefined {
  if (!HOLDER_NAME_VISIBLE.test(name)) return 'required';
  if (HOLDER_NAME_FORBIDDEN.test(name)) return 'hidden_characters';
  if (name.trim().length > HOLDER_NAME_LENGTH_MAX) return 'too_long';
  return undefined;
}

/** The processing API's words for each problem (the checkout has its own, for shoppers). */
const API_MESSAGES = {
  number: {
    required: 'is required',
    not_digits: 'must contain only digits, spaces or dashes',
    length: `must have ${CARD_NUMBER_LENGTH_MIN} to ${CARD_NUMBER_LENGTH_MAX} digits`,
    luhn: 'is not a valid card number (check digit mismatch)',
  } satisfies Record<CardNumberProblem, string>,
  holderName: {
    required: 'is required',
    hidden_characters: 'must not contain control characters or invisible formatting characters',
    too_long: 'is too long',
  } satisfies Record<HolderNameProblem, string>,
};

export function holderNameApiMessage(problem: HolderNameProblem): string {
  return API_MESSAGES.holderName[problem];
}

/**
 * Every card check that can be made before anything leaves the merchant.
 * Field names are the processing API's (`card.number`, …); callers may rename them.
 */
export function checkCard(card: CardInput, now: Date, options: { requireHolderName: boolean }): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const brand = detectBrand(normalizeCardNumber(card.number));
  const numberProblem = cardNumberProblem(card.number);
  if (numberProblem) problems.push({ field: 'card.number', message: API_MESSAGES.number[numberProblem] });
  if (!Number.isInteger(card.expMonth) || card.expMonth < 1 || card.expMonth > 12) {
    problems.push({ field: 'card.expMonth', message: 'must be a month from 1 to 12' });
  } else if (!expiryValid(card.expMonth, card.expYear, now)) {
    problems.push({ field: 'card.expYear', message: 'the card has expired' });
  }
  if (cvvProblem(card.cvv, brand)) {
    problems.push({ field: 'card.cvv', message: `must be ${cvvLength(brand)} digits` });
  }
  const nameProblem = options.requireHolderName ? holderNameProblem(card.holderName ?? '') : undefined;
  if (nameProblem) problems.push({ field: 'card.holderName', message: API_MESSAGES.holderName[nameProblem] });
  return problems;
}
