/** Reading one payment the domain is asked to act on: missing is the caller's mistake. */
import type { DomainDeps } from './deps.ts';
import { paymentNotFound } from './errors.ts';
import type { PaymentRecord } from './payment.ts';

export async function loadPayment(deps: Pick<DomainDeps, 'store'>, id: string): Promise<PaymentRecord> {
  const payment = await deps.store.payments.get(id);
  if (!payment) throw paymentNotFound(id);
  return payment;
}
