import path from 'node:path';
import { CHAOS_CLUSTER, CHAOS_DEFAULTS, formatReport, runChaos } from '../../scripts/lib/chaos.ts';
import { describeWithPostgres } from '../helpers/postgres.ts';

describeWithPostgres('chaos across instances (small): two UI servers, three processing servers on PostgreSQL, SIGKILLs of random instances', (adminUrl) => {
  test('when 300 checkouts run through faults and three kills of random processing instances, then every invariant holds and every instance served payments', async () => {
    const lines: string[] = [];
    const report = await runChaos({
      ...CHAOS_DEFAULTS,
      root: path.resolve(__dirname, '..', '..'),
      payments: 300,
      concurrency: 10,
      kills: 3,
      seed: 2727,
      log: (line) => lines.push(line),
      artifactsDir: path.resolve(__dirname, '..', '..', 'test-artifacts', `chaos-cluster-${Date.now()}`),
      // The run makes a database of its own on the test run's server, and drops it at the end.
      cluster: { ...CHAOS_CLUSTER, databaseServerUrl: adminUrl },
    });

    if (report.violations.length > 0) throw new Error(formatReport(report));
    expect(report.actions['instances (UI / processing)']).toBe('2 / 3');
    expect(report.actions['SIGKILLs of processing instances']).toBe(3);
    expect(report.findings.pending).toBe(0);
    expect(report.findings['deposited (minor units)']).toBe(report.findings['settled minus refunded (minor units)']);
    const served = String(report.findings['payments served per processing instance']).split(' / ').map(Number);
    expect(served).toHaveLength(3);
    for (const count of served) expect(count).toBeGreaterThan(0);
  }, 120_000);
});
