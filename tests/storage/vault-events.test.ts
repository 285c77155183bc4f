/**
 * The card vault's events on SQLite and PostgreSQL: a saved card's `card.saved` and `card.deleted`
 * are written in the transaction of the change, or not at all; on SQLite they wait in the vault
 * file's own outbox until they are handed over to the processing database's events (once, however
 * often the hand-over is repeated), on PostgreSQL they are in the events at once.
 */
import { cardEvent, type EventRecord } from '../../processing-server/src/domain/events.ts';
import type { Store } from '../../processing-server/src/domain/ports/store.ts';
import type { NewCard, VaultStore } from '../../processing-server/src/vault/store.ts';
import { describeEachStore } from './stores.ts';

const NOW = '2026-03-01T12:00:00.000Z';
let sequence = 0;
const unique = (prefix: string) => `${prefix}_${process.pid}_${(sequence += 1)}`;

function newCard(keyId: string, overrides: Partial<NewCard> = {}): NewCard {
  return {
    id: unique('card'), customerId: 'cus_ada', keyId, sealed: `v1:sealed-${unique('s')}`, fingerprint: 'fp-4242', brand: 'visa', last4: '4242',
    expMonth: 12, expYear: 2030, holderName: 'Ada Lovelace', createdAt: NOW, ...overrides,
  };
}

function savedEvent(card: NewCard): EventRecord {
  const { keyId: _key, sealed: _sealed, fingerprint: _fingerprint, ...shown } = card;
  return cardEvent('card.saved', shown, card.createdAt, 'request:test');
}

/** A claim for the card, then the card inserted under it with its event. */
async function insert(vault: VaultStore, card: NewCard, event: EventRecord) {
  const requestKey = unique('key');
  await vault.requests.claim({ key: requestKey, requestHash: 'h', cardId: card.id, createdAt: NOW });
  return vault.cards.insert({ card, requestKey, event });
}

/** Hands the vault's waiting events over, as the vault service does; how many were new in the events. */
async function handOver(vault: VaultStore, store: Store): Promise<number> {
  const pending = await vault.events.pending(100);
  const added = await store.events.handOver(pending);
  await vault.events.handedOver(pending.map((event) => event.id));
  return added;
}

describeEachStore('the card vault\'s events', (current) => {
  test('when a card is inserted and erased with their events, then both reach the events list once, however often the hand-over runs', async () => {
    const { store } = current();
    const vault = await current().openVault();
    const key = await vault.keys.activeOrInsert({ id: unique('vk'), wrapped: 'v1:w', createdAt: NOW });
    const card = newCard(key.id);
    const saved = savedEvent(card);
    const deleted = cardEvent('card.deleted', JSON.parse(saved.data), '2026-03-01T13:00:00.000Z', 'request:test');

    expect(await insert(vault, card, saved)).toMatchObject({ kind: 'inserted' });
    expect(await vault.cards.erase({ id: card.id, now: deleted.createdAt, event: deleted })).toBe(true);
    const waiting = await vault.events.pending(100);
    const first = await handOver(vault, store);
    const again = await store.events.handOver(waiting);

    // SQLite: both waited in the vault's file; PostgreSQL: both were written into the events with their changes.
    expect(waiting.map((event) => event.id)).toEqual(current().store.description.startsWith('sqlite') ? [saved.id, deleted.id] : []);
    expect(first).toBe(waiting.length);
    expect(again).toBe(0);
    expect(await vault.events.pending(100)).toEqual([]);
    const listed = await store.events.list({ limit: 10 });
    expect(listed.data.map((event) => [event.id, event.type, event.cardId])).toEqual([[deleted.id, 'card.deleted', card.id], [saved.id, 'card.saved', card.id]]);
    expect(listed.data[1]).toEqual(saved);
    expect(await store.webhooks.fanOut({ urls: ['http://127.0.0.1:9/hook'], limit: 10, now: NOW })).toBe(2);
  });

  test('when an insert or an erase does not happen, then it writes no event: a card the customer kept already, a lost claim, an erased card', async () => {
    const { store } = current();
    const vault = await current().openVault();
    const key = await vault.keys.activeOrInsert({ id: unique('vk'), wrapped: 'v1:w', createdAt: NOW });
    const kept = newCard(key.id);
    await insert(vault, kept, savedEvent(kept));
    await handOver(vault, store);

    const same = newCard(key.id);
    const sameAgain = await insert(vault, same, savedEvent(same));
    const lost = newCard(key.id);
    const lostAnswer = await vault.cards.insert({ card: lost, requestKey: unique('not-claimed'), event: savedEvent(lost) });
    expect(await vault.cards.erase({ id: kept.id, now: NOW })).toBe(true);
    const erasedAgain = await vault.cards.erase({ id: kept.id, now: NOW, event: cardEvent('card.deleted', JSON.parse(savedEvent(kept).data), NOW) });
    await handOver(vault, store);

    expect(sameAgain).toMatchObject({ kind: 'existing', card: { id: kept.id } });
    expect(lostAnswer).toEqual({ kind: 'claim_lost' });
    expect(erasedAgain).toBe(false);
    expect((await store.events.list({ limit: 10 })).data.map((event) => [event.type, event.cardId])).toEqual([['card.saved', kept.id]]);
  });
});
