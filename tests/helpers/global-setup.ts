/** Jest global setup: PostgreSQL for the storage tests, and the folder where test files count the answers they checked against the OpenAPI documents. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgresGlobalSetup from './postgres-global-setup.ts';
import { TALLY_DIR_ENV } from './openapi/tally.ts';

export default async function globalSetup(): Promise<void> {
  // Set here, inherited by every test worker.
  process.env[TALLY_DIR_ENV] = fs.mkdtempSync(path.join(os.tmpdir(), 'cardlane-openapi-'));
  await postgresGlobalSetup();
}
