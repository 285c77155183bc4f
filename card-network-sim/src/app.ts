/**
 * The card-network simulator's HTTP app, built from explicit dependencies. It never
 * listens: main.ts does, and tests drive it with supertest.
 */
import express, { type Express } from 'express';
import helmet from 'helmet';
import { apiSecurityHeaders } from '../../shared/http/api-security-headers.ts';
import { requireBearerKey } from '../../shared/http/auth.ts';
import { errorHandler, notFoundHandler } from '../../shared/http/errors.ts';
import { requestLogging } from '../../shared/http/logging.ts';
import { methodNotAllowed } from '../../shared/http/methods.ts';
import { createMetrics } from '../../shared/http/metrics.ts';
import type { Logger } from '../../shared/logger.ts';
import { AccessControlServer, CHALLENGE_PATH } from './authentication.ts';
import { createCardFingerprinter } from './card-fingerprint.ts';
import { ClearingHouse } from './clearing.ts';
import type { NetworkConfig } from './config.ts';
import { FaultInjector } from './faults.ts';
import { Issuer } from './issuer.ts';
import { createNetworkCounters } from './metrics.ts';
import type { PinHashCost } from './pin-hash.ts';
import { PointsProvider } from './points.ts';
import { adminRoutes } from './routes/admin.ts';
import { authenticationRoutes } from './routes/authentications.ts';
import { authorizationRoutes } from './routes/authorizations.ts';
import { challengeRoutes } from './routes/challenge.ts';
import { healthRoutes } from './routes/health.ts';
import { pointsRoutes } from './routes/points.ts';
import { openApiHandler } from '../../shared/http/openapi.ts';
import { networkOpenApi } from './openapi.ts';
import { settlementRoutes } from './routes/settlement.ts';
import type { NetworkStore } from './storage/store.ts';

export const SERVICE_NAME = 'card-network-sim';

/** Fault settings are a handful of fields. */
const ADMIN_BODY_LIMIT_BYTES = 16 * 1024;

export interface AppDeps {
  config: NetworkConfig;
  logger: Logger;
  store: NetworkStore;
  clock: () => Date;
  random: () => number;
  /** Turns readiness false while the process shuts down. */
  isShuttingDown?: () => boolean;
  /** Process-level metrics (CPU, memory); off in tests, which build many apps. */
  collectDefaultMetrics?: boolean;
  /** Where a shopper's browser reaches this process; `config.publicUrl` unless main.ts knows the port listened on. */
  publicUrl?: () => string;
  /** Cost of the PIN hashes of points accounts opened at run time; tests lower it, as they do for the seeded ones. */
  pinHashCost?: PinHashCost;
}

export function createApp(deps: AppDeps): Express {
  const { config, logger, store, clock, random } = deps;
  const metrics = createMetrics(SERVICE_NAME, { collectDefaults: deps.collectDefaultMetrics ?? false });
  const counters = createNetworkCounters(metrics.registry);
  const fingerprintCard = createCardFingerprinter(store.cardSecret);
  const issuer = new Issuer({
    store, clock, random, fingerprintCard, cardCreditLimit: config.cardCreditLimit, authorizationTtlMs: config.authorizationTtlMs,
  });
  const clearing = new ClearingHouse({ store, clock, fingerprintCard, authorizationTtlMs: config.authorizationTtlMs });
  const publicUrl = deps.publicUrl ?? (() => config.publicUrl);
  const authentications = new AccessControlServer({ store, clock, fingerprintCard, publicUrl });
  const points = new PointsProvider({
    store, clock, random, authorizationTtlMs: config.authorizationTtlMs, pointsCurrency: config.pointsCurrency, pinHashCost: deps.pinHashCost,
  });
  const faults = new FaultInjector({ initial: config.faults, random, onFault: (kind) => counters.injectedFaults.inc({ kind }) });

  const app = express();
  app.set('etag', false);
  app.use(apiSecurityHeaders());
  app.use(requestLogging(logger));
  app.use(metrics.middleware);
  app.use(healthRoutes({
    databaseReady: () => store.ping(),
    isShuttingDown: deps.isShuttingDown ?? (() => false),
    metricsHandler: metrics.handler,
  }));

  app.get('/openapi.json', openApiHandler(() => networkOpenApi({
    batchSizeMax: config.settlementBatchMax, jsonBodyLimitBytes: config.jsonBodyLimitBytes, adminEnabled: config.adminEnabled,
  })));
  // The shopper's browser, not the merchant, calls the challenge page: no key, no injected faults,
  // and helmet's full set of headers for a page a browser shows.
  app.use(CHALLENGE_PATH, helmet(), challengeRoutes({ authentications, counters, logger, publicUrl }));

  // The key is checked before the method, faults and body parsing: an uninvited caller learns nothing.
  app.use('/v1', requireBearerKey(config.apiKey));
  if (config.adminEnabled) app.use('/admin', requireBearerKey(config.apiKey));
  app.use(methodNotAllowed(app));
  app.use('/v1', faults.middleware(logger), express.json({ limit: config.jsonBodyLimitBytes }));
  app.use('/v1', authorizationRoutes({ issuer, faults, counters, logger }));
  app.use('/v1', authenticationRoutes({ authentications, counters }));
  app.use('/v1', pointsRoutes({ points, faults, counters, logger }));
  app.use('/v1', settlementRoutes({ clearing, faults, counters, logger, settlementBatchMax: config.settlementBatchMax }));

  if (config.adminEnabled) {
    app.use('/admin', express.json({ limit: ADMIN_BODY_LIMIT_BYTES }), adminRoutes({ faults, points, logger }));
  }

  app.use(notFoundHandler);
  app.use(errorHandler());
  return app;
}
