/**
 * What both SQL stores share about events: the columns, row mapping, and the values a set of
 * events is inserted with (SQLite binds them to multi-row INSERTs; PostgreSQL takes them as one
 * JSON array, read by `json_array_elements`), so that a batch's events are a few statements, not
 * one per event.
 */
import type { EventType, WebhookAttemptStatus } from '../../../../shared/contracts/events.ts';
import type { EventRecord } from '../../domain/events.ts';
import type { StoredAttempt } from '../../domain/ports/store.ts';
import type { Row } from './payment-rows.ts';

/** The inserted columns, in the order of `eventValues` and of a row of `eventRowsJson`. */
export const EVENT_INSERT_COLUMNS = 'id, type, created_at, payment_id, refund_id, card_id, settlement_id, cause, data';

/** An event's values in the order of EVENT_INSERT_COLUMNS. */
export function eventValues(event: EventRecord): [string, string, string, string | null, string | null, string | null, string | null, string | null, string] {
  return [event.id, event.type, event.createdAt, event.paymentId, event.refundId, event.cardId, event.settlementId, event.cause, event.data];
}

/**
 * The events as a JSON array of rows, `[id, type, created_at, payment_id, refund_id, card_id,
 * settlement_id, cause, data]`. Each event's data is JSON text already, and goes in as the
 * object it is rather than as a string to escape and unescape again.
 */
export function eventRowsJson(events: readonly EventRecord[]): string {
  const rows = events.map((event) => {
    const head = JSON.stringify(eventValues(event).slice(0, -1));
    return `${head.slice(0, -1)},${event.data}]`;
  });
  return `[${rows.join(',')}]`;
}

/** The columns of a row, as `SELECT` names them for `elementOf(index)` (`value ->> 0` on SQLite, `e ->> 0` on PostgreSQL). */
export function eventSelectList(elementOf: (index: number) => string): string {
  return Array.from({ length: 9 }, (_unused, index) => elementOf(index)).join(', ');
}

const nullableText = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

export function eventFromRow(row: Row): EventRecord {
  return {
    id: String(row.id),
    type: row.type as EventType,
    createdAt: String(row.created_at),
    paymentId: nullableText(row.payment_id),
    refundId: nullableText(row.refund_id),
    cardId: nullableText(row.card_id),
    settlementId: nullableText(row.settlement_id),
    cause: nullableText(row.cause),
    data: String(row.data),
  };
}

export function attemptFromRow(row: Row): StoredAttempt {
  return {
    eventId: String(row.event_id),
    url: String(row.url),
    attempt: Number(row.attempt),
    status: row.status as WebhookAttemptStatus,
    responseStatus: row.response_status === null || row.response_status === undefined ? null : Number(row.response_status),
    error: nullableText(row.error),
    at: String(row.at),
  };
}

/** The status a delivery is in after an attempt: delivered and abandoned end it, failed leaves it pending. */
export function deliveryStatusAfter(attempt: WebhookAttemptStatus): 'pending' | 'delivered' | 'abandoned' {
  return attempt === 'failed' ? 'pending' : attempt;
}
