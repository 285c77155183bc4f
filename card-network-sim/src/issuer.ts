/**
 * The issuers behind the card network: authorization decisions (SPEC §5), the status
 * look-up and reversals. No HTTP here: failures are AppErrors, results are contract objects.
 */
import { randomUUID } from 'node:crypto';
import { expiryValid, last4, luhnValid } from '../../shared/cards.ts';
import { AppError, notFound, validationError } from '../../shared/errors.ts';
import { majorToMinor } from '../../shared/money.ts';
import {
  RESPONSE_CODES, RETRYABLE_RESPONSE_CODES,
  type AuthorizationRecord, type AuthorizationRequest, type AuthorizationResponse, type ResponseCode, type ReversalRequest,
} from '../../shared/contracts/network.ts';
import type { CardFingerprinter } from './card-fingerprint.ts';
import type { AuthorizationDecision, AuthorizationRow, NetworkStore } from './storage/store.ts';

/**
 * The deterministic test cards of SPEC §5. The approving ones are not credit-limit accounts:
 * they approve any amount, so demos and load tests never run out of credit.
 */
export const TEST_CARD_OUTCOMES: ReadonlyMap<string, ResponseCode> = new Map<string, ResponseCode>([
  ['4242424242424242', '00'],
  ['5555555555554444', '00'],
  ['378282246310005', '00'],
  ['4000000000000002', '05'],
  ['4000000000009995', '51'],
  ['4000000000000069', '54'],
  ['4000000000000127', 'N7'],
  ['4000000000000119', '91'],
  ['4000000000009987', '41'],
  ['4000000000009979', '43'],
]);

const AUTHORIZATION_CODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const AUTHORIZATION_CODE_LENGTH = 6;

export interface IssuerDeps {
  store: NetworkStore;
  clock: () => Date;
  random: () => number;
  fingerprintCard: CardFingerprinter;
  /** Per card and currency, in major units ("5000.00"). */
  cardCreditLimit: string;
  authorizationTtlMs: number;
}

export interface AuthorizationOutcome {
  response: AuthorizationResponse;
  /** False when a stored, final result was replayed: nothing new was decided or held. */
  decided: boolean;
}

/**
 * The contract's record plus what was settled and refunded against it, which audits need
 * (the contract schema strips the extra fields for callers that do not).
 */
export type NetworkAuthorizationRecord = AuthorizationRecord & { settledAmount: number; refundedAmount: number };

export interface AuthorizationPage {
  data: NetworkAuthorizationRecord[];
  hasMore: boolean;
}

export function isExpired(row: Pick<AuthorizationRow, 'status' | 'createdAtMs'>, nowMs: number, ttlMs: number): boolean {
  return row.status === 'approved' && nowMs - row.createdAtMs > ttlMs;
}

export function toAuthorizationResponse(row: AuthorizationRow): AuthorizationResponse {
  return {
    authorizationId: row.id,
    responseCode: row.responseCode,
    ...(row.authorizationCode ? { authorizationCode: row.authorizationCode } : {}),
    message: row.message,
  };
}

/** The record as the API shows it; an approval past its lifetime reads as expired with no hold. */
export function toAuthorizationRecord(row: AuthorizationRow, nowMs: number, ttlMs: number): NetworkAuthorizationRecord {
  const expired = isExpired(row, nowMs, ttlMs);
  return {
    ...toAuthorizationResponse(row),
    merchantReference: row.merchantReference,
    amount: row.amount,
    currency: row.currency,
    status: expired ? 'expired' : row.status,
    heldAmount: expired ? 0 : row.heldAmount,
    settledAmount: row.settledAmount,
    refundedAmount: row.refundedAmount,
    createdAt: new Date(row.createdAtMs).toISOString(),
    updatedAt: new Date(row.updatedAtMs).toISOString(),
  };
}

function referenceReused(merchantReference: string): AppError {
  return new AppError({
    code: 'merchant_reference_reused',
    status: 409,
    message: `merchantReference ${merchantReference} was already used for an authorization with a different amount, currency or card.`,
  });
}

export class Issuer {
  readonly #deps: IssuerDeps;

  constructor(deps: IssuerDeps) {
    this.#deps = deps;
  }

  /**
   * Decides an authorization, idempotently by merchantReference. The look-up, the limit check
   * and the insert share one write transaction, so concurrent requests for one card cannot
   * overspend it and concurrent repeats of one reference place one hold.
   */
  authorize(request: AuthorizationRequest): AuthorizationOutcome {
    const { store } = this.#deps;
    const cardFingerprint = this.#deps.fingerprintCard(request.card.number);
    return store.transaction(() => {
      const nowMs = this.#deps.clock().getTime();
      const existing = store.findAuthorizationByReference(request.merchantReference);
      if (existing) {
        const sameRequest = existing.amount === request.amount && existing.currency === request.currency
          && existing.cardFingerprint === cardFingerprint;
        if (!sameRequest) throw referenceReused(request.merchantReference);
        if (!RETRYABLE_RESPONSE_CODES.includes(existing.responseCode)) {
          return { response: toAuthorizationResponse(existing), decided: false };
        }
      }
      const decision = this.#decide(request, cardFingerprint, nowMs);
      if (existing) {
        // A retryable answer (issuer unavailable, malfunction) promised nothing, so the retry is
        // decided afresh; the record keeps its id and its lifetime starts with the new decision.
        store.replaceDecision(existing.id, decision, nowMs);
      } else {
        store.insertAuthorization({
          ...decision,
          id: `auth_${randomUUID().replaceAll('-', '')}`,
          merchantReference: request.merchantReference,
          cardFingerprint,
          cardLast4: last4(request.card.number),
          amount: request.amount,
          currency: request.currency,
          createdAtMs: nowMs,
        });
      }
      const stored = store.findAuthorizationByReference(request.merchantReference);
      if (!stored) throw new Error('the authorization just written could not be read back');
      return { response: toAuthorizationResponse(stored), decided: true };
    });
  }

  #decide(request: AuthorizationRequest, cardFingerprint: string, nowMs: number): AuthorizationDecision {
    const { number, expMonth, expYear } = request.card;
    if (!luhnValid(number)) return declined('14');
    if (!expiryValid(expMonth, expYear, new Date(nowMs))) return declined('54');
    const testOutcome = TEST_CARD_OUTCOMES.get(number);
    if (testOutcome !== undefined) return testOutcome === '00' ? this.#approved(request.amount) : declined(testOutcome);
    const limitAmount = majorToMinor(this.#deps.cardCreditLimit, request.currency);
    const heldAmount = this.#deps.store.openHoldsAmount(cardFingerprint, request.currency, nowMs - this.#deps.authorizationTtlMs);
    const spentAmount = this.#deps.store.cardSpentAmount(cardFingerprint, request.currency);
    if (heldAmount + spentAmount + request.amount > limitAmount) return declined('51');
    return this.#approved(request.amount);
  }

  #approved(amount: number): AuthorizationDecision {
    return { responseCode: '00', authorizationCode: this.#authorizationCode(), message: RESPONSE_CODES['00'], status: 'approved', heldAmount: amount };
  }

  #authorizationCode(): string {
    let code = '';
    for (let index = 0; index < AUTHORIZATION_CODE_LENGTH; index += 1) {
      const position = Math.min(Math.floor(this.#deps.random() * AUTHORIZATION_CODE_ALPHABET.length), AUTHORIZATION_CODE_ALPHABET.length - 1);
      code += AUTHORIZATION_CODE_ALPHABET[position];
    }
    return code;
  }

  findByReference(merchantReference: string): NetworkAuthorizationRecord {
    const row = this.#deps.store.findAuthorizationByReference(merchantReference);
    if (!row) throw notFound(`An authorization with merchantReference ${merchantReference}`);
    return this.#record(row);
  }

  /** Every authorization, oldest first, for audits (the chaos checker sums the open holds). */
  list(options: { limit: number; startingAfter?: string | undefined }): AuthorizationPage {
    let afterSeq = 0;
    if (options.startingAfter !== undefined) {
      const cursor = this.#deps.store.findAuthorizationById(options.startingAfter);
      if (!cursor) throw validationError([{ field: 'startingAfter', message: 'is not a known authorizationId' }]);
      afterSeq = cursor.seq;
    }
    const rows = this.#deps.store.listAuthorizations(afterSeq, options.limit + 1);
    const nowMs = this.#deps.clock().getTime();
    return {
      data: rows.slice(0, options.limit).map((row) => toAuthorizationRecord(row, nowMs, this.#deps.authorizationTtlMs)),
      hasMore: rows.length > options.limit,
    };
  }

  /**
   * Releases all of a hold or part of it. A partial `amount` is how much of the authorized amount
   * is released in total, so the hold becomes `amount authorized − amount` (the replacement-amount
   * style of ISO 8583 partial reversals). That makes a retried partial reversal, sent again after a
   * lost answer, release nothing twice: releasing twice would leave less held than was captured and
   * the capture would then be refused at settlement. Releasing what is already released answers
   * the record as it is.
   */
  reverse(authorizationId: string, request: ReversalRequest): NetworkAuthorizationRecord {
    const { store } = this.#deps;
    return store.transaction(() => {
      const nowMs = this.#deps.clock().getTime();
      const row = store.findAuthorizationById(authorizationId);
      if (!row) throw notFound(`Authorization ${authorizationId}`);
      if (row.status === 'settled') {
        throw new AppError({ code: 'already_settled', status: 409, message: `Authorization ${authorizationId} is settled; refund it instead.` });
      }
      if (row.status === 'declined') {
        throw new AppError({ code: 'not_approved', status: 409, message: `Authorization ${authorizationId} was declined; there is no hold to release.` });
      }
      if (request.amount !== undefined && request.amount > row.amount) {
        throw validationError([{ field: 'amount', message: `must not exceed the authorized amount (${row.amount})` }]);
      }
      if (row.status === 'reversed' || isExpired(row, nowMs, this.#deps.authorizationTtlMs)) return this.#record(row);
      const heldAmount = request.amount === undefined ? 0 : Math.min(row.heldAmount, row.amount - request.amount);
      if (heldAmount !== row.heldAmount) store.updateHold(row.id, heldAmount, heldAmount === 0 ? 'reversed' : 'approved', nowMs);
      const updated = store.findAuthorizationById(row.id);
      if (!updated) throw new Error('the reversed authorization could not be read back');
      return this.#record(updated);
    });
  }

  #record(row: AuthorizationRow): NetworkAuthorizationRecord {
    return toAuthorizationRecord(row, this.#deps.clock().getTime(), this.#deps.authorizationTtlMs);
  }
}

function declined(responseCode: Exclude<ResponseCode, '00'>): AuthorizationDecision {
  return { responseCode, authorizationCode: null, message: RESPONSE_CODES[responseCode], status: 'declined', heldAmount: 0 };
}
