/**
 * The shopper's form → the processing server's request, or the list of field problems.
 * Every check of SPEC §2 happens here, before anything leaves the merchant; problems are
 * named with the form's own field names so the page can point at the right input.
 */
import { checkCard, normalizeCardNumber, parseExpiry, type FieldProblem } from '../../shared/cards.ts';
import { isCurrency, parseDecimalAmount, type Currency } from '../../shared/money.ts';
import { makePaymentFormSchema, type MakePaymentForm } from '../../shared/contracts/ui.ts';
import type { CreatePaymentInput } from '../../shared/contracts/processing.ts';

export type FormField = keyof MakePaymentForm;

export const FORM_FIELDS: readonly FormField[] = ['cardholderName', 'cardNumber', 'expiry', 'cvv', 'amount', 'currency', 'idempotencyKey'];

/** Human labels, in the order the form shows the fields. */
export const FIELD_LABELS: Record<FormField, string> = {
  cardholderName: 'Name on card',
  cardNumber: 'Card number',
  expiry: 'Expiry date',
  cvv: 'Security code (CVV)',
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

/** What can be said back about the order whatever happened: never card data. */
export interface OrderSummary {
  amountText: string;
  currency: string;
}

export type ParsedPaymentForm =
  | { ok: true; request: CreatePaymentInput; idempotencyKey: string; amountMinor: number; currency: Currency; order: OrderSummary }
  | { ok: false; errors: FieldProblem[]; order: OrderSummary };

type RawForm = Partial<Record<FormField, unknown>>;

/** Each field on its own, so one bad field does not hide the values of the others. */
function readFields(raw: RawForm, errors: FieldProblem[]): Partial<MakePaymentForm> {
  const values: Partial<MakePaymentForm> = {};
  for (const field of FORM_FIELDS) {
    const value = raw[field];
    if (value !== undefined && typeof value !== 'string') {
      errors.push({ field, message: 'must be text' });
      continue;
    }
    const result = makePaymentFormSchema.shape[field].safeParse(value);
    if (result.success) values[field] = result.data;
    else errors.push({ field, message: result.error.issues[0]?.message ?? 'is invalid' });
  }
  return values;
}

/** One problem per field (the first found), in the form's order. */
function firstPerField(errors: FieldProblem[]): FieldProblem[] {
  const seen = new Set<string>();
  const unique = errors.filter((problem) => !seen.has(problem.field) && seen.add(problem.field));
  const rank = (field: string) => {
    const index = FORM_FIELDS.indexOf(field as FormField);
    return index === -1 ? FORM_FIELDS.length : index;
  };
  return unique.sort((left, right) => rank(left.field) - rank(right.field));
}

export function parsePaymentForm(body: unknown, now: Date): ParsedPaymentForm {
  const raw: RawForm = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as RawForm) : {};
  const errors: FieldProblem[] = [];
  const values = readFields(raw, errors);
  const order: OrderSummary = {
    amountText: values.amount ?? '',
    currency: values.currency !== undefined && isCurrency(values.currency) ? values.currency : '',
  };

  let currency: Currency | undefined;
  if (values.currency !== undefined) {
    if (isCurrency(values.currency)) currency = values.currency;
    else errors.push({ field: 'currency', message: 'is not a currency we accept' });
  }
  let amountMinor: number | undefined;
  if (values.amount !== undefined && currency !== undefined) {
    const parsed = parseDecimalAmount(values.amount, currency);
    if (parsed.ok) amountMinor = parsed.amountMinor;
    else errors.push({ field: 'amount', message: parsed.message });
  }
  const expiry = values.expiry === undefined ? null : parseExpiry(values.expiry);
  if (values.expiry !== undefined && expiry === null) errors.push({ field: 'expiry', message: 'must be a month and year such as 08/29' });

  const card = {
    number: values.cardNumber ?? '',
    expMonth: expiry?.expMonth ?? 0,
    expYear: expiry?.expYear ?? 0,
    cvv: values.cvv ?? '',
    holderName: values.cardholderName ?? '',
  };
  for (const problem of checkCard(card, now, { requireHolderName: true })) {
    const field = toFormField(problem.field);
    // A field that already failed its own check (missing, unreadable) keeps that first message.
    if (field === 'expiry' && expiry === null) continue;
    errors.push({ field, message: problem.message });
  }

  if (errors.length > 0 || currency === undefined || amountMinor === undefined || expiry === null || values.idempotencyKey === undefined) {
    return { ok: false, errors: firstPerField(errors), order };
  }
  const request: CreatePaymentInput = {
    amount: amountMinor,
    currency,
    card: { number: normalizeCardNumber(card.number), expMonth: expiry.expMonth, expYear: expiry.expYear, cvv: card.cvv, holderName: card.holderName },
    captureMethod: 'automatic',
  };
  return { ok: true, request, idempotencyKey: values.idempotencyKey, amountMinor, currency, order };
}
