/**
 * Redaction of a log line, as the logger writes it (one JSON object per line): the value of every
 * key that names a secret, at any depth, becomes "[redacted]", whatever its type (a string, a
 * number, an object, an array). Keys are compared without regard to case.
 *
 * It works on the finished line rather than on the logged object, so it also covers what the
 * serializers add (an axios error's `config.data`, headers) and a child logger's bindings, and it
 * costs one regular-expression test for a line that holds no such key. (pino's own path-based
 * redaction needs wildcard paths such as `*.*.card.number` to reach secrets anywhere; with them
 * every line cost 10 to 20 times more than without: up to 70 µs for a request's access line.)
 */

/** Keys whose values never reach a log line: card data, points PINs, credentials. */
export const SECRET_KEYS: readonly string[] = ['number', 'cvv', 'cardNumber', 'pin', 'pointsPin', 'authorization', 'cookie', 'set-cookie'];

/** Keys that are secret under a given parent: the body of an outbound call (an axios error's `config.data`, `request.data`). */
export const SECRET_KEYS_UNDER: Readonly<Record<string, readonly string[]>> = { data: ['config', 'request'] };

export const REDACTED = '[redacted]';

const secretKeys = new Set(SECRET_KEYS.map((key) => key.toLowerCase()));
const secretParents = new Map(Object.entries(SECRET_KEYS_UNDER).map(([key, parents]) => [key.toLowerCase(), new Set(parents.map((parent) => parent.toLowerCase()))]));
const escapeForPattern = (key: string) => key.replace(/[-/\\^$*+?.()|[\]{}]/g, '\\$&');
/** A line that matches none of these keys is written as it is. */
const MAY_HOLD_SECRETS = new RegExp(`"(?:${[...secretKeys, ...secretParents.keys()].map(escapeForPattern).join('|')})"\\s*:`, 'i');
const REDACTED_JSON = JSON.stringify(REDACTED);

/** The index just after the JSON string that starts at `start` (its opening quote). */
function stringEnd(json: string, start: number): number {
  for (let index = start + 1; index < json.length; index += 1) {
    const character = json[index];
    if (character === '\\') index += 1;
    else if (character === '"') return index + 1;
  }
  return json.length;
}

/** The index just after the JSON value that starts at `start`. */
function valueEnd(json: string, start: number): number {
  const first = json[start];
  if (first === '"') return stringEnd(json, start);
  if (first !== '{' && first !== '[') {
    let index = start;
    while (index < json.length && !',}] \n'.includes(json[index]!)) index += 1;
    return index;
  }
  let depth = 0;
  for (let index = start; index < json.length; index += 1) {
    const character = json[index];
    if (character === '"') index = stringEnd(json, index) - 1;
    else if (character === '{' || character === '[') depth += 1;
    else if ((character === '}' || character === ']') && (depth -= 1) === 0) return index + 1;
  }
  return json.length;
}

function skipSpaces(json: string, start: number): number {
  let index = start;
  while (json[index] === ' ' || json[index] === '\n' || json[index] === '\t' || json[index] === '\r') index += 1;
  return index;
}

function isSecret(key: string, parent: string | null | undefined): boolean {
  const name = key.toLowerCase();
  return secretKeys.has(name) || (parent != null && (secretParents.get(name)?.has(parent.toLowerCase()) ?? false));
}

/** The line with the value of every secret key replaced by "[redacted]". */
export function redactLine(json: string): string {
  if (!MAY_HOLD_SECRETS.test(json)) return json;
  let redacted = '';
  let copiedUpTo = 0;
  // The key under which each open object or array sits (null at the top and in arrays).
  const parents: Array<string | null> = [];
  let key: string | null = null;
  let index = 0;
  while (index < json.length) {
    const character = json[index];
    if (character === '"') {
      const end = stringEnd(json, index);
      const colon = skipSpaces(json, end);
      if (json[colon] !== ':') {
        index = end;
        continue;
      }
      const raw = json.slice(index + 1, end - 1);
      key = raw.includes('\\') ? String(JSON.parse(json.slice(index, end))) : raw;
      const value = skipSpaces(json, colon + 1);
      if (isSecret(key, parents.at(-1))) {
        redacted += json.slice(copiedUpTo, value) + REDACTED_JSON;
        copiedUpTo = valueEnd(json, value);
        index = copiedUpTo;
      } else {
        index = value;
      }
      continue;
    }
    if (character === '{' || character === '[') {
      parents.push(key);
      key = null;
    } else if (character === '}' || character === ']') {
      parents.pop();
    }
    index += 1;
  }
  return redacted + json.slice(copiedUpTo);
}
