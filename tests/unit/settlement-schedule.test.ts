import { startSettlementSchedule, parseSchedule } from '../../processing-server/src/jobs/settlement-schedule.ts';
import type { SettleResult, SettlementDeps } from '../../processing-server/src/domain/settle.ts';
import { captureLogs } from '../helpers/log-capture.ts';

describe('settlement schedule', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  test('when the clock reaches the top of the hour, then the settlement job runs once, and again an hour later', async () => {
    jest.useFakeTimers({ now: new Date('2026-06-01T10:59:58.000Z') });
    const runsAt: string[] = [];
    const run = async (): Promise<SettleResult> => {
      runsAt.push(new Date().toISOString());
      return { kind: 'nothing_ready' };
    };
    const schedule = startSettlementSchedule({
      expression: '0 * * * *', deps: {} as SettlementDeps, logger: captureLogs('test').logger, run,
    });
    expect(schedule?.nextRun()?.toISOString()).toBe('2026-06-01T11:00:00.000Z');

    await jest.advanceTimersByTimeAsync(1_000);
    expect(runsAt).toEqual([]);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(runsAt).toEqual(['2026-06-01T11:00:00.000Z']);
    await jest.advanceTimersByTimeAsync(3_600_000);
    expect(runsAt).toEqual(['2026-06-01T11:00:00.000Z', '2026-06-01T12:00:00.000Z']);
    schedule?.stop();
  });

  test('when SETTLEMENT_CRON is off, then nothing is scheduled', () => {
    expect(parseSchedule('off')).toBeNull();
    expect(parseSchedule(' OFF ')).toBeNull();
    expect(startSettlementSchedule({ expression: 'off', deps: {} as SettlementDeps, logger: captureLogs('test').logger })).toBeNull();
  });
});
