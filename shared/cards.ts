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

/**
 * Every check of SPEC §2 that can be made before anything leaves the merchant.
 * Field names are the processing API's (`card.number`, …); callers may rename them.
 */
export function checkCard(card: CardInput, now: Date, options: { requireHolderName: boolean }): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const digits = normalizeCardNumber(card.number);
  const brand = detectBrand(digits);
  if (!/^\d+$/.test(digits)) {
    problems.push({ field: 'card.number', message: 'must contain only digits, spaces or dashes' });
  } else if (digits.length < CARD_NUMBER_LENGTH_MIN || digits.length > CARD_NUMBER_LENGTH_MAX) {
    problems.push({ field: 'card.number', message: `must have ${CARD_NUMBER_LENGTH_MIN} to ${CARD_NUMBER_LENGTH_MAX} digits` });
  } else if (!luhnValid(digits)) {
    problems.push({ field: 'card.number', message: 'is not a valid card number (check digit mismatch)' });
  }
  if (!Number.isInteger(card.expMonth) || card.expMonth < 1 || card.expMonth > 12) {
    problems.push({ field: 'card.expMonth', message: 'must be a month from 1 to 12' });
  } else if (!expiryValid(card.expMonth, card.expYear, now)) {
    problems.push({ field: 'card.expYear', message: 'the card has expired' });
  }
  const expectedCvvLength = cvvLength(brand);
  if (!new RegExp(`^\\d{${expectedCvvLength}}$`).test(card.cvv)) {
    problems.push({ field: 'card.cvv', message: `must be ${expectedCvvLength} digits` });
  }
  if (options.requireHolderName && !card.holderName?.trim()) {
    problems.push({ field: 'card.holderName', message: 'is required' });
  }
  return problems;
}
