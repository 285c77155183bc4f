/**
 * The one place where the processing server is put together: the store, the vault, the
 * providers and the clearing house (adapters), the clock and the logger, wired to the domain's
 * ports; the jobs; the HTTP app; and the shutdown that ends them in order. The server (main.ts)
 * and the tests build it with createProcessing, `npm run settle` with createProcessingWithoutHttp
 * (everything but the HTTP app, whose modules it then never loads: less memory for a run of a
 * million items); tests pass overrides (a fake provider, an injected clock, a store of their own).
 */
import type { Express } from 'express';
import type { Counter } from 'prom-client';
import { createLogger, type Logger } from '../../shared/logger.ts';
import { createMetrics } from '../../shared/http/metrics.ts';
import type { ProcessingConfig } from './config.ts';
import type { DomainDeps, ProcessLifecycle } from './domain/deps.ts';
import type { ClearingPort, Providers } from './domain/ports/provider.ts';
import type { Store } from './domain/ports/store.ts';
import type { CardVault } from './domain/ports/vault.ts';
import type { WebhookSender } from './domain/ports/webhook-sender.ts';
import { endpointForLogs } from './domain/webhook-endpoints.ts';
import { createAttemptCounter, registerEventMetrics } from './http/event-metrics.ts';
import { startRecoveryWorker, type RecoveryWorker } from './jobs/recovery-worker.ts';
import { startSettlementSchedule, type SettlementSchedule } from './jobs/settlement-schedule.ts';
import { startWebhookDispatcher, type WebhookDispatcher } from './jobs/webhook-dispatcher.ts';
import { createCardNetworkClient } from './providers/card-network-client.ts';
import { createPointsClient } from './providers/points-client.ts';
import { createWebhookClient } from './providers/webhook-client.ts';
import { openStore, type SqliteWriterStore } from './storage/index.ts';
import { createCardVault, loadVaultKey } from './vault/card-vault.ts';
import { createEnvelope } from './vault/envelope.ts';
import { createVaultService, type CardVerifier, type VaultService } from './vault/service.ts';
import { openVaultStore } from './vault/storage/index.ts';
import type { VaultStore } from './vault/store.ts';

export interface ProcessingOverrides {
  /** A store opened by the caller; it is closed with the rest. */
  store?: Store;
  /** The card vault's store, opened by the caller; it is closed with the rest. */
  vaultStore?: VaultStore;
  providers?: Partial<Providers>;
  clearing?: ClearingPort;
  vault?: CardVault;
  /** The vault key (CARD_VAULT_KEY) behind `vault`, when the caller gives one: saved cards' data keys are wrapped with it too. */
  vaultKey?: Buffer;
  clock?: () => Date;
  logger?: Logger;
  /** How long POST /v1/settlements waits for another instance's run to show (tests shorten it). */
  settlementBusyWaitMs?: number;
  /** Process metrics (CPU, memory, event loop): on for the server, off where many apps are built. */
  collectDefaultMetrics?: boolean;
  /** Posts events to the webhook endpoints; the signing HTTP client unless a test gives its own. */
  webhookSender?: WebhookSender;
  /** How often the webhook dispatcher looks for work when it has none. */
  webhookIntervalMs?: number;
  /**
   * SQLite on its writer thread (default) or on the calling thread: `npm run settle` is the
   * store's only user, gains nothing from a writer thread and would carry its heap (~50 MB).
   */
  sqliteWriterThread?: boolean;
}

export interface ProcessingJobs {
  recovery: RecoveryWorker;
  schedule: SettlementSchedule | null;
  webhooks: WebhookDispatcher;
}

export interface Processing {
  config: ProcessingConfig;
  /** The domain's dependencies: every domain operation and job is called with these. */
  deps: DomainDeps;
  /** The card vault: saved cards, kept apart from payments, in a store of their own. */
  vault: VaultService;
  vaultStore: VaultStore;
  /** Starts the recovery worker and the settlement schedule, unless JOBS_ENABLED is false. */
  startJobs(): ProcessingJobs | null;
  /** First step of a shutdown: readiness fails, runs stop between batches, the schedule stops. */
  beginShutdown(): void;
  /** Webhook attempts made by this process's dispatcher, by outcome (the app's /metrics shows it). */
  webhookAttempts: Counter<'outcome'>;
  isShuttingDown(): boolean;
  /** Last step: waits for the jobs and the settlement runs in progress, then closes the store. */
  close(): Promise<void>;
}

export interface ProcessingServer extends Processing {
  app: Express;
}

/** Settlement runs register here, so that a shutdown can stop them between batches and wait for them. */
function runTracker(): { lifecycle: ProcessLifecycle; stop(): void; settled(): Promise<unknown> } {
  const stopping = new AbortController();
  const active = new Set<Promise<unknown>>();
  return {
    lifecycle: {
      signal: stopping.signal,
      track: (work) => {
        active.add(work);
        void work.finally(() => active.delete(work)).catch(() => undefined);
      },
    },
    stop: () => stopping.abort(),
    settled: () => Promise.allSettled([...active]),
  };
}

function createProviders(config: ProcessingConfig, overrides: ProcessingOverrides, logger: Logger): { providers: Providers; clearing: ClearingPort } {
  const options = {
    baseURL: config.NETWORK_URL, apiKey: config.NETWORK_API_KEY, timeoutMs: config.NETWORK_TIMEOUT_MS, retryMax: config.NETWORK_RETRY_MAX,
  };
  const circuitLog = (party: string) => (state: 'open' | 'closed') => {
    if (state === 'open') logger.warn({ party }, 'circuit open: calls fail fast until a probe gets through');
    else logger.info({ party }, 'circuit closed again');
  };
  const cardNetwork = createCardNetworkClient({ ...options, onCircuitChange: circuitLog('card company') });
  const cards = overrides.providers?.card ?? cardNetwork.cards;
  return {
    providers: {
      card: cards,
      // A saved card is a card at the card company: the same provider authorizes it.
      saved_card: overrides.providers?.saved_card ?? cards,
      points: overrides.providers?.points ?? createPointsClient({ ...options, onCircuitChange: circuitLog('points provider') }),
    },
    clearing: overrides.clearing ?? cardNetwork.clearing,
  };
}

/** The card company checks cards to save; a card provider that cannot verify leaves them unverified, and unsaved. */
function cardVerifier(providers: Providers): CardVerifier {
  const cards = providers.card;
  return {
    verify: (command, context) => cards.verify?.(command, context)
      ?? Promise.resolve({ kind: 'no_answer', delivered: 'no', error: 'the card provider cannot verify cards' }),
  };
}

/** The processing server: everything createProcessingWithoutHttp builds, and the HTTP app on it. */
export async function createProcessing(config: ProcessingConfig, overrides: ProcessingOverrides = {}): Promise<ProcessingServer> {
  const processing = await createProcessingWithoutHttp(config, overrides);
  const { createApp } = await import('./app.ts');
  const metrics = createMetrics('processing-server', { collectDefaults: overrides.collectDefaultMetrics ?? true });
  registerEventMetrics(metrics.registry, {
    store: processing.deps.store, urls: config.WEBHOOK_URLS, clock: processing.deps.clock, attempts: processing.webhookAttempts,
  });
  const app = createApp(processing.deps, {
    apiKey: config.PROCESSING_API_KEY, vault: processing.vault, isShuttingDown: processing.isShuttingDown, metrics,
  });
  return { ...processing, app };
}

/** The store, the adapters, the domain's dependencies and the jobs, without the HTTP app. */
export async function createProcessingWithoutHttp(config: ProcessingConfig, overrides: ProcessingOverrides = {}): Promise<Processing> {
  const logger = overrides.logger ?? createLogger({ service: 'processing-server', level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const store = overrides.store ?? await openStore(config, {
    writerThread: overrides.sqliteWriterThread ?? true,
    onWriterExit: (error) => logger.error({ err: error }, 'the SQLite writer thread stopped: its unanswered calls failed; the next call starts another'),
  });
  if (!overrides.store) logger.info({ store: store.description }, 'store opened');
  const vaultStore = overrides.vaultStore ?? await openVaultStore(config);
  if (!overrides.vaultStore) logger.info({ store: vaultStore.description }, 'card vault opened');
  const vaultKey = overrides.vaultKey ?? loadVaultKey({ configuredKey: config.CARD_VAULT_KEY, dataDir: config.DATA_DIR, logger });
  const cardVault = overrides.vault ?? createCardVault(vaultKey);
  const clock = overrides.clock ?? (() => new Date());
  const { providers, clearing } = createProviders(config, overrides, logger);
  const vault = createVaultService({
    store: vaultStore, envelope: createEnvelope(vaultKey), cardVault, verifier: cardVerifier(providers), clock, logger, events: store.events,
  });
  const runs = runTracker();
  const deps: DomainDeps = {
    store,
    providers,
    clearing,
    vault: cardVault,
    savedCards: vault,
    clock,
    logger,
    settings: {
      spendLimits: config.CARD_SPEND_LIMIT, pointsCurrency: config.POINTS_CURRENCY, authTtlHours: config.AUTH_TTL_HOURS,
      recoveryGraceMs: config.RECOVERY_GRACE_MS, authenticationTtlMinutes: config.AUTHENTICATION_TTL_MINUTES,
      batchSizeMax: config.SETTLEMENT_BATCH_MAX, busyWaitMs: overrides.settlementBusyWaitMs,
    },
    lifecycle: runs.lifecycle,
  };
  let shuttingDown = false;
  let jobs: ProcessingJobs | null = null;
  const webhookAttempts = createAttemptCounter();
  const webhookSender = overrides.webhookSender ?? createWebhookClient({
    secret: config.WEBHOOK_SECRET,
    onCircuitChange: (url, state) => logger[state === 'open' ? 'warn' : 'info']({ endpoint: endpointForLogs(url), state }, `webhook endpoint circuit ${state}`),
  });
  return {
    config,
    deps,
    webhookAttempts,
    vault,
    vaultStore,
    startJobs() {
      if (!config.JOBS_ENABLED || jobs) return jobs;
      jobs = {
        recovery: startRecoveryWorker({ deps, intervalMs: config.RECOVERY_INTERVAL_MS, logger }),
        schedule: startSettlementSchedule({ expression: config.SETTLEMENT_CRON, deps, logger }),
        webhooks: startWebhookDispatcher({
          deps: { store, sender: webhookSender, clock: deps.clock, logger }, urls: config.WEBHOOK_URLS, logger,
          ...(overrides.webhookIntervalMs === undefined ? {} : { intervalMs: overrides.webhookIntervalMs }),
          onAttempt: (status) => webhookAttempts.inc({ outcome: status }),
          handOver: (limit) => vault.handOverEvents(limit),
        }),
      };
      return jobs;
    },
    beginShutdown() {
      shuttingDown = true;
      runs.stop();
      jobs?.schedule?.stop();
    },
    isShuttingDown: () => shuttingDown,
    async close() {
      await jobs?.recovery.stop();
      await jobs?.webhooks.stop();
      await runs.settled();
      await Promise.all([store.close(), vaultStore.close()]);
      // How the SQLite writer grouped its calls over the process's life (how many shared a commit).
      const groups = (store as Partial<SqliteWriterStore>).groupStatistics?.();
      if (groups) logger.info({ groupCommits: groups.groups, calls: groups.calls, largestGroup: groups.largestGroup }, 'store closed');
    },
  };
}
