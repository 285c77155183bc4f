/**
 * One logger for every process: pino JSON to stdout (pretty when a person watches a
 * terminal), card data and points PINs redacted wherever they could appear: every finished line
 * goes through redactLine (log-redaction.ts), which replaces the value of each secret key (card
 * number, CVV, PIN, credentials, an outbound call's body) at any depth. Lines are written
 * asynchronously: a request never waits for stdout, and lines that pile up while a write is in
 * flight go out together in one write (pino flushes what is left when the process exits).
 */
import { pino, type Logger, type DestinationStream } from 'pino';
import { redactLine } from './log-redaction.ts';

export type { Logger };

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
    hooks: { streamWrite: redactLine },
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
