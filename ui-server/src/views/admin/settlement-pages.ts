/** Back-office settlement pages: the runs, with "Run settlement now", and one run in full. */
import type { SettlementRun } from '../../../../shared/contracts/processing.ts';
import type { Reconciliation, ReconciliationEntry } from '../../admin/back-office-client.ts';
import type { AdminSession, Flash } from '../../admin/sessions.ts';
import { html, type SafeHtml } from '../html.ts';
import { adminPage, dateTime, formTokens, money, pageLinks, statusBadge } from './layout.ts';

/** Seconds between reloads of a running run's page. */
export const RUN_REFRESH_SECONDS = 2;

type SettlementItem = { id: string; paymentId: string; type: string; amount: number; currency: string; batchId: string; status: string; reason?: string | undefined };

function totalsText(run: SettlementRun): SafeHtml {
  const entries = Object.entries(run.totals);
  if (entries.length === 0) return html`—`;
  return html`${entries.map(([currency, totals], index) => html`${index > 0 ? html`<br>` : ''}${money(totals.net, currency)}`)}`;
}

function runNowForm(session: AdminSession): SafeHtml {
  return html`<form method="post" action="/admin/settlements" class="inline-form">
${formTokens(session)}
<button type="submit" class="button button-primary">Run settlement now</button>
</form>`;
}

export function renderRunList(view: { session: AdminSession; flash: Flash | undefined; runs: SettlementRun[]; hasMore: boolean; after: string | undefined }): string {
  const last = view.runs.at(-1);
  const table = view.runs.length === 0
    ? html`<p class="empty">No settlement run yet. Approved payments are settled by the hourly run, or now with the button.</p>`
    : html`<div class="table-scroll"><table class="data">
<thead><tr><th scope="col">Started (UTC)</th><th scope="col">Run</th><th scope="col">Status</th><th scope="col" class="number">Items</th><th scope="col" class="number">Settled</th><th scope="col" class="number">Rejected</th><th scope="col" class="number">Net</th></tr></thead>
<tbody>${view.runs.map((run) => html`<tr>
<td class="nowrap">${dateTime(run.startedAt, { zone: false })}</td>
<td><a class="mono id" href="/admin/settlements/${encodeURIComponent(run.id)}">${run.id}</a></td>
<td>${statusBadge(run.status)}</td>
<td class="number">${run.itemCount}</td><td class="number">${run.settledCount}</td><td class="number">${run.rejectedCount}</td>
<td class="number">${totalsText(run)}</td>
</tr>`)}</tbody></table></div>`;
  return adminPage({ title: 'Settlements', session: view.session, section: 'settlements', flash: view.flash }, html`
<div class="title-row"><h1>Settlement runs</h1>${runNowForm(view.session)}</div>
<p class="lead">Each run collects the approved payments and pending refunds into batches for the card company.</p>
${table}
${pageLinks('/admin/settlements', { after: view.after }, 'after', view.hasMore && last ? last.id : undefined)}`);
}

export interface RunDetailView {
  session: AdminSession;
  flash: Flash | undefined;
  run: SettlementRun;
  items: SettlementItem[];
  itemsHasMore: boolean;
  itemsAfter: string | undefined;
  /** Undefined while the run is going, or when the card company could not be asked. */
  reconciliation: Reconciliation | undefined;
  reconciliationError: string | undefined;
}

function progress(run: SettlementRun): SafeHtml {
  const done = run.settledCount + run.rejectedCount;
  const percent = run.itemCount === 0 ? 100 : Math.round((done / run.itemCount) * 100);
  return html`<div class="progress-row">
<progress id="run-progress" max="${run.itemCount}" value="${done}" aria-label="Items sent">${percent}%</progress>
<span>${done} of ${run.itemCount} items (${percent}%)${run.status === 'running' ? html` · this page reloads every ${RUN_REFRESH_SECONDS} seconds until the run completes` : ''}</span>
</div>`;
}

function totalsTable(run: SettlementRun): SafeHtml {
  const entries = Object.entries(run.totals);
  if (entries.length === 0) return html`<p class="empty">No item settled${run.status === 'running' ? ' yet' : ''}.</p>`;
  return html`<table class="data compact"><thead><tr><th scope="col">Currency</th><th scope="col" class="number">Sales</th><th scope="col" class="number">Refunds</th><th scope="col" class="number">Net</th></tr></thead>
<tbody>${entries.map(([currency, totals]) => html`<tr><th scope="row">${currency}</th><td class="number">${money(totals.sales, currency)}</td><td class="number">${money(totals.refunds, currency)}</td><td class="number strong">${money(totals.net, currency)}</td></tr>`)}</tbody></table>`;
}

function entryRows(title: string, entries: ReconciliationEntry[]): SafeHtml {
  if (entries.length === 0) return html``;
  return html`<h3>${title} (${entries.length})</h3><ul class="problems">${entries.map((entry) => html`<li><span class="mono">${entry.merchantReference}</span> (${entry.type}, batch ${entry.batchId}): ours ${entry.ledgerAmount ?? '—'} ${entry.ledgerStatus ?? ''}, card company ${entry.networkAmount ?? '—'} ${entry.networkStatus ?? ''}</li>`)}</ul>`;
}

function reconciliationBox(view: RunDetailView): SafeHtml {
  if (view.run.status === 'running') return html`<p class="empty">Reconciliation is available once the run has completed.</p>`;
  if (!view.reconciliation) return html`<p class="flash flash-error" role="alert">${view.reconciliationError ?? 'The reconciliation could not be read.'}</p>`;
  const result = view.reconciliation;
  const problems = result.missingAtNetwork.length + result.missingInLedger.length + result.amountMismatches.length;
  return html`<p class="reconciliation ${problems === 0 ? 'reconciliation-ok' : 'reconciliation-bad'}" id="reconciliation-summary">
${problems === 0 ? html`<strong>Matched:</strong> all ${result.matched} items agree with the card company's reports.` : html`<strong>${problems} differences</strong>, ${result.matched} items matched.`}</p>
${entryRows('Missing at the card company', result.missingAtNetwork)}
${entryRows('Missing in our ledger', result.missingInLedger)}
${entryRows('Amount or outcome differs', result.amountMismatches)}`;
}

function itemsTable(view: RunDetailView): SafeHtml {
  const last = view.items.at(-1);
  if (view.items.length === 0) return html`<p class="empty">No items.</p>`;
  return html`<div class="table-scroll"><table class="data" id="run-items">
<thead><tr><th scope="col">Item</th><th scope="col">Payment</th><th scope="col">Type</th><th scope="col" class="number">Amount</th><th scope="col">Batch</th><th scope="col">Status</th></tr></thead>
<tbody>${view.items.map((item) => html`<tr>
<td class="mono">${item.id}</td>
<td><a class="mono id" href="/admin/payments/${encodeURIComponent(item.paymentId)}">${item.paymentId}</a></td>
<td>${item.type}</td>
<td class="number">${money(item.amount, item.currency)}</td>
<td class="mono">${item.batchId}</td>
<td>${statusBadge(item.status)}${item.reason ? html` <span class="hint">${item.reason}</span>` : ''}</td>
</tr>`)}</tbody></table></div>
${pageLinks(`/admin/settlements/${encodeURIComponent(view.run.id)}`, { itemsAfter: view.itemsAfter }, 'itemsAfter', view.itemsHasMore && last ? last.id : undefined)}`;
}

export function renderRunDetail(view: RunDetailView): string {
  const { run } = view;
  const running = run.status === 'running';
  return adminPage({
    title: `Settlement run ${run.id}`, session: view.session, section: 'settlements', flash: view.flash,
    ...(running ? { refreshSeconds: RUN_REFRESH_SECONDS } : {}),
  }, html`
<p class="breadcrumb"><a href="/admin/settlements">Settlements</a> › <span class="mono">${run.id}</span></p>
<h1>Settlement run ${statusBadge(run.status)}</h1>
<section class="card" aria-labelledby="run-title"><h2 id="run-title" class="mono">${run.id}</h2>
<dl class="details"><dt>Started</dt><dd>${dateTime(run.startedAt)}</dd><dt>Completed</dt><dd>${dateTime(run.completedAt)}</dd>
<dt>Items</dt><dd>${run.itemCount} (${run.settledCount} settled, ${run.rejectedCount} rejected)</dd>
<dt>Batches</dt><dd>${run.batchIds.length === 0 ? '—' : html`${run.batchIds.map((batchId, index) => html`${index > 0 ? ', ' : ''}<span class="mono">${batchId}</span>`)}`}</dd></dl>
${progress(run)}
</section>
<div class="columns">
<section class="card" aria-labelledby="totals-title"><h2 id="totals-title">Totals (settled items)</h2>${totalsTable(run)}</section>
<section class="card" aria-labelledby="reconciliation-title"><h2 id="reconciliation-title">Reconciliation</h2>${reconciliationBox(view)}</section>
</div>
<section class="card" aria-labelledby="items-title"><h2 id="items-title">Items</h2>${itemsTable(view)}</section>`);
}
