/**
 * One logger for every process: pino JSON to stdout (pretty when a person watches a
 * terminal), card data and points PINs redacted wherever they could appear. Lines are written
 * asynchronously: a request never waits for stdout, and lines that pile up while a write is in
 * flight go out together in one write (pino flushes what is left when the process exits).
 */
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** Every place a card number, CVV, points PIN or key could sit in a logged object. */
export const REDACT_PATHS = [
  'card.number', 'card.cvv', '*.card.number', '*.card.cvv', '*.*.card.number', '*.*.card.cvv',
  'cardNumber', 'cvv', '*.cardNumber', '*.cvv', '*.*.cardNumber', '*.*.cvv',
  'pin', '*.pin', '*.*.pin', 'pointsPin', '*.pointsPin', '*.*.pointsPin',
  'number', '*.number',
  'pin', '*.pin', '*.*.pin', 'points.pin', '*.points.pin', '*.*.points.pin', 'pointsPin', '*.pointsPin', '*.*.pointsPin',
  'req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]',
  'headers.authorization', '*.headers.authorization', '*.headers.Authorization',
  'config.headers.Authorization', 'config.data', '*.config.data', 'request.data',
];

/**
 * Bytes of log lines that may wait for a stalled stdout (a reader that stopped reading). Beyond
 * that, lines are dropped rather than letting memory grow or payments wait for a log reader.
 */
export const LOG_BUFFER_BYTES_MAX = 16 * 1024 * 1024;

export interface LoggerOptions {
  service: string;
  level?: string;
  /** Where lines go; tests pass a stream to capture them. Defaults to stdout. */
  destination?: DestinationStream;
  /** `pretty` for people, `json` for machines; `auto` (the default) is pretty on a terminal. */
  format?: 'auto' | 'pretty' | 'json';
}

export function createLogger(options: LoggerOptions): Logger {
  const base = {
    level: options.level ?? 'info',
    base: { service: options.service },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (options.destination) return pino(base, options.destination);
  const format = options.format ?? 'auto';
  const pretty = format === 'pretty' || (format === 'auto' && Boolean(process.stdout.isTTY));
  if (pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname,service' } } });
  }
  return pino(base, pino.destination({ dest: 1, sync: false, maxLength: LOG_BUFFER_BYTES_MAX }));
}
