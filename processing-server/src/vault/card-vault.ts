/**
 * The card vault: the full number is kept only as AES-256-GCM ciphertext bound to its payment,
 * and a card is recognized (for spending limits) by an HMAC-SHA-256 fingerprint. Both keys are
 * derived from CARD_VAULT_KEY with HKDF so that one secret serves two independent purposes.
 */
import { createHmac, createSecretKey, hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../../shared/logger.ts';
import type { CardVault } from '../domain/ports/vault.ts';
import { openBytes, sealBytes } from './aes-gcm.ts';

export type { CardVault };

const KEY_BYTES = 32;

export function createCardVault(masterKey: Buffer): CardVault {
  if (masterKey.length !== KEY_BYTES) throw new RangeError(`the vault key must be ${KEY_BYTES} bytes`);
  // The keys become KeyObjects once, here: given a Buffer, every cipher and HMAC would import the
  // key again, which costs several times the work of sealing a card number.
  const encryptionKey = createSecretKey(Buffer.from(hkdfSync('sha256', masterKey, 'cardlane', 'card-encryption', KEY_BYTES)));
  const hashKey = createSecretKey(Buffer.from(hkdfSync('sha256', masterKey, 'cardlane', 'card-fingerprint', KEY_BYTES)));
  const keyedHash = (text: string): string => createHmac('sha256', hashKey).update(text).digest('base64url');

  return {
    // The payment id is authenticated data: a ciphertext moved to another row fails to decrypt.
    encrypt: (cardNumber, boundTo) => sealBytes(encryptionKey, Buffer.from(cardNumber, 'utf8'), boundTo),
    decrypt: (sealed, boundTo) => openBytes(encryptionKey, sealed, boundTo).toString('utf8'),
    fingerprint: (cardNumber) => keyedHash(`card:${cardNumber}`),
    keyedHash,
  };
}

/**
 * Writes a new key to `keyPath` unless another process got there first; true when this one did.
 * Several processing servers may start at once on one DATA_DIR (npm run start:cluster): the key
 * is written whole to a file of this process's own and then linked into place, which fails when
 * the name exists, so every instance reads the same complete key and none sees a half-written one.
 */
function createKeyFileOnce(keyPath: string): boolean {
  const ownFile = `${keyPath}.${process.pid}.${randomBytes(6).toString('hex')}`;
  fs.writeFileSync(ownFile, randomBytes(KEY_BYTES).toString('base64'), { mode: 0o600, flag: 'wx' });
  try {
    fs.linkSync(ownFile, keyPath);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    fs.rmSync(ownFile, { force: true });
  }
}

/**
 * The key from CARD_VAULT_KEY, or in development a key generated once into DATA_DIR (with a
 * warning), so that `npm start` works with nothing configured and restarts can read old rows.
 */
export function loadVaultKey(options: { configuredKey: string | undefined; dataDir: string; logger: Logger }): Buffer {
  if (options.configuredKey) {
    const key = Buffer.from(options.configuredKey, 'base64');
    if (key.length !== KEY_BYTES) throw new RangeError(`CARD_VAULT_KEY must be ${KEY_BYTES} bytes, base64-encoded`);
    return key;
  }
  const keyPath = path.join(options.dataDir, 'vault.key');
  fs.mkdirSync(options.dataDir, { recursive: true });
  if (!fs.existsSync(keyPath) && createKeyFileOnce(keyPath)) {
    options.logger.warn({ keyPath }, 'CARD_VAULT_KEY is not set: generated a development vault key; set CARD_VAULT_KEY in production');
  }
  const key = Buffer.from(fs.readFileSync(keyPath, 'utf8').trim(), 'base64');
  if (key.length !== KEY_BYTES) throw new RangeError(`${keyPath} does not hold a ${KEY_BYTES}-byte key`);
  return key;
}
