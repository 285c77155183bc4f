/**
 * The UI server's defences (SPEC §6.7, §7): security headers with a strict CSP, refusal of
 * cross-site posts, and a per-client rate limit on payments.
 */
import type { Request, RequestHandler } from 'express';
import helmet from 'helmet';
import { rateLimit } from 'express-rate-limit';
import { AppError } from '../../shared/errors.ts';
import type { Logger } from '../../shared/logger.ts';

/**
 * `formActionOrigins`: where a form post may lead besides this server. Chromium applies
 * form-action to the redirect after a post too, and the checkout's answer to a 3-D Secure card is
 * a 303 to the card issuer's page: its origin (NETWORK_PUBLIC_URL) is listed, nothing else.
 */
export function securityHeaders(options: { formActionOrigins: string[] }): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      // Spelled out instead of helmet's defaults: no inline script or style and nothing from
      // elsewhere. `upgrade-insecure-requests` is left out so plain-http development works.
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'", ...options.formActionOrigins],
        frameAncestors: ["'none'"],
      },
    },
    // Not no-referrer: with it Chromium sends `Origin: null` on a same-origin form post, which
    // the cross-site check below would refuse (SPEC §7).
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
  });
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function crossSiteRefusal(detail: string): AppError {
  return new AppError({ code: 'cross_site_request', status: 403, message: detail });
}

/**
 * Refuses state-changing requests that a browser marks as coming from another site. It relies
 * only on what browsers send by themselves (Sec-Fetch-Site, Origin), so the page needs no token;
 * a client that sends neither is not a browser acting for a shopper, and is let through.
 */
export function crossSiteGuard(): RequestHandler {
  return (request, _response, next) => {
    if (!UNSAFE_METHODS.has(request.method)) {
      next();
      return;
    }
    if (request.get('sec-fetch-site') === 'cross-site') {
      next(crossSiteRefusal('This form can only be submitted from this site (Sec-Fetch-Site: cross-site).'));
      return;
    }
    const origin = request.get('origin');
    if (origin !== undefined && !isOwnOrigin(origin, request)) {
      next(crossSiteRefusal('This form can only be submitted from this site (the Origin is another site).'));
      return;
    }
    next();
  };
}

/**
 * The origin the browser addressed: scheme, host and port. Behind proxies trusted with
 * UI_TRUST_PROXY_HOPS ('trust proxy'), Express takes the scheme from X-Forwarded-Proto and the
 * host from X-Forwarded-Host; otherwise from the connection and the Host header, and a client's
 * own X-Forwarded-* headers are ignored. The URL parser lowercases and drops default ports.
 */
function requestOrigin(request: Request): string | undefined {
  const host = request.host;
  if (!host) return undefined;
  try {
    const origin = new URL(`${request.protocol}://${host}`).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

/**
 * Same origin means same scheme, host and port (http://localhost:3000 is not https://localhost:3000
 * nor http://localhost:4000). `Origin: null` (an opaque origin: sandboxed frame, data: URL, privacy
 * redirect) is never this site.
 */
function isOwnOrigin(origin: string, request: Request): boolean {
  const own = requestOrigin(request);
  if (own === undefined || origin === 'null') return false;
  try {
    return new URL(origin).origin === own;
  } catch {
    return false;
  }
}

export interface PaymentRateLimitOptions {
  perMinute: number;
  logger: Logger;
}

/** Posts per client IP per minute; `perMinute` 0 turns it off (benchmarks, tests). */
export function paymentRateLimit(options: PaymentRateLimitOptions): RequestHandler {
  if (options.perMinute === 0) return (_request, _response, next) => next();
  return rateLimit({
    windowMs: 60_000,
    limit: options.perMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    logger: options.logger,
    // Which proxies to believe is decided by UI_TRUST_PROXY_HOPS; a client-sent X-Forwarded-For
    // without a trusted proxy is simply ignored, not worth a warning per process.
    validate: { xForwardedForHeader: false },
    handler: (_request, _response, next) => {
      next(new AppError({
        code: 'rate_limited',
        status: 429,
        message: `Too many payment attempts from this address: at most ${options.perMinute} a minute. Please wait a moment and try again.`,
      }));
    },
  });
}
