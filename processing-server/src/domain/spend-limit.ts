/**
 * The per-card spending limit (CARD_SPEND_LIMIT): per card, per currency, over a rolling 24 hours,
 * written in each currency's major units.
 *
 *   1000.00                  every currency: 1000.00 USD, 1000 JPY, 1000.000 KWD (the default)
 *   USD:1000.00,JPY:150000   USD and JPY as listed; every other currency 1000.00
 *   500.00,JPY:150000        JPY 150000; every other currency 500.00
 *
 * A number without a currency, first in the list, is the limit of every currency the list does
 * not name; without one, those currencies get 1000.00. (Only first: `USD:1,500` is a mistake for
 * 1500, not 1 USD and 500 for every other currency.) A listed currency's amount may have at most
 * the currency's decimals. A number for every currency may have up to three; a currency with
 * fewer drops the rest (999.99 is 999 JPY), so rounding never raises a limit.
 */
import { CURRENCIES, currencyExponent, isCurrency, majorToMinor, type Currency } from '../../../shared/money.ts';

export const DEFAULT_SPEND_LIMIT_MAJOR = '1000.00';

export interface SpendLimits {
  /** The currencies the setting names, with their limits in minor units. */
  byCurrency: ReadonlyMap<Currency, number>;
  /** The limit of every other currency, in major units. */
  otherwiseMajor: string;
}

export const DEFAULT_SPEND_LIMITS: SpendLimits = { byCurrency: new Map(), otherwiseMajor: DEFAULT_SPEND_LIMIT_MAJOR };

/** The inclusive limit of one currency, in its minor units. */
export function spendLimitMinor(limits: SpendLimits, currency: Currency): number {
  return limits.byCurrency.get(currency) ?? majorToMinor(limits.otherwiseMajor, currency);
}

export type ParsedSpendLimits = { ok: true; limits: SpendLimits } | { ok: false; problems: string[] };

/** Twelve digits of major units, as every amount; at most three decimals (KWD, BHD). */
const MAJOR_AMOUNT = /^(\d{1,12})(?:\.(\d{1,3}))?$/;
const ENTRIES_MAX = CURRENCIES.length + 1;

function decimalsOf(amount: string): number {
  return MAJOR_AMOUNT.exec(amount)?.[2]?.length ?? 0;
}

/** Reads the setting; every problem is one readable sentence naming the entry at fault. */
export function parseSpendLimits(text: string): ParsedSpendLimits {
  const entries = text.split(',').map((entry) => entry.trim()).filter((entry) => entry.length > 0);
  const problems: string[] = [];
  const byCurrency = new Map<Currency, number>();
  let otherwiseMajor = DEFAULT_SPEND_LIMIT_MAJOR;
  if (entries.length === 0) problems.push('lists no limit; write an amount such as 1000.00, or CUR:amount pairs such as USD:1000.00,JPY:150000');
  if (entries.length > ENTRIES_MAX) problems.push(`lists ${entries.length} entries; there are only ${CURRENCIES.length} currencies`);
  for (const [index, entry] of entries.slice(0, ENTRIES_MAX).entries()) {
    const separator = entry.indexOf(':');
    const code = separator < 0 ? null : entry.slice(0, separator).trim().toUpperCase();
    const amount = separator < 0 ? entry : entry.slice(separator + 1).trim();
    if (!MAJOR_AMOUNT.test(amount)) {
      problems.push(`"${entry}": ${JSON.stringify(amount)} is not an amount in major units such as 1000.00`);
    } else if (code === null && index > 0) {
      // "USD:1,500" must not quietly become 1 USD and 500 for every other currency.
      problems.push(`"${entry}": an amount without a currency goes first (and amounts have no thousands separators: 1500.00, not 1,500.00)`);
    } else if (code === null) {
      otherwiseMajor = amount;
    } else if (!isCurrency(code)) {
      problems.push(`"${entry}": ${code} is not a supported currency (such as USD, EUR, JPY)`);
    } else if (byCurrency.has(code)) {
      problems.push(`${code} is listed twice`);
    } else if (decimalsOf(amount) > currencyExponent(code)) {
      const exponent = currencyExponent(code);
      problems.push(`"${entry}": ${code} has ${exponent === 0 ? 'no decimals' : `${exponent} decimals`}; ${amount} has ${decimalsOf(amount)}`);
    } else {
      byCurrency.set(code, majorToMinor(amount, code));
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, limits: { byCurrency, otherwiseMajor } };
}
