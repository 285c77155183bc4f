/**
 * How many answers each test file checked, per app, kept in a folder for the whole run: each
 * test file adds one line; the global teardown adds them up and insists on enough for every app.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AppName } from './conformance.ts';

export const TALLY_DIR_ENV = 'CARDLANE_OPENAPI_TALLY_DIR';
const TALLY_FILE = 'checked.jsonl';

export const APP_NAMES: readonly AppName[] = ['processing-server', 'card-network-sim', 'ui-server'];

export type Counts = Record<AppName, number>;

export interface TallyLine {
  testPath: string;
  counts: Counts;
}

export function emptyCounts(): Counts {
  return { 'processing-server': 0, 'card-network-sim': 0, 'ui-server': 0 };
}

/** One line per test file; appends of a line this short are not interleaved between workers. */
export function addToTally(line: TallyLine): void {
  const dir = process.env[TALLY_DIR_ENV];
  if (!dir) return;
  fs.appendFileSync(path.join(dir, TALLY_FILE), `${JSON.stringify(line)}\n`);
}

export function readTally(dir: string): TallyLine[] {
  const file = path.join(dir, TALLY_FILE);
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as TallyLine);
}

/**
 * The fewest answers per app a run of every integration test must check: far below what the
 * suite makes, far above what a recorder that silently stopped working would leave.
 */
export const CHECKED_PER_APP_MIN = 200;

export interface TallyResult {
  totals: Counts;
  /** True when every integration test file reported, so the minimum applies. */
  complete: boolean;
  /** The apps below the minimum in a complete run. */
  short: AppName[];
}

export function sumTally(lines: TallyLine[], integrationTestPaths: string[]): TallyResult {
  const totals = emptyCounts();
  for (const line of lines) for (const app of APP_NAMES) totals[app] += line.counts[app] ?? 0;
  const reported = new Set(lines.map((line) => path.resolve(line.testPath)));
  const complete = integrationTestPaths.length > 0 && integrationTestPaths.every((testPath) => reported.has(path.resolve(testPath)));
  return { totals, complete, short: complete ? APP_NAMES.filter((app) => totals[app] < CHECKED_PER_APP_MIN) : [] };
}
