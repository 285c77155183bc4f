/**
 * public/card-rules.js is the browser's copy of shared/cards.ts. These properties keep the two
 * in step: on random digit strings, typed expiry dates, security codes and holder names (with
 * controls and invisible formatting characters mixed in), and on the test cards, they must
 * agree exactly.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import {
  cardNumberProblem, cvvLength, cvvProblem, detectBrand, expiryTextProblem, holderNameProblem, luhnValid, type CardBrand,
} from '../../shared/cards.ts';

interface BrowserCardRules {
  luhnValid(digits: string): boolean;
  detectBrand(digits: string): CardBrand;
  cvvLength(brand: string): number;
  formatCardNumber(digits: string): string;
  cardNumberProblem(number: string): string | undefined;
  cvvProblem(cvv: string, brand: string): string | undefined;
  expiryTextProblem(text: string, now: Date): string | undefined;
  holderNameProblem(name: string): string | undefined;
}

/** Evaluates the ES module's source as a plain function body (its only syntax beyond a script is `export`). */
function loadBrowserRules(): BrowserCardRules {
  const source = readFileSync(path.resolve(__dirname, '../../public/card-rules.js'), 'utf8');
  expect(source).not.toMatch(/^\s*import\s/m);
  const body = source.replace(/^export\s+/gm, '');
  return new Function(`${body}\nreturn { luhnValid, detectBrand, cvvLength, formatCardNumber, cardNumberProblem, cvvProblem, expiryTextProblem, holderNameProblem };`)() as BrowserCardRules;
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

/** Characters a name must not hold, or that do not count as a name: controls, bidi, zero-width, blank letters. */
const HIDDEN_CHARACTERS = [
  '\u0000', '\u0007', '\t', '\n', '\r', '\u001b', '\u007f', '\u0080', '\u0085', '\u009f', '\u00ad', '\u061c', '\u180e',
  '\u200b', '\u200c', '\u200d', '\u200e', '\u200f', '\u2028', '\u2029', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e',
  '\u2060', '\u2066', '\u2067', '\u2068', '\u2069', '\ufeff', '\ufff9', '\u{e0001}', '\u{e0041}', '\ud800', '\udfff',
  '\u115f', '\u3164', '\uffa0', '\u2800',
];

/** Names built from letters, spaces and punctuation, the hidden characters above, and any UTF-16 unit or code point. */
const holderNames = fc.string({
  unit: fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...'AdaLovelace Zoë-José\'.\u00a0\u3000') },
    { weight: 3, arbitrary: fc.constantFrom(...HIDDEN_CHARACTERS) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)) },
    { weight: 1, arbitrary: fc.integer({ min: 0x10000, max: 0x10ffff }).map((code) => String.fromCodePoint(code)) },
  ),
  maxLength: 110,
});

const expiryTexts = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 14 }), fc.integer({ min: 0, max: 2099 }), fc.constantFrom('/', ' / ', '-', '')).map(([month, year, slash]) => `${String(month).padStart(2, '0')}${slash}${String(year % (year > 99 ? 10_000 : 100)).padStart(2, '0')}`),
  fc.string({ unit: fc.constantFrom(...'0123456789/ '), maxLength: 9 }),
);

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

  test('when given any holder name, controls and invisible characters included, then the problem (required, hidden characters, too long) agrees', () => {
    fc.assert(fc.property(holderNames, (name) => browser.holderNameProblem(name) === holderNameProblem(name)), { numRuns: 3000 });
  });

  test.each(HIDDEN_CHARACTERS)('when the hidden character %j is in a name or is the whole name, then both judge it alike', (character) => {
    for (const name of [`Ada${character}Lovelace`, character, ` ${character} `]) {
      expect(browser.holderNameProblem(name)).toBe(holderNameProblem(name));
    }
  });

  test('when given any typed card number, then the problem (required, not digits, length, Luhn) agrees', () => {
    fc.assert(fc.property(fc.oneof(digitStrings, brandLikeStrings, fc.string({ unit: fc.constantFrom(...'0123456789 -x'), maxLength: 25 })), (number) =>
      browser.cardNumberProblem(number) === cardNumberProblem(number)), { numRuns: 2000 });
  });

  test('when given any security code and brand, then the problem agrees', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...'0123456789a '), maxLength: 6 }), fc.constantFrom<CardBrand>('visa', 'amex', 'mastercard', 'unknown'), (cvv, brand) =>
      browser.cvvProblem(cvv, brand) === cvvProblem(cvv, brand)), { numRuns: 1000 });
  });

  test('when given any typed expiry on any day, then the problem (required, format, month, expired) agrees', () => {
    fc.assert(fc.property(expiryTexts, fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2098-12-31T23:59:59Z'), noInvalidDate: true }), (text, now) =>
      browser.expiryTextProblem(text, now) === expiryTextProblem(text, now)), { numRuns: 2000 });
  });
});
