/**
 * One logger for every process: pino JSON to stdout (pretty when a person watches a
 * terminal), card data and points PINs redacted wherever they could appear: every finished line
 * goes through redactLine (log-redaction.ts), which replaces the value of each secret key (card
 * number, CVV, PIN, credentials, an outbound call's body) at any depth. Lines are written
 * synchronously, one write per line: pino's asynchronous destination hands every write to a
 * thread of libuv's pool and back, which cost more CPU per request than the write itself under
 * the authorization benchmark (docs/PERFORMANCE.md).
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
