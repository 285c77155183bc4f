/** The processing server's Express app, built from explicit dependencies; it never listens. */
import express, { type Express } from 'express';
import { apiSecurityHeaders } from '../../shared/http/api-security-headers.ts';
import { requireBearerKey } from '../../shared/http/auth.ts';
import { requireJsonBody } from '../../shared/http/content-type.ts';
import { errorHandler, notFoundHandler } from '../../shared/http/errors.ts';
import { requestLogging } from '../../shared/http/logging.ts';
import { methodNotAllowed } from '../../shared/http/methods.ts';
import { createMetrics, type Metrics } from '../../shared/http/metrics.ts';
import { openApiHandler } from '../../shared/http/openapi.ts';
import type { DomainDeps } from './domain/deps.ts';
import { domainErrorHandler } from './http/domain-errors.ts';
import { eventsRouter, webhookDeliveriesRouter } from './http/events-routes.ts';
import { cardsRouter } from './http/cards-routes.ts';
import { healthRouter } from './http/health-routes.ts';
import { processingOpenApi } from './http/openapi.ts';
import { createPaymentMetrics, paymentsRouter } from './http/payments-routes.ts';
import { settlementRouter } from './http/settlement-routes.ts';
import type { VaultService } from './vault/service.ts';

export const API_BODY_LIMIT = '1mb';

export interface ProcessingAppOptions {
  apiKey: string;
  /** The card vault's service, behind /v1/cards. */
  vault: VaultService;
  metrics?: Metrics;
  isShuttingDown?: () => boolean;
  /** Process metrics (CPU, memory, event loop); off in tests, which build many apps. */
  collectDefaultMetrics?: boolean;
}

export function createApp(deps: DomainDeps, options: ProcessingAppOptions): Express {
  const app = express();
  const metrics = options.metrics ?? createMetrics('processing-server', { collectDefaults: options.collectDefaultMetrics ?? false });
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(apiSecurityHeaders());
  app.use(requestLogging(deps.logger));
  app.use(metrics.middleware);

  app.use(healthRouter({
    // The payments' store and the card vault's (a file of its own on SQLite).
    database: async () => {
      await Promise.all([deps.store.ping(), options.vault.ping()]);
    },
    network: () => deps.clearing.isReachable(),
    isShuttingDown: options.isShuttingDown ?? (() => false),
  }, metrics.handler));

  app.get('/openapi.json', openApiHandler(processingOpenApi));
  // The key first (401), then the method (405), then the body (415, 400, 413).
  app.use('/v1', requireBearerKey(options.apiKey));
  app.use(methodNotAllowed(app));
  app.use('/v1', requireJsonBody, express.json({ limit: API_BODY_LIMIT }));
  app.use('/v1/payments', paymentsRouter(deps, createPaymentMetrics(metrics.registry)));
  app.use('/v1/settlements', settlementRouter(deps));
  app.use('/v1/events', eventsRouter(deps));
  app.use('/v1/webhook-deliveries', webhookDeliveriesRouter(deps));
  app.use('/v1/cards', cardsRouter(options.vault));

  app.use(notFoundHandler);
  app.use(domainErrorHandler);
  app.use(errorHandler());
  return app;
}
