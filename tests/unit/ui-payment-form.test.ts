/** parsePaymentForm: the shopper's strings → the processing request, or problems named by form field. */
import fc from 'fast-check';
import { CHECKOUT_MESSAGES } from '../../ui-server/src/checkout-messages.ts';
import { FORM_FIELDS, METHOD_FIELDS, parsePaymentForm, toFormField } from '../../ui-server/src/payment-form.ts';

const NOW = new Date('2026-01-15T12:00:00.000Z');
const RULES = { pointsCurrency: 'USD' } as const;
const FORM = {
  cardholderName: '  Ada Lovelace ',
  cardNumber: '4242-4242 4242-4242',
  expiry: ' 7 / 2027 ',
  cvv: '123',
  amount: '12.30',
  currency: 'usd',
  idempotencyKey: 'key-1',
};

const POINTS_FORM = {
  paymentMethod: 'points',
  pointsAccount: ' PTS-0000-0001 ',
  pointsPin: '1234',
  amount: '25.00',
  currency: 'USD',
  idempotencyKey: 'key-points-1',
};

describe('parsePaymentForm', () => {
  test('when every field is valid, then the request has minor units, digits only, a 4-digit year and the trimmed name', () => {
    const parsed = parsePaymentForm(FORM, NOW, RULES);

    expect(parsed).toEqual({
      ok: true,
      idempotencyKey: 'key-1',
      amountMinor: 1230,
      currency: 'USD',
      order: { amountText: '12.30', currency: 'USD', paymentMethod: 'card' },
      kept: { amount: '12.30', currency: 'USD', paymentMethod: 'card', cardholderName: 'Ada Lovelace', expiry: '7 / 2027', pointsAccount: '', savedCardId: '', saveCard: false },
      saveCard: false,
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
      const parsed = parsePaymentForm(body, NOW, RULES);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.errors.map((problem) => problem.field)).toEqual(['cardholderName', 'cardNumber', 'expiry', 'cvv', 'amount', 'currency', 'idempotencyKey']);
    }
  });

  test('when the currency is unknown, then the amount is not judged against it and the order keeps no currency', () => {
    const parsed = parsePaymentForm({ ...FORM, currency: 'ABC' }, NOW, RULES);

    expect(parsed).toMatchObject({ ok: false, errors: [{ field: 'currency' }], order: { amountText: '12.30', currency: '' } });
  });

  test('when the expiry cannot be read, then only the expiry message is given for it', () => {
    const parsed = parsePaymentForm({ ...FORM, expiry: '2027-07' }, NOW, RULES);

    expect(parsed).toMatchObject({ ok: false, errors: [{ field: 'expiry', message: 'Enter the expiry date as MM/YY.' }] });
  });

  test('when any decimal string is posted, then the amount sent equals its exact decimal value in cents', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 99_999_999_999 }), (cents) => {
      const text = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
      const parsed = parsePaymentForm({ ...FORM, amount: text }, NOW, RULES);
      return parsed.ok && parsed.request.amount === cents;
    }));
  });

  test('when the card number or CVV is invalid, then no problem message repeats what was typed', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...'0123456789 -'), minLength: 1, maxLength: 30 }), (number) => {
      const parsed = parsePaymentForm({ ...FORM, cardNumber: number, cvv: '98' }, NOW, RULES);
      if (parsed.ok) return true;
      const digits = number.replace(/\D/g, '');
      return parsed.errors.every((problem) => (digits.length < 4 || !problem.message.includes(digits)) && !problem.message.includes('98'));
    }));
  });
});

const SAVED_CARD_FORM = { paymentMethod: 'saved_card', savedCardId: ' card_0001 ', amount: '25.00', currency: 'EUR', idempotencyKey: 'key-saved-1' };

describe('parsePaymentForm with a saved card or a card to save', () => {
  test('when a saved card is chosen, then the request names it and carries no card, and the chosen card is kept', () => {
    const parsed = parsePaymentForm({ ...SAVED_CARD_FORM, cardNumber: '4242424242424242', cvv: '123', saveCard: 'on' }, NOW, RULES);

    expect(parsed).toMatchObject({
      ok: true, saveCard: false,
      request: { amount: 2500, currency: 'EUR', cardId: 'card_0001', captureMethod: 'automatic' },
      kept: { paymentMethod: 'saved_card', savedCardId: 'card_0001' },
      order: { paymentMethod: 'saved_card' },
    });
    if (parsed.ok) expect(parsed.request.card).toBeUndefined();
  });

  test('when a saved card is chosen but none is named, then the form asks for one', () => {
    expect(parsePaymentForm({ ...SAVED_CARD_FORM, savedCardId: '' }, NOW, RULES))
      .toMatchObject({ ok: false, errors: [{ field: 'savedCardId', message: 'Choose one of your saved cards.' }] });
  });

  test('when a card is paid with "Save this card" ticked (on), then the parse says to save it; another value is refused by name', () => {
    const ticked = parsePaymentForm({ ...FORM, saveCard: 'on' }, NOW, RULES);
    const odd = parsePaymentForm({ ...FORM, saveCard: 'yes please' }, NOW, RULES);
    const points = parsePaymentForm({ ...POINTS_FORM, saveCard: 'on' }, NOW, RULES);

    expect(ticked).toMatchObject({ ok: true, saveCard: true, kept: { saveCard: true } });
    expect(odd).toMatchObject({ ok: false, errors: [{ field: 'saveCard', message: 'Tick the box to save the card, or leave it.' }] });
    expect(points).toMatchObject({ ok: true, saveCard: false });
  });

  test('when the processing server names cardId, then the form says savedCardId', () => {
    expect(toFormField('cardId')).toBe('savedCardId');
  });
});

describe('parsePaymentForm with points', () => {
  test('when points are chosen with an account and a PIN, then the request carries points and no card, and only the account is kept', () => {
    const parsed = parsePaymentForm(POINTS_FORM, NOW, RULES);

    expect(parsed).toEqual({
      ok: true,
      idempotencyKey: 'key-points-1',
      amountMinor: 2500,
      currency: 'USD',
      order: { amountText: '25.00', currency: 'USD', paymentMethod: 'points' },
      kept: { amount: '25.00', currency: 'USD', paymentMethod: 'points', cardholderName: '', expiry: '', pointsAccount: 'PTS-0000-0001', savedCardId: '', saveCard: false },
      saveCard: false,
      request: { amount: 2500, currency: 'USD', points: { accountId: 'PTS-0000-0001', pin: '1234' }, captureMethod: 'automatic' },
    });
  });

  test.each([
    ['absent', undefined],
    ['empty', ''],
    ['"card"', 'card'],
    ['" card " with spaces', ' card '],
  ])('when paymentMethod is %s, then a typed card pays as before and points fields are ignored', (_name, paymentMethod) => {
    const parsed = parsePaymentForm({ ...FORM, paymentMethod, pointsAccount: 'not an account!', pointsPin: '12' }, NOW, RULES);

    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(parsed.request.card?.number).toBe('4242424242424242');
      expect(parsed.request.points).toBeUndefined();
      expect(parsed.order.paymentMethod).toBe('card');
    }
  });

  test('when points are chosen and card fields are posted too, even wrong ones, then they are neither judged nor sent', () => {
    const parsed = parsePaymentForm({ ...POINTS_FORM, cardNumber: '4242 4242 4242 4241', cvv: '1', cardholderName: 'Ada\u0007', expiry: '13/99' }, NOW, RULES);

    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.request).not.toHaveProperty('card');
  });

  test('when points are chosen and the account and PIN are missing, then each is named with its own words', () => {
    const parsed = parsePaymentForm({ paymentMethod: 'points', amount: '25.00', currency: 'USD', idempotencyKey: 'k' }, NOW, RULES);

    expect(parsed).toMatchObject({
      ok: false,
      errors: [
        { field: 'pointsAccount', message: 'Enter the points account number.' },
        { field: 'pointsPin', message: 'Enter the PIN.' },
      ],
    });
  });

  test.each([
    ['a space inside', 'PTS 0000 0001', 'Use only letters, digits and dashes.'],
    ['an underscore', 'PTS_0000_0001', 'Use only letters, digits and dashes.'],
    ['a letter outside ASCII', 'PTS-0000-000é', 'Use only letters, digits and dashes.'],
    ['41 characters', `PTS-${'0'.repeat(37)}`, 'Use at most 40 characters.'],
  ])('when the account has %s, then pointsAccount is refused', (_name, pointsAccount, message) => {
    const parsed = parsePaymentForm({ ...POINTS_FORM, pointsAccount }, NOW, RULES);

    expect(parsed).toMatchObject({ ok: false, errors: [{ field: 'pointsAccount', message }] });
  });

  test('when the account is 40 letters, digits and dashes, then it is accepted as typed', () => {
    const pointsAccount = `ab-${'9'.repeat(37)}`;
    const parsed = parsePaymentForm({ ...POINTS_FORM, pointsAccount }, NOW, RULES);

    expect(parsed.ok && parsed.request.points?.accountId).toBe(pointsAccount);
  });

  test.each([['3 digits', '123'], ['13 digits', '1234567890123'], ['letters', '12ab'], ['a sign', '-1234'], ['a decimal point', '12.34']])(
    'when the PIN has %s, then pointsPin is refused without repeating it', (_name, pointsPin) => {
      const parsed = parsePaymentForm({ ...POINTS_FORM, pointsPin }, NOW, RULES);

      expect(parsed.ok).toBe(false);
      if (!parsed.ok) {
        expect(parsed.errors).toEqual([{ field: 'pointsPin', message: expect.stringMatching(/^(The PIN is 4 to 12 digits\.|This field .*)$/) }]);
        expect(JSON.stringify(parsed)).not.toContain(pointsPin);
      }
    },
  );

  test('when the PIN is 4 or 12 digits, then it is sent as typed', () => {
    for (const pointsPin of ['0000', '123456789012']) {
      const parsed = parsePaymentForm({ ...POINTS_FORM, pointsPin }, NOW, RULES);

      expect(parsed.ok && parsed.request.points?.pin).toBe(pointsPin);
    }
  });

  test('when points are chosen in another currency than the points currency, then the currency is refused in plain words, by the setting', () => {
    const inEuro = parsePaymentForm({ ...POINTS_FORM, currency: 'EUR' }, NOW, RULES);
    const euroPoints = parsePaymentForm({ ...POINTS_FORM, currency: 'EUR' }, NOW, { pointsCurrency: 'EUR' });
    const inDollarsForEuroPoints = parsePaymentForm(POINTS_FORM, NOW, { pointsCurrency: 'EUR' });

    expect(inEuro).toMatchObject({ ok: false, errors: [{ field: 'currency', message: 'Points pay in USD only.' }], order: { currency: 'EUR', paymentMethod: 'points' } });
    expect(euroPoints.ok).toBe(true);
    expect(inDollarsForEuroPoints).toMatchObject({ ok: false, errors: [{ field: 'currency', message: 'Points pay in EUR only.' }] });
  });

  test('when a card pays in any currency, then the points currency does not matter', () => {
    expect(parsePaymentForm({ ...FORM, currency: 'JPY', amount: '1200' }, NOW, RULES).ok).toBe(true);
  });

  test.each([['an unknown word', 'bitcoin'], ['a list', ['points', 'card']], ['a number', 1]])(
    'when paymentMethod is %s, then it is refused by name and the order is still checked', (_name, paymentMethod) => {
      const parsed = parsePaymentForm({ ...POINTS_FORM, paymentMethod, amount: '' }, NOW, RULES);

      expect(parsed).toMatchObject({
        ok: false,
        errors: [{ field: 'paymentMethod', message: 'Choose a card, a saved card or points.' }, { field: 'amount', message: 'Enter the amount.' }],
      });
    },
  );

  test('when any PIN is posted, then neither a problem, the order nor the kept values hold it', () => {
    // What may be shown anyway: the other fields as typed and the words of the messages.
    const shownAnyway = JSON.stringify([POINTS_FORM.amount, 'EUR', 'PTS-ABCD-EFGH', CHECKOUT_MESSAGES]);
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...'0123456789a. -'), minLength: 4, maxLength: 20 }), fc.boolean(), (pointsPin, badCurrency) => {
      fc.pre(pointsPin.trim().length >= 4 && !shownAnyway.includes(pointsPin.trim()));
      const parsed = parsePaymentForm({ ...POINTS_FORM, pointsAccount: 'PTS-ABCD-EFGH', pointsPin, currency: badCurrency ? 'EUR' : 'USD' }, NOW, RULES);
      const shown = JSON.stringify({ kept: parsed.kept, order: parsed.order, errors: parsed.ok ? [] : parsed.errors });
      return !shown.includes(pointsPin.trim());
    }), { numRuns: 500 });
  });
});

describe('the words of the form checks', () => {
  /** Each message of the table as a pattern: its {places} may hold any value. */
  const TEMPLATES = Object.values(CHECKOUT_MESSAGES).flatMap((group) => Object.values(group) as string[])
    .map((template) => new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{\w+\\?\}/g, '.+')}$`));

  const typed = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.string({ unit: fc.constantFrom(...'0123456789 ./-'), maxLength: 45 }),
    fc.constantFrom('', '   ', 'Ada\u202eLovelace', '\u0000', '12.345', '0', '13/30', '01/20', 'JPY', 'usd', 'XXX', 'x'.repeat(300), 'points', 'card', 'PTS-0000-0001', '1234'),
    fc.integer(),
  );

  test('when any form is posted, then every problem is worded by the checkout\'s table of messages, one per field', () => {
    fc.assert(fc.property(fc.record(Object.fromEntries(FORM_FIELDS.map((field) => [field, typed])), { requiredKeys: [] }), (form) => {
      const parsed = parsePaymentForm(form, NOW, RULES);
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
      const form = (METHOD_FIELDS.points as readonly string[]).includes(field) ? POINTS_FORM
        : (METHOD_FIELDS.saved_card as readonly string[]).includes(field) ? SAVED_CARD_FORM : FORM;
      const parsed = parsePaymentForm({ ...form, [field]: '9'.repeat(300) }, NOW, RULES);

      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.errors.find((problem) => problem.field === field)?.message).toMatch(/\w/);
    }
  });
});

describe('toFormField', () => {
  test.each([
    ['card.number', 'cardNumber'], ['card.expMonth', 'expiry'], ['card.expYear', 'expiry'], ['card.cvv', 'cvv'],
    ['card.holderName', 'cardholderName'], ['points.accountId', 'pointsAccount'], ['points.pin', 'pointsPin'],
    ['amount', 'amount'], ['currency', 'currency'], ['body', 'body'], ['toString', 'toString'],
  ])('when the processing server names %s, then the form field is %s', (field, expected) => {
    expect(toFormField(field)).toBe(expected);
  });
});
