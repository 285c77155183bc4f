/** Liveness, readiness and metrics: no key, so probes and scrapers need no secret. */
import { Router, type RequestHandler } from 'express';

export interface HealthRoutesDeps {
  /** True when the database answers. */
  databaseReady: () => boolean;
  isShuttingDown: () => boolean;
  metricsHandler: RequestHandler;
}

export function healthRoutes(deps: HealthRoutesDeps): Router {
  const router = Router();

  router.get('/healthz', (_request, response) => {
    response.status(200).json({ status: 'ok' });
  });

  router.get('/readyz', (_request, response) => {
    let ready = false;
    try {
      ready = !deps.isShuttingDown() && deps.databaseReady();
    } catch {
      // A closed or broken database is exactly what readiness reports; it is not an error here.
      ready = false;
    }
    response.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks: { database: ready ? 'ok' : 'failing' } });
  });

  router.get('/metrics', deps.metricsHandler);

  return router;
}
