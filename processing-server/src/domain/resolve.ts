/**
 * Turning what the card company said into a payment's final state. Used by the request that
 * authorizes a payment and by the recovery worker, so both reach the same answer.
 */
import type { AuthorizationRecord, AuthorizationResponse } from '../../../shared/contracts/network.ts';
import type { DomainDeps } from './deps.ts';
import { declineFromNetwork } from './declines.ts';
import { toPublicPayment, type PaymentRecord } from './payment.ts';
import type { PaymentChanges } from '../storage/repository.ts';

/** What the caller of POST /v1/payments learns; `pending` means not yet known. */
export type AuthorizeOutcomeKind = 'authorized' | 'declined' | 'failed' | 'pending';

export interface Resolution {
  outcome: AuthorizeOutcomeKind;
  payment: PaymentRecord;
}

/** The changes that an answer from the card company makes to a pending payment. */
export function changesFromAnswer(answer: AuthorizationResponse): { outcome: 'authorized' | 'declined'; changes: PaymentChanges } {
  if (answer.responseCode === '00') {
    return {
      outcome: 'authorized',
      changes: { status: 'authorized', authorizationId: answer.authorizationId, authorizationCode: answer.authorizationCode ?? null },
    };
  }
  return {
    outcome: 'declined',
    changes: {
      status: 'declined', authorizationId: answer.authorizationId, limitAmount: 0,
      decline: declineFromNetwork(answer.responseCode, answer.message),
    },
  };
}

/**
 * Moves a pending payment to its final state and records the answer for its idempotency key in
 * the same transaction. If someone else resolved it first, their result stands.
 */
export async function settleOutcome(
  deps: DomainDeps, payment: PaymentRecord, outcome: Exclude<AuthorizeOutcomeKind, 'pending'>, changes: PaymentChanges,
): Promise<Resolution> {
  const updated = { ...payment, ...changes, updatedAt: deps.clock().toISOString() };
  const stored = await deps.repository.transition({
    id: payment.id,
    fromStatuses: ['pending'],
    changes: { ...changes, updatedAt: updated.updatedAt },
    completeIdempotency: { outcome, response: JSON.stringify(toPublicPayment(updated)) },
  });
  if (stored) return { outcome, payment: stored };
  const current = await deps.repository.getPayment(payment.id);
  if (!current) throw new Error(`payment ${payment.id} vanished`);
  return { outcome: outcomeOf(current), payment: current };
}

/** The outcome a caller is told for a payment in its current state. */
export function outcomeOf(payment: PaymentRecord): AuthorizeOutcomeKind {
  switch (payment.status) {
    case 'pending': return 'pending';
    case 'declined': return 'declined';
    case 'failed':
    case 'voided': return payment.authorizationCode ? 'authorized' : 'failed';
    default: return 'authorized';
  }
}

/**
 * A hold exists for a payment the caller was told failed: release it (a timeout reversal) and
 * mark the payment voided. Returns the voided payment, or null if the card company could not be
 * reached (the payment keeps `resolution: reverse`, and the recovery worker tries again).
 */
export async function releaseFailedHold(
  deps: DomainDeps, payment: PaymentRecord, record: AuthorizationRecord, requestId?: string,
): Promise<PaymentRecord | null> {
  try {
    await deps.network.reverse(record.authorizationId, { reason: 'timeout' }, { requestId });
  } catch (error) {
    deps.logger.warn({ paymentId: payment.id, err: error }, 'timeout reversal could not be sent yet; recovery will retry');
    return null;
  }
  deps.logger.warn({ paymentId: payment.id, authorizationId: record.authorizationId }, 'timeout reversal: released a hold the caller was told failed');
  return deps.repository.transition({
    id: payment.id, fromStatuses: ['failed'],
    changes: { status: 'voided', reason: 'timeout_reversal', resolution: null, updatedAt: deps.clock().toISOString() },
  });
}
