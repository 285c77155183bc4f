/**
 * The settlement schedule: croner fires `settle()` on SETTLEMENT_CRON (hourly by default).
 * `protect` keeps one run per process; the lease in the store keeps one across instances.
 */
import { Cron } from 'croner';
import type { Logger } from '../../../shared/logger.ts';
import { JOB_CAUSES } from '../domain/events.ts';
import { settle, type SettleResult, type SettlementDeps } from '../domain/settle.ts';

export interface SettlementSchedule {
  nextRun(): Date | null;
  stop(): void;
}

export function parseSchedule(expression: string): string | null {
  return expression.trim().toLowerCase() === 'off' ? null : expression.trim();
}

export function startSettlementSchedule(options: {
  expression: string; deps: SettlementDeps; logger: Logger; onResult?: (result: SettleResult) => void;
  /** The job; `settle` unless a test injects another. */
  run?: typeof settle;
}): SettlementSchedule | null {
  const run = options.run ?? settle;
  const pattern = parseSchedule(options.expression);
  if (!pattern) {
    options.logger.info('settlement schedule is off (SETTLEMENT_CRON=off)');
    return null;
  }
  const job = new Cron(pattern, {
    name: 'settlement', protect: true, timezone: 'UTC',
    catch: (error) => options.logger.error({ err: error }, 'scheduled settlement failed'),
  }, async () => {
    options.logger.info('scheduled settlement starting');
    const result = await run({ ...options.deps, cause: JOB_CAUSES.settlementSchedule }, {
      onProgress: (progress) => options.logger.info(progress, 'settlement progress'),
    });
    options.logger.info({ result: result.kind, runId: 'run' in result && result.run ? result.run.id : undefined }, 'scheduled settlement finished');
    options.onResult?.(result);
  });
  options.logger.info({ expression: pattern, nextRun: job.nextRun()?.toISOString() }, 'settlement scheduled');
  return { nextRun: () => job.nextRun(), stop: () => job.stop() };
}
