/** GET/POST /admin/login and POST /admin/logout. */
import express, { type Router } from 'express';
import { AppError } from '../../../../shared/errors.ts';
import {
  clearSessionCookie, credentialsMatch, currentSession, loginRateLimit, safeNextPath, secretsEqual, setSessionCookie,
} from '../../admin/auth.ts';
import { SESSION_LIFETIME_MS } from '../../admin/sessions.ts';
import { renderLoginPage } from '../../views/admin/login-page.ts';
import { adminForm, bodyText, type AdminDeps } from './common.ts';

const LOGIN_FAILURES_MAX = 10;
const LOGIN_WINDOW_MS = 15 * 60_000;

export function loginRoutes(deps: AdminDeps): Router {
  const router = express.Router();

  router.get('/login', (request, response) => {
    const next = safeNextPath(request.query.next);
    if (currentSession(request, deps.sessions)) {
      response.redirect(303, next);
      return;
    }
    response.type('html').send(renderLoginPage({ next }));
  });

  router.post(
    '/login',
    loginRateLimit({ failuresMax: deps.loginFailuresMax ?? LOGIN_FAILURES_MAX, windowMs: deps.loginWindowMs ?? LOGIN_WINDOW_MS, logger: deps.logger }),
    adminForm,
    (request, response) => {
      const user = bodyText(request, 'user').trim();
      const password = bodyText(request, 'password');
      const next = safeNextPath(bodyText(request, 'next'));
      if (!credentialsMatch({ user, password }, deps.credentials)) {
        // Neither the password nor whether the user name was right is logged or told.
        request.log.warn({ event: 'admin_login_failed' }, 'failed back-office login');
        response.status(401).type('html').send(renderLoginPage({ next, user, error: 'The user name or password is not right.' }));
        return;
      }
      // A new session (and id) at every login, so an id planted before login is worth nothing.
      deps.sessions.destroy(currentSession(request, deps.sessions)?.id);
      const session = deps.sessions.create(deps.credentials.user);
      setSessionCookie(request, response, session, SESSION_LIFETIME_MS);
      request.log.info({ event: 'admin_login', user: session.user }, 'back-office login');
      response.redirect(303, next);
    },
  );

  router.post('/logout', adminForm, (request, response, next) => {
    const session = currentSession(request, deps.sessions);
    if (session && !secretsEqual(bodyText(request, 'csrfToken'), session.csrfToken)) {
      next(new AppError({ code: 'csrf_token_invalid', status: 403, message: 'This form has expired. Reload the page and try again.' }));
      return;
    }
    deps.sessions.destroy(session?.id);
    clearSessionCookie(request, response);
    response.redirect(303, '/admin/login');
  });

  return router;
}
