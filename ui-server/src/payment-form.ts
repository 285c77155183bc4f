/**
 * The shopper's form → the processing server's request, or the list of field problems.
 * Every check of SPEC §2 happens here, before anything leaves the merchant, with the rules of
 * shared/cards.ts, shared/points.ts and shared/money.ts (the page runs the same rules from
 * public/card-rules.js and public/points-rules.js); problems are named with the form's own field
 * names and worded from checkout-messages.ts, so a form posted without JavaScript gets the page's
 * own words. Only the fields of the chosen way to pay are read: a card form's leftover points
 * fields (or the other way round) are neither judged nor sent.
 */
import {
  cardNumberProblem, cvvLength, cvvProblem, detectBrand, expiryTextProblem, holderNameProblem, normalizeCardNumber, parseExpiry,
  type FieldProblem,
} from '../../shared/cards.ts';
import { currencyExponent, isCurrency, parseDecimalAmount, type Currency } from '../../shared/money.ts';
import { pointsAccountProblem, pointsPinProblem } from '../../shared/points.ts';
import { checkoutMethodSchema, makePaymentFormSchema, type CheckoutMethod, type MakePaymentForm } from '../../shared/contracts/ui.ts';
import type { CreatePaymentInput } from '../../shared/contracts/processing.ts';
import { checkoutMessage, type MessageGroup, type MessageName } from './checkout-messages.ts';

export type FormField = keyof MakePaymentForm;
/** Every field but the choice of method and the save-this-card box is typed text. */
type TextField = Exclude<FormField, 'paymentMethod' | 'saveCard'>;
type TextValues = Partial<Record<TextField, string>>;

/** The form's fields; problems are listed in this order. */
export const FORM_FIELDS: readonly FormField[] = [
  'paymentMethod', 'savedCardId', 'cardholderName', 'cardNumber', 'expiry', 'cvv', 'saveCard', 'pointsAccount', 'pointsPin', 'amount', 'currency',
  'idempotencyKey',
];

/** What every payment needs, whatever pays it. */
const ORDER_FIELDS: readonly TextField[] = ['amount', 'currency', 'idempotencyKey'];

/** The fields of each way to pay. */
export const METHOD_FIELDS: Record<CheckoutMethod, readonly TextField[]> = {
  card: ['cardholderName', 'cardNumber', 'expiry', 'cvv'],
  points: ['pointsAccount', 'pointsPin'],
  saved_card: ['savedCardId'],
};

/** Human labels, in the order the form shows the fields. */
export const FIELD_LABELS: Record<FormField, string> = {
  paymentMethod: 'How to pay',
  savedCardId: 'Saved card',
  cardholderName: 'Name on card',
  cardNumber: 'Card number',
  expiry: 'Expiry date',
  cvv: 'Security code (CVV)',
  saveCard: 'Save this card for next time',
  pointsAccount: 'Points account',
  pointsPin: 'PIN',
  amount: 'Amount',
  currency: 'Currency',
  idempotencyKey: 'Checkout',
};

/** The processing API's field names (and `checkCard`'s) mapped back onto the form's. */
const PROCESSING_TO_FORM_FIELD: Record<string, FormField> = {
  'card.number': 'cardNumber',
  'card.expMonth': 'expiry',
  'card.expYear': 'expiry',
  'card.cvv': 'cvv',
  'card.holderName': 'cardholderName',
  cardId: 'savedCardId',
  'points.accountId': 'pointsAccount',
  'points.pin': 'pointsPin',
  amount: 'amount',
  currency: 'currency',
  idempotencyKey: 'idempotencyKey',
  'idempotency-key': 'idempotencyKey',
  'Idempotency-Key': 'idempotencyKey',
  'headers.idempotency-key': 'idempotencyKey',
};

export function toFormField(processingField: string): string {
  return Object.hasOwn(PROCESSING_TO_FORM_FIELD, processingField) ? (PROCESSING_TO_FORM_FIELD[processingField] ?? processingField) : processingField;
}

/** What the checkout knows besides the form: the one currency points pay in. */
export interface CheckoutRules {
  pointsCurrency: Currency;
}

/** What can be said back about the order whatever happened: never card data, never a PIN. */
export interface OrderSummary {
  amountText: string;
  currency: string;
  paymentMethod: CheckoutMethod;
}

/**
 * What the shopper typed that a page may show back: never the card number, the security code or
 * the points PIN.
 */
export interface KeptValues {
  amount: string;
  currency: string;
  paymentMethod: CheckoutMethod;
  cardholderName: string;
  expiry: string;
  pointsAccount: string;
  /** The saved card chosen, and whether "Save this card" was ticked. */
  savedCardId: string;
  saveCard: boolean;
}

/** A kept value is shown back in an input; past this it is cut (the inputs' own limits are lower). */
const KEPT_LENGTH_MAX = 200;

export type ParsedPaymentForm =
  | {
    ok: true; request: CreatePaymentInput; idempotencyKey: string; amountMinor: number; currency: Currency; order: OrderSummary; kept: KeptValues;
    /** Save the card after an approved payment (a card payment only). */
    saveCard: boolean;
  }
  | { ok: false; errors: FieldProblem[]; order: OrderSummary; kept: KeptValues };

type RawForm = Partial<Record<FormField, unknown>>;

/** The first problem of each field wins: the one the shopper should fix first. */
class FieldProblems {
  readonly list: FieldProblem[] = [];

  add<Group extends FormField & MessageGroup>(field: Group, name: MessageName<Group>, values?: Record<string, string | number>): void {
    this.addMessage(field, checkoutMessage(field, name, values));
  }

  addMessage(field: string, message: string): void {
    if (!this.list.some((problem) => problem.field === field)) this.list.push({ field, message });
  }

  /** In the form's order; fields the form does not have go last. */
  inFormOrder(): FieldProblem[] {
    const rank = (field: string) => {
      const index = FORM_FIELDS.indexOf(field as FormField);
      return index === -1 ? FORM_FIELDS.length : index;
    };
    return [...this.list].sort((left, right) => rank(left.field) - rank(right.field));
  }
}

/** Each field on its own (text, present, within its bound), so one bad field does not hide the others. */
function readFields(raw: RawForm, fields: readonly TextField[], problems: FieldProblems): TextValues {
  const values: TextValues = {};
  for (const field of fields) {
    const value = raw[field];
    if (value !== undefined && typeof value !== 'string') {
      problems.addMessage(field, checkoutMessage('form', 'not_text'));
      continue;
    }
    const result = makePaymentFormSchema.shape[field].safeParse(value ?? '');
    if (!result.success) {
      // The schema's messages are problem names of this field's group (a unit test holds it to that).
      problems.addMessage(field, checkoutMessage(field, (result.error.issues[0]?.message ?? 'required') as MessageName<typeof field>));
    } else if (result.data === '') {
      problems.addMessage(field, checkoutMessage(field, 'required'));
    } else {
      values[field] = result.data;
    }
  }
  return values;
}

/** The way to pay: a form without one (or with an empty one) pays by card, as before points existed. */
function readMethod(raw: RawForm, problems: FieldProblems): CheckoutMethod | undefined {
  const value = raw.paymentMethod;
  if (value === undefined || (typeof value === 'string' && value.trim() === '')) return 'card';
  const parsed = checkoutMethodSchema.safeParse(typeof value === 'string' ? value.trim() : value);
  if (parsed.success) return parsed.data;
  problems.add('paymentMethod', 'unknown');
  return undefined;
}

/** The typed values worth showing back in a form with errors (text only, bounded). */
function keptValues(raw: RawForm, method: CheckoutMethod): KeptValues {
  const text = (field: TextField) => {
    const value = raw[field];
    return typeof value === 'string' ? value.trim().slice(0, KEPT_LENGTH_MAX) : '';
  };
  const currency = text('currency').toUpperCase();
  return {
    amount: text('amount'), currency: isCurrency(currency) ? currency : '', paymentMethod: method,
    cardholderName: text('cardholderName'), expiry: text('expiry'), pointsAccount: text('pointsAccount'),
    savedCardId: text('savedCardId'), saveCard: raw.saveCard === 'on',
  };
}

/** "Save this card for next time": a ticked box sends `on`; unticked, nothing. Read for a card payment only. */
function readSaveCard(raw: RawForm, method: CheckoutMethod | undefined, problems: FieldProblems): boolean {
  if (method !== 'card' || raw.saveCard === undefined || raw.saveCard === '') return false;
  if (makePaymentFormSchema.shape.saveCard.safeParse(raw.saveCard).success) return true;
  problems.add('saveCard', 'format');
  return false;
}

function checkAmount(values: TextValues, problems: FieldProblems): { currency?: Currency; amountMinor?: number } {
  if (values.currency === undefined) return {};
  if (!isCurrency(values.currency)) {
    problems.add('currency', 'unknown');
    return {};
  }
  const currency = values.currency;
  if (values.amount === undefined) return { currency };
  const parsed = parseDecimalAmount(values.amount, currency);
  if (parsed.ok) return { currency, amountMinor: parsed.amountMinor };
  problems.add('amount', parsed.problem, { currency, decimals: currencyExponent(currency) });
  return { currency };
}

function checkCardFields(values: TextValues, problems: FieldProblems, now: Date): void {
  const nameProblem = values.cardholderName === undefined ? undefined : holderNameProblem(values.cardholderName);
  if (nameProblem) problems.add('cardholderName', nameProblem);
  const numberProblem = values.cardNumber === undefined ? undefined : cardNumberProblem(values.cardNumber);
  if (numberProblem) problems.add('cardNumber', numberProblem);
  const expiryProblem = values.expiry === undefined ? undefined : expiryTextProblem(values.expiry, now);
  if (expiryProblem) problems.add('expiry', expiryProblem);
  const brand = detectBrand(normalizeCardNumber(values.cardNumber ?? ''));
  const securityCodeProblem = values.cvv === undefined ? undefined : cvvProblem(values.cvv, brand);
  if (securityCodeProblem) problems.add('cvv', securityCodeProblem, { length: cvvLength(brand) });
}

/** The account and PIN, and the one currency points pay in (said beside the currency). */
function checkPointsFields(values: TextValues, currency: Currency | undefined, rules: CheckoutRules, problems: FieldProblems): void {
  const accountProblem = values.pointsAccount === undefined ? undefined : pointsAccountProblem(values.pointsAccount);
  if (accountProblem) problems.add('pointsAccount', accountProblem);
  const pinProblem = values.pointsPin === undefined ? undefined : pointsPinProblem(values.pointsPin);
  if (pinProblem) problems.add('pointsPin', pinProblem);
  if (currency !== undefined && currency !== rules.pointsCurrency) problems.add('currency', 'points_only', { currency: rules.pointsCurrency });
}

/** The way to pay as the processing server takes it, once every field of it has passed its checks. */
function paymentSource(method: CheckoutMethod, values: TextValues): Pick<CreatePaymentInput, 'card' | 'cardId' | 'points'> | undefined {
  if (method === 'saved_card') return values.savedCardId === undefined ? undefined : { cardId: values.savedCardId };
  if (method === 'points') {
    const { pointsAccount, pointsPin } = values;
    return pointsAccount === undefined || pointsPin === undefined ? undefined : { points: { accountId: pointsAccount, pin: pointsPin } };
  }
  const expiry = values.expiry === undefined ? null : parseExpiry(values.expiry);
  const { cardholderName, cardNumber, cvv } = values;
  if (expiry === null || cardholderName === undefined || cardNumber === undefined || cvv === undefined) return undefined;
  return { card: { number: normalizeCardNumber(cardNumber), expMonth: expiry.expMonth, expYear: expiry.expYear, cvv, holderName: cardholderName } };
}

export function parsePaymentForm(body: unknown, now: Date, rules: CheckoutRules): ParsedPaymentForm {
  const raw: RawForm = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as RawForm) : {};
  const problems = new FieldProblems();
  const method = readMethod(raw, problems);
  const values = readFields(raw, [...(method ? METHOD_FIELDS[method] : []), ...ORDER_FIELDS], problems);
  const kept = keptValues(raw, method ?? 'card');
  const saveCard = readSaveCard(raw, method, problems);
  const { currency, amountMinor } = checkAmount(values, problems);
  if (method === 'card') checkCardFields(values, problems, now);
  if (method === 'points') checkPointsFields(values, currency, rules, problems);
  const order: OrderSummary = { amountText: values.amount ?? '', currency: currency ?? '', paymentMethod: method ?? 'card' };

  const source = method ? paymentSource(method, values) : undefined;
  const { idempotencyKey } = values;
  if (problems.list.length > 0 || currency === undefined || amountMinor === undefined || source === undefined || idempotencyKey === undefined) {
    return { ok: false, errors: problems.inFormOrder(), order, kept };
  }
  const request: CreatePaymentInput = { amount: amountMinor, currency, ...source, captureMethod: 'automatic' };
  return { ok: true, request, idempotencyKey, amountMinor, currency, order, kept, saveCard };
}
