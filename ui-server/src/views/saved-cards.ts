/**
 * A returning shopper's saved cards on the checkout page: the "Pay with a saved card" choice, the
 * cards as radio buttons (brand, last four, expiry), and a Remove button for each. A form cannot
 * hold another, so each Remove button belongs to a small form of its own after the payment form
 * (the button's `form` attribute), which posts without JavaScript and carries no card data.
 */
import { maskedLabel } from '../../../shared/cards.ts';
import type { SavedCard } from '../../../shared/contracts/processing.ts';
import { html, type SafeHtml } from './html.ts';

/** Where the Remove button of a card posts. */
export function removeCardPath(cardId: string): string {
  return `/saved-cards/${encodeURIComponent(cardId)}/remove`;
}

const removeFormId = (card: SavedCard) => `remove-${card.id}`;
const expiryLabel = (card: SavedCard) => `${String(card.expMonth).padStart(2, '0')}/${String(card.expYear).slice(-2)}`;

export function savedCardChoice(checked: boolean): SafeHtml {
  return html`
        <label class="method-choice" for="method-saved_card"><input type="radio" id="method-saved_card" name="paymentMethod" value="saved_card"${checked ? html` checked` : ''}> Pay with a saved card</label>`;
}

/** The cards, newest first, `chosenId` (or the first) chosen; the field's error under them. */
export function savedCardFields(cards: SavedCard[], chosenId: string | undefined, error: string | undefined): SafeHtml {
  const chosen = cards.some((card) => card.id === chosenId) ? chosenId : cards[0]?.id;
  const rows = cards.map((card) => {
    const label = maskedLabel(card.brand, card.last4);
    const inputId = `saved-${card.id}`;
    return html`
        <li class="saved-card">
          <input type="radio" id="${inputId}" name="savedCardId" value="${card.id}"${card.id === chosen ? html` checked` : ''}${error ? html` aria-invalid="true"` : ''} aria-describedby="savedCardId-error">
          <label for="${inputId}"><span class="saved-card-name">${label}</span> <span class="saved-card-expiry">expires ${expiryLabel(card)}</span></label>
          <button type="submit" class="link-button remove-card" form="${removeFormId(card)}">Remove<span class="visually-hidden"> ${label}</span></button>
        </li>`;
  });
  return html`
    <fieldset id="saved-card-fields" class="method-fields" data-method="saved_card">
      <legend>Your saved cards</legend>
      <p class="hint">Choose a card and pay: no need to type it again.</p>
      <ul class="saved-cards">${rows}
      </ul>
      <p id="savedCardId-error" class="field-error">${error ?? ''}</p>
    </fieldset>`;
}

/** One form per card for its Remove button; the order's amount and currency come back with the page. */
export function removalForms(cards: SavedCard[], order: { amount?: string | undefined; currency?: string | undefined }): SafeHtml {
  const kept = html`${order.amount ? html`<input type="hidden" name="amount" value="${order.amount}">` : ''}${order.currency ? html`<input type="hidden" name="currency" value="${order.currency}">` : ''}`;
  return html`${cards.map((card) => html`
  <form id="${removeFormId(card)}" class="remove-card-form" method="post" action="${removeCardPath(card.id)}">${kept}</form>`)}`;
}
