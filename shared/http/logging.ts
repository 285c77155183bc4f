/**
 * pino-http wired to the process logger: one line per request, with its id, no bodies. What a
 * route wants said about a request (the payment it made, its outcome) goes on that same line
 * (addToRequestLog), not on a line of its own: one line per request per process at `info`.
 */
import type { ServerResponse } from 'node:http';
import { pinoHttp } from 'pino-http';
import type { RequestHandler, Response } from 'express';
import type { Logger } from '../logger.ts';
import { requestIdFor } from './request-id.ts';

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

function withRouteFields(response: ServerResponse, line: Record<string, unknown>): Record<string, unknown> {
  const fields = (response as Partial<Response>).locals?.requestLog as Record<string, unknown> | undefined;
  return fields ? { ...fields, ...line } : line;
}

export function requestLogging(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: requestIdFor,
    customAttributeKeys: { reqId: 'requestId' },
    // Binds requestId to req.log, so every line a request writes carries it, not only the access line.
    quietReqLogger: true,
    autoLogging: { ignore: (request) => QUIET_PATHS.has(loggablePath(request.url)) },
    customLogLevel: (_request, response, error) => {
      if (error || response.statusCode >= 500) return 'error';
      if (response.statusCode >= 400) return 'warn';
      return 'info';
    },
    customSuccessObject: (_request, response, line: Record<string, unknown>) => withRouteFields(response, line),
    customErrorObject: (_request, response, _error, line: Record<string, unknown>) => withRouteFields(response, line),
    serializers: {
      req: (request: { method: string; url: string; id: unknown }) => ({ method: request.method, url: loggablePath(request.url) }),
      res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
    },
  }) as unknown as RequestHandler;
}
