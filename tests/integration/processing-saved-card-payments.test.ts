/**
 * Paying with a saved card (`cardId`) on the processing server, with the in-memory card company:
 * the same lifecycle and idempotency as a typed card, `paymentMethod: saved_card`, no CVV and no
 * copy of the number on the payment, the customer's ownership checked, the same spending limit as
 * the typed card (one fingerprint), and a deleted card refused while its past payments stay.
 */
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import request from 'supertest';
import { SQLITE_FILE_NAME } from '../../processing-server/src/storage/index.ts';
import { AUTH_HEADER, createProcessingHarness, freshKey, paymentBody, type ProcessingHarness } from '../helpers/processing.ts';

let harness: ProcessingHarness;

beforeEach(async () => {
  harness = await createProcessingHarness({ env: { CARD_SPEND_LIMIT: '1000.00' } });
});

afterEach(async () => {
  await harness.close();
});

const EXPIRY_YEAR = new Date().getUTCFullYear() + 2;

async function saveCard(number = '4242424242424242', customerId = 'cus_ada'): Promise<string> {
  const response = await request(harness.app).post('/v1/cards').set(AUTH_HEADER).set('Idempotency-Key', freshKey())
    .send({ card: { number, expMonth: 12, expYear: EXPIRY_YEAR, cvv: '123', holderName: 'Ada Lovelace' }, customerId });
  expect(response.status).toBe(201);
  return response.body.id as string;
}

const pay = (body: Record<string, unknown>, key = freshKey()) => request(harness.app).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', key).send(body);
const savedCardBody = (cardId: string, overrides: Record<string, unknown> = {}) => ({ amount: 2500, currency: 'USD', cardId, ...overrides });

describe('POST /v1/payments with cardId', () => {
  test('when a saved card pays, then 201 saved_card with the card masked and named, authorized on file without a CVV, and no number on the payment', async () => {
    const cardId = await saveCard();

    const response = await pay(savedCardBody(cardId, { customerId: 'cus_ada' }));

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      status: 'authorized', paymentMethod: 'saved_card', cardId, customerId: 'cus_ada', amount: 2500,
      card: { brand: 'visa', last4: '4242', expMonth: 12, expYear: EXPIRY_YEAR }, holderName: 'Ada Lovelace',
    });
    expect(harness.network.authorizeCalls.map((call) => call.instrument)).toEqual([
      { method: 'saved_card', cardId, number: '4242424242424242', expMonth: 12, expYear: EXPIRY_YEAR },
    ]);
    expect(await harness.store.payments.get(response.body.id)).toMatchObject({ paymentMethod: 'saved_card', cardSealed: null, savedCardId: cardId });
    const sealed = (await harness.vaultStore.cards.open(cardId))?.sealed ?? 'missing';
    const database = new DatabaseSync(path.join(harness.dataDir, SQLITE_FILE_NAME), { readOnly: true });
    try {
      const rows = JSON.stringify(database.prepare('SELECT * FROM payments').all());
      expect(rows).not.toContain(sealed);
      expect(rows).not.toContain('4242424242424242');
    } finally {
      database.close();
    }
  });

  test('when the request names no customer, then the payment takes the card\'s customer', async () => {
    const cardId = await saveCard();

    expect((await pay(savedCardBody(cardId))).body).toMatchObject({ paymentMethod: 'saved_card', customerId: 'cus_ada' });
  });

  test('when the customer named is not the card\'s, or the card is unknown, then 404 card_not_found and the card company is not asked', async () => {
    const cardId = await saveCard();

    const otherCustomer = await pay(savedCardBody(cardId, { customerId: 'cus_mallory' }));
    const unknown = await pay(savedCardBody('card_0000'));

    expect(otherCustomer.status).toBe(404);
    expect(otherCustomer.body).toMatchObject({ code: 'card_not_found' });
    expect(unknown.body).toMatchObject({ status: 404, code: 'card_not_found' });
    expect(harness.network.authorizeCalls).toEqual([]);
  });

  test('when a card is deleted, then a later payment with it is 404 card_not_found, while its past payment keeps its masked card and a repeat of it still replays', async () => {
    const cardId = await saveCard();
    const key = freshKey();
    const past = await pay(savedCardBody(cardId), key);
    await request(harness.app).delete(`/v1/cards/${cardId}`).set(AUTH_HEADER).expect(204);

    const later = await pay(savedCardBody(cardId));
    const repeat = await pay(savedCardBody(cardId), key);

    expect(later.status).toBe(404);
    expect(later.body.code).toBe('card_not_found');
    expect(repeat.status).toBe(201);
    expect(repeat.headers['idempotent-replayed']).toBe('true');
    expect(repeat.body).toEqual(past.body);
    expect((await request(harness.app).get(`/v1/payments/${past.body.id}`).set(AUTH_HEADER)).body)
      .toMatchObject({ paymentMethod: 'saved_card', cardId, card: { brand: 'visa', last4: '4242' } });
  });

  test('when one card is used typed and saved, then the spending limit counts both together (one fingerprint)', async () => {
    const cardId = await saveCard();

    const typed = await pay(paymentBody({ amount: 60_000 }));
    const savedOver = await pay(savedCardBody(cardId, { amount: 50_000 }));
    const savedWithin = await pay(savedCardBody(cardId, { amount: 40_000 }));
    const typedOver = await pay(paymentBody({ amount: 1 }));

    expect(typed.status).toBe(201);
    expect(savedOver.status).toBe(402);
    expect(savedOver.body).toMatchObject({ paymentMethod: 'saved_card', status: 'declined', decline: { code: 'limit_exceeded' } });
    expect(savedWithin.status).toBe(201);
    expect(typedOver.body.decline).toMatchObject({ code: 'limit_exceeded' });
    // Another card's saved twin counts on its own.
    expect((await pay(savedCardBody(await saveCard('5555555555554444'), { amount: 90_000 }))).status).toBe(201);
  });

  test('when the card company declines a saved card, then 402 saved_card declined with its reason', async () => {
    // Saved while good; the card company declines its later authorizations (a card that went bad).
    const cardId = await saveCard('4000000000009995');

    const response = await pay(savedCardBody(cardId));

    expect(response.status).toBe(402);
    expect(response.body).toMatchObject({ paymentMethod: 'saved_card', status: 'declined', decline: { code: 'insufficient_funds' } });
  });

  test('when the card company cannot be reached, then 503 not charged, with the saved-card payment failed', async () => {
    const cardId = await saveCard();
    harness.network.mode = 'down';

    const response = await pay(savedCardBody(cardId));

    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({ code: 'network_unavailable', charged: false, payment: { paymentMethod: 'saved_card', status: 'failed', cardId } });
  });

  test('when the same key and body come twice, then one payment and one authorization; the same key with another card is 409', async () => {
    const cardId = await saveCard();
    const other = await saveCard('5555555555554444');
    const key = freshKey();

    const first = await pay(savedCardBody(cardId), key);
    const second = await pay(savedCardBody(cardId), key);
    const reused = await pay(savedCardBody(other), key);

    expect(second.body).toEqual(first.body);
    expect(harness.network.authorizeCalls).toHaveLength(1);
    expect(reused.status).toBe(409);
    expect(reused.body.code).toBe('idempotency_key_reused');
  });

  test('when a saved card has expired since it was saved, then 400 naming cardId and nothing is sent', async () => {
    const cardId = await saveCard();
    harness.setNow(new Date(Date.UTC(EXPIRY_YEAR + 1, 0, 1)));

    const response = await pay(savedCardBody(cardId));

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'cardId', message: expect.stringContaining(`12/${EXPIRY_YEAR}`) }] });
    expect(harness.network.authorizeCalls).toEqual([]);
  });

  test('when cardId comes with a card, or with points, then 400 says to send exactly one', async () => {
    const both = await pay({ ...paymentBody(), cardId: 'card_1' });
    const withPoints = await pay({ amount: 100, currency: 'USD', cardId: 'card_1', points: { accountId: 'PTS-0000-0001', pin: '1234' } });

    expect(both.body).toMatchObject({ status: 400, errors: [{ field: 'cardId', message: 'must not be sent with card: send exactly one of card, cardId or points' }] });
    expect(withPoints.body.errors).toEqual([{ field: 'points', message: 'must not be sent with cardId: send exactly one of card, cardId or points' }]);
  });
});
