/**
 * Turning what the provider (card company, points provider) said into a payment's final state. Used by the request that
 * authorizes a payment and by the recovery worker, so both reach the same answer.
 */
import type { PaymentStatus } from '../../../shared/contracts/processing.ts';
import type { DomainDeps } from './deps.ts';
import type { PaymentChanges, PaymentRecord } from './payment.ts';
import type { ProviderAuthorization } from './ports/provider.ts';
import { toPublicPayment } from './views.ts';

/**
 * What the caller of POST /v1/payments (or /confirm) learns; `pending` means not yet known,
 * `requires_action` that the shopper's 3-D Secure step is awaited.
 */
export type AuthorizeOutcomeKind = 'authorized' | 'declined' | 'failed' | 'pending' | 'requires_action';

export interface Resolution {
  outcome: AuthorizeOutcomeKind;
  payment: PaymentRecord;
}

/** Where an answer moves a pending payment, and what it writes there. */
export interface Settling {
  to: PaymentStatus;
  changes: PaymentChanges;
}

/** The change that a provider's decision makes to a pending payment. */
export function changesFromDecision(authorizationId: string, decision: ProviderAuthorization['decision']): { outcome: 'authorized' | 'declined'; change: Settling } {
  if (decision.kind === 'approved') {
    return { outcome: 'authorized', change: { to: 'authorized', changes: { authorizationId, authorizationCode: decision.authorizationCode } } };
  }
  return { outcome: 'declined', change: { to: 'declined', changes: { authorizationId, decline: decision.decline } } };
}

/**
 * Moves a pending payment (or one that waited for the shopper's 3-D Secure step, `from`) to its
 * next state and records the answer for its idempotency key in the same transaction, when none
 * is stored yet. If someone else moved it first, their result stands.
 */
export async function settleOutcome(
  deps: Pick<DomainDeps, 'store' | 'clock'>, payment: PaymentRecord, outcome: Exclude<AuthorizeOutcomeKind, 'pending'>, change: Settling,
  from: PaymentStatus = 'pending',
): Promise<Resolution> {
  const updatedAt = deps.clock().toISOString();
  const answered = { ...payment, ...change.changes, status: change.to, updatedAt };
  const stored = await deps.store.payments.transition({
    id: payment.id,
    from: [from],
    to: change.to,
    changes: { ...change.changes, updatedAt },
    completeIdempotency: { outcome, response: JSON.stringify(toPublicPayment(answered)) },
  });
  if (stored) return { outcome, payment: stored };
  const current = await deps.store.payments.get(payment.id);
  if (!current) throw new Error(`payment ${payment.id} vanished`);
  return { outcome: outcomeOf(current), payment: current };
}

/** The outcome a caller is told for a payment in its current state. */
export function outcomeOf(payment: PaymentRecord): AuthorizeOutcomeKind {
  switch (payment.status) {
    case 'pending': return 'pending';
    case 'requires_action': return 'requires_action';
    case 'declined': return 'declined';
    case 'failed':
    case 'voided': return payment.authorizationCode ? 'authorized' : 'failed';
    default: return 'authorized';
  }
}
