/**
 * The SQLite store as the processing server runs it: writes on a writer thread, reads here.
 *
 * node:sqlite is synchronous: a commit with synchronous=FULL waits for the disk on the calling
 * thread. On the main thread that wait stopped every request of the process. Here a worker thread
 * (writer-worker.ts) owns the write connection and runs the store; this side forwards each call
 * by name (repository, method, arguments: plain data, as the store port promises), so every method
 * of the store, including ones added later, runs there without code of its own. The writer
 * commits the calls that arrive together as one group (group-commit.ts) and answers them only
 * after the commit returned: an awaited write is on disk.
 *
 * Reads that need no write lock (READ_METHODS) run on a read-only connection of this thread
 * instead, without waiting for a group's commit: in WAL mode a read sees every commit made before
 * it began, so a read after an awaited write sees that write.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Store } from '../../domain/ports/store.ts';
import { openSqliteReadConnection } from './database.ts';
import { sqliteStoreOn } from './store.ts';
import type { WriterData } from './writer-worker.ts';
import {
  deserializeError, serializeError, type CallAnswer, type StoreShape, type WriterCall, type WriterMessage, type WriterRequest,
} from './writer-protocol.ts';

const WORKER_FILE = path.join(import.meta.dirname, 'writer-worker.ts');

/**
 * Methods that only read, by repository: they run on the read connection. A method not listed
 * runs on the writer, which is always correct (it sees everything committed, and its own group).
 */
export const READ_METHODS: Readonly<Record<string, readonly string[]>> = {
  payments: ['get', 'list', 'listUnresolved', 'listAwaitingAction'],
  adjustments: ['get', 'listOfPayment', 'listUnresolved'],
  idempotency: ['get'],
  refunds: ['listOfPayment'],
  settlements: ['findRunning', 'unsentBatchNumbers', 'readBatch', 'get', 'list', 'listItems'],
  events: ['get', 'list', 'listOfPayment', 'countByType'],
  webhooks: ['attemptsOf', 'oldestUndelivered'],
};

export interface SqliteWriterOptions {
  /** Reads on a read connection of this thread (default), or on the writer with everything else. */
  readsHere?: boolean;
  /** The writer thread stopped without being asked to (the calls it had fail; the next call starts another). */
  onWriterExit?: (error: Error) => void;
}

/** How the writer has grouped the calls so far, and how many wait for their answer now. */
export interface GroupStatistics {
  groups: number;
  calls: number;
  largestGroup: number;
  waiting: number;
}

/** The store, and what only this store has: how it grouped calls, and a way to end its writer as a crash would. */
export interface SqliteWriterStore extends Store {
  groupStatistics(): GroupStatistics;
  /**
   * Ends the writer thread at once, as a crash would: what it had not committed is lost and its
   * callers get an error; the next call starts another writer. For tests of crash safety.
   */
  abortWriter(): Promise<void>;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/** One writer thread: the worker, the calls it has not answered yet, and how it ended. */
class WriterThread {
  readonly ready: Promise<StoreShape>;
  readonly exited: Promise<void>;
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #outbox: WriterCall[] = [];
  #closing = false;
  #ended = false;

  constructor(filePath: string, statistics: Omit<GroupStatistics, 'waiting'>, onUnexpectedExit: (error: Error) => void) {
    this.#worker = new Worker(WORKER_FILE, { workerData: { filePath } satisfies WriterData });
    this.#worker.unref();
    let failure: Error | null = null;
    let started = false;
    let announce: (shape: StoreShape) => void = () => undefined;
    let refuse: (error: Error) => void = () => undefined;
    this.ready = new Promise((resolve, reject) => {
      announce = resolve;
      refuse = reject;
    });
    this.exited = new Promise((resolve) => {
      this.#worker.once('exit', (code) => {
        this.#ended = true;
        const error = failure ?? new Error(`the SQLite writer thread ended (exit code ${code})`);
        refuse(error);
        this.#failPending(error);
        // A writer that never opened the database is the opener's error (its promise rejects), not a crash.
        if (started && !this.#closing) onUnexpectedExit(error);
        resolve();
      });
    });
    this.#worker.on('error', (error) => { failure = error; });
    this.#worker.on('message', (message: WriterMessage) => {
      if (message.kind === 'ready') {
        started = true;
        announce(message.shape);
      } else if (message.kind === 'failed') {
        failure = deserializeError(message.error);
      } else {
        if (message.groupSize !== undefined) countGroup(statistics, message.groupSize);
        this.#settle(message.answers);
      }
    });
  }

  /** Calls made and not answered yet. */
  get waiting(): number {
    return this.#pending.size;
  }

  call(repository: string | null, method: string, args: unknown[]): Promise<unknown> {
    if (this.#ended) return Promise.reject(new Error('the SQLite writer thread has ended'));
    this.#nextId += 1;
    const id = this.#nextId;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      // A writer with calls to answer keeps the process alive; an idle one does not.
      if (this.#pending.size === 1) this.#worker.ref();
      this.#outbox.push({ id, repository, method, args });
      if (this.#outbox.length === 1) setImmediate(() => this.#send());
    });
  }

  /**
   * The calls of one event-loop turn go in one message: one wake-up of the writer instead of one
   * per call, and under load they arrive together, as one group.
   */
  #send(): void {
    const calls = this.#outbox;
    if (calls.length === 0) return;
    this.#outbox = [];
    if (this.#ended) {
      this.#settle(calls.map(({ id }) => ({ id, ok: false, error: serializeError(new Error('the SQLite writer thread has ended')) })));
      return;
    }
    try {
      this.#worker.postMessage({ kind: 'calls', calls } satisfies WriterRequest);
    } catch {
      // Arguments that are not plain data cannot cross (DataCloneError): only their call fails.
      for (const call of calls) {
        try {
          this.#worker.postMessage({ kind: 'calls', calls: [call] } satisfies WriterRequest);
        } catch (error) {
          this.#settle([{ id: call.id, ok: false, error: serializeError(error) }]);
        }
      }
    }
  }

  /** Ends the thread now (see SqliteWriterStore.abortWriter). */
  async abort(): Promise<void> {
    await this.#worker.terminate();
    await this.exited;
  }

  /** The writer answers every call it received, commits, closes the database and ends. */
  async close(): Promise<void> {
    this.#closing = true;
    // Calls made this turn go first: the writer answers everything it received before the close.
    this.#send();
    if (!this.#ended) {
      this.#worker.ref();
      this.#worker.postMessage({ kind: 'close' } satisfies WriterRequest);
    }
    await this.exited;
  }

  #settle(answers: CallAnswer[]): void {
    for (const answer of answers) {
      const pending = this.#pending.get(answer.id);
      if (!pending) continue;
      this.#pending.delete(answer.id);
      if (answer.ok) pending.resolve(answer.value);
      else pending.reject(deserializeError(answer.error));
    }
    if (this.#pending.size === 0) this.#worker.unref();
  }

  #failPending(cause: Error): void {
    for (const pending of this.#pending.values()) {
      pending.reject(new Error(`the SQLite writer thread stopped before answering: ${cause.message}`, { cause }));
    }
    this.#pending.clear();
  }
}

function countGroup(statistics: Omit<GroupStatistics, 'waiting'>, size: number): void {
  statistics.groups += 1;
  statistics.calls += size;
  statistics.largestGroup = Math.max(statistics.largestGroup, size);
}

type StoreObject = Record<string, unknown>;

/**
 * Opens the store with its writer thread (which applies the migrations) and, unless `readsHere`
 * is false, a read connection here. If the writer thread stops unexpectedly, its unanswered calls
 * fail and the next call starts another.
 */
export async function openSqliteWriterStore(filePath: string, options: SqliteWriterOptions = {}): Promise<SqliteWriterStore> {
  const statistics = { groups: 0, calls: 0, largestGroup: 0 };
  let closed = false;
  let current: WriterThread | null = null;
  let starting: Promise<WriterThread> | null = null;
  const start = async (): Promise<WriterThread> => {
    const thread = new WriterThread(filePath, statistics, (error) => {
      if (current === thread) current = null;
      options.onWriterExit?.(error);
    });
    try {
      await thread.ready;
      current = thread;
      return thread;
    } finally {
      starting = null;
    }
  };
  starting = start();
  const shape = await (await starting).ready;
  const writerCall = async (repository: string | null, method: string, args: unknown[]): Promise<unknown> => {
    if (closed) throw new Error('the store is closed');
    const writer = current ?? await (starting ??= start());
    return writer.call(repository, method, args);
  };
  const reader = options.readsHere === false ? null : sqliteStoreOn(openSqliteReadConnection(filePath), filePath) as unknown as StoreObject;

  const store: StoreObject = {};
  for (const [repository, methods] of Object.entries(shape.repositories)) {
    const readerRepository = reader?.[repository] as StoreObject | undefined;
    store[repository] = Object.fromEntries(methods.map((method) => {
      const readHere = readerRepository && READ_METHODS[repository]?.includes(method);
      return [method, readHere ? readerRepository[method] : (...args: unknown[]) => writerCall(repository, method, args)];
    }));
  }
  for (const method of shape.functions) store[method] = (...args: unknown[]) => writerCall(null, method, args);
  store.description = `sqlite:${filePath}`;
  store.groupStatistics = (): GroupStatistics => ({ ...statistics, waiting: current?.waiting ?? 0 });
  store.abortWriter = async () => { await current?.abort(); };
  store.close = async () => {
    if (closed) return;
    closed = true;
    const writer = current ?? await starting?.catch(() => null);
    await writer?.close();
    await (reader?.close as (() => Promise<void>) | undefined)?.();
  };
  return store as unknown as SqliteWriterStore;
}
