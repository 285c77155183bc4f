/**
 * The checkout page is public/payment.html, served through a route that writes into it what only
 * the server knows: a fresh idempotency key in the hidden input (so a shopper without JavaScript
 * still posts one, and a double submit of one page load is one payment), and, when a form comes
 * back with errors or a checkout is tried again, the values to keep, the way to pay that was
 * chosen, and each error beside its field; the currency points pay in, which is a setting; and a
 * returning shopper's saved cards (views/saved-cards.ts), chosen to pay with by default.
 * Only marked places of the template are filled, and each must be in it exactly once.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FieldProblem } from '../../../shared/cards.ts';
import type { SavedCard } from '../../../shared/contracts/processing.ts';
import type { CheckoutMethod } from '../../../shared/contracts/ui.ts';
import { formatMinor, type Currency } from '../../../shared/money.ts';
import { correctFieldsMessage } from '../checkout-messages.ts';
import type { KeptValues } from '../payment-form.ts';
import { escapeHtml } from './html.ts';
import { removalForms, savedCardChoice, savedCardFields } from './saved-cards.ts';

/** The exact markup of the empty hidden input in payment.html that receives the key. */
export const IDEMPOTENCY_KEY_SLOT = 'name="idempotencyKey" value=""';

/** The fields the page shows, in its order; each has an input (or select) and an error line. */
const PAGE_FIELDS = ['amount', 'currency', 'cardholderName', 'cardNumber', 'expiry', 'cvv', 'saveCard', 'pointsAccount', 'pointsPin'] as const;
type PageField = (typeof PAGE_FIELDS)[number];
/** What may be written back into the page: never the card number, the security code or the PIN. */
const KEPT_INPUTS = ['amount', 'cardholderName', 'expiry', 'pointsAccount'] as const;

/** What the page says about points, which depends on the settings. */
export interface CheckoutPageSettings {
  pointsCurrency: Currency;
}

/** "Points pay for USD amounts: 1 point = 0.01 USD." */
export function pointsNote(currency: Currency): string {
  return `Points pay for ${currency} amounts: 1 point = ${formatMinor(1, currency)} ${currency}.`;
}

export interface CheckoutForm {
  idempotencyKey?: string;
  values?: Partial<KeptValues>;
  errors?: FieldProblem[];
  /** The shopper's saved cards (none for a shopper the checkout does not know). */
  savedCards?: SavedCard[];
  /** A line for the status area, such as "The saved card was removed." */
  notice?: string;
}

export interface CheckoutPage {
  render(form?: CheckoutForm): string;
}

const STATUS_SLOT = 'id="form-status" class="form-status" role="status" aria-live="polite" aria-atomic="true">';
const controlSlot = (field: PageField) => (field === 'currency' ? '<select id="currency"' : `<input id="${field}"`);
const errorSlot = (field: PageField) => `<p id="${field}-error" class="field-error">`;
const optionSlot = (currency: string) => `<option value="${currency}"`;
const methodSlot = (method: CheckoutMethod) => `id="method-${method}" name="paymentMethod" value="${method}"`;
/** The ways to pay every page offers; a saved card is offered only to a shopper who has some. */
const TEMPLATE_METHODS: readonly CheckoutMethod[] = ['card', 'points'];
const METHOD_CHOICES_SLOT = '<div class="method-choices">';
const SAVED_CARDS_SLOT = '<!-- saved cards -->';
const REMOVAL_FORMS_SLOT = '<!-- saved card removal forms -->';
const POINTS_FIELDS_SLOT = 'id="points-fields" class="method-fields" data-method="points"';
const POINTS_NOTE_SLOT = '<p id="points-note" class="hint points-note">';

/** Where each marked place ends in the template; the text for it is inserted there. */
function locateSlots(template: string, file: string, slots: string[]): Map<string, number> {
  const positions = new Map<string, number>();
  for (const slot of slots) {
    const at = template.indexOf(slot);
    // Fail at start-up, not at the first shopper: a page without its places would lose keys or errors.
    if (at === -1 || template.indexOf(slot, at + 1) !== -1) throw new Error(`${file} must contain ${slot} exactly once`);
    positions.set(slot, at + slot.length);
  }
  return positions;
}

function insertAll(template: string, insertions: Array<[number, string]>): string {
  const ordered = insertions.filter(([, text]) => text !== '').sort((left, right) => left[0] - right[0]);
  let out = '';
  let from = 0;
  for (const [at, text] of ordered) {
    out += template.slice(from, at) + text;
    from = at;
  }
  return out + template.slice(from);
}

function isPageField(field: string): field is PageField {
  return (PAGE_FIELDS as readonly string[]).includes(field);
}

export function loadCheckoutPage(publicDir: string, settings: CheckoutPageSettings): CheckoutPage {
  const file = path.join(publicDir, 'payment.html');
  const template = readFileSync(file, 'utf8');
  const currencies = [...template.matchAll(/<option value="([A-Z]{3})"/g)].map((match) => match[1] ?? '');
  const keySlot = IDEMPOTENCY_KEY_SLOT.slice(0, -1);
  const at = locateSlots(template, file, [
    keySlot, STATUS_SLOT, ...PAGE_FIELDS.map(controlSlot), ...PAGE_FIELDS.map(errorSlot), ...currencies.map(optionSlot),
    ...TEMPLATE_METHODS.map(methodSlot), POINTS_FIELDS_SLOT, POINTS_NOTE_SLOT, METHOD_CHOICES_SLOT, SAVED_CARDS_SLOT, REMOVAL_FORMS_SLOT,
  ]);
  const position = (slot: string) => at.get(slot) ?? 0;
  // The same in every page: where points pay, for the page's script and for the shopper.
  const settingInsertions: Array<[number, string]> = [
    [position(POINTS_FIELDS_SLOT), ` data-currency="${escapeHtml(settings.pointsCurrency)}"`],
    [position(POINTS_NOTE_SLOT), escapeHtml(pointsNote(settings.pointsCurrency))],
  ];

  return {
    render(form = {}) {
      const savedCards = form.savedCards ?? [];
      const errors = form.errors ?? [];
      const onPage = (field: string) => isPageField(field) || (field === 'savedCardId' && savedCards.length > 0);
      const fieldErrors = new Map(errors.filter((problem) => onPage(problem.field)).map((problem) => [problem.field, problem.message]));
      const otherErrors = errors.filter((problem) => !onPage(problem.field)).map((problem) => problem.message);
      const firstInvalid = PAGE_FIELDS.find((field) => fieldErrors.has(field));
      const method = chosenMethod(form.values?.paymentMethod, savedCards.length > 0);
      const insertions: Array<[number, string]> = [
        ...settingInsertions,
        [position(keySlot), escapeHtml(form.idempotencyKey ?? randomUUID())],
        ...savedCardInsertions(form, method, fieldErrors.get('savedCardId')),
      ];
      if (method !== 'saved_card') insertions.push([position(methodSlot(method)), ' checked']);
      for (const field of PAGE_FIELDS) {
        const message = fieldErrors.get(field);
        const kept = (KEPT_INPUTS as readonly string[]).includes(field) ? form.values?.[field as (typeof KEPT_INPUTS)[number]] : undefined;
        const checked = field === 'saveCard' && form.values?.saveCard === true ? ' checked' : '';
        const attributes = `${kept ? ` value="${escapeHtml(kept)}"` : ''}${checked}${message ? ' aria-invalid="true"' : ''}${field === firstInvalid ? ' autofocus' : ''}`;
        insertions.push([position(controlSlot(field)), attributes], [position(errorSlot(field)), escapeHtml(message ?? '')]);
      }
      const currency = form.values?.currency;
      if (currency && currencies.includes(currency)) insertions.push([position(optionSlot(currency)), ' selected']);
      const status = [form.notice ?? '', fieldErrors.size > 0 ? correctFieldsMessage(fieldErrors.size) : '', ...otherErrors].filter(Boolean).join(' ');
      insertions.push([position(STATUS_SLOT), escapeHtml(status)]);
      return insertAll(template, insertions);
    },
  };

  /** The saved-card choice, the cards and their Remove forms, for a shopper who has some. */
  function savedCardInsertions(form: CheckoutForm, method: CheckoutMethod, error: string | undefined): Array<[number, string]> {
    const cards = form.savedCards ?? [];
    if (cards.length === 0) return [];
    return [
      [position(METHOD_CHOICES_SLOT), savedCardChoice(method === 'saved_card').value],
      [position(SAVED_CARDS_SLOT), savedCardFields(cards, form.values?.savedCardId, error).value],
      [position(REMOVAL_FORMS_SLOT), removalForms(cards, { amount: form.values?.amount, currency: form.values?.currency }).value],
    ];
  }
}

/** The way to pay shown chosen: the one asked for, else a saved card for a shopper who has some, else a card. */
function chosenMethod(asked: CheckoutMethod | undefined, hasSavedCards: boolean): CheckoutMethod {
  if (asked === 'saved_card') return hasSavedCards ? 'saved_card' : 'card';
  return asked ?? (hasSavedCards ? 'saved_card' : 'card');
}
