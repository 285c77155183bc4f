/**
 * The merchant back office under /admin/ (SPEC §7): login, then payments, settlement runs and
 * the activity chart. Mounted after the cross-site guard; every form also carries the session's
 * CSRF token, and nothing here is cached.
 */
import express, { type ErrorRequestHandler, type Router } from 'express';
import { isAppError } from '../../../../shared/errors.ts';
import { notFoundHandler } from '../../../../shared/http/errors.ts';
import { readRecentPayments, hourlyActivity } from '../../admin/activity.ts';
import { currentSession, LOGIN_PATH, requireSession, sessionOf } from '../../admin/auth.ts';
import { renderActivityPage } from '../../views/admin/activity-page.ts';
import { renderWebhookPage } from '../../views/admin/event-pages.ts';
import { renderAdminProblemPage } from '../../views/admin/login-page.ts';
import { INBOX_EVENTS_MAX } from '../../webhook-inbox.ts';
import { WEBHOOK_PATH } from '../webhooks.ts';
import { callContext, queryText, unwrap, type AdminDeps } from './common.ts';
import { loginRoutes } from './login.ts';
import { paymentRoutes } from './payments.ts';
import { settlementRoutes } from './settlements.ts';

export type { AdminDeps } from './common.ts';

const TITLES: Record<number, string> = {
  400: 'Request not understood', 401: 'Please log in again', 403: 'Request refused', 404: 'Not found',
  409: 'Not possible now', 429: 'Too many attempts', 503: 'Processing server unavailable',
};

/** Expected errors as back-office pages (with the navigation when logged in), not the checkout's. */
function adminErrorPages(deps: AdminDeps): ErrorRequestHandler {
  return (error: unknown, request, response, next) => {
    if (!isAppError(error) || response.headersSent) {
      next(error);
      return;
    }
    if (error.status >= 500) request.log.warn({ code: error.code }, error.message);
    const session = currentSession(request, deps.sessions);
    response.status(error.status).type('html').send(renderAdminProblemPage(TITLES[error.status] ?? 'Something went wrong', error.message, session));
  };
}

export function adminRoutes(deps: AdminDeps): Router {
  const router = express.Router();
  router.use((_request, response, next) => {
    // Pages show payments and carry per-session tokens: no cache may keep them.
    response.set('Cache-Control', 'no-store');
    next();
  });
  router.get('/', (request, response) => {
    response.redirect(303, currentSession(request, deps.sessions) ? '/admin/payments' : LOGIN_PATH);
  });
  router.use(loginRoutes(deps));
  router.use(requireSession(deps.sessions));
  router.use(paymentRoutes(deps));
  router.use(settlementRoutes(deps));
  router.get('/activity', async (request, response) => {
    const recent = unwrap(await readRecentPayments(deps.client, callContext(request)), 'The payments');
    const activity = hourlyActivity(recent, queryText(request, 'currency'), deps.clock.now());
    response.type('html').send(renderActivityPage({ session: sessionOf(response), activity }));
  });
  router.get('/webhooks', (_request, response) => {
    response.type('html').send(renderWebhookPage({
      session: sessionOf(response), received: deps.webhookInbox.list(), receiverPath: WEBHOOK_PATH, keptMax: INBOX_EVENTS_MAX,
    }));
  });
  router.use(notFoundHandler);
  router.use(adminErrorPages(deps));
  return router;
}
