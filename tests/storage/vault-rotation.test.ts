/**
 * Rotation of the vault's data key, on SQLite and PostgreSQL: stopped half-way and run again, it
 * leaves every card readable under the new key and none under the old, whose wrapped bytes are
 * erased (on SQLite, from the files too); a save overtaken by a rotation from another instance
 * is sealed again under the new key, never left under a key the rotation destroys.
 */
import { randomBytes } from 'node:crypto';
import { createCardVault } from '../../processing-server/src/vault/card-vault.ts';
import { createEnvelope, type Envelope } from '../../processing-server/src/vault/envelope.ts';
import { rotateVaultKey, type RotationProgress } from '../../processing-server/src/vault/rotation.ts';
import { createVaultService, type VaultService } from '../../processing-server/src/vault/service.ts';
import type { VaultStore } from '../../processing-server/src/vault/store.ts';
import { captureLogs } from '../helpers/log-capture.ts';
import { readAllBytes } from '../helpers/temp-dir.ts';
import { describeEachVaultStore } from './vault-stores.ts';

jest.setTimeout(30_000);

/** Luhn-valid, distinct numbers, none a test card of the simulator. */
const NUMBERS = ['4111111111111111', '4012888888881881', '6011111111111117', '5105105105105100', '4222222222222', '3530111333300000', '6011000990139424'];

let sequence = 0;

function vaultOn(store: VaultStore, masterKey: Buffer): { vault: VaultService; envelope: Envelope } {
  const envelope = createEnvelope(masterKey);
  const vault = createVaultService({
    store, envelope, cardVault: createCardVault(masterKey),
    verifier: { verify: async () => ({ kind: 'verified', verificationId: 'v' }) },
    clock: () => new Date(), logger: captureLogs('vault').logger,
  });
  return { vault, envelope };
}

async function saveAll(vault: VaultService, numbers: readonly string[]): Promise<Map<string, string>> {
  const saved = new Map<string, string>();
  for (const number of numbers) {
    sequence += 1;
    const { card } = await vault.save({
      request: { card: { number, expMonth: 12, expYear: 2031, cvv: '123', holderName: 'Ada Lovelace' }, customerId: `cus_${sequence}` },
      idempotencyKey: `rotation-${process.pid}-${sequence}`,
    });
    saved.set(card.id, number);
  }
  return saved;
}

describeEachVaultStore('rotating the vault\'s data key', (current) => {
  const masterKey = randomBytes(32);

  test('when a rotation is stopped after two batches and run again, then every card opens under the new key and the old key is destroyed', async () => {
    const { store } = current();
    const { vault, envelope } = vaultOn(store, masterKey);
    const saved = await saveAll(vault, NUMBERS);
    const [oldKey] = await store.keys.list();
    const oldCiphertexts = await Promise.all([...saved.keys()].map(async (id) => ({ id, sealed: (await store.cards.open(id))!.sealed })));
    const progress: RotationProgress[] = [];

    const first = await rotateVaultKey({ store, envelope, clock: () => new Date() }, { batchSizeMax: 2, batchesMax: 2, onProgress: (line) => progress.push(line) });

    expect(first).toEqual({ kind: 'stopped', activeKeyId: expect.any(String), cardsResealed: 4 });
    expect(progress.map((line) => [line.batchesDone, line.cardsResealed, line.cardsToReseal])).toEqual([[1, 2, 7], [2, 4, 7]]);
    expect(await store.cards.countByKey()).toEqual({ [oldKey!.id]: 3, [first.activeKeyId]: 4 });
    // Half-way, every card still opens: the moved ones under the new key, the others under the old.
    for (const [id, number] of saved) expect((await vault.open(id))?.number).toBe(number);
    // A card saved meanwhile is sealed under the new key at once; one deleted meanwhile is skipped.
    const during = await saveAll(vault, ['4444333322221111']);
    const [deletedId] = [...saved.keys()].slice(-1);
    await vault.remove(deletedId!);
    saved.delete(deletedId!);

    const second = await rotateVaultKey({ store, envelope, clock: () => new Date() }, { batchSizeMax: 2 });

    expect(second).toEqual({ kind: 'completed', activeKeyId: first.activeKeyId, cardsResealed: 2, destroyedKeyIds: [oldKey!.id] });
    expect(await store.cards.countByKey()).toEqual({ [first.activeKeyId]: saved.size + during.size });
    for (const [id, number] of [...saved, ...during]) expect((await vault.open(id))?.number).toBe(number);
    const keys = await store.keys.list();
    expect(keys.map((key) => [key.id, key.state, key.wrapped === null])).toEqual([[oldKey!.id, 'destroyed', true], [first.activeKeyId, 'active', false]]);
    // A copy sealed under the old key (a backup, say) opens no more: its key is gone, and the active key is another.
    expect(() => envelope.unwrap({ id: oldKey!.id, wrapped: keys[0]!.wrapped ?? '' })).toThrow();
    const active = envelope.unwrap({ id: first.activeKeyId, wrapped: keys[1]!.wrapped ?? '' });
    for (const { id, sealed } of oldCiphertexts) expect(() => envelope.open(active, sealed, id)).toThrow();
  });

  test('when a rotation is run with nothing under way, then it starts a new one; run again at once, it starts another, and every card still opens', async () => {
    const { store } = current();
    const { vault, envelope } = vaultOn(store, masterKey);
    const saved = await saveAll(vault, NUMBERS.slice(0, 3));
    const rotate = () => rotateVaultKey({ store, envelope, clock: () => new Date() });

    const first = await rotate();
    const second = await rotate();

    expect(first.kind).toBe('completed');
    expect(second).toMatchObject({ kind: 'completed', cardsResealed: 3, destroyedKeyIds: [first.activeKeyId] });
    expect((await store.keys.list()).map((key) => key.state)).toEqual(['destroyed', 'destroyed', 'active']);
    for (const [id, number] of saved) expect((await vault.open(id))?.number).toBe(number);
  });

  test('when a rotation begins between a save reading the active key and storing the card, then the card is sealed again under the new key, and survives the old key', async () => {
    const { store } = current();
    const other = await current().openAnother();
    const rotator = vaultOn(other, masterKey);
    await saveAll(vaultOn(store, masterKey).vault, NUMBERS.slice(0, 1));
    let rotationBegun = false;
    // The save reads the active key; another instance's rotation begins before the save stores its card.
    const racing: VaultStore = {
      ...store,
      keys: {
        ...store.keys,
        activeOrInsert: async (candidate) => {
          const active = await store.keys.activeOrInsert(candidate);
          if (!rotationBegun) {
            rotationBegun = true;
            await other.keys.beginRotation({ ...rotator.envelope.newDataKey().stored, createdAt: new Date().toISOString() });
          }
          return active;
        },
      },
    };
    const { vault } = vaultOn(racing, masterKey);

    const saved = await saveAll(vault, NUMBERS.slice(1, 2));
    const rotation = await rotateVaultKey({ store: other, envelope: rotator.envelope, clock: () => new Date() });

    expect(rotationBegun).toBe(true);
    expect(rotation).toMatchObject({ kind: 'completed', cardsResealed: 1, destroyedKeyIds: [expect.any(String)] });
    expect(await store.cards.countByKey()).toEqual({ [rotation.activeKeyId]: 2 });
    for (const [id, number] of saved) expect((await vault.open(id))?.number).toBe(number);
  });

  test('when the old key is destroyed, then its wrapped bytes are gone from the vault\'s files (SQLite), write-ahead log included', async () => {
    const { store, directory } = current();
    const { vault, envelope } = vaultOn(store, masterKey);
    await saveAll(vault, NUMBERS.slice(0, 2));
    const [oldKey] = await store.keys.list();
    const wrapped = oldKey!.wrapped ?? '';
    if (directory) expect(readAllBytes(directory).toString('latin1')).toContain(wrapped);

    await rotateVaultKey({ store, envelope, clock: () => new Date() });

    expect((await store.keys.list())[0]).toMatchObject({ id: oldKey!.id, wrapped: null });
    if (directory) {
      const files = readAllBytes(directory).toString('latin1');
      const pieces = Array.from({ length: Math.floor((wrapped.length - 3) / 12) }, (_unused, index) => wrapped.slice(3 + index * 12, 15 + index * 12));
      expect(pieces.filter((piece) => files.includes(piece))).toEqual([]);
    }
  });
});
