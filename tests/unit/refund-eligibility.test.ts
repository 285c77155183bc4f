/** Refund eligibility: what a refund may take, and the payment's status by what it has refunded. */
import { PAYMENT_STATUSES } from '../../shared/contracts/processing.ts';
import { decideRefund, refundGivenBack, refundedStatus } from '../../processing-server/src/domain/refund-eligibility.ts';

describe('refund eligibility', () => {
  test('when a settled payment is refunded in part and then the rest, then it becomes partially refunded and then refunded', () => {
    expect(decideRefund({ status: 'settled', capturedMinor: 5000, refundedMinor: 0 }, 2000))
      .toEqual({ kind: 'allowed', from: 'settled', to: 'partially_refunded', refundedMinor: 2000 });
    expect(decideRefund({ status: 'partially_refunded', capturedMinor: 5000, refundedMinor: 2000 }, 3000))
      .toEqual({ kind: 'allowed', from: 'partially_refunded', to: 'refunded', refundedMinor: 5000 });
    expect(decideRefund({ status: 'settled', capturedMinor: 5000, refundedMinor: 0 }, 5000))
      .toEqual({ kind: 'allowed', from: 'settled', to: 'refunded', refundedMinor: 5000 });
  });

  test('when a refund asks for more than settled minus refunded, then it exceeds, naming what is left', () => {
    expect(decideRefund({ status: 'partially_refunded', capturedMinor: 5000, refundedMinor: 4500 }, 501)).toEqual({ kind: 'exceeds', refundableMinor: 500 });
    expect(decideRefund({ status: 'refunded', capturedMinor: 5000, refundedMinor: 5000 }, 1)).toEqual({ kind: 'not_refundable', status: 'refunded' });
  });

  test('when the payment is in any status but settled or partially refunded, then it is not refundable', () => {
    const refundable = PAYMENT_STATUSES.filter((status) => decideRefund({ status, capturedMinor: 5000, refundedMinor: 0 }, 1).kind === 'allowed');
    expect(refundable.sort()).toEqual(['partially_refunded', 'settled']);
  });

  test('when the card company rejects a refund, then its amount is given back and the status follows the refunded total', () => {
    expect(refundGivenBack({ status: 'refunded', capturedMinor: 5000, refundedMinor: 5000 }, 1500))
      .toEqual({ from: 'refunded', to: 'partially_refunded', refundedMinor: 3500 });
    expect(refundGivenBack({ status: 'partially_refunded', capturedMinor: 5000, refundedMinor: 1500 }, 1500))
      .toEqual({ from: 'partially_refunded', to: 'settled', refundedMinor: 0 });
    expect(() => refundGivenBack({ status: 'settled', capturedMinor: 5000, refundedMinor: 0 }, 1)).toThrow('gives back no more than was refunded');
  });

  test('when the refunded total is read, then none is settled, some partially refunded, all refunded', () => {
    expect([refundedStatus(100, 0), refundedStatus(100, 1), refundedStatus(100, 100)]).toEqual(['settled', 'partially_refunded', 'refunded']);
    expect(() => refundedStatus(100, 101)).toThrow('refunded amount out of range');
  });
});
