/**
 * Card-network simulator, account verification: `POST /v1/authorizations` with `amount: 0`
 * checks the card and holds nothing.
 */
import request from 'supertest';
import { cardAuthorizationListSchema, cardAuthorizationRecordSchema, cardAuthorizationResponseSchema } from '../../shared/contracts/network.ts';
import {
  ACCOUNT_CARDS, AUTH_HEADER, TEST_CARDS, authorizationBody, createTestNetwork, lookUpAuthorization, postAdjustment,
  postAuthorization, postBatch, reverseAuthorization, type TestNetwork,
} from '../helpers/network-sim.ts';

let network: TestNetwork;

beforeEach(() => {
  network = createTestNetwork();
});

afterEach(() => {
  network.close();
});

function verificationBody(cardNumber: string) {
  return authorizationBody({ cardNumber, amount: 0 });
}

describe('POST /v1/authorizations with amount 0: decisions', () => {
  test.each([
    ['visa', TEST_CARDS.visa, '85'],
    ['mastercard', TEST_CARDS.mastercard, '85'],
    ['amex', TEST_CARDS.amex, '85'],
    ['insufficient funds (funds are not checked)', TEST_CARDS.insufficientFunds, '85'],
    ['3-D Secure challenge (no authentication needed)', TEST_CARDS.challenge, '85'],
    ['3-D Secure frictionless', TEST_CARDS.frictionless, '85'],
    ['account', ACCOUNT_CARDS[0], '85'],
    ['do not honor', TEST_CARDS.doNotHonor, '05'],
    ['lost', TEST_CARDS.lost, '41'],
    ['stolen', TEST_CARDS.stolen, '43'],
    ['issuer unavailable', TEST_CARDS.issuerUnavailable, '91'],
    ['CVV mismatch', TEST_CARDS.cvvMismatch, 'N7'],
    ['expired', TEST_CARDS.expired, '54'],
    ['Luhn-invalid', '4242424242424241', '14'],
  ])('when the %s card (%s) is verified, then the answer is %s and nothing is held', async (_name, cardNumber, expectedCode) => {
    const body = verificationBody(cardNumber);
    const response = await postAuthorization(network.app, body);

    expect(response.status).toBe(200);
    const answer = cardAuthorizationResponseSchema.parse(response.body);
    expect(answer.responseCode).toBe(expectedCode);
    expect(answer.authorizationCode).toBeUndefined();
    const record = cardAuthorizationRecordSchema.parse((await lookUpAuthorization(network.app, body.merchantReference)).body);
    expect(record).toMatchObject({
      authorizationId: answer.authorizationId, amount: 0, heldAmount: 0, status: expectedCode === '85' ? 'verified' : 'declined',
    });
  });

  test('when a card past its expiry date is verified, then the answer is 54', async () => {
    const body = { ...verificationBody(TEST_CARDS.visa), card: { number: TEST_CARDS.visa, expMonth: 2, expYear: 2026, cvv: '123' } };

    expect((await postAuthorization(network.app, body)).body).toMatchObject({ responseCode: '54', message: 'expired card' });
  });

  test('when a good card is verified, then the message is "no reason to decline" and the metric counts 85', async () => {
    const response = await postAuthorization(network.app, verificationBody(TEST_CARDS.visa));

    expect(response.body.message).toBe('no reason to decline');
    const metrics = await request(network.app).get('/metrics');
    expect(metrics.text).toMatch(/network_authorizations_total\{response_code="85",service="card-network-sim"\} 1/);
  });
});

describe('POST /v1/authorizations with amount 0: idempotency and credit', () => {
  test('when a verification is repeated, then the first answer comes back and there is one record', async () => {
    const body = verificationBody(ACCOUNT_CARDS[1]);
    const first = await postAuthorization(network.app, body);
    network.clock.advanceMs(1000);
    const repeat = await postAuthorization(network.app, body);

    expect(repeat.body).toEqual(first.body);
    const all = cardAuthorizationListSchema.parse((await request(network.app).get('/v1/authorizations').set(AUTH_HEADER)).body).data;
    expect(all.filter((record) => record.merchantReference === body.merchantReference)).toHaveLength(1);
  });

  test('when a verification reference is reused for a payment, then the answer is 409 merchant_reference_reused', async () => {
    const body = verificationBody(TEST_CARDS.visa);
    await postAuthorization(network.app, body);
    const reused = await postAuthorization(network.app, { ...body, amount: 1000 });

    expect(reused.status).toBe(409);
    expect(reused.body.code).toBe('merchant_reference_reused');
  });

  test('when a verification answered 91 is repeated, then it is decided again in the same record', async () => {
    const body = verificationBody(TEST_CARDS.issuerUnavailable);
    const first = await postAuthorization(network.app, body);
    network.clock.advanceMs(5000);
    const retry = await postAuthorization(network.app, body);

    expect(retry.body).toMatchObject({ authorizationId: first.body.authorizationId, responseCode: '91' });
    expect((await lookUpAuthorization(network.app, body.merchantReference)).body.updatedAt).toBe(network.clock.now().toISOString());
  });

  test('when an account card has used all its credit, then it still verifies and the verification uses none', async () => {
    const cardNumber = ACCOUNT_CARDS[2];
    expect((await postAuthorization(network.app, authorizationBody({ cardNumber, amount: 500_000 }))).body.responseCode).toBe('00');

    expect((await postAuthorization(network.app, verificationBody(cardNumber))).body.responseCode).toBe('85');
    expect((await postAuthorization(network.app, authorizationBody({ cardNumber, amount: 1 }))).body.responseCode).toBe('51');
  });

  test('when a card is verified many times, then its whole credit limit can still be authorized', async () => {
    const cardNumber = ACCOUNT_CARDS[0];
    for (let index = 0; index < 5; index += 1) await postAuthorization(network.app, verificationBody(cardNumber));

    expect((await postAuthorization(network.app, authorizationBody({ cardNumber, amount: 500_000 }))).body.responseCode).toBe('00');
  });
});

describe('a verification is never a sale', () => {
  test('when a batch names a verification as a sale, then the item is rejected authorization_not_settleable and nothing is paid', async () => {
    const body = verificationBody(TEST_CARDS.visa);
    await postAuthorization(network.app, body);
    const response = await postBatch(network.app, 'run-verify-1', [
      { merchantReference: body.merchantReference, authorizationCode: 'ABC123', amount: 1, currency: 'USD', type: 'sale' },
    ]);

    expect(response.status).toBe(200);
    expect(response.body.items[0]).toMatchObject({ status: 'rejected', reason: 'authorization_not_settleable' });
    expect(response.body.totals).toEqual({});
    expect((await request(network.app).get('/v1/merchant-account').set(AUTH_HEADER)).body.balances).toEqual({});
  });

  test('when a verification is reversed, in whole or in part, then the answer is 200 with the record unchanged', async () => {
    const created = await postAuthorization(network.app, verificationBody(TEST_CARDS.visa));
    network.clock.advanceMs(1000);
    const whole = await reverseAuthorization(network.app, created.body.authorizationId, { reason: 'void' });
    const partial = await reverseAuthorization(network.app, created.body.authorizationId, { amount: 500 });

    expect(whole.status).toBe(200);
    expect(whole.body).toMatchObject({ status: 'verified', heldAmount: 0, amount: 0, updatedAt: '2026-03-01T12:00:00.000Z' });
    expect(partial.status).toBe(200);
    expect(partial.body).toEqual(whole.body);
  });

  test('when a verification is adjusted, then the answer is 409 not_approved', async () => {
    const created = await postAuthorization(network.app, verificationBody(TEST_CARDS.visa));
    const response = await postAdjustment(network.app, created.body.authorizationId, { amount: 1000, reference: 'adj-1' });

    expect(response.status).toBe(409);
    expect(response.body.code).toBe('not_approved');
  });
});
