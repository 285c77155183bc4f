/**
 * The card vault's store port: saved cards, the data keys they are sealed under, and the
 * idempotency records of card creations, kept apart from payments (on SQLite a file of its own,
 * on PostgreSQL tables of their own). SQLite and PostgreSQL implement it with the same answers.
 *
 * As for payments, the store keeps and the vault decides: the store offers atomic primitives
 * (insert-if-absent of the active key and of a request's key, insert of a card only under a key
 * that is still active, compare-and-set when a card is sealed again, destruction of a key no card
 * uses) and plain reads; every method takes and returns plain, structured-clonable data.
 *
 * Every change to a saved card goes through `cards.insert` and `cards.erase`.
 */
import type { CardBrand } from '../../../shared/cards.ts';
import type { WrappedDataKey } from './envelope.ts';

export type DataKeyState = 'active' | 'retiring' | 'destroyed';

export interface DataKeyRecord {
  id: string;
  state: DataKeyState;
  /** Null once the key is destroyed: its wrapped bytes are erased. */
  wrapped: string | null;
  createdAt: string;
  destroyedAt: string | null;
}

/** What anyone may see of a saved card: never the number, sealed or not. */
export interface CardRecord {
  id: string;
  customerId: string | null;
  brand: CardBrand;
  last4: string;
  expMonth: number;
  expYear: number;
  holderName: string;
  createdAt: string;
  /** Set once the card is deleted; its number is then erased. */
  deletedAt: string | null;
}

/** A card to keep: its public fields, its number sealed under `keyId`, and its fingerprint. */
export interface NewCard extends Omit<CardRecord, 'deletedAt'> {
  keyId: string;
  sealed: string;
  /** The keyed fingerprint payments use for the spending limit (not rotated with the data keys). */
  fingerprint: string;
}

/** A live card with its sealed number and the wrapped data key that opens it. */
export interface SealedCard extends CardRecord {
  sealed: string;
  key: WrappedDataKey;
}

export type InsertCardResult =
  | { kind: 'inserted'; card: CardRecord }
  /** The customer already keeps this card (same fingerprint and expiry): that card, nothing new stored. */
  | { kind: 'existing'; card: CardRecord }
  /** The key the number was sealed under is no longer the active one (a rotation began): seal it again. */
  | { kind: 'key_not_active' }
  /** The request's claim is no longer in flight for this card (another request took over an abandoned claim): nothing stored. */
  | { kind: 'claim_lost' };

export interface InsertCardCommand {
  card: NewCard;
  /** The creation request's key, claimed for `card.id`: completed with the resulting card in the same transaction. */
  requestKey: string;
}

/** One card sealed again under the active key, if it is still sealed under `fromKeyId`. */
export interface ResealedCard {
  id: string;
  fromKeyId: string;
  sealed: string;
}

export interface CardRepository {
  insert(command: InsertCardCommand): Promise<InsertCardResult>;
  /** Any card, a deleted one too (its number erased). */
  get(id: string): Promise<CardRecord | null>;
  /** A live card with its sealed number and its key, or null when there is none (or it is deleted). */
  open(id: string): Promise<SealedCard | null>;
  /** A customer's live cards, newest first, at most `limit`. */
  listOfCustomer(customerId: string, limit: number): Promise<CardRecord[]>;
  /** Marks the card deleted and erases its number (and its key reference and fingerprint); false when there was no live card. */
  erase(command: { id: string; now: string }): Promise<boolean>;
  /** Live cards sealed under a retiring key, at most `limit`, with their keys. */
  underRetiringKeys(limit: number): Promise<SealedCard[]>;
  /**
   * In one transaction, each card sealed again under `toKeyId` (which must still be active), when
   * it is still live and sealed under its `fromKeyId`; answers how many were changed.
   */
  reseal(command: { toKeyId: string; cards: ResealedCard[] }): Promise<number>;
  /** Live cards per data key id. */
  countByKey(): Promise<Record<string, number>>;
}

export interface RotationStart {
  /** `started`: the candidate is now active and the former active key retiring; `resumed`: a rotation was already under way. */
  kind: 'started' | 'resumed';
  active: WrappedDataKey;
}

export interface KeyRepository {
  /** The active data key; when there is none, `candidate` becomes it (of concurrent candidates, one wins). */
  activeOrInsert(candidate: WrappedDataKey & { createdAt: string }): Promise<WrappedDataKey>;
  /**
   * A rotation begins or goes on: while a key is retiring, nothing changes (`resumed`);
   * otherwise, in one transaction, the active key (if any) becomes retiring and `candidate` active.
   */
  beginRotation(candidate: WrappedDataKey & { createdAt: string }): Promise<RotationStart>;
  /** Every retiring key no live card is sealed under is destroyed (its wrapped bytes erased); their ids. */
  destroyRetired(command: { now: string }): Promise<string[]>;
  list(): Promise<DataKeyRecord[]>;
}

/** The idempotency record of a card creation; `cardId` is the card it made, or will make while in flight. */
export interface CardRequestRecord {
  key: string;
  requestHash: string;
  cardId: string;
  completed: boolean;
  createdAt: string;
}

export type ClaimResult =
  | { kind: 'claimed' }
  | { kind: 'existing'; record: CardRequestRecord };

export interface CardRequestRepository {
  /** Insert-if-absent of the key, in flight for `cardId`; the existing record when the key is taken. */
  claim(record: Omit<CardRequestRecord, 'completed'>): Promise<ClaimResult>;
  /** Takes over an abandoned claim (in flight, still created at `staleCreatedAt`); false when someone else did first. */
  takeOver(command: { key: string; staleCreatedAt: string; cardId: string; createdAt: string }): Promise<boolean>;
  /** Forgets a claim still in flight for `cardId` (the card was not saved: nothing is kept). */
  release(command: { key: string; cardId: string }): Promise<void>;
}

export interface VaultStore {
  cards: CardRepository;
  keys: KeyRepository;
  requests: CardRequestRepository;
  /** For the start-up log line (no credentials). */
  description: string;
  ping(): Promise<void>;
  close(): Promise<void>;
}
