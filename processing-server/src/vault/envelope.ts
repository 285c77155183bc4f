/**
 * Envelope encryption of saved card numbers, as a key management service does it: each number is
 * sealed (AES-256-GCM) under a random data key; a data key is kept only wrapped (AES-256-GCM) by
 * the key-encryption key, which is derived from CARD_VAULT_KEY with HKDF under a label of its own
 * ("vault-key-encryption"), apart from the keys that seal payments' numbers and make card
 * fingerprints. Rotating means a new data key and every number sealed again under it; the old
 * data key is then destroyed, and what was sealed under it can no longer be opened by anyone.
 *
 * Authenticated data binds each ciphertext to its place: a wrapped key to its key id, a sealed
 * number to its card id, so that bytes moved to another row do not open.
 */
import { createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { openBytes, sealBytes } from './aes-gcm.ts';

const KEY_BYTES = 32;

/** A data key as the vault stores it: its id and its bytes wrapped by the key-encryption key. */
export interface WrappedDataKey {
  id: string;
  wrapped: string;
}

/** A data key ready for use: its id and its key material (in memory only). */
export interface DataKey {
  id: string;
  key: KeyObject;
}

export interface Envelope {
  /** A new random data key, and its wrapped form to store. */
  newDataKey(): { dataKey: DataKey; stored: WrappedDataKey };
  /** The data key a stored, wrapped key holds; throws when it was not wrapped by this vault's key (or for this id). */
  unwrap(stored: WrappedDataKey): DataKey;
  /** A card number sealed under `dataKey`, bound to `cardId`. */
  seal(dataKey: DataKey, cardNumber: string, cardId: string): string;
  open(dataKey: DataKey, sealed: string, cardId: string): string;
}

export function newDataKeyId(): string {
  return `vk_${uuidv7().replaceAll('-', '')}`;
}

export function createEnvelope(masterKey: Buffer): Envelope {
  if (masterKey.length !== KEY_BYTES) throw new RangeError(`the vault key must be ${KEY_BYTES} bytes`);
  const keyEncryptionKey = createSecretKey(Buffer.from(hkdfSync('sha256', masterKey, 'cardlane', 'vault-key-encryption', KEY_BYTES)));

  return {
    newDataKey() {
      const material = randomBytes(KEY_BYTES);
      const id = newDataKeyId();
      const stored = { id, wrapped: sealBytes(keyEncryptionKey, material, id) };
      const dataKey = { id, key: createSecretKey(material) };
      material.fill(0);
      return { dataKey, stored };
    },
    unwrap(stored) {
      const material = openBytes(keyEncryptionKey, stored.wrapped, stored.id);
      if (material.length !== KEY_BYTES) throw new Error(`data key ${stored.id} is not ${KEY_BYTES} bytes`);
      const key = createSecretKey(material);
      material.fill(0);
      return { id: stored.id, key };
    },
    seal: (dataKey, cardNumber, cardId) => sealBytes(dataKey.key, Buffer.from(cardNumber, 'utf8'), cardId),
    open: (dataKey, sealed, cardId) => openBytes(dataKey.key, sealed, cardId).toString('utf8'),
  };
}
