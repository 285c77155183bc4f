/**
 * Builds a UI server for one test: its own config, a fixed clock, a fast-retrying processing
 * client aimed at the test's fake processing server, and a logger whose lines the test reads.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createLogger } from '../../shared/logger.ts';
import { createApp, type UiApp } from '../../ui-server/src/app.ts';
import { loadUiConfig, type UiConfig } from '../../ui-server/src/config.ts';
import { createProcessingClient, type ProcessingClientOptions } from '../../ui-server/src/processing-client.ts';

export const UI_TEST_NOW = new Date('2026-01-15T12:00:00.000Z');
export const PUBLIC_DIR = path.resolve(__dirname, '../../public');
export const TEST_PROCESSING_KEY = 'test-processing-key';

export interface TestUi {
  app: UiApp;
  config: UiConfig;
  logLines: string[];
  /** Every captured log line, joined, for "never logged" assertions. */
  logText(): string;
}

export interface TestUiOptions {
  processingUrls: string[];
  env?: Record<string, string>;
  /** Use the client createApp builds from the config (real backoff) instead of the fast one. */
  defaultClient?: boolean;
  /** Settings of the fast client beyond the config's (how long a refusing instance rests, a clock, …). */
  clientOptions?: Partial<ProcessingClientOptions>;
}

export function buildTestUi(options: TestUiOptions): TestUi {
  const config = loadUiConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'debug',
    UI_RATE_LIMIT_PER_MINUTE: '0',
    PROCESSING_URLS: options.processingUrls.join(','),
    PROCESSING_API_KEY: TEST_PROCESSING_KEY,
    PROCESSING_TIMEOUT_MS: '2000',
    ...options.env,
  });
  const logLines: string[] = [];
  const logger = createLogger({ service: 'ui-server', level: 'debug', destination: { write: (line: string) => void logLines.push(line) } });
  const processingClient = options.defaultClient ? undefined : createProcessingClient({
    baseUrls: config.processingUrls,
    apiKey: config.processingApiKey,
    timeoutMs: config.processingTimeoutMs,
    logger,
    retryBackoffMs: 1,
    ...options.clientOptions,
  });
  const app = createApp({
    config, logger, publicDir: PUBLIC_DIR, clock: { now: () => UI_TEST_NOW },
    ...(processingClient ? { processingClient } : {}),
  });
  return { app, config, logLines, logText: () => logLines.join('') };
}

export const VALID_FORM = {
  cardholderName: 'Ada Lovelace',
  cardNumber: '4242 4242 4242 4242',
  expiry: '12/30',
  cvv: '123',
  amount: '12.34',
  currency: 'USD',
  idempotencyKey: 'checkout-0001',
} as const;

/** A browser's Accept header for a top-level navigation. */
export const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

/**
 * True when `secret` stands on its own in `text` (between non-alphanumerics), so a CVV is found
 * as `"cvv":"987"` or `>987<` but not inside a timestamp such as `01.987Z`.
 */
export function containsToken(text: string, secret: string): boolean {
  return text.split(/[^0-9A-Za-z]+/).includes(secret);
}

/**
 * A GET with the path sent exactly as written. HTTP clients resolve `.` and `..` segments (and
 * their %2e spellings) before sending; a browser's address bar or a hand-made request need not.
 */
export async function rawGet(app: http.RequestListener, rawPath: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise((resolve, reject) => {
      const outgoing = http.request({ host: '127.0.0.1', port, path: rawPath, method: 'GET', headers }, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      });
      outgoing.on('error', reject);
      outgoing.end();
    });
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
