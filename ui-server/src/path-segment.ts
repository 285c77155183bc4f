/**
 * Ids in the paths the UI server calls on the processing server. An id is percent-encoded, so a
 * `/`, `?` or `#` in it stays inside its one segment. `.` and `..` cannot be encoded away: URL
 * parsers (axios's included) treat them, and their %2e spellings, as "this level" and "one level
 * up", so `/v1/payments/.` would become `/v1/payments/`, the payment LIST. An id that is empty or
 * a dot segment therefore names nothing, and callers answer "not found" without a call.
 */
export function pathSegment(id: string): string | undefined {
  if (id === '' || id === '.' || id === '..') return undefined;
  return encodeURIComponent(id);
}

/** The processing server's payment ids: `pay_` and letters or digits (UUIDv7 hex today). */
export const PAYMENT_ID_PATTERN = /^pay_[A-Za-z0-9]{1,64}$/;
