/** pino-http wired to the process logger: one line per request, with its id, no bodies. */
import { pinoHttp } from 'pino-http';
import type { RequestHandler } from 'express';
import type { Logger } from '../logger.ts';
import { requestIdFor } from './request-id.ts';

const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

export function requestLogging(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: requestIdFor,
    customAttributeKeys: { reqId: 'requestId' },
    // Binds requestId to req.log, so every line a request writes carries it, not only the access line.
    quietReqLogger: true,
    autoLogging: { ignore: (request) => QUIET_PATHS.has((request.url ?? '').split('?')[0] ?? '') },
    customLogLevel: (_request, response, error) => {
      if (error || response.statusCode >= 500) return 'error';
      if (response.statusCode >= 400) return 'warn';
      return 'info';
    },
    serializers: {
      req: (request: { method: string; url: string; id: unknown }) => ({ method: request.method, url: request.url }),
      res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
    },
  }) as unknown as RequestHandler;
}
