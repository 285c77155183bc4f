/**
 * The checkout page is public/payment.html, served through a route that writes a fresh
 * idempotency key into its hidden input. That way a shopper without JavaScript still posts
 * a key, and a double submit of one page load is one payment.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { escapeHtml } from './html.ts';

/** The exact markup of the empty hidden input in payment.html that receives the key. */
export const IDEMPOTENCY_KEY_SLOT = 'name="idempotencyKey" value=""';

export interface CheckoutPage {
  render(idempotencyKey?: string): string;
}

export function loadCheckoutPage(publicDir: string): CheckoutPage {
  const file = path.join(publicDir, 'payment.html');
  const template = readFileSync(file, 'utf8');
  const at = template.indexOf(IDEMPOTENCY_KEY_SLOT);
  // Fail at start-up, not at the first shopper: a page without the slot would post no key.
  if (at === -1 || template.indexOf(IDEMPOTENCY_KEY_SLOT, at + 1) !== -1) {
    throw new Error(`${file} must contain ${IDEMPOTENCY_KEY_SLOT} exactly once`);
  }
  const before = template.slice(0, at);
  const after = template.slice(at + IDEMPOTENCY_KEY_SLOT.length);
  return {
    render(idempotencyKey = randomUUID()) {
      return `${before}name="idempotencyKey" value="${escapeHtml(idempotencyKey)}"${after}`;
    },
  };
}
