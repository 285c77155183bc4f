import fc from 'fast-check';
import { CURRENCIES, formatMinor, majorToMinor, parseDecimalAmount } from '../../shared/money.ts';

describe('money', () => {
  test.each([
    ['12.34', 'USD', 1234], ['12.3', 'USD', 1230], ['12', 'USD', 1200], ['0.01', 'USD', 1],
    ['1000', 'JPY', 1000], ['1.234', 'KWD', 1234], ['0.005', 'BHD', 5], ['999999999.99', 'EUR', 99999999999],
  ] as const)('when %s %s is parsed, then it is %d minor units', (text, currency, expected) => {
    expect(parseDecimalAmount(text, currency)).toEqual({ ok: true, amountMinor: expected });
  });

  test.each([
    ['10.005', 'USD'], ['1.5', 'JPY'], ['1.2345', 'KWD'], ['0', 'USD'], ['0.00', 'USD'], ['-1', 'USD'], ['1e3', 'USD'],
    ['1,000', 'USD'], ['', 'USD'], ['.5', 'USD'], ['5.', 'USD'], ['0x10', 'USD'], ['9999999999999', 'USD'], ['NaN', 'USD'],
  ] as const)('when %s %s is parsed, then it is refused with a message', (text, currency) => {
    const result = parseDecimalAmount(text, currency);
    expect(result.ok).toBe(false);
  });

  test('when an amount is formatted and parsed back, then it is unchanged, for every currency (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 999_999_999_999 }), fc.constantFrom(...CURRENCIES), (amountMinor, currency) => {
      expect(parseDecimalAmount(formatMinor(amountMinor, currency), currency)).toEqual({ ok: true, amountMinor });
    }));
  });

  test('when a configured limit is converted, then it uses the currency exponent and drops decimals it lacks', () => {
    expect(majorToMinor('1000.00', 'USD')).toBe(100_000);
    expect(majorToMinor('1000.00', 'JPY')).toBe(1000);
    expect(majorToMinor('1000.00', 'KWD')).toBe(1_000_000);
    expect(majorToMinor('5000', 'EUR')).toBe(500_000);
  });
});
