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
import { declinedFixture, paymentFixture, pointsPaymentFixture, problem } from '../helpers/ui-fake-processing.ts';

const ORDER = { amountText: '12.34', currency: 'USD', paymentMethod: 'card' } as const;

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

describe('points answers', () => {
  const POINTS_ORDER = { amountText: '25.00', currency: 'USD', paymentMethod: 'points' } as const;
  const declinedPoints = (code: string, networkCode: string) => pointsPaymentFixture({
    amount: 2500, status: 'declined', authorizationCode: null, decline: { code, message: code, networkCode },
  });

  test('when a points payment is authorized, then the answer names the masked account and the points spent, and no card', () => {
    const answer = answerFor(interpretCreateResponse({ status: 201, data: pointsPaymentFixture({ amount: 2500 }) }), POINTS_ORDER);

    expect(answer).toEqual({
      httpStatus: 200,
      result: {
        status: 'approved', message: 'Payment approved.', paymentId: 'pay_0001', authorizationCode: 'A1B2C3',
        paymentMethod: 'points', points: { account: 'PTS-…0001', spent: 2500 }, amount: '25.00', currency: 'USD',
      },
    });
    expect(makePaymentResultSchema.safeParse(answer.result).success).toBe(true);
    expect(JSON.stringify(answer)).not.toContain('PTS-0000-0001');
  });

  test.each([
    ['incorrect_pin', '55', 'The PIN is not correct'],
    ['insufficient_points', '51', 'This points account has too few points for this payment'],
    ['unknown_account', '14', 'We don\'t know this points account'],
    ['do_not_honor', '05', 'This points account cannot be used'],
  ])('when points are declined with %s, then 402 in plain words and nothing spent', (code, networkCode, words) => {
    const answer = answerFor(interpretCreateResponse({ status: 402, data: declinedPoints(code, networkCode) }), POINTS_ORDER);

    expect(answer.httpStatus).toBe(402);
    expect(answer.result).toMatchObject({ status: 'declined', declineCode: code, paymentMethod: 'points', points: { account: 'PTS-…0001' } });
    expect(answer.result.message.startsWith(words)).toBe(true);
    expect(answer.result.points?.spent).toBeUndefined();
    expect(makePaymentResultSchema.safeParse(answer.result).success).toBe(true);
  });

  test('when a points payment comes back without its account, then it is not trusted: the outcome is unknown, never approved', () => {
    const { points: _points, ...withoutAccount } = pointsPaymentFixture();

    expect(interpretCreateResponse({ status: 201, data: withoutAccount }).kind).toBe('unknown');
    expect(interpretCreateResponse({ status: 201, data: { ...paymentFixture(), card: undefined } }).kind).toBe('unknown');
  });

  test('when points and a card are declined with do_not_honor, then each gets its own words', () => {
    expect(declineReason('do_not_honor', 'points')).toBe('This points account cannot be used. Please pay by card.');
    expect(declineReason('do_not_honor', 'card')).toMatch(/^Your bank declined/);
    expect(declineReason('incorrect_pin', 'card')).toBe(declineReason('something_new', 'card'));
    expect(declineReason('something_new', 'points')).toMatch(/points payment was declined/);
  });

  test('when the processing server refuses the currency for points, then the currency field says so in the checkout\'s words', () => {
    const refusal = problem(400, 'currency_not_supported', { errors: [{ field: 'currency', message: 'must be USD' }, { field: 'points.pin', message: 'must be 4 to 12 digits' }] });
    const answer = answerFor(interpretCreateResponse({ status: 400, data: refusal }), { ...POINTS_ORDER, currency: 'EUR' });
    const withoutFields = answerFor(interpretCreateResponse({ status: 400, data: problem(400, 'currency_not_supported') }), { ...POINTS_ORDER, currency: 'EUR' });

    expect(answer).toMatchObject({ httpStatus: 400, result: { status: 'error', paymentMethod: 'points', currency: 'EUR' } });
    expect(answer.result.errors).toEqual([{ field: 'currency', message: 'Points cannot pay in EUR.' }, { field: 'pointsPin', message: 'must be 4 to 12 digits' }]);
    expect(withoutFields.result.errors).toEqual([{ field: 'currency', message: 'Points cannot pay in EUR.' }]);
  });

  test('when a points checkout is not charged or still pending, then the answer keeps saying points, for its retry link', () => {
    const notCharged = answerFor(interpretCreateResponse({ status: 503, data: problem(503, 'points_unavailable', { payment: pointsPaymentFixture({ status: 'failed' }) }) }), POINTS_ORDER);
    const unknown = answerFor({ kind: 'unknown', reason: 'processing_timeout', payment: undefined }, POINTS_ORDER);

    expect(notCharged.result).toMatchObject({ status: 'error', paymentMethod: 'points', points: { account: 'PTS-…0001' } });
    expect(unknown.result).toMatchObject({ status: 'pending', paymentMethod: 'points', amount: '25.00' });
  });

  test('when the approved points result is rendered, then it says "Paid with points" with the masked account and the points spent, and shows no card', () => {
    const answer = answerFor(interpretCreateResponse({ status: 201, data: pointsPaymentFixture({ amount: 123_456 }) }), POINTS_ORDER);
    const page = renderResultPage(answer.result);

    expect(page).toContain('Paid with points (account PTS-…0001).');
    expect(page).toContain('<dt>Points spent</dt><dd>123,456</dd>');
    expect(page).not.toContain('••••');
    expect(page).not.toContain('PTS-0000-0001');
  });

  test('when a declined points result is rendered, then it says no points were taken and "Try again" keeps the amount and points', () => {
    const page = renderResultPage(answerFor(interpretCreateResponse({ status: 402, data: declinedPoints('incorrect_pin', '55') }), POINTS_ORDER).result);

    expect(page).toContain('The PIN is not correct. Please check it and try again.');
    expect(page).toContain('You have not been charged: no points were taken.');
    expect(page).toContain('<dt>Points account</dt><dd>PTS-…0001</dd>');
    expect(page).toContain('href="/payment.html?amount=25.00&amp;currency=USD&amp;method=points"');
  });

  test.each(PAYMENT_STATUSES)('when a looked-up points payment is %s, then the result is valid and never shows a card', (status) => {
    const result = resultForPayment(pointsPaymentFixture({ status, amount: 700 }));

    expect(makePaymentResultSchema.safeParse(result).success).toBe(true);
    expect(result.card).toBeUndefined();
    expect(result.points?.account).toBe('PTS-…0001');
    expect(result.points?.spent).toBe(['authorized', 'captured', 'settled'].includes(status) ? 700 : undefined);
    if (['voided', 'expired'].includes(status)) expect(result.message).toBe('This payment was cancelled and the points held for it released. You have not been charged.');
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
