/** Starts the processing server: config, store, vault, card-company client, HTTP, jobs, shutdown. */
import { assertSupportedRuntime } from '../../shared/runtime.ts';
import { ConfigError } from '../../shared/config.ts';
import { createLogger } from '../../shared/logger.ts';
import { exitOnFatalErrors, exitOnStartupError, startServer } from '../../shared/http/server.ts';
import { createApp } from './app.ts';
import { loadProcessingConfig, type ProcessingConfig } from './config.ts';
import type { DomainDeps } from './domain/deps.ts';
import { createCardVault, loadVaultKey } from './domain/vault.ts';
import { startRecoveryWorker, type RecoveryWorker } from './jobs/recovery-worker.ts';
import { startSettlementSchedule, type SettlementSchedule } from './jobs/settlement-schedule.ts';
import { createNetworkClient } from './network-client.ts';
import { openStore } from './storage/index.ts';

assertSupportedRuntime();

function readConfig(): ProcessingConfig {
  try {
    return loadProcessingConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`processing-server: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger({ service: 'processing-server', level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  exitOnFatalErrors(logger);
  const store = await openStore(config);
  logger.info({ store: store.description }, 'store opened');
  // Settlement runs stop between batches at shutdown, and the store closes only after they did.
  const stopping = new AbortController();
  const activeRuns = new Set<Promise<unknown>>();
  const deps: DomainDeps = {
    store,
    network: createNetworkClient({
      baseURL: config.NETWORK_URL, apiKey: config.NETWORK_API_KEY, timeoutMs: config.NETWORK_TIMEOUT_MS, retryMax: config.NETWORK_RETRY_MAX,
    }),
    vault: createCardVault(loadVaultKey({ configuredKey: config.CARD_VAULT_KEY, dataDir: config.DATA_DIR, logger })),
    clock: () => new Date(),
    logger,
    settings: {
      spendLimits: config.CARD_SPEND_LIMIT, authTtlHours: config.AUTH_TTL_HOURS, recoveryGraceMs: config.RECOVERY_GRACE_MS,
      batchSizeMax: config.SETTLEMENT_BATCH_MAX,
    },
    lifecycle: {
      signal: stopping.signal,
      track: (work: Promise<unknown>) => {
        activeRuns.add(work);
        void work.finally(() => activeRuns.delete(work)).catch(() => undefined);
      },
    },
  };
  let shuttingDown = false;
  const app = createApp(deps, { apiKey: config.PROCESSING_API_KEY, isShuttingDown: () => shuttingDown, collectDefaultMetrics: true });
  let jobs: { recovery: RecoveryWorker; schedule: SettlementSchedule | null } | null = null;
  await startServer({
    app, host: config.HOST, port: config.PROCESSING_PORT, portSetting: 'PROCESSING_PORT', logger,
    onShutdownStart: () => {
      shuttingDown = true;
      stopping.abort();
      jobs?.schedule?.stop();
    },
    onClose: async () => {
      await jobs?.recovery.stop();
      await Promise.allSettled([...activeRuns]);
      await store.close();
    },
  }).catch(exitOnStartupError);
  // The jobs start once the port is ours: a second copy started by mistake on a taken port ends
  // before it touches a payment.
  if (config.JOBS_ENABLED) {
    jobs = {
      recovery: startRecoveryWorker({ deps, intervalMs: config.RECOVERY_INTERVAL_MS, logger }),
      schedule: startSettlementSchedule({ expression: config.SETTLEMENT_CRON, deps, logger }),
    };
  }
}

await main();
