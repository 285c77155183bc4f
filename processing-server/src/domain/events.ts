/**
 * Events (SPEC §6.8, §14): every change of a payment, refund, saved card or settlement run is
 * written as an event in the same transaction as the change, and the outbox hands it to the
 * webhook dispatcher. This file decides which event a change is and what it carries: the object
 * after the change, in its public form (the same views the API answers with), and what caused
 * it. The stores call these builders inside their transactions; a status change of a payment
 * names its event through PAYMENT_STATUS_EVENTS, so a new status change needs no code of its own.
 */
import assert from 'node:assert/strict';
import { v7 as uuidv7 } from 'uuid';
import type {
  CardEventType, Event, EventType, PaymentEventType, RefundEventType, SettlementEventType,
} from '../../../shared/contracts/events.ts';
import type { PaymentStatus, SavedCard, SettlementRun } from '../../../shared/contracts/processing.ts';
import type { PaymentRecord } from './payment.ts';
import type { RefundRecord } from './ports/store.ts';
import { toPublicPayment, toPublicRefund } from './views.ts';

/**
 * What caused a change: `request:<request id>` (an API request; the id is the X-Request-Id that
 * the UI server's request carried through), or `job:<name>` for the jobs below.
 */
export type EventCause = `request:${string}` | `job:${string}`;

export const JOB_CAUSES = {
  recovery: 'job:recovery',
  settlementSchedule: 'job:settlement-schedule',
  settleCommand: 'job:settle-command',
} as const satisfies Record<string, EventCause>;

export function requestCause(requestId: string): EventCause {
  return `request:${requestId}`;
}

/** An event as the store keeps it; `data` is the JSON text of the object after the change. */
export interface EventRecord {
  id: string;
  type: EventType;
  /** When the change happened: the changed object's `updatedAt` (a run's `completedAt`). */
  createdAt: string;
  paymentId: string | null;
  refundId: string | null;
  cardId: string | null;
  settlementId: string | null;
  cause: string | null;
  data: string;
}

/**
 * The event of each status a payment can reach through a status change. A refund's change of the
 * payment (to partially_refunded or refunded, and back when the card company rejects the refund)
 * names its event itself: `payment.refunded` or `payment.refund_rejected`.
 */
export const PAYMENT_STATUS_EVENTS: Readonly<Record<PaymentStatus, PaymentEventType | null>> = {
  // A payment is created pending; creation is not a change of status, and writes no event.
  pending: null,
  requires_action: 'payment.requires_action',
  authorized: 'payment.authorized',
  declined: 'payment.declined',
  failed: 'payment.failed',
  captured: 'payment.captured',
  voided: 'payment.voided',
  expired: 'payment.expired',
  settled: 'payment.settled',
  settlement_rejected: 'payment.settlement_rejected',
  partially_refunded: 'payment.refunded',
  refunded: 'payment.refunded',
};

export function newEventId(): string {
  return `evt_${uuidv7().replaceAll('-', '')}`;
}

function event(fields: Omit<EventRecord, 'id' | 'paymentId' | 'refundId' | 'cardId' | 'settlementId'> & Partial<EventRecord>): EventRecord {
  return {
    id: newEventId(), paymentId: null, refundId: null, cardId: null, settlementId: null, ...fields,
  };
}

export interface PaymentEventOptions {
  cause?: string | null | undefined;
  /** The event; by default the one of the status the payment is in now. */
  type?: PaymentEventType | undefined;
  /** The refund that changed the payment, for `payment.refunded` and `payment.refund_rejected`. */
  refundId?: string | null | undefined;
}

/** The event of a payment's change, carrying the payment as it is after the change. */
export function paymentEvent(payment: PaymentRecord, options: PaymentEventOptions = {}): EventRecord {
  const type = options.type ?? PAYMENT_STATUS_EVENTS[payment.status];
  assert.ok(type, `a payment that became ${payment.status} has no event`);
  return event({
    type, createdAt: payment.updatedAt, paymentId: payment.id, refundId: options.refundId ?? null, settlementId: payment.settlementId,
    cause: options.cause ?? null, data: JSON.stringify(toPublicPayment(payment)),
  });
}

export function refundEvent(type: RefundEventType, refund: RefundRecord, cause?: string | null): EventRecord {
  return event({
    type, createdAt: refund.updatedAt, paymentId: refund.paymentId, refundId: refund.id, settlementId: refund.settlementId,
    cause: cause ?? null, data: JSON.stringify(toPublicRefund(refund)),
  });
}

export function runEvent(type: SettlementEventType, run: SettlementRun, cause?: string | null): EventRecord {
  assert.ok(run.completedAt, 'a run that completed or failed has its completion time');
  return event({ type, createdAt: run.completedAt, settlementId: run.id, cause: cause ?? null, data: JSON.stringify(run) });
}

/** A saved card's event; `card` is the card as the API shows it (never its number). */
export function cardEvent(type: CardEventType, card: SavedCard, createdAt: string, cause?: string | null): EventRecord {
  return event({ type, createdAt, cardId: card.id, cause: cause ?? null, data: JSON.stringify(card) });
}

/** An event as the API lists it and a webhook carries it: the ids it concerns, and the object after the change. */
export function toPublicEvent(record: EventRecord): Event {
  return {
    id: record.id,
    type: record.type,
    createdAt: record.createdAt,
    ...(record.paymentId ? { paymentId: record.paymentId } : {}),
    ...(record.refundId ? { refundId: record.refundId } : {}),
    ...(record.cardId ? { cardId: record.cardId } : {}),
    ...(record.settlementId ? { settlementId: record.settlementId } : {}),
    ...(record.cause ? { cause: record.cause } : {}),
    data: JSON.parse(record.data) as Event['data'],
  } as Event;
}
