/**
 * How the checkout remembers a returning shopper: an opaque customer id (`cus_` and 128 random
 * bits) in a cookie, set only when the shopper asks to save a card, and sent back with their
 * saved-card payments. The id is the key to the shopper's saved cards at this shop, so:
 *
 * - HttpOnly: no script on the page can read it (the CSP allows none but ours, and this is the
 *   second line of defence).
 * - SameSite=Lax, not Strict: a shopper who arrives from another site (the shop's product page on
 *   another domain, a link in an email) or comes back from the card issuer's 3-D Secure page (a
 *   redirect from the issuer's site) is a top-level navigation, and Lax sends the cookie with it,
 *   so their saved cards are there; Strict would hide them on exactly those visits. A post from
 *   another site gets no cookie under Lax, and is refused by the cross-site guard anyway.
 * - Secure whenever the shopper reached us over HTTPS (directly, or through a proxy trusted with
 *   UI_TRUST_PROXY_HOPS), so it never travels in clear once the shop uses HTTPS; plain-http
 *   development still works.
 * - Path=/ (the checkout and its forms), Max-Age 180 days, renewed whenever a card is saved or a
 *   saved card pays: a shopper who stops coming is forgotten by the browser.
 */
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { readCookie } from './cookies.ts';

export const CUSTOMER_COOKIE = 'cardlane_customer';
export const CUSTOMER_COOKIE_MAX_AGE_MS = 180 * 24 * 60 * 60 * 1000;
const CUSTOMER_ID_PATTERN = /^cus_[A-Za-z0-9_-]{22}$/;

/**
 * The customer id a new shopper gets at the checkout with key `checkoutKey`: 16 bytes of its
 * SHA-256, so that the same checkout sent again (its first answer lost, or asked again while
 * "pending") names the same customer, and the processing server sees the same request. It is as
 * hard to guess as the checkout's key, which only the shopper's own page holds.
 */
export function customerIdForCheckout(checkoutKey: string): string {
  return `cus_${createHash('sha256').update(`customer:${checkoutKey}`).digest().subarray(0, 16).toString('base64url')}`;
}

/** The customer the request's cookie names, when it is one of ours (anything else is ignored). */
export function customerOf(request: Request): string | undefined {
  const value = readCookie(request, CUSTOMER_COOKIE);
  return value !== undefined && CUSTOMER_ID_PATTERN.test(value) ? value : undefined;
}

export function rememberCustomer(request: Request, response: Response, customerId: string): void {
  response.cookie(CUSTOMER_COOKIE, customerId, {
    httpOnly: true, sameSite: 'lax', secure: request.secure, path: '/', maxAge: CUSTOMER_COOKIE_MAX_AGE_MS,
  });
}
