// The browser's copy of the card rules in shared/cards.ts (Luhn, brand, CVV length, the problems
// of a number, expiry, security code and holder name), kept in one small file so a unit test
// (tests/unit/ui-card-rules.test.ts) can check that both always agree. The server checks
// everything again: these rules only make mistakes visible while typing. Each check answers a
// problem code; the words for it come from /checkout-messages.js, the server's own.

/** Luhn check digit over a string of digits. */
export function luhnValid(digits) {
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

function prefixBetween(digits, length, low, high) {
  if (digits.length < length) return false;
  const prefix = Number(digits.slice(0, length));
  return prefix >= low && prefix <= high;
}

/** Brand from the leading digits: visa, mastercard, amex, discover, jcb, diners, unionpay or unknown. */
export function detectBrand(digits) {
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

/** American Express has a 4-digit security code; every other brand 3. */
export function cvvLength(brand) {
  return brand === 'amex' ? 4 : 3;
}

export const BRAND_NAMES = {
  visa: 'Visa', mastercard: 'Mastercard', amex: 'American Express', discover: 'Discover',
  jcb: 'JCB', diners: 'Diners Club', unionpay: 'UnionPay', unknown: '',
};

export const CARD_NUMBER_LENGTH_MIN = 12;
export const CARD_NUMBER_LENGTH_MAX = 19;

/** Digits only, as the server normalizes (spaces and dashes removed). */
export function normalizeCardNumber(text) {
  return text.replace(/[\s-]/g, '');
}

/** The longest card number a brand issues: Amex 15, every other brand up to 19. */
export function cardNumberLengthMax(brand) {
  if (brand === 'amex') return 15;
  return CARD_NUMBER_LENGTH_MAX;
}

/** Groups for display: Amex 4-6-5, everything else groups of four. */
export function formatCardNumber(digits) {
  if (detectBrand(digits) === 'amex') {
    return [digits.slice(0, 4), digits.slice(4, 10), digits.slice(10, 15)].filter((part) => part !== '').join(' ');
  }
  return (digits.match(/\d{1,4}/g) ?? []).join(' ');
}

/** 'required', 'not_digits', 'length' (12 to 19 digits), 'luhn', or undefined when acceptable. */
export function cardNumberProblem(number) {
  const digits = normalizeCardNumber(number);
  if (digits === '') return 'required';
  if (!/^\d+$/.test(digits)) return 'not_digits';
  if (digits.length < CARD_NUMBER_LENGTH_MIN || digits.length > CARD_NUMBER_LENGTH_MAX) return 'length';
  if (!luhnValid(digits)) return 'luhn';
  return undefined;
}

/** 'required', 'length' (3 digits, 4 for American Express), or undefined. */
export function cvvProblem(cvv, brand) {
  if (cvv === '') return 'required';
  return new RegExp(`^\\d{${cvvLength(brand)}}$`).test(cvv) ? undefined : 'length';
}

/** A card is valid through the last moment of its expiry month (UTC). */
function expiryValid(expMonth, expYear, now) {
  const currentYear = now.getUTCFullYear();
  const currentMonth = now.getUTCMonth() + 1;
  return expYear > currentYear || (expYear === currentYear && expMonth >= currentMonth);
}

/** The expiry as typed ("MM/YY" or "MM/YYYY"): 'required', 'format', 'month', 'expired', or undefined. */
export function expiryTextProblem(text, now) {
  if (text.trim() === '') return 'required';
  const match = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(text);
  if (!match) return 'format';
  const expMonth = Number(match[1]);
  if (expMonth < 1 || expMonth > 12) return 'month';
  const year = Number(match[2]);
  return expiryValid(expMonth, match[2].length === 2 ? 2000 + year : year, now) ? undefined : 'expired';
}

export const HOLDER_NAME_LENGTH_MAX = 100;
// Controls, invisible formatting (bidi overrides and isolates, zero-width spaces, …), separators,
// lone surrogates and blank-looking letters; the zero-width (non-)joiners stay allowed.
const HOLDER_NAME_FORBIDDEN = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}\u115f\u1160\u3164\uffa0\u2800]|(?![\u200c\u200d])\p{Cf}/u;
const HOLDER_NAME_VISIBLE = /[^\s\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\u115f\u1160\u3164\uffa0\u2800]/u;

/** 'required' (nothing visible), 'hidden_characters', 'too_long', or undefined. */
export function holderNameProblem(name) {
  if (!HOLDER_NAME_VISIBLE.test(name)) return 'required';
  if (HOLDER_NAME_FORBIDDEN.test(name)) return 'hidden_characters';
  if (name.trim().length > HOLDER_NAME_LENGTH_MAX) return 'too_long';
  return undefined;
}
