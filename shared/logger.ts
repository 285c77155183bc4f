/**
 * One logger for every process: pino JSON to stdout (pretty when a person watches a
 * terminal), card data and points PINs redacted wherever they could appear: every finished line
 * goes through redactLine (log-redaction.ts), which replaces the value of each secret key (card
 * number, CVV, PIN, credentials, an outbound call's body) at any depth. Lines go to stdout through
 * pino's default destination, which writes asynchronously: a write is handed to a thread of
 * libuv's pool, and lines that arrive while it is in flight go out together in the next one. A
 * synchronous destination (one write per line on the event loop) measured the same CPU per line
 * and per payment, and would stall every request of the process behind a slow stdout reader
 * (docs/PERFORMANCE-HISTORY.md).
 */
import { pino, type Logger, type DestinationStream } from 'pino';
import { redactLine } from './log-redaction.ts';

export type { Logger };

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
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, singleLine: true, ignore: 'pid,hostname,service' } } });
  }
  return pino(base);
}
