/** Back-office customer pages: a customer's saved cards, reached from a payment that names the customer. */
import { maskedLabel } from '../../../../shared/cards.ts';
import type { SavedCard } from '../../../../shared/contracts/processing.ts';
import type { AdminSession, Flash } from '../../admin/sessions.ts';
import { html } from '../html.ts';
import { adminPage, dateTime } from './layout.ts';

export function customerCardsPath(customerId: string): string {
  return `/admin/customers/${encodeURIComponent(customerId)}/cards`;
}

export interface CustomerCardsView {
  session: AdminSession;
  flash: Flash | undefined;
  customerId: string;
  cards: SavedCard[];
}

/** The cards, newest first; on a phone each row becomes a small card (admin.css, `table.stack`). */
export function renderCustomerCards(view: CustomerCardsView): string {
  const table = view.cards.length === 0
    ? html`<p class="empty">This customer has no saved cards.</p>`
    : html`<div class="table-scroll"><table class="data stack" id="saved-cards">
<thead><tr><th scope="col">Card</th><th scope="col">Expires</th><th scope="col">Card holder</th><th scope="col">Saved (UTC)</th><th scope="col">Card id</th></tr></thead>
<tbody>${view.cards.map((card) => html`<tr>
<td data-label="Card"><span class="nowrap">${maskedLabel(card.brand, card.last4)}</span></td>
<td class="nowrap" data-label="Expires">${String(card.expMonth).padStart(2, '0')}/${card.expYear}</td>
<td data-label="Card holder">${card.holderName}</td>
<td class="nowrap" data-label="Saved (UTC)">${dateTime(card.createdAt, { zone: false })}</td>
<td class="mono" data-label="Card id">${card.id}</td>
</tr>`)}</tbody>
</table></div>`;
  return adminPage({ title: `Customer ${view.customerId}`, session: view.session, section: 'payments', flash: view.flash }, html`
<p class="breadcrumb"><a href="/admin/payments">Payments</a> › Customer <span class="mono">${view.customerId}</span></p>
<h1>Saved cards</h1>
<p class="lead">The cards customer <span class="mono">${view.customerId}</span> keeps for their next checkouts, newest first. The card numbers stay in the card vault.</p>
${table}`);
}
