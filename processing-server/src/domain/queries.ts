/** Reading payments: one by id, or a page of them, always in their public (masked) form. */
import type { Payment, PaymentList, PaymentListQuery } from '../../../shared/contracts/processing.ts';
import type { DomainDeps } from './deps.ts';
import { loadPayment } from './load.ts';
import { toPublicPayment } from './views.ts';

export async function getPayment(deps: Pick<DomainDeps, 'store'>, id: string): Promise<Payment> {
  return toPublicPayment(await loadPayment(deps, id));
}

export async function listPayments(deps: Pick<DomainDeps, 'store'>, query: PaymentListQuery): Promise<PaymentList> {
  const page = await deps.store.payments.list(query);
  return { data: page.data.map(toPublicPayment), hasMore: page.hasMore };
}
