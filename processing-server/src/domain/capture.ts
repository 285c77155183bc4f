/**
 * Capturing a manual payment (SPEC §3): all of it or part of it, before a settlement run takes
 * it; the uncaptured rest of the hold is released, and only the captured amount counts against
 * the spending limit from then on.
 */
import type { Payment } from '../../../shared/contracts/processing.ts';
import type { DomainDeps } from './deps.ts';
import { DomainError, invalidState } from './errors.ts';
import { loadPayment } from './load.ts';
import { toPublicPayment } from './views.ts';
import { providerOf } from './providers.ts';

export async function capturePayment(deps: DomainDeps, id: string, amountMinor: number | undefined, requestId?: string): Promise<Payment> {
  const payment = await loadPayment(deps, id);
  if (payment.captureMethod !== 'manual') {
    throw new DomainError({
      code: 'capture_not_allowed',
      message: 'Automatic payments are captured by the next settlement run; only manual payments are captured by hand.',
    });
  }
  if (payment.status !== 'authorized') throw invalidState(`A ${payment.status} payment cannot be captured.`);
  const capturedMinor = amountMinor ?? payment.amountMinor;
  if (capturedMinor > payment.amountMinor) {
    throw new DomainError({
      code: 'amount_too_large', message: `The capture may be at most the authorized ${payment.amountMinor}.`,
      problems: [{ field: 'amount', message: `must be at most ${payment.amountMinor}` }],
    });
  }
  const updated = await deps.store.payments.transition({
    id, from: ['authorized'], to: 'captured', unbatched: true,
    changes: { capturedMinor, countedMinor: capturedMinor, updatedAt: deps.clock().toISOString() }, cause: deps.cause,
  });
  if (!updated) throw invalidState('The payment changed while it was being captured; read it again.');
  const restMinor = payment.amountMinor - capturedMinor;
  if (restMinor > 0 && payment.authorizationId) {
    // Releasing the rest now is a courtesy to the shopper; if it fails, settlement releases it anyway.
    const released = await providerOf(deps, payment).reverse(
      { authorizationId: payment.authorizationId, amountMinor: restMinor, reason: 'partial_capture' }, { requestId },
    );
    if (released.kind !== 'released') deps.logger.warn({ paymentId: id, error: released.error }, 'could not release the uncaptured rest now; settlement will');
  }
  return toPublicPayment(updated);
}
