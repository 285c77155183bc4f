/** Liveness, readiness (the database and the card company answer, and we are not shutting down), metrics. */
import { Router, type RequestHandler } from 'express';

export interface HealthChecks {
  database: () => Promise<void>;
  network: () => Promise<boolean>;
  isShuttingDown: () => boolean;
}

const NETWORK_CHECK_CACHE_MS = 2_000;

export function healthRouter(checks: HealthChecks, metricsHandler: RequestHandler): Router {
  const router = Router();
  let networkCheckedAt = 0;
  let networkReachable = false;

  router.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });

  router.get('/readyz', async (_request, response) => {
    let database = true;
    try {
      await checks.database();
    } catch {
      database = false;
    }
    // Readiness probes come often; the card company is asked at most once per cache period.
    if (Date.now() - networkCheckedAt > NETWORK_CHECK_CACHE_MS) {
      networkReachable = await checks.network();
      networkCheckedAt = Date.now();
    }
    const shuttingDown = checks.isShuttingDown();
    const ready = database && networkReachable && !shuttingDown;
    response.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not_ready',
      checks: { database: database ? 'ok' : 'failing', network: networkReachable ? 'ok' : 'unreachable', shuttingDown },
    });
  });

  router.get('/metrics', metricsHandler);
  return router;
}
