/**
 * The chart's numbers: approvals, declines and settled volume per hour, aggregated by the UI
 * server from the most recent payments it reads through GET /v1/payments. The processing
 * server has no aggregate endpoint, so the read is bounded (PAGES_MAX pages of PAGE_SIZE) and
 * the page says how many payments it is based on.
 */
import type { Payment, PaymentStatus } from '../../../shared/contracts/processing.ts';
import type { Currency } from '../../../shared/money.ts';
import type { Answer, BackOfficeClient, CallContext } from './back-office-client.ts';

export const PAGE_SIZE = 100;
export const PAGES_MAX = 10;
/** At most a week of hourly bars: older payments among those read are left out of the chart. */
export const HOURS_MAX = 168;
/** At least a day of bars, so a quiet shop still gets a readable time axis. */
export const HOURS_MIN = 24;
const HOUR_MS = 3_600_000;

/** Statuses of payments the card company approved (whatever happened to them later). */
const APPROVED: ReadonlySet<PaymentStatus> = new Set([
  'authorized', 'captured', 'settled', 'settlement_rejected', 'voided', 'partially_refunded', 'refunded', 'expired',
]);
const SETTLED: ReadonlySet<PaymentStatus> = new Set(['settled', 'partially_refunded', 'refunded']);

export interface RecentPayments {
  payments: Payment[];
  /** True when more payments exist beyond the bound. */
  truncated: boolean;
}

/** Newest first, at most PAGES_MAX × PAGE_SIZE payments. */
export async function readRecentPayments(client: BackOfficeClient, context: CallContext): Promise<Answer<RecentPayments>> {
  const payments: Payment[] = [];
  let startingAfter: string | undefined;
  for (let page = 0; page < PAGES_MAX; page += 1) {
    const answer = await client.listPayments({ limit: PAGE_SIZE, startingAfter }, context);
    if (answer.kind !== 'ok') return answer;
    payments.push(...answer.data.data);
    const last = answer.data.data.at(-1);
    if (!answer.data.hasMore || !last) return { kind: 'ok', status: 200, data: { payments, truncated: false } };
    startingAfter = last.id;
  }
  return { kind: 'ok', status: 200, data: { payments, truncated: true } };
}

export interface HourBucket {
  /** Start of the hour, ISO 8601 UTC. */
  hour: string;
  approved: number;
  declined: number;
  /** Minor units of the chosen currency, gross of later refunds. */
  settledMinor: number;
}

export interface Activity {
  currency: Currency | undefined;
  /** Currencies among the payments read, most used first. */
  currencies: Currency[];
  buckets: HourBucket[];
  paymentsRead: number;
  truncated: boolean;
  /** Payments of the currency older than the chart's first hour. */
  leftOut: number;
}

export function currenciesByUse(payments: Payment[]): Currency[] {
  const counts = new Map<Currency, number>();
  for (const payment of payments) counts.set(payment.currency, (counts.get(payment.currency) ?? 0) + 1);
  return [...counts.entries()].sort((left, right) => right[1] - left[1] || left[0].localeCompare(right[0])).map(([currency]) => currency);
}

/**
 * One bucket per hour (by the payment's creation time) from the oldest payment read (or a day
 * ago, whichever is earlier) to now, empty hours included so the time axis is even. Settled volume is the settled amount of the
 * payments made in that hour (captured amount where a capture set it).
 */
export function hourlyActivity(recent: RecentPayments, requested: string | undefined, now: Date): Activity {
  const currencies = currenciesByUse(recent.payments);
  const currency = currencies.find((code) => code === requested) ?? currencies[0];
  const ofCurrency = recent.payments.filter((payment) => payment.currency === currency);
  const lastHourMs = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  const oldestMs = Math.min(lastHourMs - (HOURS_MIN - 1) * HOUR_MS, ...ofCurrency.map((payment) => Date.parse(payment.createdAt)));
  const firstHourMs = Math.max(Math.floor(oldestMs / HOUR_MS) * HOUR_MS, lastHourMs - (HOURS_MAX - 1) * HOUR_MS);
  const buckets: HourBucket[] = [];
  for (let hourMs = firstHourMs; hourMs <= lastHourMs; hourMs += HOUR_MS) {
    buckets.push({ hour: new Date(hourMs).toISOString(), approved: 0, declined: 0, settledMinor: 0 });
  }
  let leftOut = 0;
  for (const payment of ofCurrency) {
    const index = Math.floor((Date.parse(payment.createdAt) - firstHourMs) / HOUR_MS);
    const bucket = buckets[Math.min(index, buckets.length - 1)];
    if (index < 0 || !bucket) {
      leftOut += 1;
      continue;
    }
    if (APPROVED.has(payment.status)) bucket.approved += 1;
    if (payment.status === 'declined') bucket.declined += 1;
    if (SETTLED.has(payment.status)) bucket.settledMinor += payment.capturedAmount > 0 ? payment.capturedAmount : payment.amount;
  }
  return { currency, currencies, buckets, paymentsRead: recent.payments.length, truncated: recent.truncated, leftOut };
}
