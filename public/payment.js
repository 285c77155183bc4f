// Checkout page behaviour. The form works without this file (a plain form post, with the
// idempotency key written into the page by the server); with it the shopper gets inline
// validation, brand detection, card-number formatting, one payment per click, and the test
// cards filling the form. The server checks everything again.
import {
  BRAND_NAMES, CARD_NUMBER_LENGTH_MIN, cardNumberLengthMax, cvvLength, detectBrand, formatCardNumber,
  luhnValid, normalizeCardNumber,
} from './card-rules.js';

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
};
const brandLabel = document.getElementById('cardNumber-brand');
const FIELD_ORDER = ['amount', 'currency', 'cardholderName', 'cardNumber', 'expiry', 'cvv'];
const PAY_LABEL = payButton.textContent;

/** A random version 4 UUID; crypto.randomUUID exists only in secure contexts (https, localhost). */
function newIdempotencyKey() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function currentBrand() {
  return detectBrand(normalizeCardNumber(fields.cardNumber.value));
}

function currencyExponent() {
  const option = fields.currency.selectedOptions[0];
  return option ? Number(option.dataset.exponent ?? '2') : 2;
}

// Each check answers an error message, or '' when the value is acceptable.
const checks = {
  amount(value) {
    const text = value.trim();
    if (text === '') return 'Enter the amount.';
    const match = /^(\d{1,15})(?:\.(\d{1,15}))?$/.exec(text);
    if (!match) return 'Enter the amount as a number, such as 12.34.';
    const exponent = currencyExponent();
    const decimals = (match[2] ?? '').length;
    if (decimals > exponent) {
      return exponent === 0
        ? `${fields.currency.value} has no minor unit: enter a whole number.`
        : `${fields.currency.value} allows at most ${exponent} decimal places.`;
    }
    if (/^[0.]+$/.test(text)) return 'The amount must be greater than zero.';
    return '';
  },
  currency(value) {
    return value === '' ? 'Choose a currency.' : '';
  },
  cardholderName(value) {
    return value.trim() === '' ? 'Enter the name as it appears on the card.' : '';
  },
  cardNumber(value) {
    const digits = normalizeCardNumber(value);
    if (digits === '') return 'Enter the card number.';
    if (!/^\d+$/.test(digits)) return 'The card number can contain only digits and spaces.';
    if (digits.length < CARD_NUMBER_LENGTH_MIN || digits.length > cardNumberLengthMax(detectBrand(digits))) {
      return 'The card number is too short or too long.';
    }
    if (!luhnValid(digits)) return 'This card number is not valid. Please check it.';
    return '';
  },
  expiry(value) {
    const match = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(value);
    if (value.trim() === '') return 'Enter the expiry date.';
    if (!match) return 'Enter the expiry date as MM/YY.';
    const month = Number(match[1]);
    const year = match[2].length === 2 ? 2000 + Number(match[2]) : Number(match[2]);
    if (month < 1 || month > 12) return 'The month must be from 01 to 12.';
    const now = new Date();
    const currentYear = now.getUTCFullYear();
    const currentMonth = now.getUTCMonth() + 1;
    if (year < currentYear || (year === currentYear && month < currentMonth)) return 'This card has expired.';
    return '';
  },
  cvv(value) {
    const length = cvvLength(currentBrand());
    if (value.trim() === '') return 'Enter the security code.';
    if (!new RegExp(`^\\d{${length}}$`).test(value.trim())) return `The security code is ${length} digits.`;
    return '';
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

function announce(message) {
  status.textContent = message;
}

function detailsFingerprint() {
  return FIELD_ORDER.map((name) => fields[name].value.trim()).join('\u0000');
}

let submitting = false;
let lastSubmittedDetails = null;

function onSubmit(event) {
  if (submitting) {
    // A second click while the first post is on its way: one checkout, one payment.
    event.preventDefault();
    return;
  }
  const invalid = FIELD_ORDER.filter((name) => validateField(name) !== '');
  if (invalid.length > 0) {
    event.preventDefault();
    announce(`Please correct ${invalid.length === 1 ? '1 field' : `${invalid.length} fields`} before paying.`);
    fields[invalid[0]].focus();
    return;
  }
  // Resubmitting the same details (after Back) keeps the key, so the server replays the first
  // answer; changed details are a new checkout and need a new key.
  const details = detailsFingerprint();
  if (!keyInput.value || (lastSubmittedDetails !== null && lastSubmittedDetails !== details)) {
    keyInput.value = newIdempotencyKey();
  }
  lastSubmittedDetails = details;
  submitting = true;
  payButton.disabled = true;
  payButton.setAttribute('aria-busy', 'true');
  payButton.textContent = 'Processing…';
  announce('Processing your payment. Please wait and do not close this page.');
}

function resetSubmitState() {
  submitting = false;
  payButton.disabled = false;
  payButton.removeAttribute('aria-busy');
  payButton.textContent = PAY_LABEL;
}

function futureExpiry() {
  const year = (new Date().getUTCFullYear() + 3) % 100;
  return `12/${String(year).padStart(2, '0')}`;
}

function useTestCard(button) {
  const digits = button.dataset.number ?? '';
  const brand = detectBrand(digits);
  fields.cardNumber.value = formatCardNumber(digits);
  fields.expiry.value = futureExpiry();
  fields.cvv.value = cvvLength(brand) === 4 ? '1234' : '123';
  if (fields.cardholderName.value.trim() === '') fields.cardholderName.value = 'Test Shopper';
  if (fields.amount.value.trim() === '') fields.amount.value = fields.currency.value === 'JPY' ? '1000' : '10.00';
  onCardNumberInput();
  FIELD_ORDER.forEach(validateField);
  announce(`Filled the form with the ${BRAND_NAMES[brand] || 'test'} card ending ${digits.slice(-4)}.`);
  payButton.focus();
}

function start() {
  // From here on this script validates, with messages tied to each field.
  form.noValidate = true;
  if (!keyInput.value) keyInput.value = newIdempotencyKey();
  for (const element of document.querySelectorAll('.js-only')) element.hidden = false;

  fields.cardNumber.addEventListener('input', onCardNumberInput);
  fields.expiry.addEventListener('input', onExpiryInput);
  fields.cvv.addEventListener('input', () => {
    fields.cvv.value = fields.cvv.value.replace(/\D/g, '');
    revalidateIfShown('cvv');
  });
  fields.amount.addEventListener('input', () => revalidateIfShown('amount'));
  fields.cardholderName.addEventListener('input', () => revalidateIfShown('cardholderName'));
  fields.currency.addEventListener('change', () => {
    if (fields.amount.value.trim() !== '') validateField('amount');
  });
  for (const name of FIELD_ORDER) {
    fields[name].addEventListener('blur', () => {
      if (fields[name].value.trim() !== '') validateField(name);
    });
  }
  form.addEventListener('submit', onSubmit);
  document.querySelector('.test-cards')?.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('.use-card') : null;
    if (button) useTestCard(button);
  });
  // Back from the result page restores this page as it was left: make it usable again.
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) {
      resetSubmitState();
      announce('');
    }
  });
  if (fields.cardNumber.value) onCardNumberInput();
}

start();
