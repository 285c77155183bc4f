/** The one logger's redaction: card data and a points PIN never reach a log line, wherever they sit in a logged object. */
import { captureLogs } from '../helpers/log-capture.ts';

describe('createLogger redaction', () => {
  test.each([
    ['a form body', { body: { cardNumber: '4242424242424242', cvv: '987', pointsPin: '58291736' } }],
    ['a processing request', { request: { card: { number: '4242424242424242', cvv: '987' }, points: { accountId: 'PTS-0000-0001', pin: '58291736' } } }],
    ['the top level', { cardNumber: '4242424242424242', cvv: '987', pin: '58291736', pointsPin: '58291736' }],
  ])('when %s with a card number, CVV and PIN is logged, then the line says [redacted] instead', (_name, logged) => {
    const capture = captureLogs('test');

    capture.logger.info(logged, 'something happened');

    const text = capture.text();
    expect(text).toContain('[redacted]');
    // Whole tokens only: a timestamp such as 12:00:01.987Z is not the CVV.
    const tokens = text.split(/[^0-9A-Za-z]+/);
    for (const secret of ['4242424242424242', '987', '58291736']) expect(tokens).not.toContain(secret);
  });
});
