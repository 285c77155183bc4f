/** The checkout page, the root redirect and the probes. */
import express, { type Router } from 'express';
import type { CheckoutPage } from '../views/checkout-page.ts';

export interface PageDeps {
  checkoutPage: CheckoutPage;
  /** False once shutdown started, so a load balancer stops sending shoppers here. */
  isReady: () => boolean;
}

export function pageRoutes(deps: PageDeps): Router {
  const router = express.Router();
  router.get('/', (_request, response) => {
    response.redirect(302, '/payment.html');
  });
  router.get('/payment.html', (_request, response) => {
    // Revalidated on every normal load (a fresh key each time) but not no-store, so Back still
    // shows the page with the key it was submitted with: resubmitting it replays, never charges twice.
    response.set('Cache-Control', 'no-cache').type('html').send(deps.checkoutPage.render());
  });
  router.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });
  router.get('/readyz', (_request, response) => {
    // The UI server holds no state and needs nothing to serve the page; a processing server that
    // is down is answered per payment ("not charged"), so only shutdown makes it unready.
    if (deps.isReady()) response.json({ status: 'ready' });
    else response.status(503).json({ status: 'shutting_down' });
  });
  return router;
}
