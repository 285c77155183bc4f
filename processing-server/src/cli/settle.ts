/**
 * `npm run settle`: one settlement run from the command line, against the same store and card
 * company as the processing server (the store's lease keeps it from overlapping a scheduled run).
 * Prints a progress line per batch and a summary; exits 0 when the run completed or nothing was
 * ready, 1 otherwise.
 */
import { assertSupportedRuntime } from '../../../shared/runtime.ts';
import { formatMinor, isCurrency } from '../../../shared/money.ts';
import { createLogger } from '../../../shared/logger.ts';
import { createProcessingWithoutHttp } from '../composition.ts';
import { loadProcessingConfig } from '../config.ts';
import { JOB_CAUSES } from '../domain/events.ts';
import { settle, type SettleProgress } from '../domain/settle.ts';

assertSupportedRuntime();

function progressLine(progress: SettleProgress, startedAtMs: number): string {
  const seconds = (Date.now() - startedAtMs) / 1000;
  const rate = seconds > 0 ? Math.round(progress.itemsDone / seconds) : 0;
  const percent = progress.batchCount > 0 ? Math.round((progress.batchesDone / progress.batchCount) * 100) : 100;
  return `settle: batch ${progress.batchesDone}/${progress.batchCount} (${percent}%), ${progress.itemsDone} items sent this session, ${rate} items/s`;
}

async function main(): Promise<number> {
  const config = loadProcessingConfig(process.env);
  const logger = createLogger({ service: 'settle', level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL });
  // SQLite on this thread: the command is the store's only user (no requests to keep flowing), and
  // a writer thread would add its heap to a run of a million items (docs/PERFORMANCE.md).
  const processing = await createProcessingWithoutHttp(config, { logger, sqliteWriterThread: false });
  const startedAtMs = Date.now();
  try {
    const result = await settle({ ...processing.deps, cause: JOB_CAUSES.settleCommand }, {
      onRunStarted: (run) => process.stdout.write(`settle: run ${run.id} with ${run.itemCount} items in ${run.batchIds.length} batches\n`),
      onProgress: (progress) => process.stdout.write(`${progressLine(progress, startedAtMs)}\n`),
    });
    switch (result.kind) {
      case 'nothing_ready':
        process.stdout.write('settle: nothing is ready to settle\n');
        return 0;
      case 'busy':
        process.stdout.write(`settle: another run is going${result.run ? ` (${result.run.id})` : ''}; try again when it ends\n`);
        return 1;
      case 'completed': {
        const { run } = result;
        process.stdout.write(`settle: run ${run.id} completed: ${run.settledCount} settled, ${run.rejectedCount} rejected in ${((Date.now() - startedAtMs) / 1000).toFixed(1)} s\n`);
        for (const [currency, totals] of Object.entries(run.totals)) {
          const format = (amount: number) => (isCurrency(currency) ? formatMinor(amount, currency) : String(amount));
          process.stdout.write(`settle:   ${currency}: sales ${format(totals.sales)}, refunds ${format(totals.refunds)}, net ${format(totals.net)}\n`);
        }
        return 0;
      }
      default:
        process.stdout.write(`settle: run ${result.run.id} ${result.kind}: ${result.error}\n`);
        return 1;
    }
  } finally {
    await processing.close();
  }
}

process.exitCode = await main();
