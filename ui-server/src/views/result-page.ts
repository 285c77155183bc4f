/** The result pages a browser gets after posting the checkout form, or looking a payment up. */
import { maskedLabel } from '../../../shared/cards.ts';
import type { MakePaymentResult } from '../../../shared/contracts/ui.ts';
import { html, page, type SafeHtml } from './html.ts';

export interface ResultPageOptions {
  /** Seconds after which a pending page looks again (the status page reloads, the POST result moves to it). */
  pendingRefreshSeconds?: number;
  /** Where a pending page looks again; the payment's status page unless said otherwise (the 3-D Secure return confirms again). */
  pendingRefreshUrl?: string;
}

const CHECKOUT_URL = '/payment.html';

function statusUrl(paymentId: string): string {
  return `/payments/${encodeURIComponent(paymentId)}`;
}

/**
 * A new checkout for the same order: the amount, the currency and the way to pay (points) are
 * kept, the card or the points PIN is typed again, and the page the link opens carries a fresh
 * idempotency key, so the retry is a new attempt.
 */
export function retryUrl(result: Pick<MakePaymentResult, 'amount' | 'currency' | 'paymentMethod'>): string {
  const query = new URLSearchParams();
  if (result.amount !== '' && result.currency !== '') {
    query.set('amount', result.amount);
    query.set('currency', result.currency);
  }
  if (result.paymentMethod === 'points') query.set('method', 'points');
  const text = query.toString();
  return text === '' ? CHECKOUT_URL : `${CHECKOUT_URL}?${text}`;
}

function amountLabel(result: MakePaymentResult): string {
  return [result.amount, result.currency].filter((part) => part !== '').join(' ');
}

/** "Paid with points (account PTS-…0001)": what paid, in place of a masked card. */
function paidWithPoints(result: MakePaymentResult): SafeHtml {
  return result.points ? html`<p class="paid-with">Paid with points (account ${result.points.account}).</p>` : html``;
}

function details(result: MakePaymentResult): SafeHtml {
  const rows: Array<[string, string]> = [];
  if (result.amount !== '') rows.push(['Amount', amountLabel(result)]);
  if (result.card) rows.push(['Card', maskedLabel(result.card.brand, result.card.last4)]);
  if (result.points && result.points.spent === undefined) rows.push(['Points account', result.points.account]);
  if (result.points?.spent !== undefined) rows.push(['Points spent', result.points.spent.toLocaleString('en-US')]);
  if (result.authorizationCode) rows.push(['Authorization code', result.authorizationCode]);
  if (result.paymentId) rows.push(['Payment reference', result.paymentId]);
  if (rows.length === 0) return html``;
  return html`<dl class="details">${rows.map(([term, value]) => html`<dt>${term}</dt><dd>${value}</dd>`)}</dl>`;
}

function approvedPage(result: MakePaymentResult): string {
  return page({ title: 'Payment approved' }, html`
<h1 class="outcome outcome-approved">Payment approved</h1>
<p>Thank you. Your payment of <strong>${amountLabel(result)}</strong> was approved.</p>
${result.cardSaved === undefined ? '' : html`<p class="card-saved" role="status">${result.message}</p>`}
${paidWithPoints(result)}
${details(result)}
<p><a class="button" href="${CHECKOUT_URL}">Make another payment</a></p>`);
}

function declinedPage(result: MakePaymentResult): string {
  const notCharged = result.paymentMethod === 'points' ? 'You have not been charged: no points were taken.' : 'You have not been charged.';
  // Some reasons say it themselves, in one breath ("Your bank could not confirm it was you. You have not been charged.").
  return page({ title: 'Payment declined' }, html`
<h1 class="outcome outcome-declined">Payment declined</h1>
<p>${result.message}</p>
${result.message.includes(notCharged) ? html`` : html`<p>${notCharged}</p>`}
${details(result)}
<p><a class="button" href="${retryUrl(result)}">Try again</a></p>`);
}

function errorPage(result: MakePaymentResult): string {
  return page({ title: 'Payment not completed' }, html`
<h1 class="outcome outcome-error">Payment not completed</h1>
<p>${result.message}</p>
${details(result)}
<p><a class="button" href="${retryUrl(result)}">Try again</a></p>`);
}

/** The same key with other details: the first payment may have gone through, so no "not charged". */
function keyReusedPage(result: MakePaymentResult): string {
  return page({ title: 'Checkout already used' }, html`
<h1 class="outcome outcome-pending">This checkout was already used</h1>
<p>${result.message}</p>
${details(result)}
<p><a class="button" href="${retryUrl(result)}">Start a new checkout</a></p>`);
}

/** The bank's page is not finished: a plain link there (a page looked up later, or a client that did not follow the redirect). */
function requiresActionPage(result: MakePaymentResult): string {
  return page({ title: 'Confirm the payment with your bank' }, html`
<h1 class="outcome outcome-pending">Confirm the payment with your bank</h1>
<p>${result.message}</p>
${details(result)}
${result.nextAction ? html`<p><a class="button" href="${result.nextAction.url}">Continue to your bank</a></p>` : html``}
<p><a href="${CHECKOUT_URL}">Back to the checkout</a></p>`);
}

function pendingPage(result: MakePaymentResult, options: ResultPageOptions): string {
  const refresh = result.paymentId && options.pendingRefreshSeconds !== undefined
    ? { refreshSeconds: options.pendingRefreshSeconds, refreshUrl: options.pendingRefreshUrl ?? statusUrl(result.paymentId) }
    : {};
  const next = result.paymentId
    ? html`<p><a class="button" href="${statusUrl(result.paymentId)}">Check the payment status</a></p>
<p>This page checks again by itself every few seconds.</p>`
    // Only the same request again (a reload that sends the form again) carries the same key; a new
    // checkout is a new attempt, so the page must not suggest going back to pay.
    : html`<p>The first request for this checkout is still being processed. Reloading this page, and
letting your browser send the form again, is safe: it shows the result and never charges you twice.
Please do not start a new payment before you know the result.</p>`;
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
    case 'requires_action':
      return requiresActionPage(result);
    case 'error':
      // A form with field errors never gets here: the route shows the checkout form again.
      return result.code === 'idempotency_key_reused' ? keyReusedPage(result) : errorPage(result);
  }
}

/** A problem (403, 404, 429, …) for a browser that asked for HTML. */
export function renderProblemPage(title: string, detail: string): string {
  return page({ title }, html`
<h1 class="outcome outcome-error">${title}</h1>
<p>${detail}</p>
<p><a class="button" href="${CHECKOUT_URL}">Back to the checkout</a></p>`);
}
