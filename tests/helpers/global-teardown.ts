/**
 * Jest global teardown: stops PostgreSQL, then adds up the answers checked against the OpenAPI
 * documents. When every integration test ran, each app must have had enough of them checked,
 * or the run fails: a recorder that stopped recording must not pass for a clean bill.
 */
import fs from 'node:fs';
import path from 'node:path';
import postgresGlobalTeardown from './postgres-global-teardown.ts';
import { APP_NAMES, CHECKED_PER_APP_MIN, TALLY_DIR_ENV, readTally, sumTally } from './openapi/tally.ts';

const INTEGRATION_DIR = path.resolve(__dirname, '../integration');

export default async function globalTeardown(): Promise<void> {
  await postgresGlobalTeardown();
  const dir = process.env[TALLY_DIR_ENV];
  if (!dir) return;
  const integrationTests = fs.readdirSync(INTEGRATION_DIR).filter((name) => name.endsWith('.test.ts')).map((name) => path.join(INTEGRATION_DIR, name));
  const result = sumTally(readTally(dir), integrationTests);
  fs.rmSync(dir, { recursive: true, force: true });
  const total = APP_NAMES.reduce((sum, app) => sum + result.totals[app], 0);
  process.stderr.write(`\nOpenAPI conformance: ${total} answers checked against the documents the apps serve (${APP_NAMES.map((app) => `${app} ${result.totals[app]}`).join(', ')}).\n`);
  if (result.short.length > 0) {
    throw new Error(`OpenAPI conformance: every integration test ran, but fewer than ${CHECKED_PER_APP_MIN} answers were checked for ${result.short.join(', ')}; `
      + 'the recording of answers (tests/helpers/openapi/setup.ts) has stopped seeing them.');
  }
}
