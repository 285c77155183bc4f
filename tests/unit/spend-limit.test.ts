/** CARD_SPEND_LIMIT: one limit for every currency, or currencies one by one, checked at start. */
import { loadProcessingConfig } from '../../processing-server/src/config.ts';
import {
  countsAgainstLimit, decideSpend, declinedOverLimit, limitExceededDecline, parseSpendLimits, spendCheck, spendLimitMinor, type SpendLimits,
} from '../../processing-server/src/domain/spend-limit.ts';
import { ConfigError } from '../../shared/config.ts';
import { PAYMENT_STATUSES } from '../../shared/contracts/processing.ts';
import { pendingPayment } from '../storage/builders.ts';

function limits(text: string): SpendLimits {
  const parsed = parseSpendLimits(text);
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  return parsed.limits;
}

describe('CARD_SPEND_LIMIT', () => {
  test('when it is one amount, then every currency has it in its own major units', () => {
    const one = limits('1000.00');
    expect([spendLimitMinor(one, 'USD'), spendLimitMinor(one, 'JPY'), spendLimitMinor(one, 'KWD')]).toEqual([100_000, 1000, 1_000_000]);
  });

  test('when currencies are listed one by one, then each has its own limit and the others 1000.00', () => {
    const listed = limits('USD:1000.00,JPY:150000');
    expect(spendLimitMinor(listed, 'USD')).toBe(100_000);
    expect(spendLimitMinor(listed, 'JPY')).toBe(150_000);
    expect(spendLimitMinor(listed, 'EUR')).toBe(100_000);
    expect(spendLimitMinor(listed, 'KWD')).toBe(1_000_000);
  });

  test('when the list has an amount without a currency, then it is the limit of every unlisted currency', () => {
    const listed = limits(' 500.00 , JPY:150000 , kwd:20.125 ');
    expect(spendLimitMinor(listed, 'EUR')).toBe(50_000);
    expect(spendLimitMinor(listed, 'JPY')).toBe(150_000);
    expect(spendLimitMinor(listed, 'KWD')).toBe(20_125);
  });

  test('when an amount for every currency has more decimals than one currency, then that currency rounds down', () => {
    expect(spendLimitMinor(limits('999.99'), 'JPY')).toBe(999);
    expect(spendLimitMinor(limits('999.999'), 'USD')).toBe(99_999);
  });

  test.each([
    ['XYZ:100', /XYZ is not a supported currency/],
    ['JPY:150000.5', /JPY has no decimals; 150000.5 has 1/],
    ['USD:10.001', /USD has 2 decimals; 10.001 has 3/],
    ['USD:100,USD:200', /USD is listed twice/],
    ['100,200', /"200": an amount without a currency goes first/],
    ['USD:1,500', /"500": an amount without a currency goes first .*no thousands separators/],
    ['JPY:150000,500.00', /goes first/],
    ['USD:', /not an amount/],
    ['-5', /not an amount/],
    [',', /lists no limit/],
    ['1000.0000', /not an amount/],
  ])('when it is %j, then it is refused with a readable problem', (text, problem) => {
    const parsed = parseSpendLimits(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems.join('\n')).toMatch(problem);
  });

  test('when the processing server starts with a per-currency list, then the config holds the parsed limits', () => {
    const config = loadProcessingConfig({ CARD_SPEND_LIMIT: 'USD:1000.00,JPY:150000' });
    expect(spendLimitMinor(config.CARD_SPEND_LIMIT, 'JPY')).toBe(150_000);
    expect(spendLimitMinor(config.CARD_SPEND_LIMIT, 'GBP')).toBe(100_000);
    expect(spendLimitMinor(loadProcessingConfig({}).CARD_SPEND_LIMIT, 'USD')).toBe(100_000);
  });

  test('when the setting has problems, then start-up fails with one line per problem naming CARD_SPEND_LIMIT', () => {
    expect(() => loadProcessingConfig({ CARD_SPEND_LIMIT: 'XYZ:1,JPY:1.5' })).toThrow(ConfigError);
    try {
      loadProcessingConfig({ CARD_SPEND_LIMIT: 'XYZ:1,JPY:1.5' });
    } catch (error) {
      const lines = (error as Error).message.split('\n').filter((line) => line.includes('CARD_SPEND_LIMIT'));
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/XYZ is not a supported currency/);
      expect(lines[1]).toMatch(/JPY has no decimals/);
    }
  });
});

describe('the spending limit decision', () => {
  test('when the spend plus the amount equals the limit, then it is within (inclusive); one minor unit more is exceeded', () => {
    expect(decideSpend({ spentMinor: 90_000, amountMinor: 10_000, limitMinor: 100_000 })).toBe('within');
    expect(decideSpend({ spentMinor: 90_001, amountMinor: 10_000, limitMinor: 100_000 })).toBe('exceeded');
    expect(decideSpend({ spentMinor: 0, amountMinor: 100_001, limitMinor: 100_000 })).toBe('exceeded');
  });

  test('when ten payments of 100.00 are counted one after the other, then all ten fit 1,000.00 and the eleventh does not', () => {
    let spentMinor = 0;
    const decisions = Array.from({ length: 11 }, () => {
      const decision = decideSpend({ spentMinor, amountMinor: 10_000, limitMinor: 100_000 });
      if (decision === 'within') spentMinor += 10_000;
      return decision;
    });
    expect(decisions).toEqual([...Array(10).fill('within'), 'exceeded']);
  });

  test('when a payment is declined, voided, expired, failed or rejected at settlement, then it stops counting; otherwise it counts', () => {
    const released = PAYMENT_STATUSES.filter((status) => !countsAgainstLimit(status));
    expect(released.sort()).toEqual(['declined', 'expired', 'failed', 'settlement_rejected', 'voided']);
  });

  test('when a new payment does not fit, then it is born declined with the decline, counting nothing', () => {
    const decline = limitExceededDecline('1,000.00 USD');
    const payment = pendingPayment({ amountMinor: 500 });

    expect(declinedOverLimit(payment, decline)).toEqual({ ...payment, status: 'declined', decline, countedMinor: 0 });
    expect(() => declinedOverLimit({ ...payment, status: 'settled' }, decline)).toThrow('illegal payment transition settled → declined');
  });

  test('when the limit of a payment is asked for, then the window is the 24 hours before now and the decline names the limit', () => {
    const check = spendCheck(limits('USD:1000.00,JPY:150000'), 'JPY', new Date('2026-03-02T12:00:00.000Z'));
    expect(check).toEqual({
      limitMinor: 150_000, windowStart: '2026-03-01T12:00:00.000Z',
      decline: { code: 'limit_exceeded', message: expect.stringContaining('150000 JPY') },
    });
  });
});
