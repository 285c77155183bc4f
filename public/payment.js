// Checkout page behaviour. The form works without this file (a plain form post, with the
// idempotency key written into the page by the server, and errors coming back beside their
// fields); with it the shopper gets inline validation, brand detection, card-number formatting,
// one payment per click, only the chosen way to pay (card, saved card or points) shown and sent,
// and the test cards and points accounts filling the form. The rules come from card-rules.js and
// points-rules.js and the words from /checkout-messages.js, the server's own: both say the same
// thing. The server checks everything again.
import {
  BRAND_NAMES, cardNumberLengthMax, cardNumberProblem, cvvLength, cvvProblem, detectBrand, expiryTextProblem,
  formatCardNumber, holderNameProblem, normalizeCardNumber,
} from './card-rules.js';
import { pointsAccountProblem, pointsPinProblem } from './points-rules.js';
import { MESSAGES } from './checkout-messages.js';

const form = document.getElementById('payment-form');
const status = document.getElementById('form-status');
const payButton = document.getElementById('pay-button');
const keyInput = document.getElementById('idempotencyKey');
const fields = {
  amount: document.getElementById('amount'),
  currency: document.getElementById('currency'),
  cardholderName: document.getElementById('cardholderName'),
  cardNumber: document.getElementById('cardNumber'),
  expiry: document.getElementById('expiry'),
  cvv: document.getElementById('cvv'),
  pointsAccount: document.getElementById('pointsAccount'),
  pointsPin: document.getElementById('pointsPin'),
};
const brandLabel = document.getElementById('cardNumber-brand');
/** Each way to pay: its fieldset and its fields, in the page's order. Saved cards are there only for a shopper who has some. */
const METHODS = {
  card: { fieldset: document.getElementById('card-fields'), fields: ['cardholderName', 'cardNumber', 'expiry', 'cvv'] },
  points: { fieldset: document.getElementById('points-fields'), fields: ['pointsAccount', 'pointsPin'] },
  saved_card: { fieldset: document.getElementById('saved-card-fields'), fields: [] },
};
const savedCardError = document.getElementById('savedCardId-error');
/** The one currency points pay in, written into the page by the server from its settings. */
const POINTS_CURRENCY = METHODS.points.fieldset.dataset.currency ?? '';
const PAY_LABEL = payButton.textContent;
/** The largest amount the server accepts, in minor units (twelve digits). */
const AMOUNT_MINOR_MAX = 999_999_999_999n;

/** A message of the shared table with its {name} places filled, as the server fills them. */
function message(group, name, values = {}) {
  const template = MESSAGES[group]?.[name] ?? '';
  return template.replace(/\{(\w+)\}/g, (place, key) => (Object.hasOwn(values, key) ? String(values[key]) : place));
}

function correctFieldsMessage(count) {
  return count === 1 ? message('form', 'correct_one') : message('form', 'correct_many', { count });
}

/** A random version 4 UUID; crypto.randomUUID exists only in secure contexts (https, localhost). */
function newIdempotencyKey() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The chosen way to pay; the server marks one, and a page without a choice pays by card. */
function currentMethod() {
  const chosen = form.elements.paymentMethod.value;
  return chosen === 'points' || (chosen === 'saved_card' && METHODS.saved_card.fieldset) ? chosen : 'card';
}

/** With a saved card chosen, one of the cards must be: the server picks the newest, so only a cleared choice fails. */
function savedCardProblem() {
  if (currentMethod() !== 'saved_card' || form.querySelector('input[name="savedCardId"]:checked')) return '';
  return message('savedCardId', 'required');
}

/** The fields checked before paying: the order's, then the chosen way to pay's. */
function fieldOrder() {
  return ['amount', 'currency', ...METHODS[currentMethod()].fields];
}

function currentBrand() {
  return detectBrand(normalizeCardNumber(fields.cardNumber.value));
}

function currencyExponent() {
  const option = fields.currency.selectedOptions[0];
  return option ? Number(option.dataset.exponent ?? '2') : 2;
}

/** The amount problem, as the server's exact decimal parsing finds it (never through a float). */
function amountProblem(text) {
  const match = /^(\d{1,15})(?:\.(\d{1,15}))?$/.exec(text);
  if (text.length > 20 || !match) return 'format';
  const exponent = currencyExponent();
  const fraction = match[2] ?? '';
  if (fraction.length > exponent) return exponent === 0 ? 'no_minor_unit' : 'too_many_decimals';
  const minor = BigInt(match[1]) * 10n ** BigInt(exponent) + BigInt(fraction.padEnd(exponent, '0') || '0');
  if (minor <= 0n) return 'zero';
  return minor > AMOUNT_MINOR_MAX ? 'too_large' : undefined;
}

// Each check answers an error message, or '' when the value is acceptable.
const checks = {
  amount(value) {
    const text = value.trim();
    const problem = text === '' ? 'required' : amountProblem(text);
    return problem ? message('amount', problem, { currency: fields.currency.value, decimals: currencyExponent() }) : '';
  },
  currency(value) {
    if (value === '') return message('currency', 'required');
    return currentMethod() === 'points' && value !== POINTS_CURRENCY ? message('currency', 'points_only', { currency: POINTS_CURRENCY }) : '';
  },
  cardholderName(value) {
    const problem = holderNameProblem(value.trim());
    return problem ? message('cardholderName', problem) : '';
  },
  cardNumber(value) {
    const problem = cardNumberProblem(value.trim());
    return problem ? message('cardNumber', problem) : '';
  },
  expiry(value) {
    const problem = expiryTextProblem(value.trim(), new Date());
    return problem ? message('expiry', problem) : '';
  },
  cvv(value) {
    const brand = currentBrand();
    const problem = cvvProblem(value.trim(), brand);
    return problem ? message('cvv', problem, { length: cvvLength(brand) }) : '';
  },
  pointsAccount(value) {
    const problem = pointsAccountProblem(value.trim());
    return problem ? message('pointsAccount', problem) : '';
  },
  pointsPin(value) {
    const problem = pointsPinProblem(value.trim());
    return problem ? message('pointsPin', problem) : '';
  },
};

function showError(name, message) {
  const input = fields[name];
  const slot = document.getElementById(`${name}-error`);
  slot.textContent = message;
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

function validateField(name) {
  const message = checks[name](fields[name].value);
  showError(name, message);
  return message;
}

/** Errors already shown are updated while typing; new ones appear only on leaving the field. */
function revalidateIfShown(name) {
  if (fields[name].getAttribute('aria-invalid') === 'true') validateField(name);
}

function onCardNumberInput() {
  const input = fields.cardNumber;
  const caret = input.selectionStart ?? input.value.length;
  const digitsBeforeCaret = normalizeCardNumber(input.value.slice(0, caret)).replace(/\D/g, '').length;
  const digits = normalizeCardNumber(input.value).replace(/\D/g, '');
  const brand = detectBrand(digits);
  const formatted = formatCardNumber(digits.slice(0, cardNumberLengthMax(brand)));
  if (formatted !== input.value) {
    input.value = formatted;
    // Keep the caret after the same number of digits, however many spaces were added.
    let position = 0;
    for (let seen = 0; position < formatted.length && seen < digitsBeforeCaret; position += 1) {
      if (/\d/.test(formatted[position])) seen += 1;
    }
    input.setSelectionRange(position, position);
  }
  brandLabel.textContent = BRAND_NAMES[brand] ?? '';
  fields.cvv.maxLength = cvvLength(brand);
  fields.cvv.placeholder = cvvLength(brand) === 4 ? '1234' : '123';
  revalidateIfShown('cardNumber');
  revalidateIfShown('cvv');
}

function onExpiryInput(event) {
  const input = fields.expiry;
  const deleting = typeof event.inputType === 'string' && event.inputType.startsWith('delete');
  // A complete date (typed, pasted or autofilled, "08/29" or "08/2029") is left as it is.
  const complete = /^\s*\d{1,2}\s*\/\s*(\d{2}|\d{4})\s*$/.test(input.value);
  const digits = input.value.replace(/\D/g, '').slice(0, 4);
  if (!deleting && !complete) {
    // "1" waits for a second digit; "2".."9" can only be a month on its own, so becomes "02/".
    const month = digits.length === 1 && digits > '1' ? `0${digits}` : digits.slice(0, 2);
    const rest = digits.length === 1 && digits > '1' ? '' : digits.slice(2);
    input.value = month.length === 2 ? `${month}/${rest}` : month;
  }
  revalidateIfShown('expiry');
}

function announce(text) {
  status.textContent = text;
}

let submitting = false;
// True from the moment the pointer goes down on Pay until the click: the field being left then
// is checked by the submit itself. Checking it on blur would show its error line first, and any
// layout change under the pointer between press and release would lose the click.
let payPressed = false;

function onSubmit(event) {
  payPressed = false;
  if (submitting) {
    // A second click while the first post is on its way: one checkout, one payment.
    event.preventDefault();
    return;
  }
  const invalid = fieldOrder().filter((name) => validateField(name) !== '');
  const cardProblem = savedCardProblem();
  if (savedCardError) savedCardError.textContent = cardProblem;
  if (invalid.length > 0 || cardProblem) {
    event.preventDefault();
    announce(correctFieldsMessage(invalid.length + (cardProblem ? 1 : 0)));
    if (invalid.length > 0) fields[invalid[0]].focus();
    else form.querySelector('input[name="savedCardId"]')?.focus();
    return;
  }
  submitting = true;
  payButton.disabled = true;
  payButton.setAttribute('aria-busy', 'true');
  payButton.textContent = 'Processing…';
  announce(message('form', 'processing'));
}

function resetSubmitState() {
  submitting = false;
  payPressed = false;
  payButton.disabled = false;
  payButton.removeAttribute('aria-busy');
  payButton.textContent = PAY_LABEL;
}

/**
 * Every showing of this page is a new attempt with its own key. The server writes a fresh key
 * into each page it sends (never stored, see the route), and this script makes its own as well,
 * so neither a copy the browser restored (Back, with its form state) nor the page itself kept in
 * the back/forward cache can send an ended attempt's key again with other details.
 */
function startNewAttempt() {
  keyInput.value = newIdempotencyKey();
  resetSubmitState();
}

function futureExpiry() {
  const year = (new Date().getUTCFullYear() + 3) % 100;
  return `12/${String(year).padStart(2, '0')}`;
}

/**
 * Shows the chosen way to pay and hides the other. A disabled fieldset's fields are neither
 * required nor sent, so the server sees only what pays; their errors, which no longer apply, go.
 */
function showMethod() {
  const chosen = currentMethod();
  for (const [name, method] of Object.entries(METHODS)) {
    if (!method.fieldset) continue;
    const other = name !== chosen;
    method.fieldset.hidden = other;
    method.fieldset.disabled = other;
    if (other) method.fields.forEach((field) => showError(field, ''));
  }
  // Points pay in one currency only: a currency chosen for a card may now be wrong, or right again.
  if (fields.currency.getAttribute('aria-invalid') === 'true' || chosen === 'points') validateField('currency');
}

function chooseMethod(method) {
  document.getElementById(`method-${method}`).checked = true;
  showMethod();
}

function useTestCard(button) {
  chooseMethod('card');
  const digits = button.dataset.number ?? '';
  const brand = detectBrand(digits);
  fields.cardNumber.value = formatCardNumber(digits);
  fields.expiry.value = futureExpiry();
  fields.cvv.value = cvvLength(brand) === 4 ? '1234' : '123';
  if (fields.cardholderName.value.trim() === '') fields.cardholderName.value = 'Test Shopper';
  if (fields.amount.value.trim() === '') fields.amount.value = fields.currency.value === 'JPY' ? '1000' : '10.00';
  onCardNumberInput();
  fieldOrder().forEach(validateField);
  announce(`Filled the form with the ${BRAND_NAMES[brand] || 'test'} card ending ${digits.slice(-4)}.`);
  payButton.focus();
}

/** A test points account: points chosen, the account and its PIN filled, the points currency set. */
function useTestPoints(button) {
  fields.currency.value = POINTS_CURRENCY;
  chooseMethod('points');
  fields.pointsAccount.value = button.dataset.account ?? '';
  fields.pointsPin.value = '1234';
  if (fields.amount.value.trim() === '') fields.amount.value = '10.00';
  fieldOrder().forEach(validateField);
  announce(`Filled the form with points account ${fields.pointsAccount.value}, paying in ${POINTS_CURRENCY}.`);
  payButton.focus();
}

function listenForPayPress() {
  payButton.addEventListener('pointerdown', () => {
    payPressed = true;
  });
  // A press that ends elsewhere (dragged off, cancelled) must not keep blur checks off.
  document.addEventListener('click', () => {
    payPressed = false;
  });
  document.addEventListener('pointercancel', () => {
    payPressed = false;
  });
}

function start() {
  startNewAttempt();
  for (const element of document.querySelectorAll('.js-only')) element.hidden = false;

  fields.cardNumber.addEventListener('input', onCardNumberInput);
  fields.expiry.addEventListener('input', onExpiryInput);
  fields.cvv.addEventListener('input', () => {
    fields.cvv.value = fields.cvv.value.replace(/\D/g, '');
    revalidateIfShown('cvv');
  });
  fields.pointsPin.addEventListener('input', () => {
    fields.pointsPin.value = fields.pointsPin.value.replace(/\D/g, '');
    revalidateIfShown('pointsPin');
  });
  for (const name of ['amount', 'cardholderName', 'pointsAccount']) fields[name].addEventListener('input', () => revalidateIfShown(name));
  fields.currency.addEventListener('change', () => {
    if (fields.amount.value.trim() !== '') validateField('amount');
    if (currentMethod() === 'points') validateField('currency');
    else revalidateIfShown('currency');
  });
  for (const radio of form.querySelectorAll('input[name="paymentMethod"]')) radio.addEventListener('change', showMethod);
  for (const name of Object.keys(fields)) {
    fields[name].addEventListener('blur', () => {
      if (!payPressed && fields[name].value.trim() !== '') validateField(name);
    });
  }
  listenForPayPress();
  form.addEventListener('submit', onSubmit);
  document.querySelector('.test-cards')?.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target : null;
    const card = target?.closest('.use-card');
    const points = target?.closest('.use-points');
    if (card) useTestCard(card);
    if (points) useTestPoints(points);
  });
  // Back from the result page may show this very page again from the back/forward cache, as it
  // was left: usable again, and a new attempt with a new key (the last one has ended).
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) {
      startNewAttempt();
      showMethod();
      announce('');
    }
  });
  showMethod();
  if (fields.cardNumber.value) onCardNumberInput();
}

start();
