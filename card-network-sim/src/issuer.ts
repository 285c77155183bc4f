/**
 * The issuers behind the card network: authorization and account-verification decisions, the
 * 3-D Secure requirement, the status look-up, reversals and adjustments of a hold. No HTTP here:
 * failures are AppErrors, results are contract objects.
 */
import { expiryValid, last4, luhnValid } from '../../shared/cards.ts';
import { AppError, notFound, validationError } from '../../shared/errors.ts';
import { majorToMinor } from '../../shared/money.ts';
import {
  RESPONSE_CODES, RETRYABLE_RESPONSE_CODES,
  type AdjustmentRequest, type CardAdjustmentResponse, type CardAuthorizationRecord, type CardAuthorizationRequest,
  type CardAuthorizationResponse, type NetworkResponseCode, type ResponseCode, type ReversalRequest,
} from '../../shared/contracts/network.ts';
import { authenticationCovers, requiresAuthentication } from './authentication.ts';
import { newAuthorizationCode } from './authorization-code.ts';
import type { CardFingerprinter } from './card-fingerprint.ts';
import { adjustHold, holdRecordFields, newId, reversalChange, toHoldResponse, type HoldLedger } from './holds.ts';
import type { AdjustmentRow, AuthorizationDecision, AuthorizationRow, NetworkStore } from './storage/store.ts';

export { isExpired } from './holds.ts';

/**
 * The deterministic test cards. The approving ones are not credit-limit accounts: they approve
 * any amount, so demos and load tests never run out of credit. The two 3-D Secure cards approve
 * once authenticated (authentication.ts says which cards ask for it).
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
  ['4000000000003220', '00'],
  ['4000000000003063', '00'],
]);

/**
 * Test-card outcomes a verification does not report: it checks the card, not the funds, so the
 * insufficient-funds card verifies as good.
 */
const OUTCOMES_NOT_CHECKED_BY_VERIFICATION: ReadonlySet<ResponseCode> = new Set(['00', '51']);

/**
 * Stored answers that promised nothing and are decided again on a repeat: the retryable codes,
 * and `1A`, after which the merchant comes back with an authentication.
 */
const REDECIDED_CODES: ReadonlySet<NetworkResponseCode> = new Set<NetworkResponseCode>([...RETRYABLE_RESPONSE_CODES, '1A']);

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
  response: CardAuthorizationResponse;
  /** False when a stored, final result was replayed: nothing new was decided or held. */
  decided: boolean;
}

export interface CardAdjustmentOutcome {
  response: CardAdjustmentResponse;
  decided: boolean;
}

/** The record as the API shows it, with what was settled and refunded against it for audits. */
export type NetworkAuthorizationRecord = CardAuthorizationRecord;

export interface AuthorizationPage {
  data: NetworkAuthorizationRecord[];
  hasMore: boolean;
}

export function toAuthorizationResponse(row: AuthorizationRow): CardAuthorizationResponse {
  return toHoldResponse(row);
}

/** The record as the API shows it; an approval past its lifetime reads as expired with no hold. */
export function toAuthorizationRecord(
  row: AuthorizationRow, adjustments: AdjustmentRow[], nowMs: number, ttlMs: number,
): NetworkAuthorizationRecord {
  return {
    ...holdRecordFields(row, adjustments, nowMs, ttlMs),
    ...(row.authenticationId ? { authenticationId: row.authenticationId } : {}),
  };
}

function referenceReused(merchantReference: string): AppError {
  return new AppError({
    code: 'merchant_reference_reused',
    status: 409,
    message: `merchantReference ${merchantReference} was already used for an authorization with a different amount, currency or card.`,
  });
}

function declined(responseCode: Exclude<NetworkResponseCode, '00' | '85'>): AuthorizationDecision {
  return { responseCode, authorizationCode: null, message: RESPONSE_CODES[responseCode], status: 'declined', heldAmount: 0 };
}

/**
 * The test card's outcome for this request. A card-on-file request (`storedCredential`), or one finishing 3-D Secure, may come
 * without a CVV; then the CVV check alone is skipped, and the CVV-mismatch card is an ordinary
 * account card. A CVV that is sent is always checked.
 */
function testCardOutcome(request: CardAuthorizationRequest): ResponseCode | undefined {
  const outcome = TEST_CARD_OUTCOMES.get(request.card.number);
  return outcome === 'N7' && request.card.cvv === undefined ? undefined : outcome;
}

/** An account verification checks the card only: number and expiry before, then the card's status. */
function verificationDecision(request: CardAuthorizationRequest): AuthorizationDecision {
  const outcome = testCardOutcome(request);
  if (outcome !== undefined && !OUTCOMES_NOT_CHECKED_BY_VERIFICATION.has(outcome)) return declined(outcome as Exclude<ResponseCode, '00'>);
  return { responseCode: '85', authorizationCode: null, message: RESPONSE_CODES['85'], status: 'verified', heldAmount: 0 };
}

export class Issuer {
  readonly #deps: IssuerDeps;
  readonly #ledger: HoldLedger<AuthorizationRow>;
  /** Fingerprints of the approving test cards: the number is not kept, so a hold's card is recognised by these. */
  readonly #unlimitedCardFingerprints: ReadonlySet<string>;

  constructor(deps: IssuerDeps) {
    this.#deps = deps;
    this.#unlimitedCardFingerprints = new Set([...TEST_CARD_OUTCOMES]
      .filter(([, outcome]) => outcome === '00')
      .map(([number]) => deps.fingerprintCard(number)));
    this.#ledger = {
      find: (id) => deps.store.findAuthorizationById(id),
      decideIncrease: (row, difference, nowMs) => this.#increaseCode(row, difference, nowMs),
      updateTotal: (id, amount, heldAmount, atMs) => deps.store.updateTotal(id, amount, heldAmount, atMs),
    };
  }

  /**
   * Decides an authorization (or, for amount 0, a verification), idempotently by
   * merchantReference. The look-up, the limit check and the insert share one write transaction,
   * so concurrent requests for one card cannot overspend it and concurrent repeats of one
   * reference place one hold.
   */
  authorize(request: CardAuthorizationRequest): AuthorizationOutcome {
    const { store } = this.#deps;
    const cardFingerprint = this.#deps.fingerprintCard(request.card.number);
    return store.transaction(() => {
      const nowMs = this.#deps.clock().getTime();
      const existing = store.findAuthorizationByReference(request.merchantReference);
      if (existing) {
        const sameRequest = existing.requestedAmount === request.amount && existing.currency === request.currency
          && existing.cardFingerprint === cardFingerprint;
        if (!sameRequest) throw referenceReused(request.merchantReference);
        if (!REDECIDED_CODES.has(existing.responseCode)) return { response: toAuthorizationResponse(existing), decided: false };
      }
      const decision = this.#decide(request, cardFingerprint, nowMs);
      // The answer is the record as written (its id and the decision), not a read of it back.
      const id = existing?.id ?? newId('auth');
      if (existing) {
        // A retryable answer or a request for authentication promised nothing, so the repeat is
        // decided afresh; the record keeps its id and its lifetime starts with the new decision.
        store.replaceDecision(id, decision, nowMs);
      } else {
        store.insertAuthorization({
          ...decision,
          id,
          merchantReference: request.merchantReference,
          cardFingerprint,
          cardLast4: last4(request.card.number),
          amount: request.amount,
          currency: request.currency,
          createdAtMs: nowMs,
        });
      }
      return { response: toHoldResponse({ ...decision, id }), decided: true };
    });
  }

  #decide(request: CardAuthorizationRequest, cardFingerprint: string, nowMs: number): AuthorizationDecision {
    const { number, expMonth, expYear } = request.card;
    if (!luhnValid(number)) return declined('14');
    if (!expiryValid(expMonth, expYear, new Date(nowMs))) return declined('54');
    // A verification holds nothing and needs no 3-D Secure; an authenticationId on it is not looked at.
    if (request.amount === 0) return verificationDecision(request);
    const authenticationId = this.#coveringAuthenticationId(request, cardFingerprint);
    if (authenticationId === undefined) return declined('1A');
    const testOutcome = testCardOutcome(request);
    if (testOutcome !== undefined && testOutcome !== '00') return declined(testOutcome);
    if (testOutcome === undefined && !this.#withinCreditLimit(cardFingerprint, request.currency, request.amount, nowMs)) return declined('51');
    return { ...this.#approved(request.amount), authenticationId };
  }

  /**
   * The authentication an authorization relies on: its id when the request names one that
   * covers it, null when none is named and the card needs none, undefined when the request
   * must be declined `1A` (missing where required, or named and not valid for this payment).
   */
  #coveringAuthenticationId(request: CardAuthorizationRequest, cardFingerprint: string): string | null | undefined {
    if (request.authenticationId === undefined) return requiresAuthentication(request.card.number) ? undefined : null;
    const authentication = this.#deps.store.authentications.findById(request.authenticationId);
    return authenticationCovers(authentication, request, cardFingerprint) ? request.authenticationId : undefined;
  }

  /** Open holds + settled spend − settled refunds + `amount` within the card's credit limit. */
  #withinCreditLimit(cardFingerprint: string, currency: AuthorizationRow['currency'], amount: number, nowMs: number): boolean {
    const limitAmount = majorToMinor(this.#deps.cardCreditLimit, currency);
    const committedAmount = this.#deps.store.cardCommittedAmount(cardFingerprint, currency, nowMs - this.#deps.authorizationTtlMs);
    return committedAmount + amount <= limitAmount;
  }

  /** An increase is decided like an authorization of the difference: test cards approve, accounts check the limit. */
  #increaseCode(row: AuthorizationRow, difference: number, nowMs: number): NetworkResponseCode {
    if (this.#unlimitedCardFingerprints.has(row.cardFingerprint)) return '00';
    return this.#withinCreditLimit(row.cardFingerprint, row.currency, difference, nowMs) ? '00' : '51';
  }

  #approved(amount: number): AuthorizationDecision {
    return { responseCode: '00', authorizationCode: newAuthorizationCode(this.#deps.random), message: RESPONSE_CODES['00'], status: 'approved', heldAmount: amount };
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
    const page = rows.slice(0, options.limit);
    const adjustments = this.#deps.store.adjustmentsOf(page.map((row) => row.id));
    const nowMs = this.#deps.clock().getTime();
    return {
      data: page.map((row) => toAuthorizationRecord(row, adjustments.get(row.id) ?? [], nowMs, this.#deps.authorizationTtlMs)),
      hasMore: rows.length > options.limit,
    };
  }

  /** Releases all of a hold or part of it (holds.ts has the arithmetic); releasing what is released answers the record. */
  reverse(authorizationId: string, request: ReversalRequest): NetworkAuthorizationRecord {
    const { store } = this.#deps;
    return store.transaction(() => {
      const nowMs = this.#deps.clock().getTime();
      const row = store.findAuthorizationById(authorizationId);
      if (!row) throw notFound(`Authorization ${authorizationId}`);
      const change = reversalChange(row, request, nowMs, this.#deps.authorizationTtlMs);
      if (change) store.updateHold(row.id, change.heldAmount, change.status, nowMs);
      const updated = store.findAuthorizationById(row.id);
      if (!updated) throw new Error('the reversed authorization could not be read back');
      return this.#record(updated);
    });
  }

  /** Sets a new total for an open hold, idempotently by the adjustment's reference (holds.ts). */
  adjust(authorizationId: string, request: AdjustmentRequest): CardAdjustmentOutcome {
    const { store } = this.#deps;
    return store.transaction(() => {
      const nowMs = this.#deps.clock().getTime();
      const outcome = adjustHold(this.#ledger, store, authorizationId, request, nowMs, this.#deps.authorizationTtlMs);
      const record = toAuthorizationRecord(outcome.row, outcome.adjustments, nowMs, this.#deps.authorizationTtlMs);
      const { reference, responseCode, message } = outcome.adjustment;
      return { response: { ...record, reference, responseCode, message }, decided: outcome.decided };
    });
  }

  #record(row: AuthorizationRow): NetworkAuthorizationRecord {
    const adjustments = this.#deps.store.adjustmentsOf([row.id]).get(row.id) ?? [];
    return toAuthorizationRecord(row, adjustments, this.#deps.clock().getTime(), this.#deps.authorizationTtlMs);
  }
}
