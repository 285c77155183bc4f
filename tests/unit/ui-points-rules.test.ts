/**
 * public/points-rules.js is the browser's copy of the points rules in shared/points.ts: on random
 * accounts and PINs (letters, digits, dashes, spaces, other scripts, any length) both must agree
 * exactly. And the account as a shopper's page shows it, masked.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { maskedPointsAccount, pointsAccountProblem, pointsPinProblem } from '../../shared/points.ts';

interface BrowserPointsRules {
  pointsAccountProblem(account: string): string | undefined;
  pointsPinProblem(pin: string): string | undefined;
}

/** Evaluates the ES module's source as a plain function body (its only syntax beyond a script is `export`). */
function loadBrowserRules(): BrowserPointsRules {
  const source = readFileSync(path.resolve(__dirname, '../../public/points-rules.js'), 'utf8');
  expect(source).not.toMatch(/^\s*import\s/m);
  const body = source.replace(/^export\s+/gm, '');
  return new Function(`${body}\nreturn { pointsAccountProblem, pointsPinProblem };`)() as BrowserPointsRules;
}

const browser = loadBrowserRules();

const accountLike = fc.string({
  unit: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...'PTS-0123456789abcXYZ') },
    { weight: 1, arbitrary: fc.constantFrom(' ', '_', '.', 'é', 'Ⅻ', '\u0000', '\u200b', '٣') },
  ),
  maxLength: 45,
});

describe('public/points-rules.js agrees with shared/points.ts', () => {
  test('when given any account, then the problem (required, too long, format) agrees', () => {
    fc.assert(fc.property(fc.oneof(accountLike, fc.string({ maxLength: 45 })), (account) =>
      browser.pointsAccountProblem(account) === pointsAccountProblem(account)), { numRuns: 3000 });
  });

  test('when given any PIN, then the problem (required, format) agrees', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ unit: fc.constantFrom(...'0123456789 a-٣'), maxLength: 15 }), fc.string({ maxLength: 15 })), (pin) =>
      browser.pointsPinProblem(pin) === pointsPinProblem(pin)), { numRuns: 3000 });
  });

  test.each(['PTS-0000-0001', 'PTS-0000-0002', 'PTS-0000-0003'])('when given the test account %s, then both accept it and its PIN 1234', (account) => {
    expect(browser.pointsAccountProblem(account)).toBeUndefined();
    expect(pointsAccountProblem(account)).toBeUndefined();
    expect(browser.pointsPinProblem('1234')).toBeUndefined();
    expect(pointsPinProblem('1234')).toBeUndefined();
  });
});

describe('maskedPointsAccount', () => {
  test.each([
    ['PTS-0000-0001', 'PTS-…0001'],
    ['LOYAL-123456789', 'LOYAL-…6789'],
    ['1234567890', '…7890'],
    ['AB-12345', 'AB-…2345'],
    // Nothing would stay hidden between the prefix and the last four: the prefix is left out.
    ['AB-1234', '…1234'],
    ['-123456', '…3456'],
    ['ABC', '…ABC'],
  ])('when the account is %s, then the shopper sees %s', (account, shown) => {
    expect(maskedPointsAccount(account)).toBe(shown);
  });

  test('when any account of at least five characters is masked, then it is never shown whole and its last four always are', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...'PTS-0123456789'), minLength: 5, maxLength: 40 }), (account) => {
      const shown = maskedPointsAccount(account);
      return !shown.includes(account) && shown.endsWith(`…${account.slice(-4)}`);
    }), { numRuns: 1000 });
  });
});
