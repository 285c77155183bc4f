/**
 * The loyalty-points provider: accounts, PIN-checked holds of points, the look-up, reversals and
 * adjustments. Points are whole numbers worth one minor unit of the points currency each; an
 * account's spendable points are its balance minus its open holds. No HTTP here.
 */
import { AppError, notFound } from '../../shared/errors.ts';
import type { Currency } from '../../shared/money.ts';
import {
  RESPONSE_CODES,
  type AdjustmentRequest, type NetworkResponseCode, type PointsAccount, type PointsAccountOpening, type PointsAdjustmentResponse,
  type PointsAuthorizationRecord, type PointsAuthorizationRequest, type PointsAuthorizationResponse, type ReversalRequest,
} from '../../shared/contracts/network.ts';
import { newAuthorizationCode } from './authorization-code.ts';
import { adjustHold, holdRecordFields, newId, reversalChange, toHoldResponse, type HoldLedger } from './holds.ts';
import { hashPinOffThread, pinMatches, type PinHashCost } from './pin-hash.ts';
import type { PointsAuthorizationRow } from './storage/points-store.ts';
import type { NetworkStore } from './storage/store.ts';

export interface PointsDeps {
  store: NetworkStore;
  clock: () => Date;
  random: () => number;
  authorizationTtlMs: number;
  /** One point is one minor unit of this currency. */
  pointsCurrency: Currency;
  /** Cost of the PIN hashes of accounts opened at run time; the default unless a test lowers it. */
  pinHashCost?: PinHashCost | undefined;
}

export interface PointsAuthorizationOutcome {
  response: PointsAuthorizationResponse;
  /** False when a stored answer was replayed: nothing new was decided or held. */
  decided: boolean;
}

export interface PointsAdjustmentOutcome {
  response: PointsAdjustmentResponse;
  decided: boolean;
}

type PointsDecision = Pick<PointsAuthorizationRow, 'responseCode' | 'authorizationCode' | 'message' | 'status' | 'heldAmount'>;

function declined(responseCode: Exclude<NetworkResponseCode, '00'>): PointsDecision {
  return { responseCode, authorizationCode: null, message: RESPONSE_CODES[responseCode], status: 'declined', heldAmount: 0 };
}

export class PointsProvider {
  readonly #deps: PointsDeps;
  readonly #ledger: HoldLedger<PointsAuthorizationRow>;

  constructor(deps: PointsDeps) {
    this.#deps = deps;
    this.#ledger = {
      find: (id) => deps.store.points.findById(id),
      decideIncrease: (row, difference, nowMs) => this.#spendCode(row.accountId, difference, nowMs) ?? '00',
      updateTotal: (id, amount, heldAmount, atMs) => deps.store.points.updateTotal(id, amount, heldAmount, atMs),
    };
  }

  /** Opens an account with its PIN (kept only hashed); an existing id is refused, never overwritten. */
  async openAccount(opening: PointsAccountOpening): Promise<PointsAccount> {
    const exists = () => new AppError({ code: 'points_account_exists', status: 409, message: `Points account ${opening.accountId} already exists.` });
    if (this.#deps.store.points.findAccount(opening.accountId)) throw exists();
    const pinHash = await hashPinOffThread(opening.pin, this.#deps.pinHashCost);
    this.#deps.store.transaction(() => {
      if (this.#deps.store.points.findAccount(opening.accountId)) throw exists();
      this.#deps.store.points.insertAccountIfMissing({
        accountId: opening.accountId, pinHash, balance: opening.balance, status: opening.blocked ? 'blocked' : 'active',
      }, this.#deps.clock().getTime());
    });
    return this.account(opening.accountId);
  }

  account(accountId: string): PointsAccount {
    const account = this.#deps.store.points.findAccount(accountId);
    if (!account) throw notFound(`Points account ${accountId}`);
    return { accountId, balance: account.balance, held: this.#heldAmount(accountId, this.#deps.clock().getTime()) };
  }

  /**
   * Holds points, idempotently by merchantReference. The PIN is checked on the thread pool before
   * the write transaction, so the slow hash never holds the database lock; the balance check and
   * the insert then share one transaction, so concurrent holds cannot spend the same points. A
   * repeat is compared by account and points (the PIN is never kept to compare with).
   */
  async authorize(request: PointsAuthorizationRequest): Promise<PointsAuthorizationOutcome> {
    const { store } = this.#deps;
    const replay = this.#replay(request);
    if (replay) return replay;
    const account = store.points.findAccount(request.accountId);
    const pinCorrect = account !== undefined && await pinMatches(request.pin, account.pinHash);
    return store.transaction(() => {
      // A concurrent request with this reference may have been decided while the PIN was checked.
      const decidedMeanwhile = this.#replay(request);
      if (decidedMeanwhile) return decidedMeanwhile;
      const nowMs = this.#deps.clock().getTime();
      const id = newId('pts');
      store.points.insert({
        ...this.#decide(request, pinCorrect, nowMs),
        id,
        merchantReference: request.merchantReference,
        accountId: request.accountId,
        amount: request.points,
        currency: this.#deps.pointsCurrency,
        createdAtMs: nowMs,
      });
      return { response: toHoldResponse(this.#row(id)), decided: true };
    });
  }

  #replay(request: PointsAuthorizationRequest): PointsAuthorizationOutcome | null {
    const existing = this.#deps.store.points.findByReference(request.merchantReference);
    if (!existing) return null;
    if (existing.accountId !== request.accountId || existing.requestedAmount !== request.points) {
      throw new AppError({
        code: 'merchant_reference_reused',
        status: 409,
        message: `merchantReference ${request.merchantReference} was already used for a points authorization with a different account or number of points.`,
      });
    }
    return { response: toHoldResponse(existing), decided: false };
  }

  /** Unknown account `14`, wrong PIN `55`, blocked `05`, too few spendable points `51`. */
  #decide(request: PointsAuthorizationRequest, pinCorrect: boolean, nowMs: number): PointsDecision {
    if (!this.#deps.store.points.findAccount(request.accountId)) return declined('14');
    if (!pinCorrect) return declined('55');
    const refusal = this.#spendCode(request.accountId, request.points, nowMs);
    if (refusal) return declined(refusal);
    return {
      responseCode: '00', authorizationCode: newAuthorizationCode(this.#deps.random), message: RESPONSE_CODES['00'],
      status: 'approved', heldAmount: request.points,
    };
  }

  /** Why `points` more cannot be held on the account now (`05` blocked, `51` too few), or null when they can. */
  #spendCode(accountId: string, points: number, nowMs: number): '05' | '51' | '14' | null {
    const account = this.#deps.store.points.findAccount(accountId);
    if (!account) return '14';
    if (account.status === 'blocked') return '05';
    return account.balance - this.#heldAmount(accountId, nowMs) < points ? '51' : null;
  }

  #heldAmount(accountId: string, nowMs: number): number {
    return this.#deps.store.points.heldAmount(accountId, nowMs - this.#deps.authorizationTtlMs);
  }

  findByReference(merchantReference: string): PointsAuthorizationRecord {
    const row = this.#deps.store.points.findByReference(merchantReference);
    if (!row) throw notFound(`A points authorization with merchantReference ${merchantReference}`);
    return this.#record(row);
  }

  /** Releases the whole hold, or `amount` of the authorized points in total (as for cards). */
  reverse(authorizationId: string, request: ReversalRequest): PointsAuthorizationRecord {
    const { store } = this.#deps;
    return store.transaction(() => {
      const nowMs = this.#deps.clock().getTime();
      const row = this.#row(authorizationId);
      const change = reversalChange(row, request, nowMs, this.#deps.authorizationTtlMs);
      if (change) store.points.updateHold(row.id, change.heldAmount, change.status, nowMs);
      return this.#record(this.#row(row.id));
    });
  }

  /** A new total in points, idempotently by reference; an increase may be declined `51`. */
  adjust(authorizationId: string, request: AdjustmentRequest): PointsAdjustmentOutcome {
    const { store } = this.#deps;
    return store.transaction(() => {
      const nowMs = this.#deps.clock().getTime();
      const outcome = adjustHold(this.#ledger, store, authorizationId, request, nowMs, this.#deps.authorizationTtlMs);
      const record = this.#toRecord(outcome.row, outcome.adjustments, nowMs);
      const { reference, responseCode, message } = outcome.adjustment;
      return { response: { ...record, reference, responseCode, message }, decided: outcome.decided };
    });
  }

  #row(id: string): PointsAuthorizationRow {
    const row = this.#deps.store.points.findById(id);
    if (!row) throw notFound(`Points authorization ${id}`);
    return row;
  }

  #record(row: PointsAuthorizationRow): PointsAuthorizationRecord {
    const adjustments = this.#deps.store.adjustmentsOf([row.id]).get(row.id) ?? [];
    return this.#toRecord(row, adjustments, this.#deps.clock().getTime());
  }

  #toRecord(row: PointsAuthorizationRow, adjustments: Parameters<typeof holdRecordFields>[1], nowMs: number): PointsAuthorizationRecord {
    return { ...holdRecordFields(row, adjustments, nowMs, this.#deps.authorizationTtlMs), accountId: row.accountId };
  }
}
