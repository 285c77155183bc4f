/** What the back-office routes share: their dependencies, the form parser, answer unwrapping. */
import express, { type Request } from 'express';
import { AppError, notFound } from '../../../../shared/errors.ts';
import type { Logger } from '../../../../shared/logger.ts';
import type { Answer, BackOfficeClient, CallContext } from '../../admin/back-office-client.ts';
import type { SessionStore } from '../../admin/sessions.ts';
import type { Clock } from '../../clock.ts';
import type { WebhookInbox } from '../../webhook-inbox.ts';

export interface AdminDeps {
  client: BackOfficeClient;
  sessions: SessionStore;
  credentials: { user: string; password: string };
  /** The events the webhook receiver kept, for /admin/webhooks. */
  webhookInbox: WebhookInbox;
  clock: Clock;
  logger: Logger;
  /** Failed logins per address per window before 429. */
  loginFailuresMax?: number;
  loginWindowMs?: number;
}

/** Back-office forms are a few small fields. */
export const adminForm = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });

/** Ids and cursors as they appear in paths and queries; anything else is not one of ours. */
export const ID_PATTERN = /^[A-Za-z0-9_.:-]{1,200}$/;

export function callContext(request: Request): CallContext {
  return { requestId: String(request.id) };
}

export function processingUnavailable(): AppError {
  return new AppError({
    code: 'processing_unavailable', status: 503,
    message: 'The processing server could not be reached or gave an unreadable answer. Please try again in a moment.',
  });
}

/**
 * The data of a successful answer; a 404 becomes "not found", any other failure an error page.
 * A 401/403 refuses the UI server's own key, not the merchant: that is a configuration fault.
 */
export function unwrap<T>(answer: Answer<T>, what: string): T {
  if (answer.kind === 'ok') return answer.data;
  if (answer.kind === 'problem' && answer.status === 404) throw notFound(what);
  if (answer.kind === 'problem' && (answer.status === 401 || answer.status === 403)) {
    throw new AppError({
      code: 'processing_refused_key', status: 503,
      message: 'The processing server refused the UI server\'s key (check PROCESSING_API_KEY). Nothing was changed.',
    });
  }
  if (answer.kind === 'problem' && answer.status < 500) {
    throw new AppError({ code: answer.code, status: answer.status, message: answer.detail });
  }
  throw processingUnavailable();
}

/** A query parameter as a single string, or undefined. */
export function queryText(request: Request, name: string): string | undefined {
  const value = request.query[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

export function bodyText(request: Request, name: string): string {
  const body = request.body as Record<string, unknown> | undefined;
  const value = body?.[name];
  return typeof value === 'string' ? value : '';
}

/** A cursor from the query, if it looks like one (the processing server checks it again). */
export function cursor(request: Request, name: string): string | undefined {
  const value = queryText(request, name);
  return value !== undefined && ID_PATTERN.test(value) ? value : undefined;
}
