/**
 * Card-network simulator, the loyalty-points provider under `/v1/points`: accounts, PIN-checked
 * holds, look-up, reversals, adjustments, expiry, faults, and points items in settlement batches.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { PIN_HASH_COST } from '../../card-network-sim/src/pin-hash.ts';
import {
  pointsAccountSchema, pointsAdjustmentResponseSchema, pointsAuthorizationRecordSchema, pointsAuthorizationResponseSchema,
  settlementBatchResponseSchema,
} from '../../shared/contracts/network.ts';
import {
  AUTH_HEADER, NETWORK_TEST_KEY, POINTS_ACCOUNTS, approvedSale, createTestNetwork, getPointsAccount, pointsAuthorizationBody,
  postBatch, postPointsAuthorization, readAllFiles, uniqueReference, type TestNetwork,
} from '../helpers/network-sim.ts';

let network: TestNetwork;

beforeEach(() => {
  network = createTestNetwork();
});

afterEach(() => {
  network.close();
});

async function account(accountId: string) {
  return pointsAccountSchema.parse((await getPointsAccount(network.app, accountId)).body);
}

function lookUp(merchantReference: string, target: TestNetwork = network) {
  return request(target.app).get('/v1/points/authorizations').query({ merchantReference }).set(AUTH_HEADER);
}

function reverse(authorizationId: string, body: object = {}) {
  return request(network.app).post(`/v1/points/authorizations/${authorizationId}/reversal`).set(AUTH_HEADER).send(body);
}

function adjust(authorizationId: string, amount: number, reference = uniqueReference('adj'), target: TestNetwork = network) {
  return request(target.app).post(`/v1/points/authorizations/${authorizationId}/adjustment`).set(AUTH_HEADER).send({ amount, reference });
}

function setFaults(body: object) {
  return request(network.app).post('/admin/faults').set(AUTH_HEADER).send(body);
}

async function approvedPoints(points: number, accountId: string = POINTS_ACCOUNTS.rich, target: TestNetwork = network) {
  const body = pointsAuthorizationBody({ accountId, points });
  const response = await postPointsAuthorization(target.app, body);
  if (response.body.responseCode !== '00') throw new Error(`expected an approval, got ${JSON.stringify(response.body)}`);
  return { body, authorizationId: response.body.authorizationId as string, authorizationCode: response.body.authorizationCode as string };
}

function pointsSale(hold: Awaited<ReturnType<typeof approvedPoints>>, amount: number, currency = 'USD') {
  return { method: 'points', merchantReference: hold.body.merchantReference, authorizationCode: hold.authorizationCode, amount, currency, type: 'sale' };
}

function pointsRefund(hold: Awaited<ReturnType<typeof approvedPoints>>, amount: number) {
  return { ...pointsSale(hold, amount), type: 'refund', merchantReference: uniqueReference('re'), originalMerchantReference: hold.body.merchantReference };
}

describe('GET /v1/points/accounts/:accountId', () => {
  test.each([
    [POINTS_ACCOUNTS.rich, 100_000],
    [POINTS_ACCOUNTS.small, 500],
    [POINTS_ACCOUNTS.blocked, 10_000],
  ])('when the seeded account %s is read, then it owns %d points and holds none', async (accountId, balance) => {
    const response = await getPointsAccount(network.app, accountId);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ accountId, balance, held: 0 });
  });

  test('when the account is unknown, then the answer is 404 not_found', async () => {
    const response = await getPointsAccount(network.app, 'PTS-9999-9999');

    expect(response.status).toBe(404);
    expect(response.body.code).toBe('not_found');
  });

  test('when the account id has characters no account has, then the answer is 400 naming accountId', async () => {
    const response = await getPointsAccount(network.app, 'PTS%200001');

    expect(response.status).toBe(400);
    expect(response.body.errors[0].field).toBe('accountId');
  });
});

describe('POST /v1/points/authorizations: decisions', () => {
  test('when the PIN is right and the points are there, then they are held (balance unchanged, held up)', async () => {
    const body = pointsAuthorizationBody({ points: 2500 });
    const response = await postPointsAuthorization(network.app, body);

    expect(response.status).toBe(200);
    const answer = pointsAuthorizationResponseSchema.parse(response.body);
    expect(answer).toMatchObject({ responseCode: '00', message: 'approved', authorizationCode: expect.stringMatching(/^[A-Z0-9]{6}$/) });
    expect(answer.authorizationId).toMatch(/^pts_/);
    expect(await account(POINTS_ACCOUNTS.rich)).toEqual({ accountId: POINTS_ACCOUNTS.rich, balance: 100_000, held: 2500 });
  });

  test.each([
    ['the PIN is wrong', { pin: '4321' }, '55', 'incorrect PIN'],
    ['there are fewer spendable points', { accountId: POINTS_ACCOUNTS.small, points: 501 }, '51', 'insufficient funds'],
    ['the account is unknown', { accountId: 'PTS-9999-9999' }, '14', 'invalid card number'],
    ['the account is blocked', { accountId: POINTS_ACCOUNTS.blocked }, '05', 'do not honor'],
    ['the account is blocked and the PIN is wrong', { accountId: POINTS_ACCOUNTS.blocked, pin: '0000' }, '55', 'incorrect PIN'],
  ])('when %s, then the answer is %s and nothing is held', async (_what, change, code, message) => {
    const body = pointsAuthorizationBody(change);
    const response = await postPointsAuthorization(network.app, body);

    expect(response.body).toMatchObject({ responseCode: code, message });
    expect(response.body.authorizationCode).toBeUndefined();
    expect((await lookUp(body.merchantReference)).body).toMatchObject({ status: 'declined', heldAmount: 0 });
  });

  test('when earlier holds use part of the balance, then only the rest is spendable', async () => {
    await approvedPoints(300, POINTS_ACCOUNTS.small);

    expect((await postPointsAuthorization(network.app, pointsAuthorizationBody({ accountId: POINTS_ACCOUNTS.small, points: 201 }))).body.responseCode).toBe('51');
    expect((await postPointsAuthorization(network.app, pointsAuthorizationBody({ accountId: POINTS_ACCOUNTS.small, points: 200 }))).body.responseCode).toBe('00');
    expect(await account(POINTS_ACCOUNTS.small)).toMatchObject({ balance: 500, held: 500 });
  });

  test('when 40 authorizations for one account arrive at once over HTTP, then they never hold more than it has', async () => {
    // The real PIN cost keeps each request on the thread pool long enough for all 40 to overlap.
    network.close();
    network = createTestNetwork({ pinHashCost: PIN_HASH_COST });
    const server = http.createServer(network.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const responses = await Promise.all(Array.from({ length: 40 }, async () => {
        const answer = await fetch(`http://127.0.0.1:${port}/v1/points/authorizations`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${NETWORK_TEST_KEY}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(pointsAuthorizationBody({ accountId: POINTS_ACCOUNTS.small, points: 30 })),
        });
        return pointsAuthorizationResponseSchema.parse(await answer.json());
      }));

      // 500 points hold 16 holds of 30 (480); the other 24 find 20 spendable points and are declined.
      expect(responses.filter((answer) => answer.responseCode === '00')).toHaveLength(16);
      expect(responses.filter((answer) => answer.responseCode === '51')).toHaveLength(24);
      expect(await account(POINTS_ACCOUNTS.small)).toMatchObject({ balance: 500, held: 480 });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('when decisions are made, then the metric counts them by response code', async () => {
    await postPointsAuthorization(network.app, pointsAuthorizationBody({ pin: '9999' }));

    const metrics = await request(network.app).get('/metrics');
    expect(metrics.text).toMatch(/network_points_authorizations_total\{response_code="55",service="card-network-sim"\} 1/);
  });

  test.each([
    ['no merchantReference', 'merchantReference', { merchantReference: undefined }],
    ['no accountId', 'accountId', { accountId: undefined }],
    ['a PIN with letters', 'pin', { pin: '12ab' }],
    ['a three-digit PIN', 'pin', { pin: '123' }],
    ['a PIN as a number', 'pin', { pin: 1234 }],
    ['zero points', 'points', { points: 0 }],
    ['fractional points', 'points', { points: 1.5 }],
    ['points as text', 'points', { points: '100' }],
  ])('when the request has %s, then the answer is 400 naming %s and nothing is recorded', async (_what, field, change) => {
    const body = { ...pointsAuthorizationBody(), ...change };
    const response = await postPointsAuthorization(network.app, body);

    expect(response.status).toBe(400);
    expect(response.body.code).toBe('validation_failed');
    expect(response.body.errors.map((problem: { field: string }) => problem.field)).toContain(field);
    expect(await account(POINTS_ACCOUNTS.rich)).toMatchObject({ held: 0 });
  });
});

describe('POST /v1/points/authorizations: idempotency by merchantReference', () => {
  test('when the same request is repeated, then the first answer comes back and one hold is placed', async () => {
    const body = pointsAuthorizationBody({ points: 700 });
    const first = await postPointsAuthorization(network.app, body);
    const repeat = await postPointsAuthorization(network.app, body);

    expect(repeat.body).toEqual(first.body);
    expect(await account(POINTS_ACCOUNTS.rich)).toMatchObject({ held: 700 });
  });

  test('when 20 identical requests arrive at once, then there is one hold and every answer is the same', async () => {
    // The real PIN cost makes all 20 pass the first look-up before any of them holds anything.
    network.close();
    network = createTestNetwork({ pinHashCost: PIN_HASH_COST });
    const body = pointsAuthorizationBody({ accountId: POINTS_ACCOUNTS.small, points: 100 });
    const responses = await Promise.all(Array.from({ length: 20 }, () => postPointsAuthorization(network.app, body)));

    expect(new Set(responses.map((response) => JSON.stringify(response.body))).size).toBe(1);
    expect(await account(POINTS_ACCOUNTS.small)).toMatchObject({ held: 100 });
  });

  test.each([
    ['points', { points: 701 }],
    ['account', { accountId: POINTS_ACCOUNTS.small }],
  ])('when a reference is reused with other %s, then the answer is 409 merchant_reference_reused', async (_what, change) => {
    const body = pointsAuthorizationBody({ points: 700 });
    await postPointsAuthorization(network.app, body);
    const reused = await postPointsAuthorization(network.app, { ...body, ...change });

    expect(reused.status).toBe(409);
    expect(reused.body.code).toBe('merchant_reference_reused');
    expect(await account(POINTS_ACCOUNTS.rich)).toMatchObject({ held: 700 });
  });

  test('when a wrong-PIN decline is repeated with the right PIN, then the stored 55 comes back (a final answer)', async () => {
    const body = pointsAuthorizationBody({ pin: '0000' });
    await postPointsAuthorization(network.app, body);
    const repeat = await postPointsAuthorization(network.app, { ...body, pin: '1234' });

    expect(repeat.body.responseCode).toBe('55');
  });
});

describe('GET /v1/points/authorizations', () => {
  test('when the reference is known, then the record comes back with account, points held and adjustments', async () => {
    const hold = await approvedPoints(1200);
    const response = await lookUp(hold.body.merchantReference);

    expect(response.status).toBe(200);
    expect(pointsAuthorizationRecordSchema.parse(response.body)).toEqual({
      authorizationId: hold.authorizationId, responseCode: '00', authorizationCode: hold.authorizationCode, message: 'approved',
      merchantReference: hold.body.merchantReference, accountId: POINTS_ACCOUNTS.rich, amount: 1200, currency: 'USD',
      status: 'approved', heldAmount: 1200, settledAmount: 0, refundedAmount: 0, adjustments: [],
      createdAt: '2026-03-01T12:00:00.000Z', updatedAt: '2026-03-01T12:00:00.000Z',
    });
    expect(response.body).not.toHaveProperty('pin');
  });

  test('when the reference is unknown, then the answer is 404; when it is missing, then 400 naming merchantReference', async () => {
    expect((await lookUp('never-sent')).status).toBe(404);
    const missing = await request(network.app).get('/v1/points/authorizations').set(AUTH_HEADER);
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0].field).toBe('merchantReference');
  });

  test('when a hold outlived AUTH_TTL_HOURS, then it reads as expired and its points are spendable again', async () => {
    const hold = await approvedPoints(400, POINTS_ACCOUNTS.small);
    network.clock.advanceHours(169);

    expect((await lookUp(hold.body.merchantReference)).body).toMatchObject({ status: 'expired', heldAmount: 0 });
    expect(await account(POINTS_ACCOUNTS.small)).toMatchObject({ balance: 500, held: 0 });
    expect((await postPointsAuthorization(network.app, pointsAuthorizationBody({ accountId: POINTS_ACCOUNTS.small, points: 500 }))).body.responseCode).toBe('00');
  });
});

describe('POST /v1/points/authorizations/:id/reversal', () => {
  test('when a hold is reversed in full, then its points are released', async () => {
    const hold = await approvedPoints(900);
    const response = await reverse(hold.authorizationId, { reason: 'void' });

    expect(response.status).toBe(200);
    expect(pointsAuthorizationRecordSchema.parse(response.body)).toMatchObject({ status: 'reversed', heldAmount: 0, amount: 900 });
    expect(await account(POINTS_ACCOUNTS.rich)).toMatchObject({ held: 0 });
  });

  test('when part of a hold is reversed twice (a retry), then the hold becomes authorized − amount once', async () => {
    const hold = await approvedPoints(1000);
    await reverse(hold.authorizationId, { amount: 400 });
    const retry = await reverse(hold.authorizationId, { amount: 400 });

    expect(retry.body).toMatchObject({ status: 'approved', heldAmount: 600 });
    expect(await account(POINTS_ACCOUNTS.rich)).toMatchObject({ held: 600 });
  });

  test('when a declined hold is reversed, then 409 not_approved; an unknown one, then 404; too much, then 400 naming amount', async () => {
    const declined = await postPointsAuthorization(network.app, pointsAuthorizationBody({ pin: '0000' }));
    const hold = await approvedPoints(100);

    expect((await reverse(declined.body.authorizationId)).body.code).toBe('not_approved');
    expect((await reverse('pts_unknown')).status).toBe(404);
    const tooMuch = await reverse(hold.authorizationId, { amount: 101 });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.errors[0].field).toBe('amount');
  });

  test('when a settled hold is reversed, then the answer is 409 already_settled', async () => {
    const hold = await approvedPoints(100);
    await postBatch(network.app, 'run-pts-rev', [pointsSale(hold, 100)]);

    const response = await reverse(hold.authorizationId);
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('already_settled');
  });
});

describe('POST /v1/points/authorizations/:id/adjustment', () => {
  test('when a hold is increased within the spendable points, then the new total is held', async () => {
    const hold = await approvedPoints(200, POINTS_ACCOUNTS.small);
    const response = await adjust(hold.authorizationId, 450, 'adj-pts-1');

    expect(response.status).toBe(200);
    expect(pointsAdjustmentResponseSchema.parse(response.body)).toMatchObject({
      reference: 'adj-pts-1', responseCode: '00', amount: 450, heldAmount: 450, accountId: POINTS_ACCOUNTS.small,
      adjustments: [{ reference: 'adj-pts-1', amount: 450, responseCode: '00' }],
    });
    expect(await account(POINTS_ACCOUNTS.small)).toMatchObject({ held: 450 });
  });

  test('when an increase asks for more than is spendable, then 51 and the hold is unchanged', async () => {
    const hold = await approvedPoints(200, POINTS_ACCOUNTS.small);
    const response = await adjust(hold.authorizationId, 501);

    expect(response.body).toMatchObject({ responseCode: '51', amount: 200, heldAmount: 200 });
    expect(await account(POINTS_ACCOUNTS.small)).toMatchObject({ held: 200 });
  });

  test('when a hold is decreased, then the difference is released', async () => {
    const hold = await approvedPoints(500, POINTS_ACCOUNTS.small);
    const response = await adjust(hold.authorizationId, 120);

    expect(response.body).toMatchObject({ responseCode: '00', amount: 120, heldAmount: 120 });
    expect(await account(POINTS_ACCOUNTS.small)).toMatchObject({ held: 120 });
  });

  test('when an adjustment is repeated, then the first answer comes back; another amount under its reference is 409', async () => {
    const hold = await approvedPoints(100);
    const first = await adjust(hold.authorizationId, 300, 'adj-pts-same');
    const repeat = await adjust(hold.authorizationId, 300, 'adj-pts-same');
    const reused = await adjust(hold.authorizationId, 400, 'adj-pts-same');

    expect(repeat.body).toEqual(first.body);
    expect(reused.status).toBe(409);
    expect(reused.body.code).toBe('adjustment_reference_reused');
    expect(await account(POINTS_ACCOUNTS.rich)).toMatchObject({ held: 300 });
  });

  test('when the hold is unknown, then 404; reversed, then 409 authorization_reversed; bad amount, then 400 naming amount', async () => {
    const hold = await approvedPoints(100);
    await reverse(hold.authorizationId);

    expect((await adjust('pts_unknown', 100)).status).toBe(404);
    expect((await adjust(hold.authorizationId, 200)).body.code).toBe('authorization_reversed');
    const bad = await request(network.app).post(`/v1/points/authorizations/${hold.authorizationId}/adjustment`).set(AUTH_HEADER).send({ amount: 0, reference: 'r' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('amount');
  });

  test('when increases of many holds on one account arrive at once, then they never hold more than it has', async () => {
    const holds = [];
    for (let index = 0; index < 10; index += 1) holds.push(await approvedPoints(10, POINTS_ACCOUNTS.small));
    // 400 points are left; each increase asks for 90 more, so exactly four fit.
    const responses = await Promise.all(holds.map((hold) => adjust(hold.authorizationId, 100)));

    expect(responses.filter((response) => response.body.responseCode === '00')).toHaveLength(4);
    expect(await account(POINTS_ACCOUNTS.small)).toMatchObject({ held: 460 });
  });
});

describe('faults', () => {
  test('when the answer to a points authorization is lost, then the hold was recorded and a resend answers it', async () => {
    const body = pointsAuthorizationBody({ points: 800 });
    await setFaults({ lostAnswerRate: 1 });
    await expect(postPointsAuthorization(network.app, body)).rejects.toThrow(/socket hang up|ECONNRESET/);
    await setFaults({ lostAnswerRate: 0 });

    expect((await lookUp(body.merchantReference)).body).toMatchObject({ status: 'approved', heldAmount: 800 });
    const resend = await postPointsAuthorization(network.app, body);
    expect(resend.body.responseCode).toBe('00');
    expect(await account(POINTS_ACCOUNTS.rich)).toMatchObject({ held: 800 });
  });

  test('when the answer to a points adjustment is lost, then the adjustment landed and the look-up shows it', async () => {
    const hold = await approvedPoints(100);
    await setFaults({ lostAnswerRate: 1 });
    await expect(adjust(hold.authorizationId, 250, 'adj-pts-lost')).rejects.toThrow(/socket hang up|ECONNRESET/);
    await setFaults({ lostAnswerRate: 0 });

    expect((await lookUp(hold.body.merchantReference)).body).toMatchObject({
      amount: 250, heldAmount: 250, adjustments: [{ reference: 'adj-pts-lost', responseCode: '00' }],
    });
  });

  test('when the error rate is 1, then points requests answer 503 injected_fault and nothing is held', async () => {
    await setFaults({ errorRate: 1 });
    const authorization = await postPointsAuthorization(network.app, pointsAuthorizationBody());
    const lookup = await getPointsAccount(network.app, POINTS_ACCOUNTS.rich);
    await setFaults({ errorRate: 0 });

    expect(authorization.status).toBe(503);
    expect(authorization.body.code).toBe('injected_fault');
    expect(lookup.status).toBe(503);
    expect(await account(POINTS_ACCOUNTS.rich)).toMatchObject({ held: 0 });
  });

  test('when PINs were sent, then no file in DATA_DIR and no log line holds them', async () => {
    const wrongPin = '98765432';
    await postPointsAuthorization(network.app, pointsAuthorizationBody({ pin: wrongPin }));
    await approvedPoints(10);
    await postPointsAuthorization(network.app, { ...pointsAuthorizationBody({ pin: wrongPin }), points: 'bad' });

    expect(readAllFiles(network.dataDir).toString('latin1')).not.toContain(wrongPin);
    expect(network.logLines.join('')).not.toContain(wrongPin);
    expect(network.logLines.join('')).not.toMatch(/"pin"/);
  });
});

describe('points in settlement batches', () => {
  test('when a points sale settles, then the points are redeemed and their value is deposited with the card sales', async () => {
    const hold = await approvedPoints(3000);
    const cardSale = await approvedSale(network.app, { amount: 1000 });
    const response = await postBatch(network.app, 'run-pts-1', [pointsSale(hold, 2500), cardSale]);

    expect(response.status).toBe(200);
    const report = settlementBatchResponseSchema.parse(response.body);
    expect(report.items[0]).toEqual({ merchantReference: hold.body.merchantReference, type: 'sale', amount: 2500, currency: 'USD', status: 'settled', method: 'points' });
    expect(report.items[1]).not.toHaveProperty('method');
    expect(report.totals).toEqual({ USD: { sales: 3500, refunds: 0, net: 3500 } });
    expect(await account(POINTS_ACCOUNTS.rich)).toEqual({ accountId: POINTS_ACCOUNTS.rich, balance: 97_500, held: 0 });
    expect((await lookUp(hold.body.merchantReference)).body).toMatchObject({ status: 'settled', heldAmount: 0, settledAmount: 2500 });
    const merchant = (await request(network.app).get('/v1/merchant-account').set(AUTH_HEADER)).body;
    expect(merchant.deposits).toEqual([{ batchId: 'run-pts-1', currency: 'USD', amount: 3500, at: '2026-03-01T12:00:00.000Z' }]);
    const stored = await request(network.app).get('/v1/settlement-batches/run-pts-1').set(AUTH_HEADER);
    expect(stored.body.items[0]).toMatchObject({ method: 'points', status: 'settled' });
  });

  test('when a points refund settles, then the points go back and it is a debit like a card refund', async () => {
    const hold = await approvedPoints(3000);
    await postBatch(network.app, 'run-pts-2', [pointsSale(hold, 3000)]);
    const response = await postBatch(network.app, 'run-pts-3', [pointsRefund(hold, 1000)]);

    expect(response.body.items[0]).toMatchObject({ status: 'settled', type: 'refund', method: 'points' });
    expect(response.body.totals).toEqual({ USD: { sales: 0, refunds: 1000, net: -1000 } });
    expect(await account(POINTS_ACCOUNTS.rich)).toMatchObject({ balance: 98_000, held: 0 });
    expect((await request(network.app).get('/v1/merchant-account').set(AUTH_HEADER)).body.balances).toEqual({ USD: 2000 });
    const tooMuch = await postBatch(network.app, 'run-pts-4', [pointsRefund(hold, 2001)]);
    expect(tooMuch.body.items[0]).toMatchObject({ status: 'rejected', reason: 'refund_exceeds_settled' });
    expect(await account(POINTS_ACCOUNTS.rich)).toMatchObject({ balance: 98_000 });
  });

  test.each([
    ['another currency', (hold: Awaited<ReturnType<typeof approvedPoints>>) => ({ ...pointsSale(hold, 100), currency: 'EUR' }), 'currency_mismatch'],
    ['a wrong authorization code', (hold: Awaited<ReturnType<typeof approvedPoints>>) => ({ ...pointsSale(hold, 100), authorizationCode: 'ZZZZZZ' }), 'authorization_code_mismatch'],
    ['more points than held', (hold: Awaited<ReturnType<typeof approvedPoints>>) => pointsSale(hold, 1001), 'amount_exceeds_authorization'],
    ['an unknown reference', (hold: Awaited<ReturnType<typeof approvedPoints>>) => ({ ...pointsSale(hold, 100), merchantReference: 'pts-never' }), 'unknown_authorization'],
    ['a refund of a sale not yet settled', (hold: Awaited<ReturnType<typeof approvedPoints>>) => pointsRefund(hold, 1), 'sale_not_settled'],
  ])('when a points item has %s, then it is rejected and no points move', async (_what, itemFor, reason) => {
    const hold = await approvedPoints(1000);
    const response = await postBatch(network.app, `run-pts-${reason}`, [itemFor(hold)]);

    expect(response.body.items[0]).toMatchObject({ status: 'rejected', reason, method: 'points' });
    expect(await account(POINTS_ACCOUNTS.rich)).toEqual({ accountId: POINTS_ACCOUNTS.rich, balance: 100_000, held: 1000 });
  });

  test('when a card item names a points hold (no method), then it is unknown_authorization: points are their own namespace', async () => {
    const hold = await approvedPoints(100);
    const { method: _method, ...asCard } = pointsSale(hold, 100);
    const response = await postBatch(network.app, 'run-pts-card', [asCard]);

    expect(response.body.items[0]).toMatchObject({ status: 'rejected', reason: 'unknown_authorization' });
  });

  test('when a points item carries a card, then the batch is refused 400 naming the item\'s card', async () => {
    const hold = await approvedPoints(100);
    const response = await postBatch(network.app, 'run-pts-bad', [{ ...pointsSale(hold, 100), card: { last4: '4242' } }]);

    expect(response.status).toBe(400);
    expect(response.body.errors.map((problem: { field: string }) => problem.field)).toContain('items.0.card');
  });

  test('when a batch with a points item is resent, then the stored report comes back and no points move twice', async () => {
    const hold = await approvedPoints(1000);
    const first = await postBatch(network.app, 'run-pts-again', [pointsSale(hold, 1000)]);
    const again = await postBatch(network.app, 'run-pts-again', [pointsSale(hold, 1000)]);
    const asCard = await postBatch(network.app, 'run-pts-again', [{ ...pointsSale(hold, 1000), method: undefined }]);

    expect(again.text).toBe(first.text);
    expect(asCard.status).toBe(409);
    expect(await account(POINTS_ACCOUNTS.rich)).toMatchObject({ balance: 99_000 });
  });

  test('when POINTS_CURRENCY is EUR, then points holds are in EUR and settle into the EUR deposit', async () => {
    const euro = createTestNetwork({ env: { POINTS_CURRENCY: 'EUR' } });
    try {
      const hold = await approvedPoints(500, POINTS_ACCOUNTS.rich, euro);
      const wrong = await postBatch(euro.app, 'run-eur-1', [pointsSale(hold, 500, 'USD')]);
      const right = await postBatch(euro.app, 'run-eur-2', [pointsSale(hold, 500, 'EUR')]);

      expect((await lookUp(hold.body.merchantReference, euro)).body.currency).toBe('EUR');
      expect(wrong.body.items[0]).toMatchObject({ status: 'rejected', reason: 'currency_mismatch' });
      expect(right.body.totals).toEqual({ EUR: { sales: 500, refunds: 0, net: 500 } });
    } finally {
      euro.close();
    }
  });
});
