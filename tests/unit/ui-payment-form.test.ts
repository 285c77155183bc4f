/** parsePaymentForm: the shopper's strings → the processing request, or problems named by form field. */
import fc from 'fast-check';
import { CHECKOUT_MESSAGES } from '../../ui-server/src/checkout-messages.ts';
import { FORM_FIELDS, parsePaymentForm, toFormField } from '../../ui-server/src/payment-form.ts';

const NOW = new Date('2026-01-15T12:00:00.000Z');
const FORM = {
  cardholderName: '  Ada Lovelace ',
  cardNumber: '4242-4242 4242-4242',
  expiry: ' 7 / 2027 ',
  cvv: '123',
  amount: '12.30',
  currency: 'usd',
  idempotencyKey: 'key-1',
};

describe('parsePaymentForm', () => {
  test('when every field is valid, then the request has minor units, digits only, a 4-digit year and the trimmed name', () => {
    const parsed = parsePaymentForm(FORM, NOW);

    expect(parsed).toEqual({
      ok: true,
      idempotencyKey: 'key-1',
      amountMinor: 1230,
      currency: 'USD',
      order: { amountText: '12.30', currency: 'USD' },
      kept: { amount: '12.30', currency: 'USD', cardholderName: 'Ada Lovelace', expiry: '7 / 2027' },
      request: {
        amount: 1230,
        currency: 'USD',
        card: { number: '4242424242424242', expMonth: 7, expYear: 2027, cvv: '123', holderName: 'Ada Lovelace' },
        captureMethod: 'automatic',
      },
    });
  });

  test('when the body is not an object, then every field is reported', () => {
    for (const body of [undefined, null, 'text', 42, ['a']]) {
      const parsed = parsePaymentForm(body, NOW);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.errors.map((problem) => problem.field)).toEqual(['cardholderName', 'cardNumber', 'expiry', 'cvv', 'amount', 'currency', 'idempotencyKey']);
    }
  });

  test('when the currency is unknown, then the amount is not judged against it and the order keeps no currency', () => {
    const parsed = parsePaymentForm({ ...FORM, currency: 'ABC' }, NOW);

    expect(parsed).toMatchObject({ ok: false, errors: [{ field: 'currency' }], order: { amountText: '12.30', currency: '' } });
  });

  test('when the expiry cannot be read, then only the expiry message is given for it', () => {
    const parsed = parsePaymentForm({ ...FORM, expiry: '2027-07' }, NOW);

    expect(parsed).toMatchObject({ ok: false, errors: [{ field: 'expiry', message: 'Enter the expiry date as MM/YY.' }] });
  });

  test('when any decimal string is posted, then the amount sent equals its exact decimal value in cents', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 99_999_999_999 }), (cents) => {
      const text = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
      const parsed = parsePaymentForm({ ...FORM, amount: text }, NOW);
      return parsed.ok && parsed.request.amount === cents;
    }));
  });

  test('when the card number or CVV is invalid, then no problem message repeats what was typed', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...'0123456789 -'), minLength: 1, maxLength: 30 }), (number) => {
      const parsed = parsePaymentForm({ ...FORM, cardNumber: number, cvv: '98' }, NOW);
      if (parsed.ok) return true;
      const digits = number.replace(/\D/g, '');
      return parsed.errors.every((problem) => (digits.length < 4 || !problem.message.includes(digits)) && !problem.message.includes('98'));
    }));
  });
});

describe('the words of the form checks', () => {
  /** Each message of the table as a pattern: its {places} may hold any value. */
  const TEMPLATES = Object.values(CHECKOUT_MESSAGES).flatMap((group) => Object.values(group) as string[])
    .map((template) => new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{\w+\\?\}/g, '.+')}$`));

  const typed = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.string({ unit: fc.constantFrom(...'0123456789 ./-'), maxLength: 45 }),
    fc.constantFrom('', '   ', 'Ada\u202eLovelace', '\u0000', '12.345', '0', '13/30', '01/20', 'JPY', 'usd', 'XXX', 'x'.repeat(300)),
    fc.integer(),
  );

  test('when any form is posted, then every problem is worded by the checkout\'s table of messages, one per field', () => {
    fc.assert(fc.property(fc.record(Object.fromEntries(FORM_FIELDS.map((field) => [field, typed])), { requiredKeys: [] }), (form) => {
      const parsed = parsePaymentForm(form, NOW);
      if (parsed.ok) return true;
      const fields = parsed.errors.map((problem) => problem.field);
      expect(new Set(fields).size).toBe(fields.length);
      for (const problem of parsed.errors) {
        expect(TEMPLATES.some((template) => template.test(problem.message))).toBe(true);
      }
      return true;
    }), { numRuns: 1500 });
  });

  test('when a field is longer than its bound, then the problem the form schema names has words', () => {
    for (const field of FORM_FIELDS) {
      const parsed = parsePaymentForm({ ...FORM, [field]: '9'.repeat(300) }, NOW);

      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.errors.find((problem) => problem.field === field)?.message).toMatch(/\w/);
    }
  });
});

describe('toFormField', () => {
  test.each([
    ['card.number', 'cardNumber'], ['card.expMonth', 'expiry'], ['card.expYear', 'expiry'], ['card.cvv', 'cvv'],
    ['card.holderName', 'cardholderName'], ['amount', 'amount'], ['currency', 'currency'], ['body', 'body'], ['toString', 'toString'],
  ])('when the processing server names %s, then the form field is %s', (field, expected) => {
    expect(toFormField(field)).toBe(expected);
  });
});
