/**
 * `npm run chaos [-- --payments N --concurrency C --kills K --seed S --cluster]`: runs the chaos
 * test against the real processes and prints what it did and found; exits 1 on any violation.
 * `--cluster`: two UI servers and three processing servers on PostgreSQL (a throwaway server,
 * or a database of the run's own on the server DATABASE_URL names).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CHAOS_CLUSTER, CHAOS_DEFAULTS, formatReport, runChaos } from './lib/chaos.ts';

const { values } = parseArgs({
  options: {
    payments: { type: 'string', default: String(CHAOS_DEFAULTS.payments) },
    concurrency: { type: 'string', default: String(CHAOS_DEFAULTS.concurrency) },
    kills: { type: 'string', default: String(CHAOS_DEFAULTS.kills) },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    cluster: { type: 'boolean', default: false },
  },
});

function positiveInteger(name: string, text: string | undefined, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    process.stderr.write(`chaos: --${name} must be an integer from 0 to ${max}\n`);
    process.exit(2);
  }
  return value;
}

const report = await runChaos({
  ...CHAOS_DEFAULTS,
  root: path.resolve(import.meta.dirname, '..'),
  payments: positiveInteger('payments', values.payments, 100_000),
  concurrency: Math.max(1, positiveInteger('concurrency', values.concurrency, 200)),
  kills: positiveInteger('kills', values.kills, 50),
  seed: positiveInteger('seed', values.seed, 2 ** 31),
  log: (line) => process.stdout.write(`${line}\n`),
  artifactsDir: path.resolve(import.meta.dirname, '..', 'test-artifacts', `chaos-${Date.now()}`),
  cluster: values.cluster ? { ...CHAOS_CLUSTER, databaseServerUrl: process.env.DATABASE_URL || undefined } : undefined,
});
process.stdout.write(`\n${formatReport(report)}`);
process.exitCode = report.violations.length === 0 ? 0 : 1;
