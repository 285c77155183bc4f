/**
 * The activity chart. The numbers are in an HTML table (readable without script, and by screen
 * readers); /admin/activity.js reads that table and draws it with chart.js, served from
 * node_modules by this server, so the CSP stays `script-src 'self'`. The words are the merchant's:
 * every number says what it counts, and amounts read "USD 12,345.67".
 */
import { currencyExponent, formatMinor } from '../../../../shared/money.ts';
import { PAGE_SIZE, PAGES_MAX, HOURS_MAX, type Activity } from '../../admin/activity.ts';
import type { AdminSession } from '../../admin/sessions.ts';
import { html, type SafeHtml } from '../html.ts';
import { moneyText } from '../money-text.ts';
import { adminPage } from './layout.ts';

export const CHART_SCRIPT = '/admin/vendor/chart.js/chart.umd.min.js';

/** The three numbers, with what each one counts; the chart and the table use the same names. */
export const ACTIVITY_MEASURES = {
  approved: {
    label: 'Approved payments',
    meaning: 'Payments the card company approved, including those later voided, refunded or expired.',
  },
  declined: {
    label: 'Declined payments',
    meaning: 'Payments turned down by the card company or by this shop\'s daily spending limit per card.',
  },
  settled: {
    label: 'Money settled',
    meaning: 'Paid into your account at the card company for these payments, before any refunds.',
  },
} as const;

function basis(activity: Activity): SafeHtml {
  const bound = PAGES_MAX * PAGE_SIZE;
  return html`<p class="hint" id="activity-basis">Counted from the ${activity.paymentsRead.toLocaleString('en-US')} most recent payments
(this page reads at most ${bound.toLocaleString('en-US')}${activity.truncated ? html`; <strong>older payments are not included</strong>` : ''}),
hour by hour in UTC, by when each payment was made, over at most the last ${HOURS_MAX / 24} days${activity.leftOut > 0 ? ` (${activity.leftOut.toLocaleString('en-US')} older payments left out)` : ''}.</p>`;
}

function currencyPicker(activity: Activity): SafeHtml {
  if (activity.currencies.length < 2) return html``;
  return html`<form method="get" action="/admin/activity" class="filters">
<div class="field"><label for="currency">Currency</label><select id="currency" name="currency">${activity.currencies.map((code) => html`<option value="${code}"${code === activity.currency ? html` selected` : ''}>${code}</option>`)}</select></div>
<div class="field field-actions"><button type="submit" class="button button-secondary">Show</button></div>
</form>`;
}

function dataTable(activity: Activity, currency: string): SafeHtml {
  // Newest hour first in the table; the script sorts by hour for the chart. The data attributes
  // keep plain numbers for it; the cells are for people.
  const rows = [...activity.buckets].reverse();
  const plain = (minor: number) => (activity.currency ? formatMinor(minor, activity.currency) : '0');
  const decimals = activity.currency ? currencyExponent(activity.currency) : 0;
  return html`<details class="data-details"><summary>The numbers, hour by hour</summary>
<div class="table-scroll"><table class="data compact" id="activity-data" data-currency="${currency}" data-decimals="${decimals}">
<thead><tr><th scope="col">Hour (UTC)</th><th scope="col" class="number">Approved</th><th scope="col" class="number">Declined</th><th scope="col" class="number">Settled</th></tr></thead>
<tbody>${rows.map((bucket) => html`<tr data-hour="${bucket.hour}" data-approved="${bucket.approved}" data-declined="${bucket.declined}" data-settled="${plain(bucket.settledMinor)}">
<td class="nowrap">${bucket.hour.slice(0, 13).replace('T', ' ')}:00</td><td class="number">${bucket.approved}</td><td class="number">${bucket.declined}</td><td class="number">${moneyText(bucket.settledMinor, currency)}</td></tr>`)}</tbody>
</table></div></details>`;
}

function stat(measure: keyof typeof ACTIVITY_MEASURES, value: string): SafeHtml {
  const { label, meaning } = ACTIVITY_MEASURES[measure];
  return html`<div class="stat"><span class="stat-label">${label}</span><span class="stat-value">${value}</span><span class="stat-meaning">${meaning}</span></div>`;
}

export function renderActivityPage(view: { session: AdminSession; activity: Activity }): string {
  const { activity } = view;
  const currency = activity.currency ?? '';
  const totals = activity.buckets.reduce((sum, bucket) => ({
    approved: sum.approved + bucket.approved, declined: sum.declined + bucket.declined, settledMinor: sum.settledMinor + bucket.settledMinor,
  }), { approved: 0, declined: 0, settledMinor: 0 });
  const body = activity.currency === undefined
    ? html`<p class="empty">No payments yet: the chart appears after the first payment.</p>`
    : html`${currencyPicker(activity)}
<div class="stats">
${stat('approved', totals.approved.toLocaleString('en-US'))}
${stat('declined', totals.declined.toLocaleString('en-US'))}
${stat('settled', moneyText(totals.settledMinor, activity.currency))}
</div>
<section class="card chart-card" aria-labelledby="chart-title">
<h2 id="chart-title">${currency} payments, hour by hour</h2>
<div class="chart-box"><canvas id="activity-chart" role="img" aria-label="Approved and declined payments per hour as bars, money settled as a line; the numbers are in the table below."></canvas></div>
<p class="hint js-hidden" id="chart-fallback">The chart needs JavaScript; the numbers are in the table below.</p>
</section>
${dataTable(activity, currency)}`;
  return adminPage({ title: 'Activity', session: view.session, section: 'activity', scripts: [CHART_SCRIPT, '/admin/activity.js'] }, html`
<h1>Activity</h1>
<p class="lead">How many card payments were approved and declined, and how much money they brought in.</p>
${basis(activity)}
${body}`);
}
