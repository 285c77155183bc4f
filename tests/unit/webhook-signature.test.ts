/** The webhook signature both sides share: what the processing server writes, every receiver checks. */
import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhookSignature } from '../../shared/webhook-signature.ts';

const SECRET = 'whsec-test';
const BODY = Buffer.from('{"id":"evt_1","type":"payment.authorized"}');
const NOW = 1_767_225_600;

describe('the webhook signature', () => {
  test('when a body is signed, then the header is t=<seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>"> and it verifies', () => {
    const header = signWebhook(SECRET, BODY, NOW);

    const expected = createHmac('sha256', SECRET).update(`${NOW}.${BODY.toString('utf8')}`).digest('hex');
    expect(header).toBe(`t=${NOW},v1=${expected}`);
    expect(verifyWebhookSignature({ secret: SECRET, header, rawBody: BODY, nowSeconds: NOW + 299 })).toEqual({ ok: true, timestampSeconds: NOW });
  });

  test('when a header carries several v1 signatures (a secret being changed), then one that matches is enough', () => {
    const header = `${signWebhook('old-secret', BODY, NOW)},v1=${signWebhook(SECRET, BODY, NOW).split('v1=')[1]}`;

    expect(verifyWebhookSignature({ secret: SECRET, header, rawBody: BODY, nowSeconds: NOW }).ok).toBe(true);
  });

  test.each([
    ['no header', undefined, NOW, 'missing'],
    ['an empty header', '', NOW, 'missing'],
    ['no timestamp', 'v1=00', NOW, 'malformed'],
    ['no signature', `t=${NOW}`, NOW, 'malformed'],
    ['a part without =', `t=${NOW},v1`, NOW, 'malformed'],
    ['a timestamp that is not a number', 't=soon,v1=00', NOW, 'malformed'],
    ['a header of 2 KB', `t=${NOW},${'v1=00,'.repeat(400)}`, NOW, 'malformed'],
    ['a signature of five minutes and one second ago', signWebhook(SECRET, BODY, NOW - 301), NOW, 'too_old'],
    ['a signature from five minutes and one second ahead', signWebhook(SECRET, BODY, NOW + 301), NOW, 'too_new'],
    ['another secret', signWebhook('another', BODY, NOW), NOW, 'mismatch'],
    ['a v1 that is not hex', `t=${NOW},v1=${'z'.repeat(64)}`, NOW, 'mismatch'],
  ])('when the delivery has %s, then it is refused (%s)', (_case, header, nowSeconds, reason) => {
    expect(verifyWebhookSignature({ secret: SECRET, header, rawBody: BODY, nowSeconds })).toEqual({ ok: false, reason });
  });

  test('when one byte of the body differs from what was signed, then the signature does not match', () => {
    const header = signWebhook(SECRET, BODY, NOW);
    const changed = Buffer.from(BODY.toString('utf8').replace('authorized', 'authorizee'));

    expect(verifyWebhookSignature({ secret: SECRET, header, rawBody: changed, nowSeconds: NOW })).toEqual({ ok: false, reason: 'mismatch' });
  });
});
