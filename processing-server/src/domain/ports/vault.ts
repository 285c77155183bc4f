/**
 * The vault port: what the domain needs to keep card data safe without knowing how. The full
 * number is kept only sealed (encrypted, bound to its payment); a card or points account is
 * recognized by a keyed fingerprint, never by its number.
 */
export interface CardVault {
  /** The number sealed, bound to `boundTo` (the payment id): a ciphertext moved to another row does not open. */
  encrypt(cardNumber: string, boundTo: string): string;
  decrypt(sealed: string, boundTo: string): string;
  /** Keyed fingerprint of a card number: identifies the card for the spending limit. */
  fingerprint(cardNumber: string): string;
  /** Keyed hash of any text (idempotency request bodies, which contain card data; points accounts). */
  keyedHash(text: string): string;
}
