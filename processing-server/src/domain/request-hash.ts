/**
 * The identity of an idempotent create request: what "the same request" means when a key is
 * repeated (a repeat with the same key and the same request replays the first answer).
 *
 * It covers everything the caller sent except its secrets: the CVV (and a points PIN, which
 * will travel as `points.pin`). A hash stored beside the card data, keyed or not, that covered a
 * CVV could be tested against its 1,000 values by anyone holding the vault key; so a secret is
 * left out of the view before anything is hashed, and a repeat that differs only in its CVV is
 * the same request (it replays the first answer; the CVV was checked when the card was charged).
 * Nor does it cover where the shopper is sent back to after 3-D Secure (`returnUrl`).
 */
import { normalizeCardNumber } from '../../../shared/cards.ts';
import type { CardVault } from './ports/vault.ts';

/** [object, field] pairs never part of a request's identity. */
export const SECRET_FIELDS: ReadonlyArray<readonly [object: string, field: string]> = [['card', 'cvv'], ['points', 'pin']];

/**
 * Top-level fields that say where to send the shopper, not what to charge: a repeat of a checkout
 * that reaches another front end (another UI server instance, with its own address) carries
 * another `returnUrl`, and is still the same payment.
 */
export const ROUTING_FIELDS: readonly string[] = ['returnUrl'];

type RequestView = Record<string, unknown>;

function withoutField(value: unknown, field: string): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const { [field]: _secret, ...rest } = value as Record<string, unknown>;
  return rest;
}

/** The request as it is hashed: secrets left out, the card number as its digits only. */
export function identityView(request: RequestView): RequestView {
  const view: RequestView = { ...request };
  const card = view.card as { number?: unknown } | undefined;
  if (card && typeof card.number === 'string') view.card = { ...card, number: normalizeCardNumber(card.number) };
  for (const [object, field] of SECRET_FIELDS) {
    if (object in view) view[object] = withoutField(view[object], field);
  }
  for (const field of ROUTING_FIELDS) delete view[field];
  return view;
}

/** Keyed, because the view still holds the card number: a plain hash of one can be reversed. */
export function hashRequest(vault: Pick<CardVault, 'keyedHash'>, request: RequestView): string {
  return vault.keyedHash(JSON.stringify(identityView(request)));
}
