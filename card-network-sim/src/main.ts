/**
 * Start-up of the card-network simulator: read the config, open the database, listen, and on
 * SIGTERM/SIGINT finish in-flight requests and close the database.
 */
import { assertSupportedRuntime } from '../../shared/runtime.ts';

assertSupportedRuntime();

// Imported only after the runtime check: static imports would load node:sqlite first and fail
// on an old Node.js with a cryptic error instead of the explanation above.

const { loadNetworkConfig } = await import('./config.ts');
const { ConfigError } = await import('../../shared/config.ts');
const { createLogger } = await import('../../shared/logger.ts');
const { exitOnFatalErrors, exitOnStartupError, startServer } = await import('../../shared/http/server.ts');
const { createApp, SERVICE_NAME } = await import('./app.ts');
const { openStore } = await import('./storage/store.ts');

function readConfig() {
  try {
    return loadNetworkConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${SERVICE_NAME}: ${error.message}\n`);
    process.exit(1);
  }
}

const config = readConfig();
const logger = createLogger({ service: SERVICE_NAME, level: config.logLevel, format: config.logFormat });
exitOnFatalErrors(logger);

const store = openStore(config.databasePath);
let shuttingDown = false;
// NETWORK_PORT=0 picks a free port: without NETWORK_PUBLIC_URL, browsers are sent to the one chosen.
let listeningPort = config.port;
const publicUrl = (): string => (config.publicUrlFollowsPort ? `http://127.0.0.1:${listeningPort}` : config.publicUrl);
const app = createApp({
  config,
  logger,
  store,
  clock: () => new Date(),
  random: Math.random,
  isShuttingDown: () => shuttingDown,
  collectDefaultMetrics: true,
  publicUrl,
});

const running = await startServer({
  app,
  host: config.host,
  port: config.port,
  portSetting: 'NETWORK_PORT',
  logger,
  onShutdownStart: () => {
    shuttingDown = true;
  },
  onClose: () => store.close(),
}).catch(exitOnStartupError);
listeningPort = running.port;
logger.info({
  databasePath: config.databasePath,
  settlementBatchMax: config.settlementBatchMax,
  adminEnabled: config.adminEnabled,
  faults: config.faults,
  publicUrl: publicUrl(),
  pointsCurrency: config.pointsCurrency,
}, 'card-network simulator ready');
