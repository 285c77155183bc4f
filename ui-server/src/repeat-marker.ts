/**
 * How a checkout posted again says "an earlier request with this key may have reached a
 * processing instance", without the UI server remembering anything.
 *
 * When every processing instance refuses, the UI server can prove only that THIS request never
 * arrived. A first request is then "not charged"; a repeat is not, because the first one may have
 * created the payment. The shopper's client carries the difference, so any UI instance (or one
 * just restarted) knows it:
 * - a browser, with or without JavaScript: every answer to a request that reached (or may have
 *   reached) a processing instance sets a cookie named after the key's digest, sent back only
 *   with posts to /make-payment. Reloading the "we are confirming" page posts the same form again
 *   with that cookie;
 * - a client that keeps no cookies: `repeat: "true"` in the form or JSON.
 * A forged mark can only turn "not charged" into "we are confirming": the safe side.
 */
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { REPEAT_FIELD, REPEAT_VALUE } from '../../shared/contracts/ui.ts';

/** The cookie's name is this prefix and a digest of the key: keys may hold characters a cookie may not. */
export const SENT_COOKIE_PREFIX = 'cardlane_sent_';
/** Only the checkout post needs it; pages and the back office never carry it. */
export const SENT_COOKIE_PATH = '/make-payment';
/** Long enough for any repeat a shopper makes; the recovery worker has settled every payment long before. */
const SENT_COOKIE_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** Cookies the parser looks at, at most: the header is bounded by Node.js, this loop too. */
const COOKIES_READ_MAX = 200;

/** The cookie's name for a key: 128 bits of SHA-256, base64url (only characters a cookie name may have). */
export function sentCookieName(idempotencyKey: string): string {
  return SENT_COOKIE_PREFIX + createHash('sha256').update(idempotencyKey).digest('base64url').slice(0, 22);
}

function cookieNames(header: string | undefined): Set<string> {
  const names = new Set<string>();
  if (!header) return names;
  for (const pair of header.split(';').slice(0, COOKIES_READ_MAX)) {
    const name = pair.split('=', 1)[0]?.trim();
    if (name) names.add(name);
  }
  return names;
}

/** True when the post says an earlier request with this key may have reached a processing instance. */
export function isMarkedRepeat(request: Request, idempotencyKey: string): boolean {
  const body = request.body as Record<string, unknown> | undefined;
  if (body?.[REPEAT_FIELD] === REPEAT_VALUE) return true;
  return cookieNames(request.headers.cookie).has(sentCookieName(idempotencyKey));
}

/** Marks the key in the shopper's browser: a later post of it is a repeat. */
export function markSent(request: Request, response: Response, idempotencyKey: string): void {
  response.cookie(sentCookieName(idempotencyKey), '1', {
    path: SENT_COOKIE_PATH, maxAge: SENT_COOKIE_MAX_AGE_MS, httpOnly: true, sameSite: 'strict', secure: request.secure,
  });
}
