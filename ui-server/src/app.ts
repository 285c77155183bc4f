/**
 * createApp builds the UI server from explicit dependencies and never listens: main.ts does,
 * and the tests drive it through supertest.
 */
import path from 'node:path';
import express, { type Express } from 'express';
import { Counter } from 'prom-client';
import { errorHandler, notFoundHandler } from '../../shared/http/errors.ts';
import { requestLogging } from '../../shared/http/logging.ts';
import { listStaticFiles, methodNotAllowed, staticFileMethods } from '../../shared/http/methods.ts';
import { openApiHandler } from '../../shared/http/openapi.ts';
import { CHART_JS_PATH, folderDepth, uiOpenApi } from './openapi.ts';
import { createMetrics } from '../../shared/http/metrics.ts';
import type { Logger } from '../../shared/logger.ts';
import { createBackOfficeClient, type BackOfficeClient } from './admin/back-office-client.ts';
import { createSessionStore, type SessionStore } from './admin/sessions.ts';
import type { Clock } from './clock.ts';
import type { UiConfig } from './config.ts';
import { createProcessingClient, type ProcessingClient } from './processing-client.ts';
import { adminRoutes } from './routes/admin/index.ts';
import { authenticationReturnRoutes } from './routes/authentication-return.ts';
import { makePaymentRoutes } from './routes/make-payment.ts';
import { pageRoutes } from './routes/pages.ts';
import { paymentStatusRoutes } from './routes/payment-status.ts';
import { savedCardRoutes } from './routes/saved-cards.ts';
import { createSavedCardsClient, type SavedCardsClient } from './saved-cards-client.ts';
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
  /** The card vault's calls (saved cards); built from the config when absent. */
  savedCardsClient?: SavedCardsClient;
  /** The back office's processing calls; built from the config when absent. */
  backOfficeClient?: BackOfficeClient;
  /** Back-office sessions; a fresh in-memory store when absent. */
  sessions?: SessionStore;
  /** chart.js's dist folder, served at /admin/vendor/chart.js/; by default found beside publicDir. */
  chartJsDir?: string;
  /** Failed back-office logins per address per 15 minutes (default 10). */
  adminLoginFailuresMax?: number;
  clock: Clock;
}

/** The checkout page waits at most this long for a returning shopper's saved cards, then shows the page without them. */
const SAVED_CARDS_LIST_TIMEOUT_MS = 2_000;

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
  const savedCards = deps.savedCardsClient ?? createSavedCardsClient({
    baseUrls: config.processingUrls, apiKey: config.processingApiKey, timeoutMs: config.processingTimeoutMs,
    listTimeoutMs: Math.min(config.processingTimeoutMs, SAVED_CARDS_LIST_TIMEOUT_MS), logger,
  });
  const metrics = createMetrics('ui-server', { collectDefaults: config.nodeEnv !== 'test' });
  const results = new Counter({
    name: 'ui_payment_results_total',
    help: 'Answers to POST /make-payment by result status',
    labelNames: ['status'] as const,
    registers: [metrics.registry],
  });
  let shuttingDown = false;
  const checkoutPage = loadCheckoutPage(deps.publicDir, { pointsCurrency: config.pointsCurrency });

  const app = express() as UiApp;
  app.markShuttingDown = () => {
    shuttingDown = true;
  };
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxyHops);
  app.use(requestLogging(logger));
  app.use(metrics.middleware);
  app.use(securityHeaders({ formActionOrigins: [config.issuerOrigin] }));
  const chartJsDir = deps.chartJsDir ?? path.resolve(deps.publicDir, '../node_modules/chart.js/dist');
  const publicFiles = staticFileMethods(deps.publicDir);
  const chartJsFiles = staticFileMethods(chartJsDir, CHART_JS_PATH);
  app.use(methodNotAllowed(app, { otherMethods: (requestPath) => [...publicFiles(requestPath), ...chartJsFiles(requestPath)] }));
  app.get('/metrics', metrics.handler);
  app.get('/openapi.json', openApiHandler(() => uiOpenApi({
    publicFiles: listStaticFiles(deps.publicDir),
    chartFolderDepth: folderDepth(listStaticFiles(chartJsDir, CHART_JS_PATH), CHART_JS_PATH),
  })));
  app.use(pageRoutes({ checkoutPage, savedCards, isReady: () => !shuttingDown }));
  // No directory redirects: `/payments/..` names the public folder itself, and must fall through
  // to the routes (a 404 there), not be redirected.
  app.use(express.static(deps.publicDir, { index: false, redirect: false }));
  // The chart library comes from the installed npm package, never from a CDN (CSP: script-src 'self').
  app.use(CHART_JS_PATH, express.static(chartJsDir, { index: false, redirect: false }));
  app.use(crossSiteGuard());
  app.use(makePaymentRoutes({
    processingClient, savedCards, clock: deps.clock, logger, rateLimitPerMinute: config.rateLimitPerMinute, results, checkoutPage,
    rules: { pointsCurrency: config.pointsCurrency }, issuerOrigin: config.issuerOrigin,
  }));
  app.use(savedCardRoutes({ savedCards, logger, rateLimitPerMinute: config.rateLimitPerMinute }));
  // Before /payments/:paymentId, which would take `authentication-return` for a payment id.
  app.use(authenticationReturnRoutes({ processingClient, issuerOrigin: config.issuerOrigin, logger, results }));
  app.use(paymentStatusRoutes({ processingClient }));
  app.use('/admin', adminRoutes({
    client: deps.backOfficeClient ?? createBackOfficeClient({ baseUrls: config.processingUrls, apiKey: config.processingApiKey, timeoutMs: config.processingTimeoutMs, logger }),
    sessions: deps.sessions ?? createSessionStore({ clock: deps.clock }),
    credentials: { user: config.adminUser, password: config.adminPassword },
    clock: deps.clock,
    logger,
    ...(deps.adminLoginFailuresMax === undefined ? {} : { loginFailuresMax: deps.adminLoginFailuresMax }),
  }));
  app.use(notFoundHandler);
  app.use(htmlErrorPages());
  app.use(errorHandler());
  return app;
}
