/** Redaction of finished log lines (shared/log-redaction.ts): secret keys at any depth, whatever their values. */
import fc from 'fast-check';
import { REDACTED, SECRET_KEYS, SECRET_KEYS_UNDER, redactLine } from '../../shared/log-redaction.ts';
import { captureLogs } from '../helpers/log-capture.ts';

/** The same rule written as a walk over the object: what the line must parse back to. */
function redactedObject(value: unknown, parent: string | null = null): unknown {
  if (Array.isArray(value)) return value.map((entry) => redactedObject(entry, null));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => {
    const name = key.toLowerCase();
    const secret = SECRET_KEYS.some((secretKey) => secretKey.toLowerCase() === name)
      || Object.entries(SECRET_KEYS_UNDER).some(([under, parents]) => under === name && parent !== null && parents.includes(parent.toLowerCase()));
    return [key, secret ? REDACTED : redactedObject(entry, key)];
  }));
}

describe('redactLine', () => {
  test('when a line holds no secret key, then it is returned as it is', () => {
    const line = '{"level":30,"requestId":"r1","req":{"method":"POST","url":"/v1/payments"},"res":{"statusCode":201},"msg":"request completed"}';

    expect(redactLine(line)).toBe(line);
  });

  test('when secrets sit deep, in arrays, under objects or in other cases, then each value whole becomes [redacted]', () => {
    const logged = {
      a: { b: { c: { d: { card: { number: '4242424242424242', cvv: 987, last4: '4242' } } } } },
      list: [{ cardNumber: '5105105105105100' }, { pin: ['1', '2'] }],
      headers: { Authorization: 'Bearer secret-key', Cookie: 'session=abc' },
      pointsPin: { value: '58291736' },
      err: { config: { data: '{"card":{"number":"4242"}}', url: '/v1/authorizations' }, data: 'kept: not under config' },
    };

    const line = redactLine(JSON.stringify(logged));

    expect(JSON.parse(line)).toEqual({
      a: { b: { c: { d: { card: { number: REDACTED, cvv: REDACTED, last4: '4242' } } } } },
      list: [{ cardNumber: REDACTED }, { pin: REDACTED }],
      headers: { Authorization: REDACTED, Cookie: REDACTED },
      pointsPin: REDACTED,
      err: { config: { data: REDACTED, url: '/v1/authorizations' }, data: 'kept: not under config' },
    });
  });

  test('when a string value quotes a secret key, then the value is kept and the line stays valid JSON', () => {
    const logged = { msg: 'the field "cvv": is wrong \\ and "pin":"1234" is text', cvv: '123' };

    expect(JSON.parse(redactLine(JSON.stringify(logged)))).toEqual({ ...logged, cvv: REDACTED });
  });

  test('when any object is logged, then the line parses back to the object with every secret value redacted', () => {
    const secretKey = fc.constantFrom(...SECRET_KEYS, 'CVV', 'Number', 'data', 'config', 'request');
    const key = fc.oneof(fc.string({ maxLength: 6 }), secretKey);
    const tree = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.boolean(), fc.constant(null),
        fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(key, tie('value'), { maxKeys: 4 })),
    })).value;

    fc.assert(fc.property(fc.dictionary(key, tree, { maxKeys: 5 }), (logged) => {
      expect(JSON.parse(redactLine(JSON.stringify(logged)))).toEqual(redactedObject(logged));
    }), { numRuns: 500 });
  });
});

describe('the logger', () => {
  test('when an outbound call fails with its request body on the error, then the line holds neither the body nor the key', () => {
    const logs = captureLogs('test');
    const error = Object.assign(new Error('socket hang up'), {
      config: { url: '/v1/authorizations', headers: { Authorization: 'Bearer network-key' }, data: '{"card":{"number":"4242424242424242","cvv":"987"}}' },
    });

    logs.logger.warn({ err: error }, 'call failed');
    logs.logger.child({ requestId: 'r1' }).info({ request: { card: { number: '4242424242424242' } } }, 'child line');

    expect(logs.text()).not.toContain('4242424242424242');
    expect(logs.text()).not.toContain('network-key');
    expect(logs.lines.map((line) => JSON.parse(line) as Record<string, unknown>)[0]).toMatchObject({
      err: { message: 'socket hang up', config: { url: '/v1/authorizations', data: REDACTED, headers: { Authorization: REDACTED } } },
    });
  });
});
