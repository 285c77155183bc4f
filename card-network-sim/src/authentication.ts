/**
 * 3-D Secure at the card issuers (the access control server): which cards ask for it, the
 * authentication of one payment, the shopper's answer to a challenge, and whether an
 * authentication covers an authorization. No HTTP here.
 */
import { detectBrand, last4, luhnValid } from '../../shared/cards.ts';
import { AppError, notFound, validationError } from '../../shared/errors.ts';
import type {
  Authentication, AuthenticationRequest, AuthenticationResponse, AuthenticationStatus, CardAuthorizationRequest,
} from '../../shared/contracts/network.ts';
import type { CardFingerprinter } from './card-fingerprint.ts';
import { newId } from './holds.ts';
import type { AuthenticationRow } from './storage/authentication-store.ts';
import type { NetworkStore } from './storage/store.ts';

/** The test cards enrolled in 3-D Secure; every other card is treated as authenticated without a challenge. */
export const THREE_DS_CARDS: ReadonlyMap<string, 'challenge' | 'frictionless'> = new Map([
  ['4000000000003220', 'challenge'],
  ['4000000000003063', 'frictionless'],
]);

/** The one-time code the challenge card's issuer accepts (a test issuer: it is published). */
export const CHALLENGE_CODE = '123456';

export const CHALLENGE_PATH = '/3ds/challenge';

export interface AuthenticationDeps {
  store: NetworkStore;
  clock: () => Date;
  fingerprintCard: CardFingerprinter;
  /** Where the shopper's browser reaches this process, without a trailing slash. */
  publicUrl: () => string;
}

export interface AuthenticationOutcome {
  response: AuthenticationResponse;
  /** False when a repeat of the merchantReference answered the stored authentication. */
  created: boolean;
}

/** The shopper's answer on the challenge page. */
export interface ChallengeAnswer {
  code: string | undefined;
  cancelled: boolean;
}

export function requiresAuthentication(cardNumber: string): boolean {
  return THREE_DS_CARDS.has(cardNumber);
}

/**
 * True when an authentication lets this authorization through: authenticated, for the same
 * payment (merchantReference), card and currency, and for at least the amount asked now.
 */
export function authenticationCovers(
  authentication: AuthenticationRow | undefined, request: CardAuthorizationRequest, cardFingerprint: string,
): boolean {
  return authentication !== undefined
    && authentication.status === 'authenticated'
    && authentication.merchantReference === request.merchantReference
    && authentication.cardFingerprint === cardFingerprint
    && authentication.currency === request.currency
    && request.amount <= authentication.amount;
}

export class AccessControlServer {
  readonly #deps: AuthenticationDeps;

  constructor(deps: AuthenticationDeps) {
    this.#deps = deps;
  }

  /**
   * Starts (or, for a repeat of the merchantReference with the same details, answers again) the
   * authentication of one payment: a challenge for the challenge card, authenticated at once
   * for every other card.
   */
  authenticate(request: AuthenticationRequest): AuthenticationOutcome {
    const { number } = request.card;
    if (!luhnValid(number)) throw validationError([{ field: 'card.number', message: 'is not a valid card number (Luhn check)' }]);
    const { store } = this.#deps;
    const cardFingerprint = this.#deps.fingerprintCard(number);
    return store.transaction(() => {
      const existing = store.authentications.findByReference(request.merchantReference);
      if (existing) {
        const same = existing.amount === request.amount && existing.currency === request.currency
          && existing.cardFingerprint === cardFingerprint && existing.returnUrl === request.returnUrl;
        if (!same) {
          throw new AppError({
            code: 'merchant_reference_reused',
            status: 409,
            message: `merchantReference ${request.merchantReference} was already authenticated with a different amount, currency, card or returnUrl.`,
          });
        }
        return { response: this.#response(existing), created: false };
      }
      const nowMs = this.#deps.clock().getTime();
      const id = newId('3ds');
      store.authentications.insert({
        id,
        merchantReference: request.merchantReference,
        cardFingerprint,
        cardBrand: detectBrand(number),
        cardLast4: last4(number),
        amount: request.amount,
        currency: request.currency,
        returnUrl: request.returnUrl,
        merchantName: request.merchantName ?? new URL(request.returnUrl).host,
        status: THREE_DS_CARDS.get(number) === 'challenge' ? 'challenge_required' : 'authenticated',
        createdAtMs: nowMs,
      });
      return { response: this.#response(this.#row(id)), created: true };
    });
  }

  find(id: string): Authentication {
    const row = this.#row(id);
    return {
      authenticationId: row.id,
      merchantReference: row.merchantReference,
      status: row.status,
      amount: row.amount,
      currency: row.currency,
      createdAt: new Date(row.createdAtMs).toISOString(),
      updatedAt: new Date(row.updatedAtMs).toISOString(),
    };
  }

  /** The authentication behind a challenge page, if there is one. */
  challenge(id: string): AuthenticationRow | undefined {
    return this.#deps.store.authentications.findById(id);
  }

  /**
   * Decides an open challenge once: authenticated for the right code, failed for any other code
   * or a cancel. A decided authentication is never changed again; it is answered as it is.
   * Undefined when there is no such authentication.
   */
  answerChallenge(id: string, answer: ChallengeAnswer): { row: AuthenticationRow; decidedNow: boolean } | undefined {
    const { store } = this.#deps;
    return store.transaction(() => {
      const row = store.authentications.findById(id);
      if (!row || row.status !== 'challenge_required') return row && { row, decidedNow: false };
      const status: AuthenticationStatus = !answer.cancelled && answer.code === CHALLENGE_CODE ? 'authenticated' : 'failed';
      const decidedNow = store.authentications.decideChallenge(id, status, this.#deps.clock().getTime());
      return { row: this.#row(id), decidedNow };
    });
  }

  challengeUrl(id: string): string {
    return `${this.#deps.publicUrl()}${CHALLENGE_PATH}/${encodeURIComponent(id)}`;
  }

  #row(id: string): AuthenticationRow {
    const row = this.#deps.store.authentications.findById(id);
    if (!row) throw notFound(`Authentication ${id}`);
    return row;
  }

  #response(row: AuthenticationRow): AuthenticationResponse {
    return {
      authenticationId: row.id,
      status: row.status,
      ...(row.status === 'challenge_required' ? { challengeUrl: this.challengeUrl(row.id) } : {}),
    };
  }
}
