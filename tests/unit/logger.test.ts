/** The shared logger redacts card data and points PINs wherever a logged object carries them. */
import { captureLogs } from '../helpers/log-capture.ts';

describe('log redaction', () => {
  test('when an object with a points PIN is logged, at the top, under points or nested deeper, then the PIN never reaches the line', () => {
    const logs = captureLogs('test');

    logs.logger.info({ pin: '4711' }, 'top');
    logs.logger.info({ points: { accountId: 'PTS-0000-0001', pin: '4712' } }, 'under points');
    logs.logger.info({ body: { points: { accountId: 'PTS-0000-0001', pin: '4713' } } }, 'request body');
    logs.logger.info({ request: { body: { points: { pin: '4714' } } } }, 'deeper');
    logs.logger.info({ form: { pointsPin: '4715' } }, 'form field');
    logs.logger.info({ body: { pointsPin: '4716' } }, 'form body');

    const text = logs.text();
    for (const pin of ['4711', '4712', '4713', '4714', '4715', '4716']) expect(text).not.toContain(pin);
    expect(logs.lines.map((line) => JSON.parse(line) as Record<string, unknown>)[1]).toMatchObject({
      points: { accountId: 'PTS-0000-0001', pin: '[redacted]' },
    });
  });

  test('when card data is logged, then the number and the CVV are redacted as before', () => {
    const logs = captureLogs('test');

    logs.logger.info({ card: { number: '4242424242424242', cvv: '987', last4: '4242' } }, 'card');

    expect(logs.text()).not.toContain('4242424242424242');
    expect(logs.text()).not.toContain('"987"');
    expect(logs.text()).toContain('"last4":"4242"');
  });
});
