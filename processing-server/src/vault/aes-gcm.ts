/**
 * AES-256-GCM as the vault writes it: `v1:` + base64(12-byte IV, 16-byte tag, ciphertext), with
 * authenticated data that binds a ciphertext to its place (a payment id, a card id, a key id), so
 * that bytes moved to another row fail to open.
 */
import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT_VERSION = 'v1';

export function sealBytes(key: KeyObject, plain: Buffer, boundTo: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(boundTo));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return `${FORMAT_VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
}

/** The plain bytes; throws for another format, another key or another place (`boundTo`). */
export function openBytes(key: KeyObject, sealed: string, boundTo: string): Buffer {
  const [version, encoded] = sealed.split(':');
  if (version !== FORMAT_VERSION || !encoded) throw new Error('unknown vault format');
  const raw = Buffer.from(encoded, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(boundTo));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
}
