/** Entry point of the UI server: config, listen, graceful shutdown. */
import path from 'node:path';
import { assertSupportedRuntime } from '../../shared/runtime.ts';
import { ConfigError } from '../../shared/config.ts';
import { createLogger } from '../../shared/logger.ts';
import { exitOnFatalErrors, exitOnStartupError, startServer } from '../../shared/http/server.ts';
import { createApp } from './app.ts';
import { systemClock } from './clock.ts';
import { loadUiConfig, type UiConfig } from './config.ts';

assertSupportedRuntime();

function readConfig(): UiConfig {
  try {
    return loadUiConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`ui-server: ${error.message}\n`);
    process.exit(1);
  }
}

const config = readConfig();
const logger = createLogger({ service: 'ui-server', level: config.logLevel, format: config.logFormat });
exitOnFatalErrors(logger);

const publicDir = path.resolve(import.meta.dirname, '../../public');
const app = createApp({ config, logger, publicDir, clock: systemClock });
await startServer({
  app,
  host: config.host,
  port: config.port,
  portSetting: 'UI_PORT',
  logger,
  onShutdownStart: () => app.markShuttingDown(),
}).catch(exitOnStartupError);
logger.info({ processingUrls: config.processingUrls, rateLimitPerMinute: config.rateLimitPerMinute }, 'ui-server ready');
