/**
 * What settlement does to payments and refunds (SPEC §3–§4), stated as data so that a store can
 * apply it to a whole batch in a few set-based statements: which payments a run takes, and which
 * item result moves which payment or refund to which status. The store checks every change
 * against the lifecycle table before it builds its statements, and a payment that moves to a
 * status that no longer counts against the spending limit counts nothing (spend-limit.ts).
 */
import type { CaptureMethod, PaymentStatus, RefundStatus } from '../../../shared/contracts/processing.ts';
import { checkedChange, type StatusChange } from './lifecycle.ts';

/**
 * Ready for a run, by capture method: an automatic payment once authorized (for its amount), a
 * manual one once captured (for its captured amount). Never batched before, and not expired.
 */
export type SettlementReadiness = Readonly<Record<CaptureMethod, PaymentStatus>>;

export const SETTLEMENT_READINESS: SettlementReadiness = { automatic: 'authorized', manual: 'captured' };

export interface RefundOutcome {
  from: readonly RefundStatus[];
  to: RefundStatus;
  /** A rejected refund gives its amount back to the payment (refund-eligibility.ts). */
  givesBack: boolean;
}

export interface SettlementOutcomes {
  /** A settled sale: the payment is settled for the item's amount (its captured amount). */
  saleSettled: StatusChange;
  /** A rejected sale: the payment stops counting against the limit (spend-limit.ts). */
  saleRejected: StatusChange;
  refundSettled: RefundOutcome;
  refundRejected: RefundOutcome;
}

const SALE_SOURCES: readonly PaymentStatus[] = [SETTLEMENT_READINESS.automatic, SETTLEMENT_READINESS.manual];

export const SETTLEMENT_OUTCOMES: SettlementOutcomes = {
  saleSettled: checkedChange({ from: SALE_SOURCES, to: 'settled' }),
  saleRejected: checkedChange({ from: SALE_SOURCES, to: 'settlement_rejected' }),
  refundSettled: { from: ['pending'], to: 'settled', givesBack: false },
  refundRejected: { from: ['pending'], to: 'rejected', givesBack: true },
};
