/** CARD_SPEND_LIMIT: one limit for every currency, or currencies one by one, checked at start. */
import { loadProcessingConfig } from '../../processing-server/src/config.ts';
import { parseSpendLimits, spendLimitMinor, type SpendLimits } from '../../processing-server/src/domain/spend-limit.ts';
import { ConfigError } from '../../shared/config.ts';

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
