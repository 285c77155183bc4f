/** moneyText: amounts as the back office shows them, "USD 12,345.67". */
import fc from 'fast-check';
import { moneyText } from '../../ui-server/src/views/money-text.ts';

describe('moneyText', () => {
  test.each([
    [1_234_567, 'USD', 'USD 12,345.67'], [150_000, 'JPY', 'JPY 150,000'], [1_250, 'KWD', 'KWD 1.250'], [0, 'USD', 'USD 0.00'],
    [5, 'USD', 'USD 0.05'], [100_000, 'USD', 'USD 1,000.00'], [99_999, 'USD', 'USD 999.99'], [-1_234_567, 'EUR', 'EUR -12,345.67'],
    [999_999_999_999, 'JPY', 'JPY 999,999,999,999'], [42, 'XYZ', 'XYZ 42 (minor units)'],
  ])('when %i minor units of %s are shown, then they read %s', (amountMinor, currency, expected) => {
    expect(moneyText(amountMinor, currency)).toBe(expected);
  });

  test('when the separators are taken out again, then the plain decimal amount is back (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 999_999_999_999 }), (amountMinor) => {
      const text = moneyText(amountMinor, 'USD').replace('USD ', '').replaceAll(',', '');
      return text === `${Math.floor(amountMinor / 100)}.${String(amountMinor % 100).padStart(2, '0')}`;
    }));
  });
});
