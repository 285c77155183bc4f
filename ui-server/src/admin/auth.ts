/**
 * Who may use the back office: the login check, the session cookie, the per-session CSRF token,
 * and a small limit on failed logins.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { AppError } from '../../../shared/errors.ts';
import type { Logger } from '../../../shared/logger.ts';
import { readCookie } from '../cookies.ts';
import type { AdminSession, SessionStore } from './sessions.ts';

export const SESSION_COOKIE = 'cardlane_admin';
/** The cookie goes only to the back office, never with the shopper's checkout requests. */
export const SESSION_COOKIE_PATH = '/admin';
export const LOGIN_PATH = '/admin/login';

/**
 * Compares in time that does not depend on where the strings differ, nor on their lengths:
 * both sides are hashed to 32 bytes first, and both comparisons always run.
 */
export function secretsEqual(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export function credentialsMatch(given: { user: string; password: string }, expected: { user: string; password: string }): boolean {
  const userMatches = secretsEqual(given.user, expected.user);
  const passwordMatches = secretsEqual(given.password, expected.password);
  return userMatches && passwordMatches;
}

export function setSessionCookie(request: Request, response: Response, session: AdminSession, maxAgeMs: number): void {
  response.cookie(SESSION_COOKIE, session.id, {
    httpOnly: true,
    sameSite: 'strict',
    // Secure whenever the merchant reaches us over https (directly or through a trusted proxy);
    // plain-http development would otherwise never get its cookie back.
    secure: request.secure,
    path: SESSION_COOKIE_PATH,
    maxAge: maxAgeMs,
  });
}

export function clearSessionCookie(request: Request, response: Response): void {
  response.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: request.secure, path: SESSION_COOKIE_PATH });
}

/** The request's live session, or undefined. */
export function currentSession(request: Request, sessions: SessionStore): AdminSession | undefined {
  return sessions.get(readCookie(request, SESSION_COOKIE));
}

/** Only back-office paths are followed after login, so the login page cannot send anyone elsewhere. */
export function safeNextPath(value: unknown): string {
  if (typeof value !== 'string' || value.length > 500) return '/admin/payments';
  // Starting with "/admin/" it is a path on this host; no backslash or space can make it another.
  return /^\/admin\/[^\\\s]*$/.test(value) && !value.startsWith(LOGIN_PATH) ? value : '/admin/payments';
}

/**
 * Puts the session on `response.locals.session`. A page asked for without one goes to the login
 * (and comes back after it); a post without one is refused, since its form cannot be replayed.
 */
export function requireSession(sessions: SessionStore): RequestHandler {
  return (request, response, next) => {
    const session = currentSession(request, sessions);
    if (session) {
      response.locals.session = session;
      next();
      return;
    }
    if (request.method === 'GET' || request.method === 'HEAD') {
      response.redirect(303, `${LOGIN_PATH}?next=${encodeURIComponent(request.originalUrl)}`);
      return;
    }
    next(new AppError({ code: 'session_expired', status: 401, message: 'Your back-office session has ended. Please log in again.' }));
  };
}

export function sessionOf(response: Response): AdminSession {
  const session = response.locals.session as AdminSession | undefined;
  if (!session) throw new Error('requireSession must run before this handler');
  return session;
}

/**
 * The per-session token every back-office form carries. The cross-site guard already refuses
 * posts that browsers mark as cross-site; the token also covers browsers and proxies that send
 * neither Sec-Fetch-Site nor Origin.
 */
export function requireCsrfToken(): RequestHandler {
  return (request, response, next) => {
    const session = sessionOf(response);
    const body = request.body as Record<string, unknown> | undefined;
    const token = typeof body?.csrfToken === 'string' ? body.csrfToken : '';
    if (!secretsEqual(token, session.csrfToken)) {
      next(new AppError({ code: 'csrf_token_invalid', status: 403, message: 'This form has expired or did not come from the back office. Reload the page and try again.' }));
      return;
    }
    next();
  };
}

export interface LoginRateLimitOptions {
  /** Failed logins per client address per window; successful ones are not counted. */
  failuresMax: number;
  windowMs: number;
  logger: Logger;
}

export function loginRateLimit(options: LoginRateLimitOptions): RequestHandler {
  return rateLimit({
    windowMs: options.windowMs,
    limit: options.failuresMax,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    logger: options.logger,
    validate: { xForwardedForHeader: false },
    handler: (request, _response, next) => {
      request.log?.warn({ event: 'admin_login_rate_limited' }, 'too many failed back-office logins');
      next(new AppError({
        code: 'rate_limited',
        status: 429,
        message: `Too many failed logins from this address. Please wait ${Math.round(options.windowMs / 60_000)} minutes and try again.`,
      }));
    },
  });
}
