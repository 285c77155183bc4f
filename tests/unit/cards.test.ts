import fc from 'fast-check';
import { checkCard, cvvLength, detectBrand, expiryValid, luhnValid, normalizeCardNumber, parseExpiry } from '../../shared/cards.ts';

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
});
