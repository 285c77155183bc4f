/** The processing server's Express app, built from explicit dependencies; it never listens. */
import express, { type Express } from 'express';
import helmet from 'helmet';
import { requireBearerKey } from '../../shared/http/auth.ts';
import { requireJsonBody } from '../../shared/http/content-type.ts';
import { errorHandler, notFoundHandler } from '../../shared/http/errors.ts';
import { requestLogging } from '../../shared/http/logging.ts';
import { domainErrorHandler } from './http/domain-errors.ts';
import { methodNotAllowed } from '../../shared/http/methods.ts';
import { createMetrics, type Metrics } from '../../shared/http/metrics.ts';
import type { DomainDeps } from './domain/deps.ts';
import type { SettlementRepository } from './storage/settlement-repository.ts';
import { settlementRouter } from './http/settlement-routes.ts';
import type { SettlementDeps } from './domain/settle.ts';
import { healthRouter } from './http/health-routes.ts';
import { openApiHandler } from '../../shared/http/openapi.ts';
import { processingOpenApi } from './http/openapi.ts';
import { createPaymentMetrics, paymentsRouter } from './http/payments-routes.ts';

export const API_BODY_LIMIT = '1mb';

export interface ProcessingAppDeps extends DomainDeps {
  settlements: SettlementRepository;
  batchSizeMax: number;
  lifecycle?: SettlementDeps['lifecycle'];
  apiKey: string;
  metrics?: Metrics;
  isShuttingDown?: () => boolean;
  /** Process metrics (CPU, memory, event loop); off in tests, which build many apps. */
  collectDefaultMetrics?: boolean;
  /** How long POST /v1/settlements waits for another instance's run to show (BUSY_WAIT_MS). */
  settlementBusyWaitMs?: number;
}

export function createApp(deps: ProcessingAppDeps): Express {
  const app = express();
  const metrics = deps.metrics ?? createMetrics('processing-server', { collectDefaults: deps.collectDefaultMetrics ?? false });
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(helmet());
  app.use(requestLogging(deps.logger));
  app.use(metrics.middleware);

  app.use(healthRouter({
    database: () => deps.repository.ping(),
    network: () => deps.network.isReachable(),
    isShuttingDown: deps.isShuttingDown ?? (() => false),
  }, metrics.handler));

  app.get('/openapi.json', openApiHandler(processingOpenApi));
  // The key first (401), then the method (405), then the body (415, 400, 413).
  app.use('/v1', requireBearerKey(deps.apiKey));
  app.use(methodNotAllowed(app));
  app.use('/v1', requireJsonBody, express.json({ limit: API_BODY_LIMIT }));
  app.use('/v1/payments', paymentsRouter(deps, createPaymentMetrics(metrics.registry)));
  app.use('/v1/settlements', settlementRouter({
    settlements: deps.settlements, network: deps.network, clock: deps.clock, logger: deps.logger,
    settings: {
      authTtlHours: deps.settings.authTtlHours, batchSizeMax: deps.batchSizeMax,
      ...(deps.settlementBusyWaitMs === undefined ? {} : { busyWaitMs: deps.settlementBusyWaitMs }),
    },
    ...(deps.lifecycle ? { lifecycle: deps.lifecycle } : {}),
  }));

  app.use(notFoundHandler);
  app.use(domainErrorHandler);
  app.use(errorHandler());
  return app;
}
