import fc from 'fast-check';
import { checkCard, cvvLength, detectBrand, expiryValid, holderNameProblem, luhnValid, normalizeCardNumber, parseExpiry } from '../../shared/cards.ts';
import { paymentCardInputSchema } from '../../shared/contracts/processing.ts';

describe('cards', () => {
  test.each([
    ['4242424242424242', 'visa'], ['5555555555554444', 'mastercard'], ['2223003122003222', 'mastercard'],
    ['378282246310005', 'amex'], ['6011111111111117', 'discover'], ['3530111333300000', 'jcb'], ['1234567812345670', 'unknown'],
  ])('when the number is %s, then the brand is %s and the Luhn check passes', (number, brand) => {
    expect(detectBrand(number)).toBe(brand);
    expect(luhnValid(number)).toBe(true);
  });

  test('when any one digit of a valid number changes, then Luhn fails (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 1, max: 9 }), (position, delta) => {
      const digits = '4242424242424242'.split('').map(Number);
      digits[position] = ((digits[position] ?? 0) + delta) % 10;
      expect(luhnValid(digits.join(''))).toBe(false);
    }));
  });

  test('when spaces and dashes are typed, then they are removed', () => {
    expect(normalizeCardNumber('4242 4242-4242 4242')).toBe('4242424242424242');
  });

  test('when the expiry month is the current month, then the card is valid until the month ends', () => {
    const now = new Date('2026-11-30T23:59:59Z');
    expect(expiryValid(11, 2026, now)).toBe(true);
    expect(expiryValid(10, 2026, now)).toBe(false);
    expect(expiryValid(11, 2026, new Date('2026-12-01T00:00:00Z'))).toBe(false);
  });

  test('when an expiry is typed as MM/YY or MM/YYYY, then it is parsed; otherwise null', () => {
    expect(parseExpiry('12/30')).toEqual({ expMonth: 12, expYear: 2030 });
    expect(parseExpiry(' 1 / 2031 ')).toEqual({ expMonth: 1, expYear: 2031 });
    expect(parseExpiry('13/30')).toBeNull();
    expect(parseExpiry('1230')).toBeNull();
  });

  test('when the card is Amex, then the CVV has 4 digits; otherwise 3', () => {
    expect(cvvLength('amex')).toBe(4);
    expect(cvvLength('visa')).toBe(3);
    const now = new Date('2026-01-01T00:00:00Z');
    expect(checkCard({ number: '378282246310005', expMonth: 1, expYear: 2030, cvv: '1234', holderName: 'A' }, now, { requireHolderName: true })).toEqual([]);
    expect(checkCard({ number: '378282246310005', expMonth: 1, expYear: 2030, cvv: '123', holderName: 'A' }, now, { requireHolderName: true }))
      .toEqual([{ field: 'card.cvv', message: 'must be 4 digits' }]);
  });

  describe('holder names', () => {
    const now = new Date('2026-01-15T00:00:00Z');
    const card = (holderName: string) => ({ number: '4242424242424242', expMonth: 12, expYear: 2030, cvv: '123', holderName });
    const HIDDEN: Array<[string, string]> = [
      ['NUL', '\u0000'], ['a tab', '\t'], ['a newline', '\n'], ['ESC', '\u001b'], ['DEL', '\u007f'], ['a C1 control', '\u0085'],
      ['a C1 control (CSI)', '\u009b'], ['a left-to-right embedding', '\u202a'], ['a right-to-left override', '\u202e'],
      ['a pop directional formatting', '\u202c'], ['a left-to-right isolate', '\u2066'], ['a pop directional isolate', '\u2069'],
      ['a right-to-left mark', '\u200f'], ['a zero-width space', '\u200b'], ['a word joiner', '\u2060'], ['a byte order mark', '\ufeff'],
      ['a soft hyphen', '\u00ad'], ['a line separator', '\u2028'], ['a tag character', '\u{e0041}'], ['a lone surrogate', '\ud800'],
      ['a Hangul filler', '\u3164'],
    ];

    test.each(HIDDEN)('when the name holds %s between letters, then checkCard and the API schema refuse it, naming the holder name', (_name, character) => {
      const name = `Ada${character}Lovelace`;

      expect(holderNameProblem(name)).toBe('hidden_characters');
      expect(checkCard(card(name), now, { requireHolderName: true })).toEqual([
        { field: 'card.holderName', message: 'must not contain control characters or invisible formatting characters' },
      ]);
      const parsed = paymentCardInputSchema.safeParse(card(name));
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
        ['holderName', 'must not contain control characters or invisible formatting characters'],
      ]);
    });

    test.each(['', '   ', '\u202e', '\u0000\u0000', ' \u2066\u2069 ', '\u200b', '\u3164\u3164', '\u200d'])(
      'when the name %j is only spaces or invisible characters, then it is not present: "is required"',
      (name) => {
        expect(holderNameProblem(name)).toBe('required');
        expect(checkCard(card(name), now, { requireHolderName: true })).toEqual([{ field: 'card.holderName', message: 'is required' }]);
        const parsed = paymentCardInputSchema.safeParse(card(name));
        expect(parsed.error?.issues.map((issue) => issue.message)).toEqual(['is required']);
      },
    );

    test.each(['Ada Lovelace', 'José Ñúñez', "O'Brien-Smith", 'Zoë\u00a0Müller', '\u0645\u062d\u0645\u062f\u200c\u0631\u0636\u0627', '李小龍', 'Ψ'])(
      'when the name is %j, then it is accepted as it is',
      (name) => {
        expect(holderNameProblem(name)).toBeUndefined();
        expect(paymentCardInputSchema.parse(card(name)).holderName).toBe(name);
      },
    );

    test('when the name is longer than 100 characters, then it is too long', () => {
      expect(holderNameProblem('a'.repeat(101))).toBe('too_long');
      expect(holderNameProblem(` ${'a'.repeat(100)} `)).toBeUndefined();
      expect(paymentCardInputSchema.safeParse(card('a'.repeat(101))).error?.issues.map((issue) => issue.message)).toEqual(['is too long']);
    });
  });
});
