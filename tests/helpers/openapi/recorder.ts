/**
 * Records what an Express app answers: method, path, status, content type, headers and body of
 * every response it finishes. It wraps the app's `handle`, the one entry point of supertest, of
 * `app.listen` and of `http.createServer(app)`, so every way a test drives the app is seen.
 * An answer whose connection was dropped before it finished (an injected lost answer) is not one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppName, Exchange } from './conformance.ts';

/** The recorder's own requests (fetching the document) carry this header and are not recorded. */
export const UNRECORDED_HEADER = 'x-cardlane-unrecorded';

/** Bodies up to this size are kept whole; a larger one is checked by status and content type only. */
const BODY_BYTES_MAX = 16 * 1024 * 1024;

type Handle = (request: IncomingMessage, response: ServerResponse, next?: unknown) => unknown;
type Chunk = string | Uint8Array;

function toBuffer(chunk: Chunk, encoding: unknown): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  return Buffer.from(chunk);
}

function watch(app: AppName, request: IncomingMessage, response: ServerResponse, sink: (exchange: Exchange) => void, currentTest: () => string | undefined): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  const keep = (chunk: unknown, encoding: unknown): void => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function' || truncated) return;
    const buffer = toBuffer(chunk as Chunk, encoding);
    size += buffer.length;
    if (size > BODY_BYTES_MAX) {
      truncated = true;
      chunks.length = 0;
      return;
    }
    chunks.push(buffer);
  };
  const write = response.write;
  const end = response.end;
  response.write = function recordedWrite(this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    keep(chunk, rest[0]);
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as ServerResponse['write'];
  response.end = function recordedEnd(this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
    keep(chunk, rest[0]);
    return (end as (...args: unknown[]) => ServerResponse).call(this, chunk, ...rest);
  } as ServerResponse['end'];
  const method = request.method ?? 'GET';
  const path = (request.url ?? '/').split('?')[0] ?? '/';
  response.once('finish', () => {
    const contentType = response.getHeader('content-type');
    sink({
      app, method, path, status: response.statusCode,
      contentType: contentType === undefined ? undefined : String(contentType),
      headers: response.getHeaders(), body: Buffer.concat(chunks), truncated, test: currentTest(),
    });
  });
}

/** Makes `app` record each answer into `sink`; returns the same app. */
export function recordAnswers<App extends object>(app: App, name: AppName, sink: (exchange: Exchange) => void, currentTest: () => string | undefined): App {
  const target = app as App & { handle: Handle };
  const handle = target.handle;
  target.handle = function recordedHandle(this: unknown, request, response, next) {
    if (request.headers[UNRECORDED_HEADER] === undefined) watch(name, request, response, sink, currentTest);
    return handle.call(this, request, response, next);
  };
  return app;
}
