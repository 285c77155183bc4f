/**
 * Money: integer minor units with an ISO 4217 currency. Decimal strings are parsed
 * digit by digit (never through a float), so "0.1" + "0.2" problems cannot happen.
 */

/** ISO 4217 minor-unit exponents of the currencies cardlane accepts. */
export const CURRENCY_EXPONENTS = {
  USD: 2, EUR: 2, GBP: 2, CAD: 2, AUD: 2, CHF: 2, NZD: 2, SEK: 2, NOK: 2, DKK: 2,
  PLN: 2, CZK: 2, SGD: 2, HKD: 2, MXN: 2, BRL: 2, INR: 2, ZAR: 2,
  JPY: 0, KRW: 0, ISK: 0, CLP: 0,
  KWD: 3, BHD: 3, OMR: 3, JOD: 3, TND: 3,
} as const satisfies Record<string, 0 | 2 | 3>;

export type Currency = keyof typeof CURRENCY_EXPONENTS;
export const CURRENCIES = Object.keys(CURRENCY_EXPONENTS) as Currency[];

/** The largest amount accepted anywhere: twelve digits, the width of ISO 8583 field 4. */
export const AMOUNT_MINOR_MAX = 999_999_999_999;

export function isCurrency(code: string): code is Currency {
  return Object.hasOwn(CURRENCY_EXPONENTS, code);
}

export function currencyExponent(currency: Currency): number {
  return CURRENCY_EXPONENTS[currency];
}

/** Why an amount is refused, for callers that word it themselves (the checkout speaks to shoppers). */
export type AmountProblem = 'format' | 'no_minor_unit' | 'too_many_decimals' | 'zero' | 'too_large';

export type ParseAmountResult =
  | { ok: true; amountMinor: number }
  | { ok: false; problem: AmountProblem; message: string };

const DECIMAL_PATTERN = /^(\d{1,15})(?:\.(\d{1,15}))?$/;

/**
 * Parses a shopper's decimal string ("12.34", "1000", "0.5") into minor units.
 * Rejects signs, exponents, separators, more decimals than the currency has, zero,
 * and amounts above AMOUNT_MINOR_MAX.
 */
export function parseDecimalAmount(text: string, currency: Currency): ParseAmountResult {
  const match = DECIMAL_PATTERN.exec(text.trim());
  if (!match) return { ok: false, problem: 'format', message: 'must be a decimal number such as 12.34' };
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  const exponent = currencyExponent(currency);
  if (fraction.length > exponent) {
    return exponent === 0
      ? { ok: false, problem: 'no_minor_unit', message: `${currency} has no minor unit; use a whole number` }
      : { ok: false, problem: 'too_many_decimals', message: `${currency} allows at most ${exponent} decimal places` };
  }
  const minor = BigInt(whole) * 10n ** BigInt(exponent) + BigInt(fraction.padEnd(exponent, '0') || '0');
  if (minor <= 0n) return { ok: false, problem: 'zero', message: 'must be greater than zero' };
  if (minor > BigInt(AMOUNT_MINOR_MAX)) return { ok: false, problem: 'too_large', message: 'is too large' };
  return { ok: true, amountMinor: Number(minor) };
}

/**
 * Converts a configured amount in major units ("1000.00") to minor units of a currency,
 * dropping decimals the currency does not have (a limit of 1000.00 is 1000 JPY).
 */
export function majorToMinor(text: string, currency: Currency): number {
  const match = DECIMAL_PATTERN.exec(text.trim());
  if (!match) throw new RangeError(`not a decimal amount: ${text}`);
  const exponent = currencyExponent(currency);
  const fraction = (match[2] ?? '').padEnd(exponent, '0').slice(0, exponent);
  return Number(BigInt(match[1] ?? '0') * 10n ** BigInt(exponent) + BigInt(fraction || '0'));
}

/** Formats minor units as a plain decimal string with the currency's decimals ("1234" USD → "12.34"). */
export function formatMinor(amountMinor: number, currency: Currency): string {
  const exponent = currencyExponent(currency);
  const negative = amountMinor < 0;
  const digits = Math.abs(amountMinor).toString().padStart(exponent + 1, '0');
  const whole = exponent === 0 ? digits : digits.slice(0, -exponent);
  const fraction = exponent === 0 ? '' : `.${digits.slice(-exponent)}`;
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

/** "12.34 USD": the form used in result pages and logs. */
export function formatMoney(amountMinor: number, currency: Currency): string {
  return `${formatMinor(amountMinor, currency)} ${currency}`;
}
