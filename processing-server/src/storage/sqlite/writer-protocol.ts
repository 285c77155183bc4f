/**
 * What the processing server's main thread and its SQLite writer thread say to each other
 * (writer.ts, writer-worker.ts). A call names a repository and a method of the store and carries
 * its arguments; the answer carries the method's result or its error. The store port promises
 * plain data both ways (domain/ports/store.ts), so the structured clone of a message port carries
 * them as they are, and a method added to the store is forwarded without code of its own.
 */
import { AssertionError } from 'node:assert';
import type { Store } from '../../domain/ports/store.ts';

/** The store's repositories and their methods, and its own functions, as the writer found them. */
export interface StoreShape {
  repositories: Record<string, string[]>;
  functions: string[];
}

/** One store call: `repository` null for the store's own functions (`ping`). */
export interface WriterCall {
  id: number;
  repository: string | null;
  method: string;
  args: unknown[];
}

export type WriterRequest =
  /** The calls made since the last message (one event-loop turn of the main thread), in order. */
  | { kind: 'calls'; calls: WriterCall[] }
  /** Asks the writer to finish every call it received, commit, close the database and end. */
  | { kind: 'close' };

/** An error as it crosses the thread boundary: its name, message, stack and code survive. */
export interface SerializedError {
  name: string;
  message: string;
  stack: string | undefined;
  code: string | undefined;
  /** SQLite's own result code and text (node:sqlite errors). */
  errcode: number | undefined;
  errstr: string | undefined;
}

export type CallAnswer =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: SerializedError };

export type WriterMessage =
  | { kind: 'ready'; shape: StoreShape }
  | { kind: 'failed'; error: SerializedError }
  /** Answers of one committed group, in the order the calls arrived; `groupSize` on the group's first message. */
  | { kind: 'answers'; answers: CallAnswer[]; groupSize?: number };

/** The store's own functions that are not forwarded: closing is the writer's, not a call. */
const LOCAL_FUNCTIONS = new Set(['close']);

export function storeShape(store: Store): StoreShape {
  const repositories: Record<string, string[]> = {};
  const functions: string[] = [];
  for (const [name, value] of Object.entries(store)) {
    if (typeof value === 'function') {
      if (!LOCAL_FUNCTIONS.has(name)) functions.push(name);
    } else if (value !== null && typeof value === 'object') {
      repositories[name] = Object.entries(value as Record<string, unknown>)
        .filter(([, method]) => typeof method === 'function').map(([method]) => method);
    }
  }
  return { repositories, functions };
}

export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) {
    return { name: 'Error', message: String(error), stack: undefined, code: undefined, errcode: undefined, errstr: undefined };
  }
  const fields = error as Error & { code?: unknown; errcode?: unknown; errstr?: unknown };
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    code: typeof fields.code === 'string' ? fields.code : undefined,
    errcode: typeof fields.errcode === 'number' ? fields.errcode : undefined,
    errstr: typeof fields.errstr === 'string' ? fields.errstr : undefined,
  };
}

/** Error classes that keep their class across the boundary: callers and tests tell them apart. */
const ERROR_CLASSES: Record<string, new (message: string) => Error> = { TypeError, RangeError, SyntaxError, ReferenceError };

export function deserializeError(serialized: SerializedError): Error {
  const { name, message } = serialized;
  const ErrorClass = ERROR_CLASSES[name];
  // An invariant that failed on the writer (an illegal transition, say) is the same AssertionError here.
  const created = name === 'AssertionError' ? new AssertionError({ message }) : ErrorClass ? new ErrorClass(message) : new Error(message);
  const error = created as Error & { code?: string; errcode?: number; errstr?: string };
  error.name = name;
  if (serialized.stack) error.stack = serialized.stack;
  if (serialized.code !== undefined) error.code = serialized.code;
  if (serialized.errcode !== undefined) error.errcode = serialized.errcode;
  if (serialized.errstr !== undefined) error.errstr = serialized.errstr;
  return error;
}
