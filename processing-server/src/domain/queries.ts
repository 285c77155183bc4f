/** Reading payments: one by id, or a page of them, always in their public (masked) form. */
import type { Payment, PaymentList, PaymentListQuery } from '../../../shared/contracts/processing.ts';
import { paymentNotFound } from './errors.ts';
import type { DomainDeps } from './deps.ts';
import { toPublicPayment } from './payment.ts';

export async function getPayment(deps: Pick<DomainDeps, 'repository'>, id: string): Promise<Payment> {
  const payment = await deps.repository.getPayment(id);
  if (!payment) throw paymentNotFound(id);
  return toPublicPayment(payment);
}

export async function listPayments(deps: Pick<DomainDeps, 'repository'>, query: PaymentListQuery): Promise<PaymentList> {
  const page = await deps.repository.listPayments(query);
  return { data: page.data.map(toPublicPayment), hasMore: page.hasMore };
}
