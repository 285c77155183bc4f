/**
 * Events in the back office: a payment's timeline (what happened to it, in order, and what
 * caused each change) and the events this server's webhook receiver got. Each event is told in
 * one line from the object it carries.
 */
import type { Event } from '../../../../shared/contracts/events.ts';
import type { AdminSession, Flash } from '../../admin/sessions.ts';
import type { ReceivedEvent } from '../../webhook-inbox.ts';
import { html, type SafeHtml } from '../html.ts';
import { customerCardsPath } from './customer-pages.ts';
import { adminPage, dateTime, money, statusBadge } from './layout.ts';

/** The object after the change, in a few words: a payment's status and amount, a refund's, a run's counts. */
export function eventSummary(event: Event): SafeHtml {
  switch (event.type) {
    case 'payment.requires_action': case 'payment.authorized': case 'payment.declined': case 'payment.failed': case 'payment.captured':
    case 'payment.voided': case 'payment.expired': case 'payment.amount_changed': case 'payment.settled': case 'payment.settlement_rejected':
    case 'payment.refunded': case 'payment.refund_rejected': {
      const payment = event.data;
      const why = payment.decline ? ` (${payment.decline.code})` : payment.reason ? ` (${payment.reason.replaceAll('_', ' ')})` : '';
      return html`${statusBadge(payment.status)} ${money(payment.amount, payment.currency)}${why}`;
    }
    case 'refund.created': case 'refund.settled': case 'refund.rejected':
      return html`refund ${money(event.data.amount, event.data.currency)} ${statusBadge(event.data.status)}`;
    case 'settlement.completed': case 'settlement.failed':
      return html`${statusBadge(event.data.status)} ${event.data.settledCount} settled, ${event.data.rejectedCount} rejected`;
    case 'card.saved': case 'card.deleted':
      return html`${event.data.brand} ····${event.data.last4}, expires ${String(event.data.expMonth).padStart(2, '0')}/${event.data.expYear}`;
  }
}

/** `request:abc` → "request abc", `job:recovery` → "recovery job". */
function causeText(cause: string | undefined): string {
  if (!cause) return '';
  const [kind, ...rest] = cause.split(':');
  const name = rest.join(':');
  return kind === 'job' ? `${name.replaceAll('-', ' ')} job` : `${kind} ${name}`;
}

/** A payment's events, oldest first; `null` when they could not be read (the page still shows the payment). */
export function paymentTimeline(events: Event[] | null): SafeHtml {
  if (events === null) return html`<p class="empty">The events could not be read from the processing server just now; reload to try again.</p>`;
  if (events.length === 0) return html`<p class="empty">No change of this payment is on record yet.</p>`;
  return html`<ol class="timeline" id="events">${events.map((event) => html`<li>
<span class="nowrap timeline-time">${dateTime(event.createdAt, { zone: false })}</span>
<span class="mono timeline-type">${event.type}</span>
<span class="timeline-summary">${eventSummary(event)}</span>
<span class="sub">${causeText(event.cause)}</span>
</li>`)}</ol>`;
}

function subjectLink(event: Event): SafeHtml | string {
  if (event.paymentId) return html`<a class="mono id" href="/admin/payments/${encodeURIComponent(event.paymentId)}">${event.paymentId}</a>`;
  if (event.settlementId) return html`<a class="mono id" href="/admin/settlements/${encodeURIComponent(event.settlementId)}">${event.settlementId}</a>`;
  // A saved card has no page of its own: its customer's cards do, when it has a customer.
  if (event.type === 'card.saved' || event.type === 'card.deleted') {
    const { customerId } = event.data;
    return customerId ? html`<a class="mono id" href="${customerCardsPath(customerId)}">${event.data.id}</a>` : event.data.id;
  }
  return event.cardId ?? '—';
}

export interface WebhookPageView {
  session: AdminSession;
  flash?: Flash | undefined;
  received: ReceivedEvent[];
  /** Where this server receives webhooks: what WEBHOOK_URLS should name. */
  receiverPath: string;
  keptMax: number;
}

export function renderWebhookPage(view: WebhookPageView): string {
  const table = view.received.length === 0
    ? html`<p class="empty">No event received yet. The processing server sends its events here when its WEBHOOK_URLS names this server's
<span class="mono">${view.receiverPath}</span> (for example <span class="mono">http://127.0.0.1:3000${view.receiverPath}</span>) and both share WEBHOOK_SECRET.</p>`
    : html`<div class="table-scroll"><table class="data stack" id="webhooks">
<thead><tr><th scope="col">Received (UTC)</th><th scope="col">Event</th><th scope="col">Type</th><th scope="col">Concerns</th><th scope="col">Now</th><th scope="col" class="number">Deliveries</th></tr></thead>
<tbody>${view.received.map((entry) => html`<tr>
<td class="nowrap" data-label="Received (UTC)">${dateTime(entry.receivedAt, { zone: false })}</td>
<td class="mono" data-label="Event">${entry.event.id}</td>
<td class="mono" data-label="Type">${entry.event.type}</td>
<td data-label="Concerns">${subjectLink(entry.event)}</td>
<td data-label="Now">${eventSummary(entry.event)}</td>
<td class="number" data-label="Deliveries">${entry.deliveries}</td>
</tr>`)}</tbody>
</table></div>`;
  return adminPage({ title: 'Webhooks', session: view.session, section: 'webhooks', flash: view.flash }, html`
<h1>Webhooks</h1>
<p class="lead">The events this server received at <span class="mono">${view.receiverPath}</span>, newest first: each checked against its
signature, kept once however often it was delivered (the last ${view.keptMax}, in this server's memory only).</p>
${table}`);
}
