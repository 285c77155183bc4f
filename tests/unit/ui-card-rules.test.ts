/**
 * public/card-rules.js is the browser's copy of shared/cards.ts. These properties keep the two
 * in step: on random digit strings and on the test cards of SPEC §5 they must agree exactly.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { cvvLength, detectBrand, luhnValid, type CardBrand } from '../../shared/cards.ts';

interface BrowserCardRules {
  luhnValid(digits: string): boolean;
  detectBrand(digits: string): CardBrand;
  cvvLength(brand: string): number;
  formatCardNumber(digits: string): string;
}

/** Evaluates the ES module's source as a plain function body (its only syntax beyond a script is `export`). */
function loadBrowserRules(): BrowserCardRules {
  const source = readFileSync(path.resolve(__dirname, '../../public/card-rules.js'), 'utf8');
  expect(source).not.toMatch(/^\s*import\s/m);
  const body = source.replace(/^export\s+/gm, '');
  return new Function(`${body}\nreturn { luhnValid, detectBrand, cvvLength, formatCardNumber };`)() as BrowserCardRules;
}

const browser = loadBrowserRules();

const TEST_CARDS = [
  '4242424242424242', '5555555555554444', '378282246310005', '4000000000000002', '4000000000009995',
  '4000000000000069', '4000000000000127', '4000000000000119', '4000000000009987', '4000000000009979',
];

const digitStrings = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 0, maxLength: 22 });

/** Digit strings that start like a real brand more often than uniform digits would. */
const brandLikeStrings = fc.tuple(
  fc.constantFrom('4', '34', '37', '51', '55', '2221', '2720', '6011', '65', '644', '622126', '622925', '3528', '3589', '300', '36', '38', '62', '1', '9'),
  digitStrings,
).map(([prefix, rest]) => prefix + rest);

describe('public/card-rules.js agrees with shared/cards.ts', () => {
  test('when given any digit string, then Luhn agrees', () => {
    fc.assert(fc.property(digitStrings, (digits) => browser.luhnValid(digits) === luhnValid(digits)), { numRuns: 2000 });
  });

  test('when given any string, digits or not, then Luhn agrees', () => {
    fc.assert(fc.property(fc.string({ maxLength: 25 }), (text) => browser.luhnValid(text) === luhnValid(text)), { numRuns: 500 });
  });

  test('when given any digit string, then the brand and the CVV length agree', () => {
    fc.assert(fc.property(fc.oneof(digitStrings, brandLikeStrings), (digits) => {
      const brand = detectBrand(digits);
      return browser.detectBrand(digits) === brand && browser.cvvLength(browser.detectBrand(digits)) === cvvLength(brand);
    }), { numRuns: 3000 });
  });

  test.each(TEST_CARDS)('when given the test card %s, then both find it Luhn-valid with the same brand', (number) => {
    expect(browser.luhnValid(number)).toBe(true);
    expect(luhnValid(number)).toBe(true);
    expect(browser.detectBrand(number)).toBe(detectBrand(number));
    expect(browser.cvvLength(browser.detectBrand(number))).toBe(cvvLength(detectBrand(number)));
  });

  test('when an Amex number is formatted, then it is grouped 4-6-5; others in fours', () => {
    expect(browser.formatCardNumber('378282246310005')).toBe('3782 822463 10005');
    expect(browser.formatCardNumber('4242424242424242')).toBe('4242 4242 4242 4242');
    expect(browser.formatCardNumber('4242424')).toBe('4242 424');
    expect(browser.formatCardNumber('')).toBe('');
  });
});
