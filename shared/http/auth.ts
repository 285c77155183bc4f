/** Bearer-key check for the machine-to-machine APIs; constant-time comparison. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { unauthorized } from '../errors.ts';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

export function requireBearerKey(expectedKey: string): RequestHandler {
  const expected = digest(expectedKey);
  return (request, _response, next) => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match || !timingSafeEqual(digest(match[1] ?? ''), expected)) {
      next(unauthorized());
      return;
    }
    next();
  };
}
