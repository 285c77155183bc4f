/** Starts the processing server: config, store, vault, card-company client, HTTP, jobs, shutdown. */
import { assertSupportedRuntime } from '../../shared/runtime.ts';
import { ConfigError } from '../../shared/config.ts';
import { createLogger } from '../../shared/logger.ts';
import { exitOnFatalErrors, startServer } from '../../shared/http/server.ts';
import { createApp } from './app.ts';
import { loadProcessingConfig } from './config.ts';
import { createCardVault, loadVaultKey } from './domain/vault.ts';
import { createNetworkClient } from './network-client.ts';
import { openRepository } from './storage/index.ts';

assertSupportedRuntime();

async function main(): Promise<void> {
  let config;
  try {
    config = loadProcessingConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`processing-server: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger({ service: 'processing-server', level: config.LOG_LEVEL });
  exitOnFatalErrors(logger);
  const repository = await openRepository(config);
  const vault = createCardVault(loadVaultKey({ configuredKey: config.CARD_VAULT_KEY, dataDir: config.DATA_DIR, logger }));
  const network = createNetworkClient({
    baseURL: config.NETWORK_URL, apiKey: config.NETWORK_API_KEY, timeoutMs: config.NETWORK_TIMEOUT_MS, retryMax: config.NETWORK_RETRY_MAX,
  });
  let shuttingDown = false;
  const deps = {
    repository, network, vault, logger, clock: () => new Date(),
    settings: { spendLimitMajor: config.CARD_SPEND_LIMIT, authTtlHours: config.AUTH_TTL_HOURS, recoveryGraceMs: config.RECOVERY_GRACE_MS },
  };
  const app = createApp({ ...deps, apiKey: config.PROCESSING_API_KEY, isShuttingDown: () => shuttingDown });
  await startServer({
    app, port: config.PROCESSING_PORT, logger,
    onShutdownStart: () => { shuttingDown = true; },
    onClose: () => repository.close(),
  });
}

await main();
