/**
 * The SQLite writer thread (started by writer.ts): it owns the connection that writes the
 * processing database and runs the store there (the same store as on one thread, store.ts).
 * Calls queue up while it waits for the disk; each turn it takes every call waiting (up to
 * GROUP_CALLS_MAX), runs them as one group commit (group-commit.ts), and only then answers them.
 * So the main thread's event loop never waits for an fsync, and calls that arrive together share
 * one.
 */
import type { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { Store } from '../../domain/ports/store.ts';
import { openSqliteDatabase } from './database.ts';
import { commitGroup, type CallOutcome, type GroupCall } from './group-commit.ts';
import { sqliteStoreOn } from './store.ts';
import {
  serializeError, storeShape, type CallAnswer, type WriterCall, type WriterMessage, type WriterRequest,
} from './writer-protocol.ts';

/** Calls in one group at most: every caller of a group waits for its last call and its commit. */
export const GROUP_CALLS_MAX = 256;

export interface WriterData {
  filePath: string;
}

function callOf(store: Store, call: WriterCall): GroupCall {
  const target = (call.repository === null ? store : (store as unknown as Record<string, unknown>)[call.repository]) as Record<string, unknown> | undefined;
  const method = target?.[call.method];
  if (typeof method !== 'function') {
    return () => { throw new TypeError(`the store has no method ${call.repository ?? 'store'}.${call.method}`); };
  }
  return () => (method as (...args: unknown[]) => unknown).apply(target, call.args);
}

function answerOf(id: number, outcome: CallOutcome): CallAnswer {
  return outcome.ok ? { id, ok: true, value: outcome.value } : { id, ok: false, error: serializeError(outcome.error) };
}

/** Posts a group's answers; an answer that cannot be cloned (not plain data) becomes that caller's error alone. */
function postAnswers(port: MessagePort, answers: CallAnswer[]): void {
  const groupSize = answers.length;
  try {
    port.postMessage({ kind: 'answers', answers, groupSize } satisfies WriterMessage);
  } catch {
    answers.forEach((answer, index) => {
      const first = index === 0 ? { groupSize } : {};
      try {
        port.postMessage({ kind: 'answers', answers: [answer], ...first } satisfies WriterMessage);
      } catch (error) {
        port.postMessage({ kind: 'answers', answers: [{ id: answer.id, ok: false, error: serializeError(error) }], ...first } satisfies WriterMessage);
      }
    });
  }
}

function serve(port: MessagePort, database: DatabaseSync, store: Store): void {
  const queue: WriterCall[] = [];
  let scheduled = false;
  let draining = false;
  let closing = false;

  const finish = (): void => {
    void store.close().finally(() => port.close());
  };
  const drain = async (): Promise<void> => {
    scheduled = false;
    draining = true;
    try {
      while (queue.length > 0) {
        const group = queue.splice(0, GROUP_CALLS_MAX);
        const outcomes = await commitGroup(database, group.map((call) => callOf(store, call)));
        postAnswers(port, group.map((call, index) => answerOf(call.id, outcomes[index]!)));
      }
    } finally {
      draining = false;
    }
    if (closing) finish();
  };
  // The drain runs after the messages that are waiting now were all received: they form the group.
  const schedule = (): void => {
    if (scheduled || draining) return;
    scheduled = true;
    setImmediate(() => void drain());
  };

  port.on('message', (request: WriterRequest) => {
    if (request.kind === 'close') closing = true;
    else for (const call of request.calls) queue.push(call);
    schedule();
  });
}

function main(): void {
  const port = parentPort;
  if (!port) throw new Error('writer-worker.ts runs as a worker thread (see writer.ts)');
  const { filePath } = workerData as WriterData;
  let database: DatabaseSync;
  let store: Store;
  try {
    database = openSqliteDatabase(filePath);
    store = sqliteStoreOn(database, filePath);
  } catch (error) {
    port.postMessage({ kind: 'failed', error: serializeError(error) } satisfies WriterMessage);
    port.close();
    return;
  }
  serve(port, database, store);
  port.postMessage({ kind: 'ready', shape: storeShape(store) } satisfies WriterMessage);
}

main();
