/** The rule a store asks inside its lock before an adjustment starts (decideAdjustment), and what it stores for each decision. */
import { adjustmentFor, decideAdjustment, type AdjustmentQuestion } from '../../processing-server/src/domain/adjustment.ts';

const QUESTION: AdjustmentQuestion = { status: 'authorized', amountMinor: 10_000, taken: false, open: false, toMinor: 15_000 };
const LIMIT_DECLINE = { code: 'limit_exceeded', message: 'over the limit' };

describe('decideAdjustment', () => {
  test('when the payment is not authorized, or a run has taken it, then it is not adjustable, whatever the amount', () => {
    for (const status of ['pending', 'requires_action', 'captured', 'settled', 'voided', 'declined'] as const) {
      expect(decideAdjustment({ ...QUESTION, status })).toEqual({ kind: 'not_adjustable', status, taken: false });
    }
    expect(decideAdjustment({ ...QUESTION, taken: true, toMinor: 5000 })).toEqual({ kind: 'not_adjustable', status: 'authorized', taken: true });
  });

  test('when another adjustment of the payment is open, then this one waits its turn', () => {
    expect(decideAdjustment({ ...QUESTION, open: true })).toEqual({ kind: 'in_progress' });
  });

  test('when the amount goes down or stays, then it is a decrease; when it goes up, the spend is needed first', () => {
    expect(decideAdjustment({ ...QUESTION, toMinor: 9999 })).toEqual({ kind: 'decrease' });
    expect(decideAdjustment({ ...QUESTION, toMinor: 10_000 })).toEqual({ kind: 'decrease' });
    expect(decideAdjustment(QUESTION)).toEqual({ kind: 'needs_spend' });
  });

  test('when an increase is asked with the spend, then the limit is inclusive: exactly up to it fits, one minor unit more does not', () => {
    expect(decideAdjustment({ ...QUESTION, spend: { spentMinor: 95_000, limitMinor: 100_000 } })).toEqual({ kind: 'increase' });
    expect(decideAdjustment({ ...QUESTION, spend: { spentMinor: 95_001, limitMinor: 100_000 } })).toEqual({ kind: 'exceeded' });
  });
});

describe('adjustmentFor', () => {
  const asked = { id: 'adj_1', paymentId: 'pay_1', idempotencyKey: 'k', requestHash: 'h', toMinor: 15_000, createdAt: '2026-03-01T12:00:00.000Z' };
  const payment = { amountMinor: 10_000, instrumentFingerprint: 'card-1', currency: 'USD' as const };

  test('when the decision is made, then an increase is stored pending, an exceeded one declined, a decrease approved with its sending to do', () => {
    expect(adjustmentFor(asked, payment, 'increase', LIMIT_DECLINE)).toMatchObject({ status: 'pending', fromMinor: 10_000, toMinor: 15_000, resolution: null, decline: null });
    expect(adjustmentFor(asked, payment, 'exceeded', LIMIT_DECLINE)).toMatchObject({ status: 'declined', decline: LIMIT_DECLINE, resolution: null });
    expect(adjustmentFor({ ...asked, toMinor: 4000 }, payment, 'decrease', LIMIT_DECLINE)).toMatchObject({ status: 'approved', resolution: 'send' });
    expect(adjustmentFor({ ...asked, toMinor: 10_000 }, payment, 'decrease', LIMIT_DECLINE)).toMatchObject({ status: 'approved', resolution: null });
  });

  test('when a decrease would be stored pending, then the invariant stops it', () => {
    expect(() => adjustmentFor({ ...asked, toMinor: 4000 }, payment, 'increase', LIMIT_DECLINE)).toThrow('only an increase waits for the provider');
  });
});
