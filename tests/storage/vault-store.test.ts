/**
 * The card vault's store, written once and run on SQLite and PostgreSQL: the active data key,
 * cards inserted only under it and once per customer and expiry, reads that never show a number,
 * erasure, the rotation's primitives (begin or resume, reseal by compare-and-set, destroy a key
 * nobody uses) and creation requests' claims, also across two instances on the same data.
 */
import type { NewCard, VaultStore } from '../../processing-server/src/vault/store.ts';
import { describeEachVaultStore } from './vault-stores.ts';

jest.setTimeout(20_000);

let sequence = 0;
function unique(prefix: string): string {
  sequence += 1;
  return `${prefix}_${process.pid}_${sequence}`;
}

const NOW = '2026-03-01T12:00:00.000Z';

function candidate(id = unique('vk')) {
  return { id, wrapped: `v1:wrapped-${id}`, createdAt: NOW };
}

function newCard(keyId: string, overrides: Partial<NewCard> = {}): NewCard {
  return {
    id: unique('card'), customerId: 'cus_ada', keyId, sealed: `v1:sealed-${unique('s')}`, fingerprint: 'fp-4242', brand: 'visa', last4: '4242',
    expMonth: 12, expYear: 2030, holderName: 'Ada Lovelace', createdAt: NOW, ...overrides,
  };
}

/** A claim for the card, then the card inserted under it. */
async function saveCard(store: VaultStore, card: NewCard) {
  const requestKey = unique('key');
  expect(await store.requests.claim({ key: requestKey, requestHash: 'h', cardId: card.id, createdAt: NOW })).toEqual({ kind: 'claimed' });
  return store.cards.insert({ card, requestKey });
}

describeEachVaultStore('the card vault\'s store', (current) => {
  test('when the first key is asked for, then the candidate becomes active; a later candidate gets the same key', async () => {
    const { store } = current();
    const first = candidate();

    expect(await store.keys.activeOrInsert(first)).toEqual({ id: first.id, wrapped: first.wrapped });
    expect(await store.keys.activeOrInsert(candidate())).toEqual({ id: first.id, wrapped: first.wrapped });
    expect((await store.keys.list()).map((key) => [key.id, key.state])).toEqual([[first.id, 'active']]);
  });

  test('when two instances ask for the first key at once, many times, then exactly one key is active', async () => {
    const { store } = current();
    const other = await current().openAnother();

    const answers = await Promise.all(Array.from({ length: 10 }, (_unused, index) => (index % 2 === 0 ? store : other).keys.activeOrInsert(candidate())));

    expect(new Set(answers.map((key) => key.id)).size).toBe(1);
    expect((await store.keys.list()).filter((key) => key.state === 'active')).toHaveLength(1);
  });

  test('when a card is inserted, then it reads back without its number, opens with its key, and is listed for its customer, newest first', async () => {
    const { store } = current();
    const key = await store.keys.activeOrInsert(candidate());
    const older = newCard(key.id, { createdAt: '2026-03-01T11:00:00.000Z', fingerprint: 'fp-older' });
    const card = newCard(key.id);
    await saveCard(store, older);

    const inserted = await saveCard(store, card);

    const shown = { id: card.id, customerId: 'cus_ada', brand: 'visa', last4: '4242', expMonth: 12, expYear: 2030, holderName: 'Ada Lovelace', createdAt: NOW, deletedAt: null };
    expect(inserted).toEqual({ kind: 'inserted', card: shown });
    expect(await store.cards.get(card.id)).toEqual(shown);
    expect(await store.cards.open(card.id)).toEqual({ ...shown, sealed: card.sealed, key });
    expect((await store.cards.listOfCustomer('cus_ada', 10)).map((listed) => listed.id)).toEqual([card.id, older.id]);
    expect(await store.cards.listOfCustomer('cus_ada', 1)).toHaveLength(1);
    expect(await store.cards.listOfCustomer('cus_nobody', 10)).toEqual([]);
    expect(await store.cards.get('card_unknown')).toBeNull();
  });

  test('when a customer saves a card they keep already (same fingerprint and expiry), then that card comes back and nothing new is stored; another expiry is another card', async () => {
    const { store } = current();
    const key = await store.keys.activeOrInsert(candidate());
    const first = newCard(key.id);
    await saveCard(store, first);

    const again = await saveCard(store, newCard(key.id));
    const renewed = await saveCard(store, newCard(key.id, { expYear: 2031 }));
    const withoutCustomer = [await saveCard(store, newCard(key.id, { customerId: null })), await saveCard(store, newCard(key.id, { customerId: null }))];

    expect(again).toMatchObject({ kind: 'existing', card: { id: first.id } });
    expect(renewed.kind).toBe('inserted');
    expect(withoutCustomer.map((result) => result.kind)).toEqual(['inserted', 'inserted']);
    expect(await store.cards.countByKey()).toEqual({ [key.id]: 4 });
  });

  test('when two instances save one customer\'s same card at once, then one card is stored and both requests answer it', async () => {
    const { store } = current();
    const other = await current().openAnother();
    const key = await store.keys.activeOrInsert(candidate());

    const results = await Promise.all([saveCard(store, newCard(key.id)), saveCard(other, newCard(key.id))]);

    expect(results.map((result) => result.kind).sort()).toEqual(['existing', 'inserted']);
    const ids = results.map((result) => ('card' in result ? result.card.id : ''));
    expect(ids[0]).toBe(ids[1]);
    expect(await store.cards.countByKey()).toEqual({ [key.id]: 1 });
  });

  test('when a card is inserted under a key that is no longer active, or for a claim that is not its own, then nothing is stored', async () => {
    const { store } = current();
    const old = await store.keys.activeOrInsert(candidate());
    await store.keys.beginRotation(candidate());

    const underOld = await saveCard(store, newCard(old.id));
    const card = newCard((await store.keys.activeOrInsert(candidate())).id);
    const requestKey = unique('key');
    await store.requests.claim({ key: requestKey, requestHash: 'h', cardId: 'card_someone_else', createdAt: NOW });
    const unclaimed = await store.cards.insert({ card, requestKey });

    expect(underOld).toEqual({ kind: 'key_not_active' });
    expect(unclaimed).toEqual({ kind: 'claim_lost' });
    expect(await store.cards.countByKey()).toEqual({});
  });

  test('when a card is erased, then it no longer opens or lists, reads back deleted, and a second erase does nothing', async () => {
    const { store } = current();
    const key = await store.keys.activeOrInsert(candidate());
    const card = newCard(key.id);
    await saveCard(store, card);

    expect(await store.cards.erase({ id: card.id, now: '2026-03-02T00:00:00.000Z' })).toBe(true);

    expect(await store.cards.open(card.id)).toBeNull();
    expect(await store.cards.get(card.id)).toMatchObject({ id: card.id, last4: '4242', deletedAt: '2026-03-02T00:00:00.000Z' });
    expect(await store.cards.listOfCustomer('cus_ada', 10)).toEqual([]);
    expect(await store.cards.countByKey()).toEqual({});
    expect(await store.cards.erase({ id: card.id, now: NOW })).toBe(false);
    expect(await store.cards.erase({ id: 'card_unknown', now: NOW })).toBe(false);
    // Deleted, the customer may save the same card again.
    expect((await saveCard(store, newCard(key.id))).kind).toBe('inserted');
  });

  test('when a rotation begins, then the new key is active and the old one retiring; begun again while one is under way, it resumes', async () => {
    const { store } = current();
    const old = await store.keys.activeOrInsert(candidate());
    const next = candidate();

    expect(await store.keys.beginRotation(next)).toEqual({ kind: 'started', active: { id: next.id, wrapped: next.wrapped } });
    expect(await store.keys.beginRotation(candidate())).toEqual({ kind: 'resumed', active: { id: next.id, wrapped: next.wrapped } });
    expect((await store.keys.list()).map((key) => [key.id, key.state])).toEqual([[old.id, 'retiring'], [next.id, 'active']]);
  });

  test('when cards are resealed, then only live cards still under their old key move, the key nobody uses is destroyed, and one in use is not', async () => {
    const { store } = current();
    const old = await store.keys.activeOrInsert(candidate());
    const cards = [newCard(old.id, { fingerprint: 'a' }), newCard(old.id, { fingerprint: 'b' }), newCard(old.id, { fingerprint: 'c' })];
    for (const card of cards) await saveCard(store, card);
    await store.cards.erase({ id: cards[2]!.id, now: NOW });
    const { active } = await store.keys.beginRotation(candidate());

    const waiting = await store.cards.underRetiringKeys(10);
    expect(waiting.map((card) => [card.id, card.key.id])).toEqual([[cards[0]!.id, old.id], [cards[1]!.id, old.id]]);
    expect(await store.cards.underRetiringKeys(1)).toHaveLength(1);
    expect(await store.keys.destroyRetired({ now: NOW })).toEqual([]);

    const moved = await store.cards.reseal({ toKeyId: active.id, cards: [
      { id: cards[0]!.id, fromKeyId: old.id, sealed: 'v1:new-0' },
      { id: cards[0]!.id, fromKeyId: 'vk_not_its_key', sealed: 'v1:never' },
      { id: cards[2]!.id, fromKeyId: old.id, sealed: 'v1:erased' },
    ] });
    expect(moved).toBe(1);
    expect(await store.cards.open(cards[0]!.id)).toMatchObject({ sealed: 'v1:new-0', key: active });
    expect(await store.keys.destroyRetired({ now: NOW })).toEqual([]);

    await store.cards.reseal({ toKeyId: active.id, cards: [{ id: cards[1]!.id, fromKeyId: old.id, sealed: 'v1:new-1' }] });
    expect(await store.keys.destroyRetired({ now: '2026-03-03T00:00:00.000Z' })).toEqual([old.id]);
    expect((await store.keys.list()).find((key) => key.id === old.id)).toEqual({
      id: old.id, state: 'destroyed', wrapped: null, createdAt: NOW, destroyedAt: '2026-03-03T00:00:00.000Z',
    });
    expect(await store.cards.countByKey()).toEqual({ [active.id]: 2 });
  });

  test('when cards are resealed under a key that is not active, then it is refused', async () => {
    const { store } = current();
    const old = await store.keys.activeOrInsert(candidate());
    const card = newCard(old.id);
    await saveCard(store, card);
    await store.keys.beginRotation(candidate());

    await expect(store.cards.reseal({ toKeyId: old.id, cards: [{ id: card.id, fromKeyId: old.id, sealed: 'v1:x' }] })).rejects.toThrow(/not the active key/);
  });

  test('when a creation request is claimed twice, then the second gets the record; a takeover needs the stale claim, and a release forgets only an unfinished claim', async () => {
    const { store } = current();
    const key = unique('key');
    const record = { key, requestHash: 'hash-1', cardId: 'card_a', createdAt: NOW };

    expect(await store.requests.claim(record)).toEqual({ kind: 'claimed' });
    expect(await store.requests.claim({ ...record, cardId: 'card_b' })).toEqual({ kind: 'existing', record: { ...record, completed: false } });
    expect(await store.requests.takeOver({ key, staleCreatedAt: '2026-01-01T00:00:00.000Z', cardId: 'card_b', createdAt: NOW })).toBe(false);
    expect(await store.requests.takeOver({ key, staleCreatedAt: NOW, cardId: 'card_b', createdAt: '2026-03-01T12:05:00.000Z' })).toBe(true);

    await store.requests.release({ key, cardId: 'card_a' });
    expect(await store.requests.claim(record)).toMatchObject({ kind: 'existing', record: { cardId: 'card_b' } });
    await store.requests.release({ key, cardId: 'card_b' });
    expect(await store.requests.claim(record)).toEqual({ kind: 'claimed' });
  });

  test('when a card is stored for a request, then the request is completed with that card and is no longer released', async () => {
    const { store } = current();
    const key = await store.keys.activeOrInsert(candidate());
    const card = newCard(key.id);
    const requestKey = unique('key');
    await store.requests.claim({ key: requestKey, requestHash: 'h', cardId: card.id, createdAt: NOW });
    await store.cards.insert({ card, requestKey });

    await store.requests.release({ key: requestKey, cardId: card.id });

    expect(await store.requests.claim({ key: requestKey, requestHash: 'h', cardId: 'card_other', createdAt: NOW }))
      .toEqual({ kind: 'existing', record: { key: requestKey, requestHash: 'h', cardId: card.id, completed: true, createdAt: NOW } });
  });
});
