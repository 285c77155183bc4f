/**
 * The activity chart. The numbers are in an HTML table (readable without script, and by screen
 * readers); /admin/activity.js reads that table and draws it with chart.js, served from
 * node_modules by this server, so the CSP stays `script-src 'self'`.
 */
import { formatMinor } from '../../../../shared/money.ts';
import { PAGE_SIZE, PAGES_MAX, HOURS_MAX, type Activity } from '../../admin/activity.ts';
import type { AdminSession } from '../../admin/sessions.ts';
import { html, type SafeHtml } from '../html.ts';
import { adminPage } from './layout.ts';

export const CHART_SCRIPT = '/admin/vendor/chart.js/chart.umd.min.js';

function basis(activity: Activity): SafeHtml {
  const bound = PAGES_MAX * PAGE_SIZE;
  return html`<p class="hint" id="activity-basis">Aggregated by this page from the ${activity.paymentsRead.toLocaleString('en-US')} most recent payments
(it reads at most ${PAGES_MAX} pages of ${PAGE_SIZE}, ${bound.toLocaleString('en-US')} payments${activity.truncated ? html`; <strong>older payments are not included</strong>` : ''}),
per hour of payment creation (UTC), at most the last ${HOURS_MAX} hours${activity.leftOut > 0 ? ` (${activity.leftOut} older payments left out)` : ''}.
Settled volume is the settled amount before refunds.</p>`;
}

function currencyPicker(activity: Activity): SafeHtml {
  if (activity.currencies.length < 2) return html``;
  return html`<form method="get" action="/admin/activity" class="filters">
<div class="field"><label for="currency">Currency</label><select id="currency" name="currency">${activity.currencies.map((code) => html`<option value="${code}"${code === activity.currency ? html` selected` : ''}>${code}</option>`)}</select></div>
<div class="field field-actions"><button type="submit" class="button button-secondary">Show</button></div>
</form>`;
}

function dataTable(activity: Activity, currency: string): SafeHtml {
  // Newest hour first in the table; the script sorts by hour for the chart.
  const rows = [...activity.buckets].reverse();
  return html`<details class="data-details"><summary>The numbers, per hour</summary>
<div class="table-scroll"><table class="data compact" id="activity-data" data-currency="${currency}">
<thead><tr><th scope="col">Hour (UTC)</th><th scope="col" class="number">Approvals</th><th scope="col" class="number">Declines</th><th scope="col" class="number">Settled volume (${currency})</th></tr></thead>
<tbody>${rows.map((bucket) => html`<tr data-hour="${bucket.hour}" data-approved="${bucket.approved}" data-declined="${bucket.declined}" data-settled="${activity.currency ? formatMinor(bucket.settledMinor, activity.currency) : '0'}">
<td class="nowrap">${bucket.hour.slice(0, 13).replace('T', ' ')}:00</td><td class="number">${bucket.approved}</td><td class="number">${bucket.declined}</td><td class="number">${activity.currency ? formatMinor(bucket.settledMinor, activity.currency) : '0'}</td></tr>`)}</tbody>
</table></div></details>`;
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
<div class="stat"><span class="stat-label">Approvals</span><span class="stat-value">${totals.approved}</span></div>
<div class="stat"><span class="stat-label">Declines</span><span class="stat-value">${totals.declined}</span></div>
<div class="stat"><span class="stat-label">Settled volume</span><span class="stat-value">${formatMinor(totals.settledMinor, activity.currency)} ${currency}</span></div>
</div>
<section class="card chart-card" aria-labelledby="chart-title">
<h2 id="chart-title">${currency} payments per hour</h2>
<div class="chart-box"><canvas id="activity-chart" role="img" aria-label="Approvals and declines per hour as bars, settled volume as a line; the numbers are in the table below."></canvas></div>
<p class="hint js-hidden" id="chart-fallback">The chart needs JavaScript; the numbers are in the table below.</p>
</section>
${dataTable(activity, currency)}`;
  return adminPage({ title: 'Activity', session: view.session, section: 'activity', scripts: [CHART_SCRIPT, '/admin/activity.js'] }, html`
<h1>Activity</h1>
${basis(activity)}
${body}`);
}
