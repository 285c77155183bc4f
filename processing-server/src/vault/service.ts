/**
 * The card vault as a service inside the processing server: it saves a card after the card
 * company verified it without charging it, shows saved cards (never their numbers), deletes them
 * (erasing the number), and opens one for a payment. Card numbers are kept only sealed under
 * the vault's data keys (envelope.ts), in the vault's own store (store.ts), apart from payments.
 *
 * Saving is idempotent by the request's key, like a payment: the key is claimed with the card id
 * the verification will use as its reference, so a repeat replays the saved card, a repeat in
 * flight is told so, and the same key with another card is refused. The CVV is checked by the
 * card company, never kept, and not part of the request's identity. A card that fails
 * verification, or whose verification gets no answer, leaves nothing behind: the claim is
 * released and no card is stored.
 *
 * Every change to a saved card goes through `save` and `remove` (and the store's `cards.insert`
 * and `cards.erase` under them).
 */
import { checkCard, detectBrand, last4, normalizeCardNumber } from '../../../shared/cards.ts';
import type { SaveCardRequest, SavedCard } from '../../../shared/contracts/processing.ts';
import type { Logger } from '../../../shared/logger.ts';
import type { Currency } from '../../../shared/money.ts';
import { v7 as uuidv7 } from 'uuid';
import { cardNotFound, DomainError } from '../domain/errors.ts';
import type { CardInstrument, CallContext, VerifyCommand, VerifyOutcome } from '../domain/ports/provider.ts';
import type { OpenedCard, SavedCards } from '../domain/ports/saved-cards.ts';
import type { CardVault } from '../domain/ports/vault.ts';
import { hashRequest } from '../domain/request-hash.ts';
import type { DataKey, Envelope } from './envelope.ts';
import type { CardRecord, NewCard, VaultStore } from './store.ts';

/**
 * A verification holds nothing, so its currency does not matter to the shopper; the card company
 * asks for one all the same.
 */
export const VERIFICATION_CURRENCY: Currency = 'USD';
/** A creation still in flight after this long is taken to be abandoned (its process died); a repeat takes it over. */
export const CLAIM_ABANDONED_AFTER_MS = 60_000;
/** A customer's cards listed at most. */
export const CUSTOMER_CARDS_MAX = 100;
/** Tries to seal under the active key while rotations keep replacing it. */
const SEAL_ATTEMPTS_MAX = 3;

export interface CardVerifier {
  verify(command: VerifyCommand, context: CallContext): Promise<VerifyOutcome>;
}

export interface VaultServiceDeps {
  store: VaultStore;
  envelope: Envelope;
  /** The payments' keyed fingerprint and hash: a saved card counts against the limit as the typed card does. */
  cardVault: Pick<CardVault, 'fingerprint' | 'keyedHash'>;
  verifier: CardVerifier;
  clock: () => Date;
  logger: Logger;
}

export interface SaveCardInput {
  request: SaveCardRequest;
  idempotencyKey: string;
  requestId?: string | undefined;
}

export interface SaveCardResult {
  card: SavedCard;
  /** True when this is the card an earlier request with the same key saved. */
  replayed: boolean;
}

export interface VaultService extends SavedCards {
  save(input: SaveCardInput, logger?: Logger): Promise<SaveCardResult>;
  get(cardId: string): Promise<SavedCard>;
  listOfCustomer(customerId: string): Promise<SavedCard[]>;
  /** Deletes the card and erases its number; payments made with it keep their masked card. */
  remove(cardId: string, logger?: Logger): Promise<void>;
  /** Readiness: the vault's store answers. */
  ping(): Promise<void>;
}

export function newCardId(): string {
  return `card_${uuidv7().replaceAll('-', '')}`;
}

export function toPublicCard(card: CardRecord): SavedCard {
  return {
    id: card.id, brand: card.brand, last4: card.last4, expMonth: card.expMonth, expYear: card.expYear,
    holderName: card.holderName, customerId: card.customerId, createdAt: card.createdAt,
  };
}

export function createVaultService(deps: VaultServiceDeps): VaultService {
  const { store, envelope } = deps;

  async function activeDataKey(): Promise<DataKey> {
    const candidate = envelope.newDataKey();
    const active = await store.keys.activeOrInsert({ ...candidate.stored, createdAt: deps.clock().toISOString() });
    return active.id === candidate.dataKey.id ? candidate.dataKey : envelope.unwrap(active);
  }

  /** The request's key claimed for `cardId`, or the earlier request's card when it is a repeat. */
  async function claim(key: string, requestHash: string, cardId: string): Promise<CardRecord | null> {
    const now = deps.clock();
    const claimed = await store.requests.claim({ key, requestHash, cardId, createdAt: now.toISOString() });
    if (claimed.kind === 'claimed') return null;
    const { record } = claimed;
    if (record.requestHash !== requestHash) {
      throw new DomainError({ code: 'idempotency_key_reused', message: 'This Idempotency-Key was already used for a different card; use a new key to save another card.' });
    }
    if (record.completed) {
      const card = await store.cards.get(record.cardId);
      if (!card) throw new Error(`the card ${record.cardId} saved for key ${key} is missing`);
      return card;
    }
    const abandoned = now.getTime() - Date.parse(record.createdAt) >= CLAIM_ABANDONED_AFTER_MS;
    if (abandoned && await store.requests.takeOver({ key, staleCreatedAt: record.createdAt, cardId, createdAt: now.toISOString() })) return null;
    throw new DomainError({
      code: 'idempotency_key_in_flight', message: 'A request with this Idempotency-Key is still being processed; repeat it later for the final answer.',
      details: { cardId: record.cardId },
    });
  }

  /** The verified card sealed under the active key and stored; sealed again if a rotation replaced the key meanwhile. */
  async function keep(card: Omit<NewCard, 'keyId' | 'sealed'>, number: string, requestKey: string): Promise<CardRecord> {
    for (let attempt = 1; attempt <= SEAL_ATTEMPTS_MAX; attempt += 1) {
      const dataKey = await activeDataKey();
      const result = await store.cards.insert({ card: { ...card, keyId: dataKey.id, sealed: envelope.seal(dataKey, number, card.id) }, requestKey });
      if (result.kind === 'inserted' || result.kind === 'existing') return result.card;
      if (result.kind === 'claim_lost') {
        throw new DomainError({
          code: 'idempotency_key_in_flight', message: 'Another request with this Idempotency-Key took this card over; repeat it for the final answer.',
        });
      }
    }
    throw new Error(`the active data key changed ${SEAL_ATTEMPTS_MAX} times while card ${card.id} was being saved`);
  }

  function refused(outcome: Exclude<VerifyOutcome, { kind: 'verified' }>): DomainError {
    if (outcome.kind === 'declined') {
      return new DomainError({
        code: 'card_declined', message: `The card company declined the card (${outcome.decline.code}); it was not saved.`,
        details: { decline: outcome.decline },
      });
    }
    return new DomainError({ code: 'provider_unavailable', message: 'The card company could not be reached to verify the card; it was not saved. Try again later.' });
  }

  return {
    async save(input, logger = deps.logger) {
      const { request } = input;
      const problems = checkCard(request.card, deps.clock(), { requireHolderName: true });
      if (problems.length > 0) throw new DomainError({ code: 'invalid_card', message: 'The card cannot be saved.', problems });
      const number = normalizeCardNumber(request.card.number);
      const cardId = newCardId();
      const earlier = await claim(input.idempotencyKey, hashRequest(deps.cardVault, request), cardId);
      if (earlier) return { card: toPublicCard(earlier), replayed: true };

      const card: CardInstrument = { method: 'card', number, expMonth: request.card.expMonth, expYear: request.card.expYear, cvv: request.card.cvv };
      let outcome: VerifyOutcome;
      try {
        outcome = await deps.verifier.verify({ merchantReference: cardId, currency: VERIFICATION_CURRENCY, card }, { requestId: input.requestId });
      } catch (error) {
        await store.requests.release({ key: input.idempotencyKey, cardId });
        throw error;
      }
      if (outcome.kind !== 'verified') {
        await store.requests.release({ key: input.idempotencyKey, cardId });
        logger.info({ cardId, outcome: outcome.kind, declineCode: outcome.kind === 'declined' ? outcome.decline.code : undefined }, 'card not saved');
        throw refused(outcome);
      }
      const kept = await keep({
        id: cardId, customerId: request.customerId ?? null, fingerprint: deps.cardVault.fingerprint(number), brand: detectBrand(number),
        last4: last4(number), expMonth: request.card.expMonth, expYear: request.card.expYear, holderName: request.card.holderName,
        createdAt: deps.clock().toISOString(),
      }, number, input.idempotencyKey);
      logger.info({ cardId: kept.id, customerId: kept.customerId, alreadySaved: kept.id !== cardId }, 'card saved');
      return { card: toPublicCard(kept), replayed: false };
    },

    async get(cardId) {
      const card = await store.cards.get(cardId);
      if (!card || card.deletedAt !== null) throw cardNotFound(cardId);
      return toPublicCard(card);
    },

    async listOfCustomer(customerId) {
      return (await store.cards.listOfCustomer(customerId, CUSTOMER_CARDS_MAX)).map(toPublicCard);
    },

    async remove(cardId, logger = deps.logger) {
      if (!await store.cards.erase({ id: cardId, now: deps.clock().toISOString() })) throw cardNotFound(cardId);
      logger.info({ cardId }, 'card deleted: its number is erased');
    },

    ping: () => store.ping(),

    async open(cardId): Promise<OpenedCard | null> {
      const sealed = await store.cards.open(cardId);
      if (!sealed) return null;
      const number = envelope.open(envelope.unwrap(sealed.key), sealed.sealed, sealed.id);
      return {
        id: sealed.id, customerId: sealed.customerId, number, expMonth: sealed.expMonth, expYear: sealed.expYear,
        holderName: sealed.holderName, brand: sealed.brand, last4: sealed.last4,
      };
    },
  };
}
