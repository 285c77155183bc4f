/** Refuses a request body that is not JSON (415), instead of silently ignoring it. */
import type { RequestHandler } from 'express';
import { AppError } from '../errors.ts';

export const requireJsonBody: RequestHandler = (request, _response, next) => {
  const hasBody = Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
  if (hasBody && !request.is('application/json')) {
    next(new AppError({
      code: 'unsupported_media_type', status: 415,
      message: 'Send the request body as JSON (Content-Type: application/json).',
      errors: [{ field: 'Content-Type', message: 'must be application/json' }],
    }));
    return;
  }
  next();
};
