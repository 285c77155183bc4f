/**
 * Start-up and shutdown shared by the three `main.ts`: listen, then on SIGTERM/SIGINT stop
 * accepting, let in-flight requests finish, run the process's own cleanup, and exit; a
 * bound forces the exit if something hangs.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Logger } from '../logger.ts';

export interface RunningServer {
  server: Server;
  port: number;
  /** Marks the process as shutting down (readiness answers 503) and closes everything. */
  shutdown(signal: string): Promise<void>;
}

export interface StartOptions {
  app: Express;
  port: number;
  host?: string;
  logger: Logger;
  /** Called once the server stopped accepting and in-flight requests ended. */
  onClose?: () => Promise<void> | void;
  /** Called first, so readiness can turn false before the listener closes. */
  onShutdownStart?: () => void;
  shutdownTimeoutMs?: number;
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const server = options.app.listen(options.port, options.host ?? '0.0.0.0');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  // Keep-alive sockets of the other services must not outlive a shutdown by more than this.
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  const port = (server.address() as AddressInfo).port;
  options.logger.info({ port }, 'listening');

  let closing: Promise<void> | null = null;
  const shutdown = (signal: string): Promise<void> => {
    closing ??= (async () => {
      options.logger.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
      options.onShutdownStart?.();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await options.onClose?.();
      options.logger.info('shut down cleanly');
    })();
    return closing;
  };

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      const timeoutMs = options.shutdownTimeoutMs ?? 10_000;
      const force = setTimeout(() => {
        options.logger.error({ timeoutMs }, 'shutdown took too long; forcing exit');
        process.exit(1);
      }, timeoutMs);
      force.unref();
      shutdown(signal).then(
        () => process.exit(0),
        (error: unknown) => {
          options.logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
  return { server, port, shutdown };
}

/** Programmer errors are not recoverable: log them and exit for the supervisor to restart. */
export function exitOnFatalErrors(logger: Logger): void {
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception; exiting');
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled promise rejection; exiting');
    process.exit(1);
  });
}
