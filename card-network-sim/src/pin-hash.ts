/**
 * Points PINs are kept only as salted scrypt hashes, each with its own random salt and with
 * its cost parameters written beside it (`scrypt:<log2 N>:<r>:<p>:<salt>:<key>`), so that a
 * later, higher cost leaves older hashes verifiable. Comparison is constant-time.
 */
import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

export interface PinHashCost {
  log2N: number;
  blockSize: number;
  parallelization: number;
}

/** N = 2^14, r = 8, p = 1: about 40 ms a hash on one core, run off the event loop when verifying. */
export const PIN_HASH_COST: PinHashCost = { log2N: 14, blockSize: 8, parallelization: 1 };

const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** A stored hash asking for more than this is refused rather than allowed to stall the process. */
const LOG2_N_MAX = 20;

interface ParsedHash {
  cost: PinHashCost;
  salt: Buffer;
  key: Buffer;
}

function scryptOptions(cost: PinHashCost) {
  const N = 2 ** cost.log2N;
  // scrypt needs 128 · N · r bytes; the default cap (32 MiB) would refuse the higher costs.
  return { N, r: cost.blockSize, p: cost.parallelization, maxmem: 256 * N * cost.blockSize };
}

/** Hashes a PIN synchronously: used when accounts are seeded, never on a request. */
export function hashPin(pin: string, cost: PinHashCost = PIN_HASH_COST): string {
  const salt = randomBytes(SALT_BYTES);
  const key = scryptSync(pin, salt, KEY_BYTES, scryptOptions(cost));
  return ['scrypt', cost.log2N, cost.blockSize, cost.parallelization, salt.toString('base64'), key.toString('base64')].join(':');
}

function parseHash(stored: string): ParsedHash {
  const [scheme, log2N, blockSize, parallelization, salt, key] = stored.split(':');
  const cost = { log2N: Number(log2N), blockSize: Number(blockSize), parallelization: Number(parallelization) };
  const valid = scheme === 'scrypt' && Number.isInteger(cost.log2N) && cost.log2N >= 1 && cost.log2N <= LOG2_N_MAX
    && Number.isInteger(cost.blockSize) && cost.blockSize >= 1 && cost.blockSize <= 32
    && Number.isInteger(cost.parallelization) && cost.parallelization >= 1 && cost.parallelization <= 4
    && salt !== undefined && key !== undefined;
  if (!valid) throw new Error('a stored PIN hash is malformed');
  return { cost, salt: Buffer.from(salt, 'base64'), key: Buffer.from(key, 'base64') };
}

/** Hashes a PIN on the thread pool, for an account opened while the simulator serves requests. */
export async function hashPinOffThread(pin: string, cost: PinHashCost = PIN_HASH_COST): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await new Promise<Buffer>((resolve, reject) => {
    scrypt(pin, salt, KEY_BYTES, scryptOptions(cost), (error, derived) => (error ? reject(error) : resolve(derived)));
  });
  return ['scrypt', cost.log2N, cost.blockSize, cost.parallelization, salt.toString('base64'), key.toString('base64')].join(':');
}

/** True when `pin` is the one hashed in `stored`; scrypt runs on the thread pool, not the event loop. */
export async function pinMatches(pin: string, stored: string): Promise<boolean> {
  const { cost, salt, key } = parseHash(stored);
  const candidate = await new Promise<Buffer>((resolve, reject) => {
    scrypt(pin, salt, key.length, scryptOptions(cost), (error, derived) => (error ? reject(error) : resolve(derived)));
  });
  return candidate.length === key.length && timingSafeEqual(candidate, key);
}
