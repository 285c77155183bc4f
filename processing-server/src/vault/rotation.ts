/**
 * Rotation of the vault's data key (`npm run rotate-vault-key`): a new data key becomes active,
 * every saved number is sealed again under it in bounded batches (each batch one transaction),
 * and once no card is sealed under an old key any more, that key is destroyed: its wrapped bytes
 * are erased, so nothing sealed under it (a backup, a copy left in free space) can be opened.
 *
 * Safe to interrupt and to run again: a batch either commits whole or not at all, each card is
 * moved by compare-and-set (still under its old key), and a run that finds a rotation under way
 * (a key still retiring) goes on with it instead of starting another. Cards saved meanwhile are
 * sealed under the new key already; cards deleted meanwhile are simply skipped.
 *
 * The fingerprint key (the HMAC that identifies a card for the spending limit) is not rotated:
 * a new fingerprint for the same card would start its spending history afresh, and every
 * payment of the last day would stop counting against the limit.
 */
import type { DataKey, Envelope } from './envelope.ts';
import type { ResealedCard, SealedCard, VaultStore } from './store.ts';

export const ROTATION_BATCH_SIZE_DEFAULT = 500;
export const ROTATION_BATCH_SIZE_MAX = 10_000;

export interface RotationDeps {
  store: VaultStore;
  envelope: Envelope;
  clock: () => Date;
}

export interface RotationStarted {
  /** `started`: a new key was made active now; `resumed`: a rotation under way goes on. */
  kind: 'started' | 'resumed';
  activeKeyId: string;
  /** Live cards still sealed under an older key when this run began. */
  cardsToReseal: number;
}

export interface RotationProgress {
  batchesDone: number;
  cardsResealed: number;
  cardsToReseal: number;
  activeKeyId: string;
}

export interface RotationOptions {
  batchSizeMax?: number;
  /** Stop after this many batches (the rest is left for the next run). */
  batchesMax?: number;
  /** Aborting stops the run between two batches. */
  signal?: AbortSignal;
  onStarted?: (started: RotationStarted) => void;
  onProgress?: (progress: RotationProgress) => void;
}

export type RotationResult =
  | { kind: 'completed'; activeKeyId: string; cardsResealed: number; destroyedKeyIds: string[] }
  /** Stopped before every card was sealed again (batchesMax, or a signal): run again to go on. */
  | { kind: 'stopped'; activeKeyId: string; cardsResealed: number };

/** Each card of the batch opened with its old key and sealed under `active`; each old key unwrapped once. */
function resealBatch(envelope: Envelope, active: DataKey, batch: SealedCard[]): ResealedCard[] {
  const oldKeys = new Map<string, DataKey>();
  return batch.map((card) => {
    let oldKey = oldKeys.get(card.key.id);
    if (!oldKey) {
      oldKey = envelope.unwrap(card.key);
      oldKeys.set(card.key.id, oldKey);
    }
    const number = envelope.open(oldKey, card.sealed, card.id);
    return { id: card.id, fromKeyId: card.key.id, sealed: envelope.seal(active, number, card.id) };
  });
}

export async function rotateVaultKey(deps: RotationDeps, options: RotationOptions = {}): Promise<RotationResult> {
  const { store, envelope } = deps;
  const batchSizeMax = Math.min(Math.max(1, options.batchSizeMax ?? ROTATION_BATCH_SIZE_DEFAULT), ROTATION_BATCH_SIZE_MAX);
  const candidate = envelope.newDataKey();
  const start = await store.keys.beginRotation({ ...candidate.stored, createdAt: deps.clock().toISOString() });
  const active = start.kind === 'started' ? candidate.dataKey : envelope.unwrap(start.active);
  const counts = await store.cards.countByKey();
  const cardsToReseal = Object.entries(counts).filter(([keyId]) => keyId !== active.id).reduce((sum, [, cards]) => sum + cards, 0);
  options.onStarted?.({ kind: start.kind, activeKeyId: active.id, cardsToReseal });

  // Cards only ever leave the retiring keys (new ones are sealed under the active key), so this
  // many batches are enough; the bound keeps a misbehaving store from looping forever.
  const batchesBound = Math.ceil(cardsToReseal / batchSizeMax) + 1;
  let batchesDone = 0;
  let cardsResealed = 0;
  while (batchesDone < batchesBound && batchesDone < (options.batchesMax ?? Infinity) && !options.signal?.aborted) {
    const batch = await store.cards.underRetiringKeys(batchSizeMax);
    if (batch.length === 0) break;
    cardsResealed += await store.cards.reseal({ toKeyId: active.id, cards: resealBatch(envelope, active, batch) });
    batchesDone += 1;
    options.onProgress?.({ batchesDone, cardsResealed, cardsToReseal, activeKeyId: active.id });
  }
  if ((await store.cards.underRetiringKeys(1)).length > 0) return { kind: 'stopped', activeKeyId: active.id, cardsResealed };
  const destroyedKeyIds = await store.keys.destroyRetired({ now: deps.clock().toISOString() });
  return { kind: 'completed', activeKeyId: active.id, cardsResealed, destroyedKeyIds };
}
