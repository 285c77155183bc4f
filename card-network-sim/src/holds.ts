/**
 * What card authorizations and points holds have in common: lifetime, the record shown to the
 * merchant, partial and whole reversals, and adjustments of the total. The issuer and the points
 * provider each bring their own table and their own rule for an increase; the arithmetic and the
 * state rules live here once. No HTTP here.
 */
import { randomUUID } from 'node:crypto';
import { AppError, notFound, validationError } from '../../shared/errors.ts';
import type { Currency } from '../../shared/money.ts';
import {
  RESPONSE_CODES,
  type AdjustmentRequest, type CardAuthorizationResponse, type NetworkResponseCode, type ReversalRequest,
} from '../../shared/contracts/network.ts';
import type { AdjustmentRow, NetworkStore } from './storage/store.ts';

export type HoldStatus = 'approved' | 'declined' | 'reversed' | 'settled' | 'verified';

/** The columns every hold has, whichever table it lives in. */
export interface HoldRow {
  id: string;
  merchantReference: string;
  amount: number;
  currency: Currency;
  responseCode: NetworkResponseCode;
  authorizationCode: string | null;
  message: string;
  status: HoldStatus;
  heldAmount: number;
  settledAmount: number;
  refundedAmount: number;
  createdAtMs: number;
  updatedAtMs: number;
}

export function isExpired(row: { status: string; createdAtMs: number }, nowMs: number, ttlMs: number): boolean {
  return row.status === 'approved' && nowMs - row.createdAtMs > ttlMs;
}

/** A new id with a prefix naming its kind (`auth`, `pts`, `3ds`). */
export function newId(prefix: string): string {
  return `${prefix}_${randomUUID().replaceAll('-', '')}`;
}

export function toHoldResponse(row: Pick<HoldRow, 'id' | 'responseCode' | 'authorizationCode' | 'message'>): CardAuthorizationResponse {
  return {
    authorizationId: row.id,
    responseCode: row.responseCode,
    ...(row.authorizationCode ? { authorizationCode: row.authorizationCode } : {}),
    message: row.message,
  };
}

/** The record fields every hold shows; an approval past its lifetime reads as expired with nothing held. */
export function holdRecordFields<Row extends HoldRow>(row: Row, adjustments: AdjustmentRow[], nowMs: number, ttlMs: number) {
  const expired = isExpired(row, nowMs, ttlMs);
  const status: Row['status'] | 'expired' = expired ? 'expired' : row.status;
  return {
    ...toHoldResponse(row),
    merchantReference: row.merchantReference,
    amount: row.amount,
    currency: row.currency,
    status,
    heldAmount: expired ? 0 : row.heldAmount,
    settledAmount: row.settledAmount,
    refundedAmount: row.refundedAmount,
    adjustments: adjustments.map((adjustment) => ({
      reference: adjustment.reference,
      amount: adjustment.amount,
      responseCode: adjustment.responseCode,
      at: new Date(adjustment.atMs).toISOString(),
    })),
    createdAt: new Date(row.createdAtMs).toISOString(),
    updatedAt: new Date(row.updatedAtMs).toISOString(),
  };
}

function conflict(code: string, message: string): AppError {
  return new AppError({ code, status: 409, message });
}

/**
 * The hold after a reversal, or null when nothing changes. Without `amount` the whole hold is
 * released. With `amount`, that is how much of the authorized total is released in total, so the
 * hold becomes `total − amount` and never grows back (the replacement-amount style of ISO 8583
 * partial reversals): a retry after a lost answer releases nothing twice. After an adjustment the
 * total is the adjusted one. A verification holds nothing, so reversing it changes nothing.
 */
export function reversalChange(
  row: HoldRow, request: ReversalRequest, nowMs: number, ttlMs: number,
): { heldAmount: number; status: 'approved' | 'reversed' } | null {
  if (row.status === 'settled') throw conflict('already_settled', `Authorization ${row.id} is settled; refund it instead.`);
  if (row.status === 'declined') throw conflict('not_approved', `Authorization ${row.id} was declined; there is no hold to release.`);
  if (row.status === 'verified') return null;
  if (request.amount !== undefined && request.amount > row.amount) {
    throw validationError([{ field: 'amount', message: `must not exceed the authorized amount (${row.amount})` }]);
  }
  if (row.status === 'reversed' || isExpired(row, nowMs, ttlMs)) return null;
  const heldAmount = request.amount === undefined ? 0 : Math.min(row.heldAmount, row.amount - request.amount);
  if (heldAmount === row.heldAmount) return null;
  return { heldAmount, status: heldAmount === 0 ? 'reversed' : 'approved' };
}

/** Why a hold cannot be adjusted, as a 409; nothing when it can. */
function assertAdjustable(row: HoldRow, nowMs: number, ttlMs: number): void {
  if (row.status === 'settled') throw conflict('already_settled', `Authorization ${row.id} is settled; its amount can no longer change.`);
  if (row.status === 'declined' || row.status === 'verified') {
    throw conflict('not_approved', `Authorization ${row.id} holds nothing (${row.status}); only an approved hold can be adjusted.`);
  }
  if (row.status === 'reversed') throw conflict('authorization_reversed', `Authorization ${row.id} was reversed; its hold is gone.`);
  if (isExpired(row, nowMs, ttlMs)) throw conflict('authorization_expired', `Authorization ${row.id} has expired; its hold is gone.`);
}

/** One kind of hold (card or points) as the adjustment flow needs it. */
export interface HoldLedger<Row extends HoldRow> {
  find(id: string): Row | undefined;
  /** `00` when `difference` more may be held on top of the current hold, else the decline code. */
  decideIncrease(row: Row, difference: number, nowMs: number): NetworkResponseCode;
  updateTotal(id: string, amount: number, heldAmount: number, atMs: number): void;
}

export interface AdjustmentOutcome<Row extends HoldRow> {
  row: Row;
  adjustment: AdjustmentRow;
  adjustments: AdjustmentRow[];
  /** False when a stored adjustment was replayed. */
  decided: boolean;
}

/**
 * Sets a new total for an open hold, idempotently by `reference`; the caller runs it inside one
 * write transaction. A decrease always succeeds and releases the difference; an increase is
 * decided like an authorization of the difference, and a decline leaves the hold as it was.
 * Partial reversals stay released: the hold becomes `new total − already released`.
 */
export function adjustHold<Row extends HoldRow>(
  ledger: HoldLedger<Row>, store: NetworkStore, id: string, request: AdjustmentRequest, nowMs: number, ttlMs: number,
): AdjustmentOutcome<Row> {
  const row = ledger.find(id);
  if (!row) throw notFound(`Authorization ${id}`);
  const previous = store.findAdjustment(id, request.reference);
  if (previous) {
    if (previous.amount !== request.amount) {
      throw conflict('adjustment_reference_reused', `Adjustment ${request.reference} of authorization ${id} asked for another amount (${previous.amount}).`);
    }
    return { row, adjustment: previous, adjustments: store.adjustmentsOf([id]).get(id) ?? [], decided: false };
  }
  assertAdjustable(row, nowMs, ttlMs);
  const releasedAmount = row.amount - row.heldAmount;
  if (request.amount <= releasedAmount) {
    throw conflict('amount_below_released', `Partial reversals already released ${releasedAmount} of authorization ${id}; a new total must exceed it.`);
  }
  const responseCode = request.amount > row.amount ? ledger.decideIncrease(row, request.amount - row.amount, nowMs) : '00';
  const adjustment: AdjustmentRow = { reference: request.reference, amount: request.amount, responseCode, message: RESPONSE_CODES[responseCode], atMs: nowMs };
  if (responseCode === '00') ledger.updateTotal(id, request.amount, request.amount - releasedAmount, nowMs);
  store.insertAdjustment(id, adjustment);
  const updated = ledger.find(id);
  if (!updated) throw new Error('the adjusted authorization could not be read back');
  return { row: updated, adjustment, adjustments: store.adjustmentsOf([id]).get(id) ?? [], decided: true };
}
