/**
 * Events on node:sqlite: written by the repositories inside the transaction of each change (one
 * statement for any number of events), read by the API. The trigger of migration 8 puts every
 * event into the outbox for the webhook dispatcher.
 */
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import type { EventListQuery } from '../../../../shared/contracts/events.ts';
import type { EventRecord } from '../../domain/events.ts';
import type { EventPage, EventRepository } from '../../domain/ports/store.ts';
import { EVENT_INSERT_COLUMNS, eventFromRow, eventRowsJson, eventSelectList } from '../sql/event-rows.ts';
import type { Row } from '../sql/payment-rows.ts';

export interface SqliteEventWriter {
  /** Inserts the events; the caller holds the transaction of the change they record. */
  write(events: readonly EventRecord[]): void;
}

export function createSqliteEventWriter(database: DatabaseSync): SqliteEventWriter {
  const insert = database.prepare(`INSERT INTO events (${EVENT_INSERT_COLUMNS})
    SELECT ${eventSelectList((index) => `value ->> ${index}`)} FROM json_each(?) ORDER BY key`);
  return {
    write(events) {
      if (events.length > 0) insert.run(eventRowsJson(events));
    },
  };
}

export function createSqliteEventRepository(database: DatabaseSync): EventRepository {
  const statements = {
    get: database.prepare('SELECT * FROM events WHERE id = ?'),
    seqOf: database.prepare('SELECT seq FROM events WHERE id = ?'),
    ofPayment: database.prepare('SELECT * FROM events WHERE payment_id = ? ORDER BY seq LIMIT ?'),
    countByType: database.prepare('SELECT type, COUNT(*) AS count FROM events GROUP BY type'),
  };

  function list(query: EventListQuery): EventPage {
    const conditions: string[] = [];
    const parameters: SQLInputValue[] = [];
    if (query.type) { conditions.push('type = ?'); parameters.push(query.type); }
    if (query.paymentId) { conditions.push('payment_id = ?'); parameters.push(query.paymentId); }
    if (query.startingAfter) {
      const cursor = statements.seqOf.get(query.startingAfter) as Row | undefined;
      if (!cursor) return { data: [], hasMore: false };
      conditions.push('seq < ?');
      parameters.push(Number(cursor.seq));
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    // A few filter combinations, each compiled once by SQLite's statement cache.
    const rows = database.prepare(`SELECT * FROM events ${where} ORDER BY seq DESC LIMIT ?`).all(...parameters, query.limit + 1) as Row[];
    return { data: rows.slice(0, query.limit).map(eventFromRow), hasMore: rows.length > query.limit };
  }

  return {
    get: async (id) => {
      const row = statements.get.get(id) as Row | undefined;
      return row ? eventFromRow(row) : null;
    },
    list: async (query) => list(query),
    listOfPayment: async (paymentId, limit) => (statements.ofPayment.all(paymentId, limit) as Row[]).map(eventFromRow),
    countByType: async () => Object.fromEntries((statements.countByType.all() as Row[]).map((row) => [String(row.type), Number(row.count)])),
  };
}
