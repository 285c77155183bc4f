/**
 * The card vault's API on the processing server (POST/GET/DELETE /v1/cards) with the in-memory
 * card company: a card is verified without being charged and saved encrypted, a declined or
 * unverifiable card leaves nothing behind, creation is idempotent by its key (the CVV apart), a
 * customer's cards are listed, and a deleted card is gone, its number erased from the files.
 */
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { hashRequest } from '../../processing-server/src/domain/request-hash.ts';
import { CLAIM_ABANDONED_AFTER_MS } from '../../processing-server/src/vault/service.ts';
import { VAULT_SQLITE_FILE_NAME } from '../../processing-server/src/vault/storage/index.ts';
import { AUTH_HEADER, createProcessingHarness, freshKey, type ProcessingHarness } from '../helpers/processing.ts';
import { readAllBytes } from '../helpers/temp-dir.ts';

let harness: ProcessingHarness;

beforeEach(async () => {
  harness = await createProcessingHarness();
});

afterEach(async () => {
  await harness.close();
});

const CARD = { number: '4242 4242 4242 4242', expMonth: 12, expYear: new Date().getUTCFullYear() + 2, cvv: '123', holderName: 'Ada Lovelace' };

/** A card to save, for `cus_ada` unless told otherwise (null: for no customer). */
function cardBody(card: Record<string, unknown> = {}, customerId: string | null = 'cus_ada'): Record<string, unknown> {
  return { card: { ...CARD, ...card }, ...(customerId === null ? {} : { customerId }) };
}

const saveCard = (body: Record<string, unknown>, key = freshKey()) => request(harness.app).post('/v1/cards').set(AUTH_HEADER).set('Idempotency-Key', key).send(body);
const listCards = (customerId: string) => request(harness.app).get('/v1/cards').query({ customerId }).set(AUTH_HEADER);

describe('POST /v1/cards', () => {
  test('when a good card is saved for a customer, then 201 with the card masked, verified with amount 0 under the card id, and never the number', async () => {
    const response = await saveCard(cardBody());

    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.stringMatching(/^card_[0-9a-f]{32}$/), brand: 'visa', last4: '4242', expMonth: 12, expYear: CARD.expYear,
      holderName: 'Ada Lovelace', customerId: 'cus_ada', createdAt: expect.any(String),
    });
    expect(harness.network.verifyCalls).toEqual([{
      merchantReference: response.body.id, currency: 'USD',
      card: { method: 'card', number: '4242424242424242', expMonth: 12, expYear: CARD.expYear, cvv: '123' },
    }]);
    expect(harness.network.authorizeCalls).toEqual([]);
    expect(JSON.stringify(response.body)).not.toContain('4242424242424242');
    expect((await request(harness.app).get(`/v1/cards/${response.body.id}`).set(AUTH_HEADER)).body).toEqual(response.body);
    expect((await listCards('cus_ada')).body).toEqual({ data: [response.body] });
    expect(harness.logs.text()).toContain('"msg":"card saved"');
  });

  test('when a card is saved without a customer, then it belongs to nobody and no customer lists it', async () => {
    const response = await saveCard(cardBody({}, null));

    expect(response.status).toBe(201);
    expect(response.body.customerId).toBeNull();
    expect((await listCards('cus_ada')).body).toEqual({ data: [] });
  });

  test('when the card company declines the card (4000 0000 0000 0002), then 402 with decline and nothing is stored, not even the request', async () => {
    const key = freshKey();
    const response = await saveCard(cardBody({ number: '4000000000000002' }), key);

    expect(response.status).toBe(402);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body).toMatchObject({ code: 'card_declined', decline: { code: 'do_not_honor', networkCode: '05' } });
    expect((await listCards('cus_ada')).body).toEqual({ data: [] });
    expect(await harness.vaultStore.cards.countByKey()).toEqual({});
    // Nothing kept for the key either: the same request is verified again.
    expect((await saveCard(cardBody({ number: '4000000000000002' }), key)).status).toBe(402);
    expect(harness.network.verifyCalls).toHaveLength(2);
    expect(harness.logs.text()).toContain('"msg":"card not saved"');
  });

  test('when the card company cannot be reached, then 503 provider_unavailable and nothing is stored', async () => {
    harness.network.mode = 'down';
    const response = await saveCard(cardBody());

    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({ code: 'provider_unavailable' });
    expect(await harness.vaultStore.cards.countByKey()).toEqual({});
    harness.network.mode = 'up';
    expect((await saveCard(cardBody())).status).toBe(201);
  });

  test('when the card fails its own checks, then 400 names each field and the card company is not asked', async () => {
    const response = await saveCard(cardBody({ number: '4242 4242 4242 4241', expMonth: 1, expYear: 2020, cvv: '1234' }));

    expect(response.status).toBe(400);
    expect(response.body.code).toBe('validation_failed');
    expect(response.body.errors.map((problem: { field: string }) => problem.field)).toEqual(['card.number', 'card.expYear', 'card.cvv']);
    expect(harness.network.verifyCalls).toEqual([]);
  });

  test('when the body or the key is missing, then 400 says which', async () => {
    const withoutKey = await request(harness.app).post('/v1/cards').set(AUTH_HEADER).send(cardBody());
    const withoutCard = await saveCard({ customerId: 'cus_ada' });
    const badCustomer = await saveCard(cardBody({}, 'no spaces allowed'));

    expect(withoutKey.body).toMatchObject({ status: 400, code: 'idempotency_key_required' });
    expect(withoutCard.body).toMatchObject({ status: 400, code: 'validation_failed', errors: [expect.objectContaining({ field: 'card' })] });
    expect(badCustomer.body).toMatchObject({ status: 400, errors: [expect.objectContaining({ field: 'customerId' })] });
  });

  test('when the same key and card come again (another CVV too), then the first card is replayed and the card is verified once', async () => {
    const key = freshKey();
    const first = await saveCard(cardBody(), key);
    const again = await saveCard(cardBody(), key);
    const otherCvv = await saveCard(cardBody({ cvv: '999' }), key);

    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(otherCvv.body).toEqual(first.body);
    expect(harness.network.verifyCalls).toHaveLength(1);
  });

  test('when the same key comes with another card, then 409 idempotency_key_reused', async () => {
    const key = freshKey();
    await saveCard(cardBody(), key);

    const response = await saveCard(cardBody({ number: '5555555555554444' }), key);

    expect(response.status).toBe(409);
    expect(response.body.code).toBe('idempotency_key_reused');
  });

  test('when the same key arrives while the first verification is in flight, then 409 idempotency_key_in_flight with the card id, then the card', async () => {
    let open: () => void = () => undefined;
    harness.network.gate = new Promise<void>((resolve) => { open = resolve; });
    const key = freshKey();
    const first = saveCard(cardBody(), key).then((response) => response);
    await waitFor(() => harness.network.verifyCalls.length === 1);

    const during = await saveCard(cardBody(), key);
    open();
    const answered = await first;

    expect(during.status).toBe(409);
    expect(during.body).toMatchObject({ code: 'idempotency_key_in_flight', cardId: answered.body.id });
    expect((await saveCard(cardBody(), key)).body).toEqual(answered.body);
  });

  test('when a creation was abandoned in flight (its process died), then a repeat after a minute takes it over and saves the card', async () => {
    const key = freshKey();
    const body = cardBody();
    const start = new Date('2026-03-01T12:00:00.000Z');
    harness.setNow(start);
    await harness.vaultStore.requests.claim({ key, requestHash: hashRequest(harness.deps.vault, body), cardId: 'card_abandoned', createdAt: start.toISOString() });

    const tooSoon = await saveCard(body, key);
    harness.setNow(new Date(start.getTime() + CLAIM_ABANDONED_AFTER_MS));
    const later = await saveCard(body, key);

    expect(tooSoon.status).toBe(409);
    expect(later.status).toBe(201);
    expect(later.body.id).not.toBe('card_abandoned');
  });

  test('when a customer saves a card they already keep, then the same card comes back; with a new expiry, a second card', async () => {
    const first = await saveCard(cardBody());
    const again = await saveCard(cardBody());
    const renewed = await saveCard(cardBody({ expYear: CARD.expYear + 1 }));

    expect(again.body.id).toBe(first.body.id);
    expect(renewed.body.id).not.toBe(first.body.id);
    expect((await listCards('cus_ada')).body.data.map((card: { id: string }) => card.id)).toEqual([renewed.body.id, first.body.id]);
  });
});

describe('GET and DELETE /v1/cards', () => {
  test('when the customer is not named, or a card id is unknown, then 400 naming query.customerId, and 404 card_not_found', async () => {
    const list = await request(harness.app).get('/v1/cards').set(AUTH_HEADER);
    const unknown = await request(harness.app).get('/v1/cards/card_unknown').set(AUTH_HEADER);
    const deleteUnknown = await request(harness.app).delete('/v1/cards/card_unknown').set(AUTH_HEADER);

    expect(list.body).toMatchObject({ status: 400, errors: [expect.objectContaining({ field: 'query.customerId' })] });
    expect(unknown.body).toMatchObject({ status: 404, code: 'card_not_found' });
    expect(deleteUnknown.body).toMatchObject({ status: 404, code: 'card_not_found' });
  });

  test('when a card is deleted, then 204, it reads as not found, is no longer listed, and a second delete is 404', async () => {
    const saved = await saveCard(cardBody());

    const deleted = await request(harness.app).delete(`/v1/cards/${saved.body.id}`).set(AUTH_HEADER);

    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect((await request(harness.app).get(`/v1/cards/${saved.body.id}`).set(AUTH_HEADER)).body).toMatchObject({ code: 'card_not_found' });
    expect((await listCards('cus_ada')).body).toEqual({ data: [] });
    expect((await request(harness.app).delete(`/v1/cards/${saved.body.id}`).set(AUTH_HEADER)).status).toBe(404);
    expect(harness.logs.text()).toContain('"msg":"card deleted: its number is erased"');
  });

  test('when a card is deleted, then its ciphertext is gone from every file of the data folder, the vault file and its write-ahead log included', async () => {
    const saved = await saveCard(cardBody());
    const sealed = (await harness.vaultStore.cards.open(saved.body.id))?.sealed ?? '';
    const vaultFile = path.join(harness.dataDir, VAULT_SQLITE_FILE_NAME);
    expect(sealed).toMatch(/^v1:/);
    // Before: the ciphertext is in the files (the scan can find it).
    expect(readAllBytes(harness.dataDir).toString('latin1')).toContain(sealed);

    await request(harness.app).delete(`/v1/cards/${saved.body.id}`).set(AUTH_HEADER).expect(204);

    expect(fs.existsSync(vaultFile)).toBe(true);
    expect(fs.statSync(`${vaultFile}-wal`).size).toBe(0);
    const files = readAllBytes(harness.dataDir).toString('latin1');
    // Not one piece of it: a shorter row written over the old one would hide the whole string, not erase it.
    expect(piecesOf(sealed.slice(3), 12).filter((piece) => files.includes(piece))).toEqual([]);
    expect(files).not.toContain('4242424242424242');
  });
});

describe('readiness and the card vault', () => {
  test('when the card vault\'s store stops answering, then /readyz says the database is failing (503); before, it is ready', async () => {
    const before = await request(harness.app).get('/readyz');
    await harness.vaultStore.close();

    const after = await request(harness.app).get('/readyz');

    expect(before.status).toBe(200);
    expect(after.status).toBe(503);
    expect(after.body.checks).toMatchObject({ database: 'failing' });
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 200 && !condition(); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!condition()) throw new Error('the condition never came true');
}

/** Consecutive pieces of `text`, `length` characters each. */
function piecesOf(text: string, length: number): string[] {
  return Array.from({ length: Math.floor(text.length / length) }, (_unused, index) => text.slice(index * length, (index + 1) * length));
}
