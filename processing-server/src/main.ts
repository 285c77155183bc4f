/** Starts the processing server: config, the composition root, HTTP, jobs, shutdown. */
import { assertSupportedRuntime } from '../../shared/runtime.ts';
import { ConfigError } from '../../shared/config.ts';
import { createLogger } from '../../shared/logger.ts';
import { exitOnFatalErrors, exitOnStartupError, startServer } from '../../shared/http/server.ts';
import { createProcessing } from './composition.ts';
import { loadProcessingConfig, type ProcessingConfig } from './config.ts';

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
  const processing = await createProcessing(config, { logger });
  await startServer({
    app: processing.app, host: config.HOST, port: config.PROCESSING_PORT, portSetting: 'PROCESSING_PORT', logger,
    // Settlement runs stop between batches at shutdown, and the store closes only after they did.
    onShutdownStart: () => processing.beginShutdown(),
    onClose: () => processing.close(),
  }).catch(exitOnStartupError);
  // The jobs start once the port is ours: a second copy started by mistake on a taken port ends
  // before it touches a payment.
  processing.startJobs();
}

await main();
