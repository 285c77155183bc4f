/**
 * createApp builds the UI server from explicit dependencies and never listens: main.ts does,
 * and the tests drive it through supertest.
 */
import express, { type Express } from 'express';
import { Counter } from 'prom-client';
import { errorHandler, notFoundHandler } from '../../shared/http/errors.ts';
import { requestLogging } from '../../shared/http/logging.ts';
import { createMetrics } from '../../shared/http/metrics.ts';
import type { Logger } from '../../shared/logger.ts';
import type { Clock } from './clock.ts';
import type { UiConfig } from './config.ts';
import { createProcessingClient, type ProcessingClient } from './processing-client.ts';
import { makePaymentRoutes } from './routes/make-payment.ts';
import { pageRoutes } from './routes/pages.ts';
import { paymentStatusRoutes } from './routes/payment-status.ts';
import { htmlErrorPages } from './routes/respond.ts';
import { crossSiteGuard, securityHeaders } from './security.ts';
import { loadCheckoutPage } from './views/checkout-page.ts';

export interface AppDeps {
  config: UiConfig;
  logger: Logger;
  /** The folder of payment.html, payment.js, payment.css. */
  publicDir: string;
  /** Built from the config when absent; tests may pass their own. */
  processingClient?: ProcessingClient;
  clock: Clock;
}

export interface UiApp extends Express {
  /** Turns readiness off; main.ts calls it when shutdown starts. */
  markShuttingDown(): void;
}

export function createApp(deps: AppDeps): UiApp {
  const { config, logger } = deps;
  const processingClient = deps.processingClient ?? createProcessingClient({
    baseUrls: config.processingUrls,
    apiKey: config.processingApiKey,
    timeoutMs: config.processingTimeoutMs,
    logger,
  });
  const metrics = createMetrics('ui-server', { collectDefaults: config.nodeEnv !== 'test' });
  const results = new Counter({
    name: 'ui_payment_results_total',
    help: 'Answers to POST /make-payment by result status',
    labelNames: ['status'] as const,
    registers: [metrics.registry],
  });
  let shuttingDown = false;

  const app = express() as UiApp;
  app.markShuttingDown = () => {
    shuttingDown = true;
  };
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxyHops);
  app.use(requestLogging(logger));
  app.use(metrics.middleware);
  app.use(securityHeaders());
  app.get('/metrics', metrics.handler);
  app.use(pageRoutes({ checkoutPage: loadCheckoutPage(deps.publicDir), isReady: () => !shuttingDown }));
  app.use(express.static(deps.publicDir, { index: false }));
  app.use(crossSiteGuard());
  app.use(makePaymentRoutes({ processingClient, clock: deps.clock, logger, rateLimitPerMinute: config.rateLimitPerMinute, results }));
  app.use(paymentStatusRoutes({ processingClient }));
  app.use(notFoundHandler);
  app.use(htmlErrorPages());
  app.use(errorHandler());
  return app;
}
