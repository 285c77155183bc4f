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
  /** The HOST setting: the address to listen on. */
  host: string;
  /** The name of the setting the port comes from, for the message when the port is taken. */
  portSetting: string;
  logger: Logger;
  /** Called once the server stopped accepting and in-flight requests ended. */
  onClose?: () => Promise<void> | void;
  /** Called first, so readiness can turn false before the listener closes. */
  onShutdownStart?: () => void;
  shutdownTimeoutMs?: number;
}

/**
 * A process that cannot listen, for a reason the person starting it can fix (a port in use, an
 * address this machine does not have): its message is the one line they read.
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

function listenProblem(error: NodeJS.ErrnoException, options: StartOptions): StartupError | null {
  switch (error.code) {
    case 'EADDRINUSE':
      return new StartupError(`port ${options.port} is in use; set ${options.portSetting} to another port`);
    case 'EACCES':
      return new StartupError(`port ${options.port} needs privileges this process does not have; set ${options.portSetting} to a port above 1023`);
    case 'EADDRNOTAVAIL':
      return new StartupError(`${options.host} is not an address of this machine; set HOST to one of its addresses (127.0.0.1, or 0.0.0.0 for every interface)`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartupError(`the host name ${options.host} cannot be resolved; set HOST to an address of this machine`);
    default:
      return null;
  }
}

/** Ends the process with the startup error's one line on stderr; any other error is rethrown. */
export function exitOnStartupError(error: unknown): never {
  if (!(error instanceof StartupError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const server = options.app.listen(options.port, options.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenProblem(error, options) ?? error));
  });
  // Keep-alive sockets of the other services must not outlive a shutdown by more than this.
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  const { address, port } = server.address() as AddressInfo;
  options.logger.info({ address, port }, 'listening');

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
