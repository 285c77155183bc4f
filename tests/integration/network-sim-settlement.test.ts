/**
 * Card-network simulator, clearing: settlement batches, every rejection reason,
 * refunds, expiry by the clock, idempotency by batchId and the merchant account.
 */
import request from 'supertest';
import { merchantAccountSchema, settlementBatchResponseSchema, type SettlementBatchItem } from '../../shared/contracts/network.ts';
import {
  ACCOUNT_CARDS, AUTH_HEADER, TEST_CARDS, approvedSale, authorizationBody, createTestNetwork, postAuthorization, postBatch,
  refundItem, seedApprovedAuthorizations, uniqueReference, type TestNetwork,
} from '../helpers/network-sim.ts';

let network: TestNetwork;

beforeEach(() => {
  network = createTestNetwork();
});

afterEach(() => {
  network.close();
});

async function merchantAccount() {
  const response = await request(network.app).get('/v1/merchant-account').set(AUTH_HEADER);
  expect(response.status).toBe(200);
  return merchantAccountSchema.parse(response.body);
}

async function lookUp(merchantReference: string) {
  return (await request(network.app).get('/v1/authorizations').query({ merchantReference }).set(AUTH_HEADER)).body;
}

/** Settles one batch and returns the reason of its only item (undefined when it settled). */
async function reasonFor(item: SettlementBatchItem): Promise<string | undefined> {
  const response = await postBatch(network.app, uniqueReference('batch'), [item]);
  expect(response.status).toBe(200);
  return settlementBatchResponseSchema.parse(response.body).items[0]?.reason;
}

describe('POST /v1/settlement-batches: happy path', () => {
  test('when approved sales are settled, then each settles, totals add up and one deposit per currency is paid', async () => {
    const usd1 = await approvedSale(network.app, { amount: 1000 });
    const usd2 = await approvedSale(network.app, { amount: 2550 });
    const eur = await approvedSale(network.app, { amount: 700, currency: 'EUR' });
    const response = await postBatch(network.app, 'run-1-1', [usd1, usd2, eur]);

    expect(response.status).toBe(200);
    const report = settlementBatchResponseSchema.parse(response.body);
    expect(report).toMatchObject({
      batchId: 'run-1-1', receivedAt: '2026-03-01T12:00:00.000Z', itemCount: 3, settledCount: 3, rejectedCount: 0,
      totals: { USD: { sales: 3550, refunds: 0, net: 3550 }, EUR: { sales: 700, refunds: 0, net: 700 } },
    });
    expect(report.items.map((item) => item.status)).toEqual(['settled', 'settled', 'settled']);
    expect(report.items[0]).toEqual({ merchantReference: usd1.merchantReference, type: 'sale', amount: 1000, currency: 'USD', status: 'settled' });
    const account = await merchantAccount();
    expect(account.balances).toEqual({ EUR: 700, USD: 3550 });
    expect(account.deposits).toEqual([
      { batchId: 'run-1-1', currency: 'USD', amount: 3550, at: '2026-03-01T12:00:00.000Z' },
      { batchId: 'run-1-1', currency: 'EUR', amount: 700, at: '2026-03-01T12:00:00.000Z' },
    ]);
    expect(await lookUp(usd2.merchantReference)).toMatchObject({ status: 'settled', heldAmount: 0, settledAmount: 2550 });
  });

  test('when a sale settles for less than its hold, then it settles that amount and the rest of the hold is released', async () => {
    const sale = await approvedSale(network.app, { amount: 5000 });
    const report = (await postBatch(network.app, 'run-1-1', [{ ...sale, amount: 3000 }])).body;

    expect(report.totals.USD).toEqual({ sales: 3000, refunds: 0, net: 3000 });
    expect(await lookUp(sale.merchantReference)).toMatchObject({ status: 'settled', heldAmount: 0, settledAmount: 3000 });
  });

  test('when a partially reversed hold settles for the rest, then it settles', async () => {
    const sale = await approvedSale(network.app, { amount: 5000 });
    const { authorizationId } = await lookUp(sale.merchantReference);
    await request(network.app).post(`/v1/authorizations/${authorizationId}/reversal`).set(AUTH_HEADER).send({ amount: 2000 });

    expect(await reasonFor({ ...sale, amount: 3001 })).toBe('amount_exceeds_authorization');
    expect(await reasonFor({ ...sale, amount: 3000 })).toBeUndefined();
  });

  test('when the items carry a full card number, then the batch is accepted', async () => {
    const sale = await approvedSale(network.app);
    const response = await postBatch(network.app, 'run-1-1', [{ ...sale, card: { number: TEST_CARDS.visa } }]);

    expect(response.body.settledCount).toBe(1);
  });

  test('when a batch holds the maximum number of items, then it settles them all in one answer', async () => {
    const items = seedApprovedAuthorizations(network, 5000);
    const response = await postBatch(network.app, 'run-big-1', items);

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ itemCount: 5000, settledCount: 5000, rejectedCount: 0 });
    const expectedNet = items.reduce((sum, item) => sum + item.amount, 0);
    expect((await merchantAccount()).deposits).toEqual([{ batchId: 'run-big-1', currency: 'USD', amount: expectedNet, at: '2026-03-01T12:00:00.000Z' }]);
  });
});

describe('POST /v1/settlement-batches: rejections', () => {
  test('when the authorization is unknown, then the item is rejected unknown_authorization', async () => {
    const item: SettlementBatchItem = { merchantReference: 'never-authorized', authorizationCode: 'ABC123', amount: 100, currency: 'USD', type: 'sale' };

    expect(await reasonFor(item)).toBe('unknown_authorization');
  });

  test('when the authorization code differs, then the item is rejected authorization_code_mismatch', async () => {
    const sale = await approvedSale(network.app);
    const wrongCode = sale.authorizationCode === 'ZZZZZZ' ? 'YYYYYY' : 'ZZZZZZ';

    expect(await reasonFor({ ...sale, authorizationCode: wrongCode })).toBe('authorization_code_mismatch');
  });

  test('when the amount is above the authorization, then the item is rejected amount_exceeds_authorization', async () => {
    const sale = await approvedSale(network.app, { amount: 1000 });

    expect(await reasonFor({ ...sale, amount: 1001 })).toBe('amount_exceeds_authorization');
  });

  test('when the sale was settled by an earlier batch, then the item is rejected already_settled', async () => {
    const sale = await approvedSale(network.app);
    await postBatch(network.app, 'run-1-1', [sale]);

    expect(await reasonFor(sale)).toBe('already_settled');
  });

  test('when the authorization is older than AUTH_TTL_HOURS, then the item is rejected authorization_expired', async () => {
    const sale = await approvedSale(network.app);
    network.clock.advanceHours(168);
    network.clock.advanceMs(1);

    expect(await reasonFor(sale)).toBe('authorization_expired');
    expect(await lookUp(sale.merchantReference)).toMatchObject({ status: 'expired', heldAmount: 0 });
  });

  test('when the authorization is exactly AUTH_TTL_HOURS old, then it still settles', async () => {
    const sale = await approvedSale(network.app);
    network.clock.advanceHours(168);

    expect(await reasonFor(sale)).toBeUndefined();
  });

  test('when AUTH_TTL_HOURS is set, then authorizations expire after that many hours', async () => {
    const shortLived = createTestNetwork({ env: { AUTH_TTL_HOURS: '1' } });
    try {
      const sale = await approvedSale(shortLived.app);
      shortLived.clock.advanceHours(2);
      const report = (await postBatch(shortLived.app, 'run-1-1', [sale])).body;
      expect(report.items[0].reason).toBe('authorization_expired');
    } finally {
      shortLived.close();
    }
  });

  test('when the authorization was reversed, then the item is rejected authorization_reversed', async () => {
    const sale = await approvedSale(network.app);
    const { authorizationId } = await lookUp(sale.merchantReference);
    await request(network.app).post(`/v1/authorizations/${authorizationId}/reversal`).set(AUTH_HEADER).send({});

    expect(await reasonFor(sale)).toBe('authorization_reversed');
  });

  test('when the authorization was declined, then the item is rejected authorization_declined', async () => {
    const body = authorizationBody({ cardNumber: TEST_CARDS.doNotHonor });
    await postAuthorization(network.app, body);
    const item: SettlementBatchItem = { merchantReference: body.merchantReference, authorizationCode: 'ABC123', amount: body.amount, currency: 'USD', type: 'sale' };

    expect(await reasonFor(item)).toBe('authorization_declined');
  });

  test('when the currency differs from the authorization, then the item is rejected currency_mismatch', async () => {
    const sale = await approvedSale(network.app);

    expect(await reasonFor({ ...sale, currency: 'EUR' })).toBe('currency_mismatch');
  });

  test('when a sale appears twice in one batch, then the first settles and the second is rejected duplicate_item', async () => {
    const sale = await approvedSale(network.app);
    const report = (await postBatch(network.app, 'run-1-1', [sale, sale])).body;

    expect(report.items.map((item: { status: string; reason?: string }) => item.reason ?? item.status)).toEqual(['settled', 'duplicate_item']);
    expect(report.totals.USD.sales).toBe(sale.amount);
  });

  test('when a batch mixes good and bad items, then only the good ones count in totals and the deposit', async () => {
    const good = await approvedSale(network.app, { amount: 1200 });
    const bad = await approvedSale(network.app, { amount: 800 });
    const report = settlementBatchResponseSchema.parse((await postBatch(network.app, 'run-1-1', [good, { ...bad, amount: 900 }])).body);

    expect(report).toMatchObject({ settledCount: 1, rejectedCount: 1, totals: { USD: { sales: 1200, refunds: 0, net: 1200 } } });
    expect((await merchantAccount()).balances).toEqual({ USD: 1200 });
    expect(await lookUp(bad.merchantReference)).toMatchObject({ status: 'approved', heldAmount: 800 });
  });

  test('when no item of a batch settles, then no deposit is paid', async () => {
    const item: SettlementBatchItem = { merchantReference: 'unknown', authorizationCode: 'ABC123', amount: 100, currency: 'USD', type: 'sale' };
    const report = (await postBatch(network.app, 'run-1-1', [item])).body;

    expect(report.totals).toEqual({});
    expect(await merchantAccount()).toEqual({ balances: {}, deposits: [] });
  });
});

describe('POST /v1/settlement-batches: refunds', () => {
  test('when a settled sale is refunded in parts, then each part settles and the deposits are net of refunds', async () => {
    const sale = await approvedSale(network.app, { amount: 10_000 });
    await postBatch(network.app, 'run-1-1', [sale]);
    const first = refundItem(sale, 3000);
    const second = refundItem(sale, 7000);
    const report = settlementBatchResponseSchema.parse((await postBatch(network.app, 'run-2-1', [first, second])).body);

    expect(report).toMatchObject({ settledCount: 2, totals: { USD: { sales: 0, refunds: 10_000, net: -10_000 } } });
    const account = await merchantAccount();
    expect(account.balances).toEqual({ USD: 0 });
    expect(account.deposits.map((deposit) => deposit.amount)).toEqual([10_000, -10_000]);
    expect(await lookUp(sale.merchantReference)).toMatchObject({ settledAmount: 10_000, refundedAmount: 10_000 });
  });

  test('when refunds would exceed what the sale settled for, then the excess refund is rejected refund_exceeds_settled', async () => {
    const sale = await approvedSale(network.app, { amount: 10_000 });
    await postBatch(network.app, 'run-1-1', [{ ...sale, amount: 8000 }]);
    const report = (await postBatch(network.app, 'run-2-1', [refundItem(sale, 5000), refundItem(sale, 3001)])).body;

    expect(report.items.map((item: { status: string; reason?: string }) => item.reason ?? item.status)).toEqual(['settled', 'refund_exceeds_settled']);
  });

  test('when the sale is not settled, then the refund is rejected sale_not_settled', async () => {
    const sale = await approvedSale(network.app);

    expect(await reasonFor(refundItem(sale, 100))).toBe('sale_not_settled');
  });

  test('when a sale and its refund are in one batch, in that order, then both settle', async () => {
    const sale = await approvedSale(network.app, { amount: 4000 });
    const report = (await postBatch(network.app, 'run-1-1', [sale, refundItem(sale, 1500)])).body;

    expect(report.settledCount).toBe(2);
    expect(report.totals.USD).toEqual({ sales: 4000, refunds: 1500, net: 2500 });
  });

  test('when a refund reference was settled in an earlier batch, then it is rejected already_settled', async () => {
    const sale = await approvedSale(network.app, { amount: 4000 });
    const refund = refundItem(sale, 1000);
    await postBatch(network.app, 'run-1-1', [sale, refund]);

    expect(await reasonFor(refund)).toBe('already_settled');
  });

  test('when one refund appears twice in a batch, then the second is rejected duplicate_item', async () => {
    const sale = await approvedSale(network.app, { amount: 4000 });
    await postBatch(network.app, 'run-1-1', [sale]);
    const refund = refundItem(sale, 1000);
    const report = (await postBatch(network.app, 'run-2-1', [refund, refund])).body;

    expect(report.items[1].reason).toBe('duplicate_item');
  });

  test.each([
    ['unknown_authorization', (sale: SettlementBatchItem) => ({ ...refundItem(sale, 100), originalMerchantReference: 'never-authorized' })],
    ['authorization_code_mismatch', (sale: SettlementBatchItem) => ({ ...refundItem(sale, 100), authorizationCode: sale.authorizationCode === 'QQQQQQ' ? 'RRRRRR' : 'QQQQQQ' })],
    ['currency_mismatch', (sale: SettlementBatchItem) => ({ ...refundItem(sale, 100), currency: 'GBP' as const })],
  ])('when a refund is wrong, then it is rejected %s', async (reason, makeRefund) => {
    const sale = await approvedSale(network.app);
    await postBatch(network.app, 'run-1-1', [sale]);

    expect(await reasonFor(makeRefund(sale))).toBe(reason);
  });

  test('when a refund has no originalMerchantReference, then the batch is refused 400 naming it', async () => {
    const sale = await approvedSale(network.app);
    const response = await postBatch(network.app, 'run-1-1', [{ ...sale, type: 'refund' }]);

    expect(response.status).toBe(400);
    expect(response.body.errors[0].field).toBe('items.0.originalMerchantReference');
  });

  test('when settled spend and refunds move, then an account card\'s available credit follows them', async () => {
    const cardNumber = ACCOUNT_CARDS[0];
    const sale = await approvedSale(network.app, { cardNumber, amount: 300_000 });
    await postBatch(network.app, 'run-1-1', [sale]);

    expect((await postAuthorization(network.app, authorizationBody({ cardNumber, amount: 200_001 }))).body.responseCode).toBe('51');
    await postBatch(network.app, 'run-2-1', [refundItem(sale, 100_000)]);
    expect((await postAuthorization(network.app, authorizationBody({ cardNumber, amount: 300_000 }))).body.responseCode).toBe('00');
  });
});

describe('POST /v1/settlement-batches: idempotency by batchId', () => {
  test('when a batch is sent again, then the first answer comes back byte for byte and no money moves twice', async () => {
    const sale = await approvedSale(network.app, { amount: 4200 });
    const first = await postBatch(network.app, 'run-7-1', [sale, refundItem(sale, 200)]);
    network.clock.advanceHours(1);
    const resend = await postBatch(network.app, 'run-7-1', [sale, refundItem(sale, 200, first.body.items[1].merchantReference)]);

    expect(resend.status).toBe(200);
    expect(resend.text).toBe(first.text);
    const account = await merchantAccount();
    expect(account.deposits).toHaveLength(1);
    expect(account.balances).toEqual({ USD: 4000 });
  });

  test('when a batchId is reused with different items, then the answer is 409 batch_id_reused and nothing moves', async () => {
    const sale = await approvedSale(network.app, { amount: 4200 });
    const other = await approvedSale(network.app, { amount: 1000 });
    await postBatch(network.app, 'run-7-1', [sale]);
    const reused = await postBatch(network.app, 'run-7-1', [other]);
    const changedAmount = await postBatch(network.app, 'run-7-1', [{ ...sale, amount: 4100 }]);

    expect(reused.status).toBe(409);
    expect(reused.body.code).toBe('batch_id_reused');
    expect(changedAmount.status).toBe(409);
    expect(await lookUp(other.merchantReference)).toMatchObject({ status: 'approved', heldAmount: 1000 });
    expect((await merchantAccount()).balances).toEqual({ USD: 4200 });
  });

  test('when the same batch is sent many times at once, then it settles once', async () => {
    const sale = await approvedSale(network.app, { amount: 999 });
    const responses = await Promise.all(Array.from({ length: 10 }, () => postBatch(network.app, 'run-8-1', [sale])));

    expect(new Set(responses.map((response) => response.text)).size).toBe(1);
    expect((await merchantAccount()).deposits).toHaveLength(1);
  });
});

describe('GET /v1/settlement-batches/:batchId', () => {
  test('when the batch is known, then its stored report comes back unchanged', async () => {
    const sale = await approvedSale(network.app);
    const posted = await postBatch(network.app, 'run-3-1', [sale]);
    const fetched = await request(network.app).get('/v1/settlement-batches/run-3-1').set(AUTH_HEADER);

    expect(fetched.status).toBe(200);
    expect(fetched.headers['content-type']).toContain('application/json');
    expect(fetched.text).toBe(posted.text);
  });

  test('when the batch is unknown, then the answer is 404', async () => {
    const response = await request(network.app).get('/v1/settlement-batches/run-404-1').set(AUTH_HEADER);

    expect(response.status).toBe(404);
    expect(response.body.code).toBe('not_found');
  });

  test('when the batchId has characters no batchId has, then the answer is 400 naming batchId', async () => {
    const response = await request(network.app).get('/v1/settlement-batches/run%20one').set(AUTH_HEADER);

    expect(response.status).toBe(400);
    expect(response.body.errors[0].field).toBe('batchId');
  });
});

describe('POST /v1/settlement-batches: bad input', () => {
  test('when a batch holds more than SETTLEMENT_BATCH_MAX items, then the answer is 400 naming items', async () => {
    const small = createTestNetwork({ env: { SETTLEMENT_BATCH_MAX: '3' } });
    try {
      const sale = await approvedSale(small.app);
      const items = [1, 2, 3, 4].map((index) => ({ ...sale, merchantReference: `${sale.merchantReference}-${index}` }));
      const response = await postBatch(small.app, 'run-1-1', items);
      expect(response.status).toBe(400);
      expect(response.body.errors[0].field).toBe('items');
    } finally {
      small.close();
    }
  });

  test.each([
    ['no items', 'items', { batchId: 'run-1-1', items: [] }],
    ['no batchId', 'batchId', { items: [] }],
    ['a batchId with spaces', 'batchId', { batchId: 'run 1', items: [] }],
    ['an item of unknown type', 'items.0.type', { batchId: 'run-1-1', items: [{ merchantReference: 'a', authorizationCode: 'ABC123', amount: 1, currency: 'USD', type: 'chargeback' }] }],
    ['a lowercase authorization code', 'items.0.authorizationCode', { batchId: 'run-1-1', items: [{ merchantReference: 'a', authorizationCode: 'abc123', amount: 1, currency: 'USD', type: 'sale' }] }],
    ['a negative amount', 'items.0.amount', { batchId: 'run-1-1', items: [{ merchantReference: 'a', authorizationCode: 'ABC123', amount: -1, currency: 'USD', type: 'sale' }] }],
  ])('when the batch has %s, then the answer is 400 naming %s', async (_what, field, body) => {
    const response = await request(network.app).post('/v1/settlement-batches').set(AUTH_HEADER).send(body);

    expect(response.status).toBe(400);
    expect(response.body.errors.map((problem: { field: string }) => problem.field)).toContain(field);
  });

  test('when thousands of items are invalid, then the problem lists a bounded number of them', async () => {
    const items = Array.from({ length: 2000 }, () => ({ merchantReference: '', amount: 0 }));
    const response = await request(network.app).post('/v1/settlement-batches').set(AUTH_HEADER).send({ batchId: 'run-1-1', items });

    expect(response.status).toBe(400);
    expect(response.body.errors).toHaveLength(50);
    expect(response.body.detail).toContain('more problems not listed');
  });
});
