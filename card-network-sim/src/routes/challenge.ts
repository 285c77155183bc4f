/**
 * `/3ds/challenge/:authenticationId`: the issuer's challenge page for the shopper's browser. No
 * key (the shopper has none); the authentication id in the address is what the merchant handed
 * over. The page's CSP allows its own form to post and the redirect after it to reach the
 * merchant's returnUrl: Chromium applies form-action to that redirect too.
 */
import express, { Router, type Request, type Response } from 'express';
import type { Logger } from '../../../shared/logger.ts';
import type { AccessControlServer } from '../authentication.ts';
import { challengePage, finishedPage, notFoundPage, refusedPage } from '../challenge-page.ts';
import type { NetworkCounters } from '../metrics.ts';
import type { AuthenticationRow } from '../storage/authentication-store.ts';

/** A code and a button: a few dozen bytes. */
const FORM_BODY_LIMIT_BYTES = 2 * 1024;

export interface ChallengeRoutesDeps {
  authentications: AccessControlServer;
  counters: NetworkCounters;
  logger: Logger;
  /** The simulator's public base URL; a post from its origin is the page's own. */
  publicUrl: () => string;
}

function sendHtml(response: Response, status: number, html: string, returnUrl?: string): void {
  const formTargets = returnUrl === undefined ? "'self'" : `'self' ${new URL(returnUrl).origin}`;
  response
    .status(status)
    .set({
      // img-src data: for the empty icon the page names, so that a browser asks no /favicon.ico of the bank.
      'Content-Security-Policy': `default-src 'self'; img-src data:; form-action ${formTargets}; frame-ancestors 'none'; base-uri 'none'`,
      'Cache-Control': 'no-store',
      // Chromium sends `Origin: null` on a same-origin form post under no-referrer; same-origin keeps the real one.
      'Referrer-Policy': 'same-origin',
    })
    .type('text/html; charset=utf-8')
    .send(html);
}

function pageFor(authentication: AuthenticationRow): string {
  return authentication.status === 'challenge_required' ? challengePage(authentication) : finishedPage(authentication);
}

function requestIdOf(request: Request): unknown {
  return (request as { id?: unknown }).id;
}

export function challengeRoutes(deps: ChallengeRoutesDeps): Router {
  const router = Router();

  /**
   * True for a post that did not come from the page itself. Browsers say where a request comes
   * from (Sec-Fetch-Site, else Origin); a client that sends neither is not a browser and cannot
   * carry a shopper's session anywhere, so it is let through.
   */
  const postedFromElsewhere = (request: Request): boolean => {
    const fetchSite = request.get('sec-fetch-site');
    if (fetchSite !== undefined) return fetchSite !== 'same-origin';
    const origin = request.get('origin');
    if (origin === undefined) return false;
    return origin !== new URL(deps.publicUrl()).origin && origin !== `${request.protocol}://${request.get('host') ?? ''}`;
  };

  router.get('/:authenticationId', (request, response) => {
    const authentication = deps.authentications.challenge(request.params.authenticationId);
    if (!authentication) {
      sendHtml(response, 404, notFoundPage());
      return;
    }
    sendHtml(response, 200, pageFor(authentication), authentication.returnUrl);
  });

  router.post('/:authenticationId', express.urlencoded({ extended: false, limit: FORM_BODY_LIMIT_BYTES, parameterLimit: 10 }), (request, response) => {
    if (postedFromElsewhere(request)) {
      sendHtml(response, 403, refusedPage());
      return;
    }
    const form = (request.body ?? {}) as Record<string, unknown>;
    const outcome = deps.authentications.answerChallenge(request.params.authenticationId, {
      code: typeof form.code === 'string' ? form.code.trim() : undefined,
      cancelled: form.action === 'cancel',
    });
    if (!outcome) {
      sendHtml(response, 404, notFoundPage());
      return;
    }
    if (outcome.decidedNow) {
      deps.counters.authentications.inc({ status: outcome.row.status });
      // The code itself is never logged: it is the shopper's secret for this payment.
      deps.logger.info({ requestId: requestIdOf(request), authenticationId: outcome.row.id, status: outcome.row.status }, '3-D Secure challenge decided');
    }
    // Back to the merchant exactly as it asked (its own payment id is in there), not re-encoded.
    response.status(303).set({ Location: outcome.row.returnUrl, 'Cache-Control': 'no-store' }).end();
  });

  return router;
}
