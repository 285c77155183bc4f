/** A pino destination that keeps every line, so tests can assert on what was (and was not) logged. */
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../shared/logger.ts';

export interface CapturedLogger {
  logger: Logger;
  lines: string[];
  text(): string;
}

export function captureLogs(service: string, level = 'debug'): CapturedLogger {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  return { logger: createLogger({ service, level, destination }), lines, text: () => lines.join('\n') };
}
