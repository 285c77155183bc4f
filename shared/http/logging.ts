/**
 * The access log of every process: one line per request, written when its answer has gone out
 * (or the client went away), with the request id, method, path, status and time, and never a
 * body. What a route wants said about a request (the payment it made, its outcome) goes on that
 * same line (addToRequestLog), not on a line of its own: one line per request per process at
 * `info`. Lines have the shape pino-http gave them; this middleware does the same in a third of
 * the time (no logger built per request beyond the one that carries the request id, no
 * serializer wrapping every request object), which counted at the authorization benchmark.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler, Response } from 'express';
import type { Logger } from '../logger.ts';
import { requestIdFor } from './request-id.ts';

declare module 'http' {
  interface IncomingMessage {
    /** The request id (`x-request-id`), set by requestLogging. */
    id: string;
    /** The process logger with this request's `requestId` bound, so every line a request writes carries it. */
    log: Logger;
  }
}

const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * The path of a request URL, without its query string: a client may put anything in a query
 * (a card number, a CVV), and a log line is no place for it. The path is enough to follow a
 * request; its parameters are in the routes' own log lines where they are safe to show.
 */
export function loggablePath(url: string | undefined): string {
  return (url ?? '').split('?')[0] ?? '';
}

/** Adds fields to the request's access-log line; they must be safe to log (ids, statuses, codes). */
export function addToRequestLog(response: Response, fields: Record<string, unknown>): void {
  response.locals.requestLog = { ...(response.locals.requestLog as Record<string, unknown> | undefined), ...fields };
}

/** The request as it arrived: routers rewrite `request.url` on the way down. */
interface Arrival {
  method: string | undefined;
  url: string;
  atMs: number;
}

function accessLine(request: IncomingMessage, response: ServerResponse, arrival: Arrival, error: Error | undefined): void {
  const { statusCode } = response;
  const routeFields = (response as Partial<Response>).locals?.requestLog as Record<string, unknown> | undefined;
  const line: Record<string, unknown> = {
    ...routeFields, req: { method: arrival.method, url: arrival.url }, res: { statusCode }, responseTime: Date.now() - arrival.atMs,
  };
  if (error || statusCode >= 500) {
    request.log.error({ ...line, err: error ?? new Error(`failed with status code ${statusCode}`) }, 'request errored');
    return;
  }
  const message = !request.readableAborted && response.writableEnded ? 'request completed' : 'request aborted';
  if (statusCode >= 400) request.log.warn(line, message);
  else request.log.info(line, message);
}

export function requestLogging(logger: Logger): RequestHandler {
  return (request, response, next) => {
    const arrival: Arrival = { method: request.method, url: loggablePath(request.url), atMs: Date.now() };
    request.id = requestIdFor(request, response);
    request.log = logger.child({ requestId: request.id });
    if (!QUIET_PATHS.has(arrival.url)) {
      let logged = false;
      const done = (error?: Error): void => {
        if (logged) return;
        logged = true;
        accessLine(request, response, arrival, error);
      };
      response.once('finish', () => done());
      response.once('close', () => done());
      response.once('error', done);
    }
    next();
  };
}
