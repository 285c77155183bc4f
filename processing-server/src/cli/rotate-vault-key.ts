/**
 * `npm run rotate-vault-key [-- --batch-size N] [-- --batches-max N]`: rotates the card vault's
 * data key (vault/rotation.ts) on the same store as the processing server, which may go on
 * serving meanwhile. Prints a line when it starts, one per batch and one at the end; never a card
 * number. Ctrl-C (or SIGTERM) stops it between two batches; running it again goes on where it
 * stopped. Exit codes: 0 every card is sealed under the new key and the old keys are destroyed,
 * 2 stopped before that (run it again), 1 an error, 64 a bad argument.
 */
import { parseArgs } from 'node:util';
import { assertSupportedRuntime } from '../../../shared/runtime.ts';
import { createLogger } from '../../../shared/logger.ts';
import { loadProcessingConfig } from '../config.ts';
import { loadVaultKey } from '../vault/card-vault.ts';
import { createEnvelope } from '../vault/envelope.ts';
import { ROTATION_BATCH_SIZE_DEFAULT, ROTATION_BATCH_SIZE_MAX, rotateVaultKey, type RotationProgress } from '../vault/rotation.ts';
import { openVaultStore } from '../vault/storage/index.ts';

assertSupportedRuntime();

const PREFIX = 'rotate-vault-key:';

function say(line: string): void {
  process.stdout.write(`${PREFIX} ${line}\n`);
}

/** A whole number from `min` to `max`, or undefined when the option was not given. */
function wholeNumber(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max) throw new RangeError(`--${name} must be a whole number from ${min} to ${max}`);
  return number;
}

function readOptions(): { batchSizeMax: number; batchesMax: number | undefined } {
  // Positionals are allowed: bin/run.mjs passes the command's own name on.
  const { values } = parseArgs({ options: { 'batch-size': { type: 'string' }, 'batches-max': { type: 'string' } }, strict: true, allowPositionals: true });
  return {
    batchSizeMax: wholeNumber(values['batch-size'], 'batch-size', 1, ROTATION_BATCH_SIZE_MAX) ?? ROTATION_BATCH_SIZE_DEFAULT,
    batchesMax: wholeNumber(values['batches-max'], 'batches-max', 1, 1_000_000_000),
  };
}

function progressLine(progress: RotationProgress): string {
  const percent = progress.cardsToReseal > 0 ? Math.floor((progress.cardsResealed / progress.cardsToReseal) * 100) : 100;
  return `batch ${progress.batchesDone}: ${progress.cardsResealed} of ${progress.cardsToReseal} cards sealed again under ${progress.activeKeyId} (${percent}%)`;
}

async function main(): Promise<number> {
  let options: ReturnType<typeof readOptions>;
  try {
    options = readOptions();
  } catch (error) {
    process.stderr.write(`${PREFIX} ${error instanceof Error ? error.message : String(error)}\n`);
    return 64;
  }
  const config = loadProcessingConfig(process.env);
  const logger = createLogger({ service: 'rotate-vault-key', level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, format: config.LOG_FORMAT });
  const envelope = createEnvelope(loadVaultKey({ configuredKey: config.CARD_VAULT_KEY, dataDir: config.DATA_DIR, logger }));
  const store = await openVaultStore(config);
  const stopping = new AbortController();
  const stop = () => {
    say('stopping after this batch; run the command again to go on');
    stopping.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const result = await rotateVaultKey({ store, envelope, clock: () => new Date() }, {
      ...options,
      signal: stopping.signal,
      onStarted: (started) => say(started.kind === 'started'
        ? `new data key ${started.activeKeyId} is active; ${started.cardsToReseal} cards to seal again under it`
        : `a rotation is under way: data key ${started.activeKeyId} is active; ${started.cardsToReseal} cards still to seal again under it`),
      onProgress: (progress) => say(progressLine(progress)),
    });
    if (result.kind === 'stopped') {
      say(`stopped: ${result.cardsResealed} cards sealed again this run; the rest are still under the old key: run the command again to go on`);
      return 2;
    }
    say(`done: every card is sealed under ${result.activeKeyId}; `
      + (result.destroyedKeyIds.length > 0 ? `destroyed ${result.destroyedKeyIds.join(', ')}` : 'no old key was left to destroy'));
    return 0;
  } catch (error) {
    logger.error({ error: error instanceof Error ? error.message : String(error) }, 'key rotation failed; nothing half-done was kept, run it again');
    return 1;
  } finally {
    await store.close();
  }
}

process.exitCode = await main();
