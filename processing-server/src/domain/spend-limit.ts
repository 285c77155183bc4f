/**
 * The spending limit (CARD_SPEND_LIMIT, SPEC §6.4): per card (or points account), per currency,
 * over a rolling 24 hours, inclusive. This file decides it all: the limit of each currency, the
 * window, what counts, and whether a payment fits (`decideSpend`). A store only sums what counts
 * and calls `decideSpend` between the sum and the insert, inside one atomic section.
 *
 * The setting is written in each currency's major units:
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
import assert from 'node:assert/strict';
import type { Decline, PaymentMethod, PaymentStatus } from '../../../shared/contracts/processing.ts';
import { CURRENCIES, currencyExponent, formatMoney, isCurrency, majorToMinor, type Currency } from '../../../shared/money.ts';
import { assertTransition } from './lifecycle.ts';
import type { PaymentRecord } from './payment.ts';

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

export const SPEND_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Payments created at or after this instant count against the limit at `now`. */
export function spendWindowStart(now: Date): string {
  return new Date(now.getTime() - SPEND_WINDOW_MS).toISOString();
}

/**
 * What a payment counts against the limit once it is in `status`: nothing once it is declined,
 * voided, expired, failed or rejected at settlement; otherwise its amount (or, once a manual
 * payment is captured, its captured amount, which the capture writes).
 */
export function countsAgainstLimit(status: PaymentStatus): boolean {
  return !RELEASING_STATUSES.includes(status);
}

const RELEASING_STATUSES: readonly PaymentStatus[] = ['declined', 'voided', 'expired', 'failed', 'settlement_rejected'];

export interface SpendQuestion {
  /** What the card (or points account) already counts in the window, in this currency. */
  spentMinor: number;
  amountMinor: number;
  limitMinor: number;
}

/** The rule itself: inclusive, so ten payments of 100.00 fit a limit of 1,000.00 and the eleventh does not. */
export function decideSpend(question: SpendQuestion): 'within' | 'exceeded' {
  assert.ok(Number.isSafeInteger(question.spentMinor) && question.spentMinor >= 0, 'spent is a non-negative integer');
  return question.spentMinor + question.amountMinor <= question.limitMinor ? 'within' : 'exceeded';
}

/** The limit of one payment as a store needs it inside its atomic section. */
export interface SpendCheck {
  limitMinor: number;
  windowStart: string;
  /** Recorded on the payment when it does not fit. */
  decline: Decline;
}

export function spendCheck(limits: SpendLimits, currency: Currency, now: Date, method: PaymentMethod = 'card'): SpendCheck {
  const limitMinor = spendLimitMinor(limits, currency);
  return { limitMinor, windowStart: spendWindowStart(now), decline: limitExceededDecline(formatMoney(limitMinor, currency), method) };
}

export function limitExceededDecline(limitDescription: string, method: PaymentMethod = 'card'): Decline {
  const payer = method === 'points' ? 'This points account' : 'This card';
  return {
    code: 'limit_exceeded',
    message: `${payer} has reached its spending limit of ${limitDescription} in the last 24 hours.`,
  };
}

/** A new payment that does not fit: born declined, counting nothing. */
export function declinedOverLimit(payment: PaymentRecord, decline: Decline): PaymentRecord {
  assertTransition(payment.status, 'declined');
  return { ...payment, status: 'declined', decline, countedMinor: 0 };
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
