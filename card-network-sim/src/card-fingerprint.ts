/**
 * How the simulator identifies a card without keeping its number: an HMAC-SHA-256 of the
 * number under a secret kept in the simulator's database. The number itself is never
 * stored or logged; the fingerprint plus the last four digits is all that is kept.
 */
import { createHmac } from 'node:crypto';

export type CardFingerprinter = (cardNumber: string) => string;

export function createCardFingerprinter(secret: string): CardFingerprinter {
  return (cardNumber) => createHmac('sha256', secret).update(cardNumber).digest('base64url');
}
