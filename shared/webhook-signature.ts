/**
 * The webhook signature, written by the processing server and checked by every receiver:
 * `Cardlane-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. The
 * timestamp is signed with the body, so a captured delivery cannot be replayed once it is older
 * than the receiver's tolerance; the comparison takes the same time whatever the signature.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const WEBHOOK_SIGNATURE_HEADER = 'Cardlane-Signature';
/** Which attempt at the event this is (1, 2, …): for a receiver's logs; de-duplication is by event id. */
export const WEBHOOK_ATTEMPT_HEADER = 'Cardlane-Delivery-Attempt';
export const WEBHOOK_SECRET_DEVELOPMENT = 'dev-webhook-secret';
/** How far a signature's timestamp may be from the receiver's clock, either way. */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

function hmacHex(secret: string, timestampSeconds: number, rawBody: Buffer | string): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.`).update(rawBody).digest('hex');
}

/** The header's value for `rawBody`, signed at `timestampSeconds`. */
export function signWebhook(secret: string, rawBody: Buffer | string, timestampSeconds: number): string {
  return `t=${timestampSeconds},v1=${hmacHex(secret, timestampSeconds, rawBody)}`;
}

export type SignatureCheck =
  | { ok: true; timestampSeconds: number }
  | { ok: false; reason: 'missing' | 'malformed' | 'too_old' | 'too_new' | 'mismatch' };

const TIMESTAMP = /^\d{1,12}$/;
const HEX_SHA256 = /^[0-9a-f]{64}$/;
/** A header longer than this is not one we wrote (a few signatures at most, during a secret change). */
const HEADER_LENGTH_MAX = 1024;

/**
 * Checks a delivery: the header is well formed, its timestamp is within `toleranceSeconds` of
 * now, and one of its `v1` signatures is the HMAC of the raw body as received (several `v1` are
 * allowed, so that a sender can sign with an old and a new secret while both are in use).
 */
export function verifyWebhookSignature(options: {
  secret: string; header: string | undefined; rawBody: Buffer; nowSeconds: number; toleranceSeconds?: number;
}): SignatureCheck {
  const { header } = options;
  if (header === undefined || header === '') return { ok: false, reason: 'missing' };
  if (header.length > HEADER_LENGTH_MAX) return { ok: false, reason: 'malformed' };
  let timestamp: string | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const separator = part.indexOf('=');
    if (separator < 0) return { ok: false, reason: 'malformed' };
    const name = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (name === 't') timestamp = value;
    else if (name === 'v1') signatures.push(value);
  }
  if (timestamp === undefined || !TIMESTAMP.test(timestamp) || signatures.length === 0) return { ok: false, reason: 'malformed' };
  const timestampSeconds = Number(timestamp);
  const tolerance = options.toleranceSeconds ?? WEBHOOK_TOLERANCE_SECONDS;
  if (timestampSeconds < options.nowSeconds - tolerance) return { ok: false, reason: 'too_old' };
  if (timestampSeconds > options.nowSeconds + tolerance) return { ok: false, reason: 'too_new' };
  const expected = Buffer.from(hmacHex(options.secret, timestampSeconds, options.rawBody), 'hex');
  // Every candidate is compared in full (no early exit on the first match), each in constant time.
  let matched = false;
  for (const signature of signatures) {
    if (!HEX_SHA256.test(signature)) continue;
    if (timingSafeEqual(expected, Buffer.from(signature, 'hex'))) matched = true;
  }
  return matched ? { ok: true, timestampSeconds } : { ok: false, reason: 'mismatch' };
}
