/**
 * The timeout reversal (SPEC §6.2): a hold turned up for a payment whose caller was told it
 * failed (an answer lost, a request that landed late). The hold is released and the payment
 * ends voided, reason `timeout_reversal`, so nobody is charged for what they were told failed.
 */
import type { DomainDeps } from './deps.ts';
import type { PaymentRecord } from './payment.ts';
import { providerOf } from './providers.ts';

/**
 * Releases the hold of a failed payment and marks it voided. Returns the voided payment, or null
 * if the provider could not be reached (the payment keeps `resolution: reverse`, and the
 * recovery worker tries again).
 */
export async function reverseFailedHold(
  deps: Pick<DomainDeps, 'store' | 'providers' | 'clock' | 'logger' | 'cause'>, payment: PaymentRecord, authorizationId: string, requestId?: string,
): Promise<PaymentRecord | null> {
  const reversal = await providerOf(deps, payment).reverse({ authorizationId, reason: 'timeout' }, { requestId });
  if (reversal.kind !== 'released') {
    deps.logger.warn({ paymentId: payment.id, error: reversal.error }, 'timeout reversal could not be sent yet; recovery will retry');
    return null;
  }
  deps.logger.warn({ paymentId: payment.id, authorizationId }, 'timeout reversal: released a hold the caller was told failed');
  return deps.store.payments.transition({
    id: payment.id, from: ['failed'], to: 'voided',
    changes: { reason: 'timeout_reversal', resolution: null, updatedAt: deps.clock().toISOString() }, cause: deps.cause,
  });
}
