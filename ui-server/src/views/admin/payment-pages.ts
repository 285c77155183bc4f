/** Back-office payment pages: the filtered, paged list and one payment with its actions. */
import { PAYMENT_STATUSES, type Payment } from '../../../../shared/contracts/processing.ts';
import { formatMinor } from '../../../../shared/money.ts';
import type { AdminSession, Flash } from '../../admin/sessions.ts';
import { html, type SafeHtml } from '../html.ts';
import { customerCardsPath } from './customer-pages.ts';
import { adminPage, dateTime, formTokens, money, pageLinks, paidWithLabel, statusBadge } from './layout.ts';

export interface PaymentFilters {
  status?: string | undefined;
  /** Dates as typed (YYYY-MM-DD, UTC days). */
  from?: string | undefined;
  to?: string | undefined;
  after?: string | undefined;
}

export interface PaymentListView {
  session: AdminSession;
  flash: Flash | undefined;
  filters: PaymentFilters;
  filterErrors: string[];
  payments: Payment[];
  hasMore: boolean;
}

function filterForm(view: PaymentListView): SafeHtml {
  const { filters } = view;
  return html`<form class="filters" method="get" action="/admin/payments" aria-label="Filter payments">
<div class="field"><label for="status">Status</label>
<select id="status" name="status"><option value="">All statuses</option>${PAYMENT_STATUSES.map((status) => html`<option value="${status}"${status === filters.status ? html` selected` : ''}>${status.replaceAll('_', ' ')}</option>`)}</select></div>
<div class="field"><label for="from">From (UTC day)</label><input id="from" name="from" type="date" value="${filters.from ?? ''}"></div>
<div class="field"><label for="to">To (UTC day, included)</label><input id="to" name="to" type="date" value="${filters.to ?? ''}"></div>
<div class="field field-actions"><button type="submit" class="button button-primary">Apply</button> <a class="button button-secondary" href="/admin/payments">Clear</a></div>
</form>
${view.filterErrors.length > 0 ? html`<div class="flash flash-error" role="alert"><ul>${view.filterErrors.map((error) => html`<li>${error}</li>`)}</ul></div>` : ''}`;
}

/**
 * One payment per row. On a phone the row becomes a small card (admin.css, `table.stack`): status
 * and amount first, each cell named by its data-label, so nothing needs sideways scrolling.
 */
function paymentRow(payment: Payment): SafeHtml {
  return html`<tr>
<td class="nowrap cell-created" data-label="Created (UTC)">${dateTime(payment.createdAt, { zone: false })}</td>
<td class="cell-id" data-label="Payment"><a class="mono id" href="/admin/payments/${encodeURIComponent(payment.id)}">${payment.id}</a></td>
<td class="cell-status" data-label="Status">${statusBadge(payment.status)}</td>
<td class="number cell-amount" data-label="Amount">${money(payment.amount, payment.currency)}</td>
<td class="cell-method" data-label="Paid with"><span class="nowrap">${paidWithLabel(payment)}</span>${payment.paymentMethod === 'points' ? '' : html`<span class="sub">${payment.holderName}</span>`}</td>
<td class="mono cell-code" data-label="Authorization code">${payment.authorizationCode ?? '—'}</td>
</tr>`;
}

export function renderPaymentList(view: PaymentListView): string {
  const last = view.payments.at(-1);
  const table = view.payments.length === 0
    ? html`<p class="empty">No payments match these filters.</p>`
    : html`<div class="table-scroll"><table class="data stack" id="payments">
<thead><tr><th scope="col">Created (UTC)</th><th scope="col">Payment</th><th scope="col">Status</th><th scope="col" class="number">Amount</th><th scope="col">Paid with</th><th scope="col" class="wrap">Authorization code</th></tr></thead>
<tbody>${view.payments.map(paymentRow)}</tbody>
</table></div>`;
  const query = { status: view.filters.status, from: view.filters.from, to: view.filters.to, after: view.filters.after };
  return adminPage({ title: 'Payments', session: view.session, section: 'payments', flash: view.flash }, html`
<h1>Payments</h1>
<p class="lead">Newest first, ${view.payments.length === 0 ? 'none' : `${view.payments.length}`} on this page.</p>
${filterForm(view)}
${table}
${pageLinks('/admin/payments', query, 'after', view.hasMore && last ? last.id : undefined)}`);
}

export interface PaymentActionKeys {
  capture: string;
  adjust: string;
  void: string;
  refund: string;
}

export interface PaymentDetailView {
  session: AdminSession;
  flash: Flash | undefined;
  payment: Payment;
  /** Fresh idempotency keys, one per form, made by the server for this page load. */
  keys: PaymentActionKeys;
}

/** What can still be refunded: the settled (captured) amount minus earlier refunds. */
export function refundableMinor(payment: Payment): number {
  const settled = payment.capturedAmount > 0 ? payment.capturedAmount : payment.amount;
  return Math.max(0, settled - payment.refundedAmount);
}

/** What paid: the card with its expiry and holder, or the points account and the points it counts. */
function methodRows(payment: Payment): Array<[string, string]> {
  if (payment.paymentMethod === 'points') {
    return [['Paid with', paidWithLabel(payment)], ['Points', payment.amount.toLocaleString('en-US')]];
  }
  const expiry = ` (expires ${String(payment.card.expMonth).padStart(2, '0')}/${payment.card.expYear})`;
  return [
    ['Paid with', `${paidWithLabel(payment)}${expiry}`], ['Card holder', payment.holderName],
    ...(payment.cardId ? [['Saved card', payment.cardId] as [string, string]] : []),
  ];
}

/** The customer the payment names, linked to their saved cards. */
function customerRow(payment: Payment): Array<[string, SafeHtml]> {
  if (!payment.customerId) return [];
  return [['Customer', html`<span class="mono">${payment.customerId}</span> · <a href="${customerCardsPath(payment.customerId)}">saved cards</a>`]];
}

/** Where a released hold or a refund goes back to, in the merchant's words. */
function returnsTo(payment: Payment): string {
  return payment.paymentMethod === 'points' ? 'the points account' : 'the card';
}

function detailList(payment: Payment): SafeHtml {
  const rows: Array<[string, string | SafeHtml]> = [
    ['Status', statusBadge(payment.status)],
    ['Amount', money(payment.amount, payment.currency)],
    ['Captured', payment.capturedAmount > 0 ? money(payment.capturedAmount, payment.currency) : '—'],
    ['Refunded', payment.refundedAmount > 0 ? money(payment.refundedAmount, payment.currency) : '—'],
    ['Capture method', payment.captureMethod],
    ...methodRows(payment),
    ...customerRow(payment),
    ['Authorization code', payment.authorizationCode ?? '—'],
    ['Decline', payment.decline ? `${payment.decline.code}: ${payment.decline.message}` : '—'],
    ['Reason', payment.reason ?? '—'],
    ['Settlement run', payment.settlementId ? html`<a class="mono" href="/admin/settlements/${encodeURIComponent(payment.settlementId)}">${payment.settlementId}</a>` : '—'],
    ['Merchant reference', html`<span class="mono">${payment.merchantReference}</span>`],
    ['Order', payment.orderId ?? '—'],
    ['Description', payment.description ?? '—'],
    ['Created', dateTime(payment.createdAt)],
    ['Updated', dateTime(payment.updatedAt)],
  ];
  return html`<dl class="details">${rows.map(([term, value]) => html`<dt>${term}</dt><dd>${value}</dd>`)}</dl>`;
}

function actionForms(view: PaymentDetailView): SafeHtml {
  const { payment, session, keys } = view;
  const action = (name: string) => `/admin/payments/${encodeURIComponent(payment.id)}/${name}`;
  const forms: SafeHtml[] = [];
  if (payment.captureMethod === 'manual' && payment.status === 'authorized') {
    forms.push(html`<form method="post" action="${action('capture')}" class="action">
<h3>Capture</h3>
${formTokens(session, keys.capture)}
<div class="field"><label for="capture-amount">Amount (${payment.currency}, at most ${formatMinor(payment.amount, payment.currency)})</label>
<input id="capture-amount" name="amount" type="text" inputmode="decimal" required maxlength="20" value="${formatMinor(payment.amount, payment.currency)}"></div>
<p class="hint">A smaller amount captures part of the payment and releases the rest of the hold.</p>
<button type="submit" class="button button-primary">Capture</button>
</form>`);
  }
  if (payment.status === 'authorized' && !payment.settlementId) {
    forms.push(html`<form method="post" action="${action('adjust')}" class="action">
<h3>Change amount</h3>
${formTokens(session, keys.adjust)}
<div class="field"><label for="adjust-amount">New amount (${payment.currency})</label>
<input id="adjust-amount" name="amount" type="text" inputmode="decimal" required maxlength="20" value="${formatMinor(payment.amount, payment.currency)}"></div>
<p class="hint">A lower amount releases the difference at once. A higher one asks ${payment.paymentMethod === 'points' ? 'the points provider' : 'the card issuer'} for more, and may be declined.</p>
<button type="submit" class="button button-primary">Change amount</button>
</form>`);
  }
  if ((payment.status === 'authorized' || payment.status === 'captured') && !payment.settlementId) {
    forms.push(html`<form method="post" action="${action('void')}" class="action" data-confirm="Void this payment and release the hold on ${payment.paymentMethod === 'points' ? 'the shopper\'s points' : 'the shopper\'s card'}?">
<h3>Void</h3>
${formTokens(session, keys.void)}
<p class="hint">Releases the hold on ${returnsTo(payment)}. The payment will not be settled.</p>
<button type="submit" class="button button-danger">Void payment</button>
</form>`);
  }
  const refundable = refundableMinor(payment);
  if ((payment.status === 'settled' || payment.status === 'partially_refunded') && refundable > 0) {
    forms.push(html`<form method="post" action="${action('refunds')}" class="action">
<h3>Refund</h3>
${formTokens(session, keys.refund)}
<div class="field"><label for="refund-amount">Amount (${payment.currency}, at most ${formatMinor(refundable, payment.currency)})</label>
<input id="refund-amount" name="amount" type="text" inputmode="decimal" required maxlength="20" value="${formatMinor(refundable, payment.currency)}"></div>
<p class="hint">The refund goes back to ${returnsTo(payment)} with the next settlement run.</p>
<button type="submit" class="button button-primary">Refund</button>
</form>`);
  }
  if (forms.length === 0) return html`<p class="empty">No action is possible on a ${payment.status.replaceAll('_', ' ')} payment.</p>`;
  return html`<div class="actions">${forms}</div>`;
}

export function renderPaymentDetail(view: PaymentDetailView): string {
  const { payment } = view;
  return adminPage({ title: `Payment ${payment.id}`, session: view.session, section: 'payments', flash: view.flash }, html`
<p class="breadcrumb"><a href="/admin/payments">Payments</a> › <span class="mono">${payment.id}</span></p>
<h1>${money(payment.amount, payment.currency)} ${statusBadge(payment.status)}</h1>
<div class="columns">
<section class="card" aria-labelledby="details-title"><h2 id="details-title">Details</h2>${detailList(payment)}</section>
<section class="card" aria-labelledby="actions-title"><h2 id="actions-title">Actions</h2>${actionForms(view)}</section>
</div>`);
}
