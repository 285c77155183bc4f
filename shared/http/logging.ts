/** pino-http wired to the process logger: one line per request, with its id, no bodies. */
import { pinoHttp } from 'pino-http';
import type { RequestHandler } from 'express';
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
    serializers: {
      req: (request: { method: string; url: string; id: unknown }) => ({ method: request.method, url: loggablePath(request.url) }),
      res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
    },
  }) as unknown as RequestHandler;
}
