/** The domain's dependencies for one request: its logger (the request id on every line) and the cause its changes are written with. */
import type { Request } from 'express';
import type { DomainDeps } from '../domain/deps.ts';
import { requestCause } from '../domain/events.ts';

export function requestDeps<Deps extends Pick<DomainDeps, 'logger' | 'cause'>>(deps: Deps, request: Request): Deps {
  return { ...deps, logger: request.log, cause: requestCause(String(request.id)) };
}
