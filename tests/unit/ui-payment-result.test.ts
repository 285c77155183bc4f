/**
 * What each processing answer means for the shopper (interpretCreateResponse → answerFor), the
 * human decline reasons, and the escaping HTML tag every page is built with.
 */
import { PAYMENT_STATUSES } from '../../shared/contracts/processing.ts';
import { makePaymentResultSchema } from '../../shared/contracts/ui.ts';
import { interpretCreateResponse } from '../../ui-server/src/processing-client.ts';
import { answerFor, declineReason, resultForPayment } from '../../ui-server/src/payment-result.ts';
import { escapeHtml, html } from '../../ui-server/src/views/html.ts';
import { renderResultPage } from '../../ui-server/src/views/result-page.ts';
import { declinedFixture, paymentFixture, problem } from '../helpers/ui-fake-processing.ts';

const ORDER = { amountText: '12.34', currency: 'USD' };

describe('interpretCreateResponse and answerFor', () => {
  test.each([
    { name: '201 authorized', status: 201, body: paymentFixture(), kind: 'authorized', http: 200, result: 'approved' },
    { name: '402 declined', status: 402, body: declinedFixture('do_not_honor', '05'), kind: 'declined', http: 402, result: 'declined' },
    { name: '400 problem', status: 400, body: problem(400, 'validation_failed', { errors: [] }), kind: 'invalid', http: 400, result: 'error' },
    { name: '409 in flight', status: 409, body: problem(409, 'idempotency_key_in_flight'), kind: 'in_flight', http: 409, result: 'pending' },
    { name: '409 reused', status: 409, body: problem(409, 'idempotency_key_reused'), kind: 'key_reused', http: 409, result: 'error' },
    { name: '409 other', status: 409, body: problem(409, 'something_else'), kind: 'unknown', http: 503, result: 'pending' },
    { name: '503 failed', status: 503, body: problem(503, 'network_unavailable', { payment: paymentFixture({ status: 'failed' }) }), kind: 'not_charged', http: 503, result: 'error' },
    { name: '504 failed', status: 504, body: problem(504, 'network_timeout', { payment: paymentFixture({ status: 'failed' }) }), kind: 'not_charged', http: 503, result: 'error' },
    { name: '503 pending', status: 503, body: problem(503, 'network_timeout', { payment: paymentFixture({ status: 'pending' }) }), kind: 'unknown', http: 503, result: 'pending' },
    { name: '503 without payment', status: 503, body: problem(503, 'unavailable'), kind: 'unknown', http: 503, result: 'pending' },
    { name: '503 with a malformed payment', status: 503, body: problem(503, 'x', { payment: { status: 'failed' } }), kind: 'unknown', http: 503, result: 'pending' },
    { name: '500', status: 500, body: problem(500, 'internal_error'), kind: 'unknown', http: 503, result: 'pending' },
    { name: '502 with HTML', status: 502, body: '<html>bad gateway</html>', kind: 'unknown', http: 503, result: 'pending' },
    { name: '401', status: 401, body: problem(401, 'unauthorized'), kind: 'not_charged', http: 503, result: 'error' },
    { name: '429', status: 429, body: problem(429, 'rate_limited'), kind: 'not_charged', http: 503, result: 'error' },
    { name: '201 malformed', status: 201, body: { id: 'x' }, kind: 'unknown', http: 503, result: 'pending' },
    { name: '402 not declined', status: 402, body: paymentFixture(), kind: 'unknown', http: 503, result: 'pending' },
  ])('when the processing server answers $name, then $kind → $http $result', ({ status, body, kind, http: httpStatus, result }) => {
    const outcome = interpretCreateResponse({ status, data: body });
    const answer = answerFor(outcome, ORDER);

    expect(outcome.kind).toBe(kind);
    expect(answer.httpStatus).toBe(httpStatus);
    expect(answer.result.status).toBe(result);
    expect(makePaymentResultSchema.safeParse(answer.result).success).toBe(true);
  });

  test('when the key was used for other details, then 409 idempotency_key_reused, and nothing claims the shopper was not charged', () => {
    const answer = answerFor(interpretCreateResponse({ status: 409, data: problem(409, 'idempotency_key_reused') }), ORDER);

    expect(answer).toMatchObject({ httpStatus: 409, result: { status: 'error', code: 'idempotency_key_reused', amount: '12.34', currency: 'USD' } });
    const words = `${answer.result.message} ${renderResultPage(answer.result)}`;
    expect(words).not.toMatch(/nothing was charged|not been charged/i);
  });

  test('when a 400 problem carries no field errors, then its detail is reported on the body', () => {
    const answer = answerFor({ kind: 'invalid', errors: [], message: 'bad request' }, ORDER);

    expect(answer.result.errors).toEqual([{ field: 'body', message: 'bad request' }]);
  });
});

describe('declineReason', () => {
  const codes = [
    'limit_exceeded', 'do_not_honor', 'insufficient_funds', 'expired_card', 'cvv_mismatch', 'lost_card', 'stolen_card',
    'issuer_unavailable', 'invalid_card_number', 'exceeds_amount_limit', 'system_malfunction',
  ];

  test.each(codes)('when the decline code is %s, then a specific human reason is given', (code) => {
    expect(declineReason(code)).not.toBe(declineReason('never_heard_of_it'));
    expect(declineReason(code)).toMatch(/^[A-Z].+\.$/);
  });

  test('when the card is lost or stolen, then the reason does not say so', () => {
    expect(declineReason('lost_card')).not.toMatch(/lost|stolen/i);
    expect(declineReason('stolen_card')).not.toMatch(/lost|stolen/i);
  });

  test('when the code is unknown or missing, then the fallback is given', () => {
    expect(declineReason(undefined)).toBe(declineReason('something_new'));
    expect(declineReason('toString')).toBe(declineReason('something_new'));
  });
});

describe('resultForPayment', () => {
  test.each(PAYMENT_STATUSES)('when a looked-up payment is %s, then the result is valid and says something definite', (status) => {
    const result = resultForPayment(paymentFixture({ status }));

    expect(makePaymentResultSchema.safeParse(result).success).toBe(true);
    if (status === 'pending') expect(result.status).toBe('pending');
    if (status === 'declined') expect(result.status).toBe('declined');
    if (['authorized', 'captured', 'settled'].includes(status)) expect(result.status).toBe('approved');
    if (['failed', 'voided', 'expired'].includes(status)) expect(result.message).toContain('You have not been charged.');
  });
});

describe('html escaping', () => {
  test('when values are interpolated, then markup characters are escaped and nested templates are not', () => {
    const inner = html`<em>${'<b>&"\''}</em>`;

    expect(escapeHtml(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&#39;');
    expect(html`<p>${inner}${[1, '<i>']}${undefined}${null}${false}</p>`.value).toBe('<p><em>&lt;b&gt;&amp;&quot;&#39;</em>1&lt;i&gt;</p>');
  });

  test('when any result is rendered, then every shopper-visible value is escaped', () => {
    const hostile = '<script>alert(1)</script>';
    const page = renderResultPage({
      status: 'error', message: hostile, amount: hostile, currency: hostile, paymentId: hostile,
      errors: [{ field: hostile, message: hostile }],
    });
    const pending = renderResultPage({ status: 'pending', message: hostile, amount: '1', currency: 'USD', paymentId: '"><x' }, { pendingRefreshSeconds: 5 });

    expect(page).not.toContain('<script>');
    expect(pending).not.toContain('<script>');
    expect(pending).not.toContain('"><x');
    expect(pending).toContain('/payments/%22%3E%3Cx');
  });
});
