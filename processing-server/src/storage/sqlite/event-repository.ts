/**
 * Events on node:sqlite: written by the repositories inside the transaction of each change (a
 * multi-row INSERT per 250 events), read by the API. The trigger of migration 8 puts every
 * event into the outbox for the webhook dispatcher.
 */
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { EventListQuery } from '../../../../shared/contracts/events.ts';
import type { EventRecord } from '../../domain/events.ts';
import type { EventPage, EventRepository } from '../../domain/ports/store.ts';
import { EVENT_INSERT_COLUMNS, eventFromRow, eventValues } from '../sql/event-rows.ts';
import type { Row } from '../sql/payment-rows.ts';
import { inTransaction } from './database.ts';

export interface SqliteEventWriter {
  /**
   * Inserts the events, taking them from `events` as it goes: a batch's events are made and
   * written 250 at a time, so that they die young instead of all living at once. The caller
   * holds the transaction of the change they record.
   */
  write(events: Iterable<EventRecord>): void;
}

/**
 * Rows per INSERT: 250 rows of 9 values, far below SQLite's limit of 32,766 parameters. A batch's
 * 5,000 events are 20 statements; the rest of a set is split into chunks of powers of two, so that
 * at most 9 statements are ever prepared. Writing 100,000 events in batches of 5,000, it was the
 * fastest, against one `INSERT … SELECT … FROM json_each(?)` of the whole batch (which parses each
 * event's JSON once per column) and one INSERT per event; in a settlement run, 1,000 rows a
 * statement kept ~10 MB more alive for no gain.
 */
const ROWS_PER_INSERT_MAX = 250;

/** Writes into `events`, or into a table of the same columns (the card vault's outbox, `vault_events`). */
export function createSqliteEventWriter(database: DatabaseSync, table: 'events' | 'vault_events' = 'events'): SqliteEventWriter {
  const inserts = new Map<number, StatementSync>();
  const insertOf = (rows: number): StatementSync => {
    let statement = inserts.get(rows);
    if (!statement) {
      statement = database.prepare(`INSERT INTO ${table} (${EVENT_INSERT_COLUMNS}) VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`);
      inserts.set(rows, statement);
    }
    return statement;
  };
  const insert = (chunk: readonly EventRecord[]): void => {
    insertOf(chunk.length).run(...chunk.flatMap(eventValues));
  };
  return {
    write(events) {
      let chunk: EventRecord[] = [];
      for (const event of events) {
        chunk.push(event);
        if (chunk.length === ROWS_PER_INSERT_MAX) {
          insert(chunk);
          chunk = [];
        }
      }
      let start = 0;
      for (let size = 128; size >= 1; size /= 2) {
        if (chunk.length - start < size) continue;
        insert(chunk.slice(start, start + size));
        start += size;
      }
    },
  };
}

export function createSqliteEventRepository(database: DatabaseSync): EventRepository {
  const statements = {
    get: database.prepare('SELECT * FROM events WHERE id = ?'),
    seqOf: database.prepare('SELECT seq FROM events WHERE id = ?'),
    ofPayment: database.prepare('SELECT * FROM events WHERE payment_id = ? ORDER BY seq LIMIT ?'),
    countByType: database.prepare('SELECT type, COUNT(*) AS count FROM events GROUP BY type'),
    handOver: database.prepare(`INSERT INTO events (${EVENT_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`),
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
    // A few events at a time (a hand-over is bounded by its caller): one statement each.
    handOver: async (events) => inTransaction(database, () => events.reduce((added, event) => added + Number(statements.handOver.run(...eventValues(event)).changes), 0)),
  };
}
