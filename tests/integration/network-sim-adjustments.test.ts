/**
 * Card-network simulator, adjusting an open hold: `POST /v1/authorizations/:id/adjustment`
 * sets a new total; increases are decided, decreases always succeed, idempotent by reference.
 */
import request from 'supertest';
import { cardAdjustmentResponseSchema, cardAuthorizationListSchema, cardAuthorizationRecordSchema } from '../../shared/contracts/network.ts';
import {
  ACCOUNT_CARDS, AUTH_HEADER, TEST_CARDS, approvedSale, authorizationBody, createTestNetwork, lookUpAuthorization, postAdjustment,
  postAuthorization, postBatch, reverseAuthorization, uniqueReference, type TestNetwork,
} from '../helpers/network-sim.ts';

let network: TestNetwork;

beforeEach(() => {
  network = createTestNetwork();
});

afterEach(() => {
  network.close();
});

async function approved(cardNumber: string = TEST_CARDS.visa, amount = 1000) {
  const body = authorizationBody({ cardNumber, amount });
  const response = await postAuthorization(network.app, body);
  if (response.body.responseCode !== '00') throw new Error(`expected an approval, got ${JSON.stringify(response.body)}`);
  return { body, authorizationId: response.body.authorizationId as string, authorizationCode: response.body.authorizationCode as string };
}

function adjust(authorizationId: string, amount: number, reference = uniqueReference('adj')) {
  return postAdjustment(network.app, authorizationId, { amount, reference });
}

async function record(merchantReference: string) {
  return cardAuthorizationRecordSchema.parse((await lookUpAuthorization(network.app, merchantReference)).body);
}

describe('increases and decreases', () => {
  test('when an approving test card is increased, then the new total is held and the answer carries the adjustment', async () => {
    const authorization = await approved(TEST_CARDS.mastercard, 1000);
    network.clock.advanceMs(60_000);
    const response = await adjust(authorization.authorizationId, 1500, 'adj-up-1');

    expect(response.status).toBe(200);
    expect(cardAdjustmentResponseSchema.parse(response.body)).toMatchObject({
      authorizationId: authorization.authorizationId, authorizationCode: authorization.authorizationCode,
      reference: 'adj-up-1', responseCode: '00', message: 'approved', status: 'approved', amount: 1500, heldAmount: 1500,
      adjustments: [{ reference: 'adj-up-1', amount: 1500, responseCode: '00', at: '2026-03-01T12:01:00.000Z' }],
    });
    expect(await record(authorization.body.merchantReference)).toMatchObject({ amount: 1500, heldAmount: 1500 });
  });

  test('when an account card is increased within its limit, then it approves; beyond it, then 51 and the hold is unchanged', async () => {
    const authorization = await approved(ACCOUNT_CARDS[0], 400_000);
    const within = await adjust(authorization.authorizationId, 500_000, 'adj-within');
    const beyond = await adjust(authorization.authorizationId, 500_001, 'adj-beyond');

    expect(within.body).toMatchObject({ responseCode: '00', amount: 500_000, heldAmount: 500_000 });
    expect(beyond.status).toBe(200);
    expect(beyond.body).toMatchObject({ reference: 'adj-beyond', responseCode: '51', message: 'insufficient funds', amount: 500_000, heldAmount: 500_000 });
    expect((await record(authorization.body.merchantReference)).adjustments.map((entry) => [entry.reference, entry.responseCode]))
      .toEqual([['adj-within', '00'], ['adj-beyond', '51']]);
  });

  test('when an account card increase counts the card\'s other holds, then it is declined once they fill the limit', async () => {
    const authorization = await approved(ACCOUNT_CARDS[1], 100_000);
    await approved(ACCOUNT_CARDS[1], 350_000);

    expect((await adjust(authorization.authorizationId, 150_001)).body.responseCode).toBe('51');
    expect((await adjust(authorization.authorizationId, 150_000)).body.responseCode).toBe('00');
  });

  test('when a hold is decreased on a card at its limit, then it succeeds and the released credit can be used again', async () => {
    const cardNumber = ACCOUNT_CARDS[2];
    const authorization = await approved(cardNumber, 500_000);
    const decreased = await adjust(authorization.authorizationId, 200_000);

    expect(decreased.body).toMatchObject({ responseCode: '00', amount: 200_000, heldAmount: 200_000 });
    expect((await postAuthorization(network.app, authorizationBody({ cardNumber, amount: 300_000 }))).body.responseCode).toBe('00');
  });

  test('when the original authorization is repeated after an adjustment, then its first answer comes back (not a conflict)', async () => {
    const authorization = await approved(TEST_CARDS.visa, 1000);
    await adjust(authorization.authorizationId, 2500);
    const repeat = await postAuthorization(network.app, authorization.body);

    expect(repeat.status).toBe(200);
    expect(repeat.body).toMatchObject({ authorizationId: authorization.authorizationId, responseCode: '00' });
    expect(await record(authorization.body.merchantReference)).toMatchObject({ amount: 2500, heldAmount: 2500 });
  });

  test('when adjustments are made, then the metric counts them by method and code', async () => {
    const authorization = await approved(ACCOUNT_CARDS[0], 1000);
    await adjust(authorization.authorizationId, 600_000);

    const metrics = await request(network.app).get('/metrics');
    expect(metrics.text).toMatch(/network_adjustments_total\{method="card",response_code="51",service="card-network-sim"\} 1/);
  });
});

describe('idempotency by reference', () => {
  test('when an adjustment is repeated, then the first answer comes back and the total moves once', async () => {
    const authorization = await approved(TEST_CARDS.visa, 1000);
    const first = await adjust(authorization.authorizationId, 3000, 'adj-repeat');
    network.clock.advanceMs(1000);
    const repeat = await adjust(authorization.authorizationId, 3000, 'adj-repeat');

    expect(repeat.status).toBe(200);
    expect(repeat.body).toEqual(first.body);
    expect((await record(authorization.body.merchantReference)).adjustments).toHaveLength(1);
  });

  test('when a declined increase is repeated after credit was freed, then it still answers the first result (51)', async () => {
    const authorization = await approved(ACCOUNT_CARDS[0], 100_000);
    const other = await approved(ACCOUNT_CARDS[0], 400_000);
    const declined = await adjust(authorization.authorizationId, 200_000, 'adj-declined');
    await reverseAuthorization(network.app, other.authorizationId);
    const repeat = await adjust(authorization.authorizationId, 200_000, 'adj-declined');

    expect(declined.body.responseCode).toBe('51');
    expect(repeat.body).toMatchObject({ responseCode: '51', amount: 100_000 });
  });

  test('when a reference is reused with another amount, then the answer is 409 adjustment_reference_reused and nothing changes', async () => {
    const authorization = await approved(TEST_CARDS.visa, 1000);
    await adjust(authorization.authorizationId, 1200, 'adj-reused');
    const reused = await adjust(authorization.authorizationId, 1300, 'adj-reused');

    expect(reused.status).toBe(409);
    expect(reused.headers['content-type']).toContain('application/problem+json');
    expect(reused.body.code).toBe('adjustment_reference_reused');
    expect(await record(authorization.body.merchantReference)).toMatchObject({ amount: 1200 });
  });

  test('when the adjustment answer was lost, then the look-up shows it landed and a resend answers the stored result', async () => {
    const authorization = await approved(TEST_CARDS.visa, 1000);
    await request(network.app).post('/admin/faults').set(AUTH_HEADER).send({ lostAnswerRate: 1 });
    const lost = adjust(authorization.authorizationId, 4000, 'adj-lost');
    await expect(lost).rejects.toThrow(/socket hang up|ECONNRESET/);
    await request(network.app).post('/admin/faults').set(AUTH_HEADER).send({ lostAnswerRate: 0 });

    expect(await record(authorization.body.merchantReference)).toMatchObject({
      amount: 4000, heldAmount: 4000, adjustments: [{ reference: 'adj-lost', amount: 4000, responseCode: '00' }],
    });
    const resend = await adjust(authorization.authorizationId, 4000, 'adj-lost');
    expect(resend.body).toMatchObject({ reference: 'adj-lost', responseCode: '00', amount: 4000 });
    expect((await record(authorization.body.merchantReference)).adjustments).toHaveLength(1);
  });
});

describe('what can be adjusted', () => {
  test('when the authorization was declined, then the answer is 409 not_approved', async () => {
    const created = await postAuthorization(network.app, authorizationBody({ cardNumber: TEST_CARDS.doNotHonor }));

    const response = await adjust(created.body.authorizationId, 2000);
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('not_approved');
  });

  test('when the authorization was reversed, then the answer is 409 authorization_reversed', async () => {
    const authorization = await approved();
    await reverseAuthorization(network.app, authorization.authorizationId);

    const response = await adjust(authorization.authorizationId, 2000);
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('authorization_reversed');
  });

  test('when the authorization was settled, then the answer is 409 already_settled', async () => {
    const sale = await approvedSale(network.app);
    await postBatch(network.app, 'run-adjust-1', [sale]);
    const { authorizationId } = await record(sale.merchantReference);

    const response = await adjust(authorizationId, 2000);
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('already_settled');
  });

  test('when the authorization outlived AUTH_TTL_HOURS, then the answer is 409 authorization_expired', async () => {
    const authorization = await approved();
    network.clock.advanceHours(169);

    const response = await adjust(authorization.authorizationId, 2000);
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('authorization_expired');
  });

  test('when a hold was adjusted, then its lifetime still counts from the authorization', async () => {
    const authorization = await approved();
    network.clock.advanceHours(100);
    await adjust(authorization.authorizationId, 2000);
    network.clock.advanceHours(69);

    expect(await record(authorization.body.merchantReference)).toMatchObject({ status: 'expired', heldAmount: 0, amount: 2000 });
  });

  test('when the authorization is unknown, then the answer is 404 not_found', async () => {
    const response = await adjust('auth_unknown', 2000);

    expect(response.status).toBe(404);
    expect(response.body.code).toBe('not_found');
  });

  test.each([
    ['a zero amount', 'amount', { amount: 0, reference: 'adj-1' }],
    ['a negative amount', 'amount', { amount: -5, reference: 'adj-1' }],
    ['a fractional amount', 'amount', { amount: 10.5, reference: 'adj-1' }],
    ['an amount as text', 'amount', { amount: '100', reference: 'adj-1' }],
    ['no reference', 'reference', { amount: 100 }],
    ['a reference with spaces', 'reference', { amount: 100, reference: 'a b' }],
    ['a 65-character reference', 'reference', { amount: 100, reference: 'r'.repeat(65) }],
  ])('when the adjustment has %s, then the answer is 400 naming %s and nothing changes', async (_what, field, body) => {
    const authorization = await approved();
    const response = await postAdjustment(network.app, authorization.authorizationId, body);

    expect(response.status).toBe(400);
    expect(response.body.code).toBe('validation_failed');
    expect(response.body.errors.map((problem: { field: string }) => problem.field)).toContain(field);
    expect(await record(authorization.body.merchantReference)).toMatchObject({ amount: 1000, adjustments: [] });
  });
});

describe('settlement and reversal after an adjustment', () => {
  test('when a hold was increased, then the sale settles up to the adjusted amount and not above it', async () => {
    const up = await approved(TEST_CARDS.visa, 1000);
    const above = await approved(TEST_CARDS.visa, 1000);
    await adjust(up.authorizationId, 1500);
    await adjust(above.authorizationId, 1500);
    const sale = (authorization: typeof up, amount: number) => ({
      merchantReference: authorization.body.merchantReference, authorizationCode: authorization.authorizationCode, amount, currency: 'USD', type: 'sale',
    });
    const response = await postBatch(network.app, 'run-adjusted-1', [sale(up, 1500), sale(above, 1501)]);

    expect(response.body.items.map((item: { status: string; reason?: string }) => item.reason ?? item.status))
      .toEqual(['settled', 'amount_exceeds_authorization']);
  });

  test('when a hold was decreased, then a sale of the old amount is rejected amount_exceeds_authorization', async () => {
    const authorization = await approved(TEST_CARDS.visa, 1000);
    await adjust(authorization.authorizationId, 600);
    const response = await postBatch(network.app, 'run-adjusted-2', [{
      merchantReference: authorization.body.merchantReference, authorizationCode: authorization.authorizationCode, amount: 700, currency: 'USD', type: 'sale',
    }]);

    expect(response.body.items[0]).toMatchObject({ status: 'rejected', reason: 'amount_exceeds_authorization' });
  });

  test('when part of an adjusted hold is reversed, then it is released from the adjusted amount, once', async () => {
    const authorization = await approved(TEST_CARDS.visa, 1000);
    await adjust(authorization.authorizationId, 1500);
    const first = await reverseAuthorization(network.app, authorization.authorizationId, { amount: 500, reason: 'partial_capture' });
    const retry = await reverseAuthorization(network.app, authorization.authorizationId, { amount: 500, reason: 'partial_capture' });
    const tooMuch = await reverseAuthorization(network.app, authorization.authorizationId, { amount: 1501 });

    expect(first.body).toMatchObject({ status: 'approved', amount: 1500, heldAmount: 1000 });
    expect(retry.body).toEqual(first.body);
    expect(tooMuch.status).toBe(400);
  });

  test('when a partly reversed hold is adjusted, then what was released stays released', async () => {
    const authorization = await approved(TEST_CARDS.visa, 1000);
    await reverseAuthorization(network.app, authorization.authorizationId, { amount: 300 });
    const up = await adjust(authorization.authorizationId, 1200);
    const belowReleased = await adjust(authorization.authorizationId, 300);

    expect(up.body).toMatchObject({ responseCode: '00', amount: 1200, heldAmount: 900 });
    expect(belowReleased.status).toBe(409);
    expect(belowReleased.body.code).toBe('amount_below_released');
  });
});

describe('concurrency', () => {
  test('when increases of many holds on one account card arrive at once, then the holds never exceed its limit', async () => {
    const cardNumber = ACCOUNT_CARDS[0];
    const authorizations = [];
    for (let index = 0; index < 10; index += 1) authorizations.push(await approved(cardNumber, 10_000));

    // 400,000 of credit is left; each increase asks for 90,000 more, so exactly four fit.
    const responses = await Promise.all(authorizations.map((authorization) => adjust(authorization.authorizationId, 100_000)));

    expect(responses.filter((response) => response.body.responseCode === '00')).toHaveLength(4);
    expect(responses.filter((response) => response.body.responseCode === '51')).toHaveLength(6);
    const all = cardAuthorizationListSchema.parse((await request(network.app).get('/v1/authorizations').set(AUTH_HEADER)).body).data;
    expect(all.reduce((sum, entry) => sum + entry.heldAmount, 0)).toBe(460_000);
  });

  test('when the same adjustment is sent 20 times at once, then the total moves once and every answer is the same', async () => {
    const authorization = await approved(ACCOUNT_CARDS[1], 1000);
    const responses = await Promise.all(Array.from({ length: 20 }, () => adjust(authorization.authorizationId, 250_000, 'adj-burst')));

    expect(new Set(responses.map((response) => JSON.stringify(response.body))).size).toBe(1);
    expect(await record(authorization.body.merchantReference)).toMatchObject({ amount: 250_000, heldAmount: 250_000 });
    expect((await record(authorization.body.merchantReference)).adjustments).toHaveLength(1);
  });
});
