/** The result pages a browser gets after posting the checkout form, or looking a payment up. */
import { maskedLabel } from '../../../shared/cards.ts';
import type { MakePaymentResult } from '../../../shared/contracts/ui.ts';
import { FIELD_LABELS, type FormField } from '../payment-form.ts';
import { html, page, type SafeHtml } from './html.ts';

export interface ResultPageOptions {
  /** Seconds after which a pending page looks again (the status page reloads, the POST result moves to it). */
  pendingRefreshSeconds?: number;
}

const CHECKOUT_URL = '/payment.html';

function statusUrl(paymentId: string): string {
  return `/payments/${encodeURIComponent(paymentId)}`;
}

function amountLabel(result: MakePaymentResult): string {
  return [result.amount, result.currency].filter((part) => part !== '').join(' ');
}

function details(result: MakePaymentResult): SafeHtml {
  const rows: Array<[string, string]> = [];
  if (result.amount !== '') rows.push(['Amount', amountLabel(result)]);
  if (result.card) rows.push(['Card', maskedLabel(result.card.brand, result.card.last4)]);
  if (result.authorizationCode) rows.push(['Authorization code', result.authorizationCode]);
  if (result.paymentId) rows.push(['Payment reference', result.paymentId]);
  if (rows.length === 0) return html``;
  return html`<dl class="details">${rows.map(([term, value]) => html`<dt>${term}</dt><dd>${value}</dd>`)}</dl>`;
}

function fieldLabel(field: string): string {
  return Object.hasOwn(FIELD_LABELS, field) ? FIELD_LABELS[field as FormField] : field;
}

function approvedPage(result: MakePaymentResult): string {
  return page({ title: 'Payment approved' }, html`
<h1 class="outcome outcome-approved">Payment approved</h1>
<p>Thank you. Your payment of <strong>${amountLabel(result)}</strong> was approved.</p>
${details(result)}
<p><a class="button" href="${CHECKOUT_URL}">Make another payment</a></p>`);
}

function declinedPage(result: MakePaymentResult): string {
  return page({ title: 'Payment declined' }, html`
<h1 class="outcome outcome-declined">Payment declined</h1>
<p>${result.message}</p>
<p>You have not been charged.</p>
${details(result)}
<p><a class="button" href="${CHECKOUT_URL}">Try again</a></p>`);
}

function validationPage(result: MakePaymentResult): string {
  const errors = result.errors ?? [];
  return page({ title: 'Please check your details' }, html`
<h1 class="outcome outcome-error">Please check your details</h1>
<div role="alert">
<p>${result.message}</p>
<ul class="error-list">${errors.map((problem) => html`<li><strong>${fieldLabel(problem.field)}</strong>: ${problem.message}</li>`)}</ul>
</div>
<p>Use your browser's Back button to correct what you typed, or start again.</p>
<p><a class="button" href="${CHECKOUT_URL}">Back to the checkout</a></p>`);
}

function errorPage(result: MakePaymentResult): string {
  return page({ title: 'Payment not completed' }, html`
<h1 class="outcome outcome-error">Payment not completed</h1>
<p>${result.message}</p>
${details(result)}
<p><a class="button" href="${CHECKOUT_URL}">Back to the checkout</a></p>`);
}

function pendingPage(result: MakePaymentResult, options: ResultPageOptions): string {
  const refresh = result.paymentId && options.pendingRefreshSeconds !== undefined
    ? { refreshSeconds: options.pendingRefreshSeconds, refreshUrl: statusUrl(result.paymentId) }
    : {};
  const next = result.paymentId
    ? html`<p><a class="button" href="${statusUrl(result.paymentId)}">Check the payment status</a></p>
<p>This page checks again by itself every few seconds.</p>`
    : html`<p>The first request for this checkout is still being processed. Going back and submitting the
same details again is safe: it shows the result and never charges you twice.</p>`;
  return page({ title: 'Confirming your payment', ...refresh }, html`
<h1 class="outcome outcome-pending">We are confirming your payment</h1>
<p role="status">${result.message}</p>
${details(result)}
${next}
<p><a href="${CHECKOUT_URL}">Back to the checkout</a></p>`);
}

export function renderResultPage(result: MakePaymentResult, options: ResultPageOptions = {}): string {
  switch (result.status) {
    case 'approved':
      return approvedPage(result);
    case 'declined':
      return declinedPage(result);
    case 'pending':
      return pendingPage(result, options);
    case 'error':
      return result.errors && result.errors.length > 0 ? validationPage(result) : errorPage(result);
  }
}

/** A problem (403, 404, 429, …) for a browser that asked for HTML. */
export function renderProblemPage(title: string, detail: string): string {
  return page({ title }, html`
<h1 class="outcome outcome-error">${title}</h1>
<p>${detail}</p>
<p><a class="button" href="${CHECKOUT_URL}">Back to the checkout</a></p>`);
}
