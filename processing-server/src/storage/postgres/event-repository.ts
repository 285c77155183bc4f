/**
 * Events on PostgreSQL: written inside the transaction of each change, all of a change's (or a
 * batch's) events in one statement; the statement-level trigger of migration 6 puts them into the
 * outbox in one more INSERT … SELECT. Read by the API.
 */
import type pg from 'pg';
import type { EventListQuery } from '../../../../shared/contracts/events.ts';
import type { EventRecord } from '../../domain/events.ts';
import type { EventPage, EventRepository } from '../../domain/ports/store.ts';
import { EVENT_INSERT_COLUMNS, eventFromRow, eventRowsJson, eventSelectList } from '../sql/event-rows.ts';
import { positionalParameters, queryRows, toSafeInteger } from './database.ts';

const INSERT_EVENTS_SQL = `INSERT INTO events (${EVENT_INSERT_COLUMNS})
  SELECT ${eventSelectList((index) => `row ->> ${index}`)} FROM json_array_elements($1::json) WITH ORDINALITY AS written (row, position)
  ORDER BY position`;

const HAND_OVER_SQL = `${INSERT_EVENTS_SQL} ON CONFLICT (id) DO NOTHING`;

/** Inserts the events with the client that holds the transaction of the change they record. */
export async function writeEvents(client: pg.PoolClient, events: readonly EventRecord[]): Promise<void> {
  if (events.length > 0) await client.query(INSERT_EVENTS_SQL, [eventRowsJson(events)]);
}

async function list(pool: pg.Pool, query: EventListQuery): Promise<EventPage> {
  const conditions: string[] = [];
  const { values: parameters, add: parameter } = positionalParameters();
  if (query.type) conditions.push(`type = ${parameter(query.type)}`);
  if (query.paymentId) conditions.push(`payment_id = ${parameter(query.paymentId)}`);
  if (query.startingAfter) {
    const [cursor] = await queryRows(pool, 'SELECT seq FROM events WHERE id = $1', [query.startingAfter]);
    if (!cursor) return { data: [], hasMore: false };
    conditions.push(`seq < ${parameter(toSafeInteger(cursor.seq))}`);
  }
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  const rows = await queryRows(pool, `SELECT * FROM events ${where} ORDER BY seq DESC LIMIT ${parameter(query.limit + 1)}`, parameters);
  return { data: rows.slice(0, query.limit).map(eventFromRow), hasMore: rows.length > query.limit };
}

export function createPostgresEventRepository(pool: pg.Pool): EventRepository {
  return {
    get: async (id) => {
      const [row] = await queryRows(pool, 'SELECT * FROM events WHERE id = $1', [id]);
      return row ? eventFromRow(row) : null;
    },
    list: (query) => list(pool, query),
    listOfPayment: async (paymentId, limit) => (await queryRows(pool, 'SELECT * FROM events WHERE payment_id = $1 ORDER BY seq LIMIT $2', [paymentId, limit])).map(eventFromRow),
    countByType: async () => Object.fromEntries(
      (await queryRows(pool, 'SELECT type, COUNT(*) AS count FROM events GROUP BY type')).map((row) => [String(row.type), toSafeInteger(row.count)]),
    ),
    handOver: async (events) => (events.length === 0 ? 0 : (await pool.query(HAND_OVER_SQL, [eventRowsJson(events)])).rowCount ?? 0),
  };
}
