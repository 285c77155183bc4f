import path from 'node:path';
import { CHAOS_DEFAULTS, formatReport, runChaos } from '../../scripts/lib/chaos.ts';

describe('chaos (small): lost answers, 5xx, latency and a SIGKILLed processing server', () => {
  test('when 300 card checkouts and points payments run through faults and a crash, then every invariant holds', async () => {
    const lines: string[] = [];
    const report = await runChaos({
      ...CHAOS_DEFAULTS,
      root: path.resolve(__dirname, '..', '..'),
      payments: 300,
      concurrency: 10,
      kills: 1,
      seed: 4242,
      log: (line) => lines.push(line),
      artifactsDir: path.resolve(__dirname, '..', '..', 'test-artifacts', `chaos-${Date.now()}`),
    });

    if (report.violations.length > 0) throw new Error(formatReport(report));
    expect(report.actions['SIGKILLs of processing instances']).toBe(1);
    expect(report.findings.pending).toBe(0);
    expect(report.findings['deposited (minor units)']).toBe(report.findings['settled minus refunded (minor units)']);
    expect(report.actions['of them points payments']).toBeGreaterThan(30);
    expect(report.findings['points payments settled']).toBeGreaterThan(0);
    expect(report.findings['points redeemed']).toBeGreaterThan(0);
  }, 180_000);
});
