/**
 * The recovery worker: a pass at start-up, then one every RECOVERY_INTERVAL_MS. Each pass
 * resolves at most `batchLimit` payments, as many open adjustments, fails as many payments
 * abandoned at the 3-D Secure step, and resumes an interrupted settlement run. Passes never
 * overlap, and a failing pass is logged and retried on the next tick.
 */
import type { Logger } from '../../../shared/logger.ts';
import type { DomainDeps } from '../domain/deps.ts';
import { recoverAdjustments } from '../domain/adjustment-recovery.ts';
import { abandonAuthentications } from '../domain/confirm.ts';
import { recoverPayments, type RecoveryReport } from '../domain/recover.ts';
import { settle } from '../domain/settle.ts';

export interface RecoveryWorkerOptions {
  deps: DomainDeps;
  intervalMs: number;
  /** Payments examined per pass at most. */
  batchLimit?: number;
  logger: Logger;
}

export interface RecoveryWorker {
  /** Runs one pass now (awaiting a pass already under way instead of starting a second). */
  runOnce(): Promise<RecoveryReport | null>;
  stop(): Promise<void>;
}

export function startRecoveryWorker(options: RecoveryWorkerOptions): RecoveryWorker {
  let current: Promise<RecoveryReport | null> | null = null;
  let stopped = false;

  async function pass(): Promise<RecoveryReport | null> {
    try {
      const limit = options.batchLimit ?? 200;
      const report = await recoverPayments(options.deps, { limit });
      await recoverAdjustments(options.deps, { limit });
      await abandonAuthentications(options.deps, { limit });
      if (await options.deps.store.settlements.findRunning()) await settle(options.deps);
      return report;
    } catch (error) {
      options.logger.error({ err: error }, 'recovery pass failed; retrying on the next tick');
      return null;
    }
  }

  const runOnce = (): Promise<RecoveryReport | null> => {
    current ??= pass().finally(() => { current = null; });
    return current;
  };

  const timer = setInterval(() => {
    if (!stopped && !current) void runOnce();
  }, options.intervalMs);
  timer.unref();
  void runOnce();

  return {
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await current;
    },
  };
}
