/**
 * Voiding a payment before settlement (SPEC §3): first in our ledger, so that no settlement run
 * can take it any more, then the hold is released. If the provider cannot be reached, the
 * payment stays marked for the recovery worker to release the hold later.
 */
import type { Payment } from '../../../shared/contracts/processing.ts';
import type { DomainDeps } from './deps.ts';
import { DomainError, invalidState } from './errors.ts';
import { loadPayment } from './load.ts';
import { toPublicPayment } from './views.ts';
import { providerOf } from './providers.ts';

export async function voidPayment(deps: DomainDeps, id: string, requestId?: string): Promise<Payment> {
  const payment = await loadPayment(deps, id);
  if (payment.status !== 'authorized' && payment.status !== 'captured') {
    throw invalidState(`A ${payment.status} payment cannot be voided.`);
  }
  if (payment.settlementId) {
    throw new DomainError({ code: 'already_in_batch', message: 'The payment is already in a settlement batch; refund it after it settles.' });
  }
  const voided = await deps.store.payments.transition({
    id, from: ['authorized', 'captured'], to: 'voided', unbatched: true,
    changes: { reason: 'merchant_void', resolution: 'reverse', updatedAt: deps.clock().toISOString() }, cause: deps.cause,
  });
  if (!voided) {
    throw new DomainError({ code: 'already_in_batch', message: 'The payment was taken by a settlement run; refund it after it settles.' });
  }
  if (!payment.authorizationId) return toPublicPayment(voided);
  const released = await providerOf(deps, payment).reverse({ authorizationId: payment.authorizationId, reason: 'void' }, { requestId });
  if (released.kind !== 'released') {
    deps.logger.warn({ paymentId: id, error: released.error }, 'void recorded; the hold will be released by the recovery worker');
    return toPublicPayment(voided);
  }
  await deps.store.payments.holdReleased({ id, status: 'voided' });
  return toPublicPayment({ ...voided, resolution: null });
}
