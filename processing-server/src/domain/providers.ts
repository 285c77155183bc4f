/** Which provider holds a payment's money: the one of its way to pay. */
import type { PaymentMethod } from '../../../shared/contracts/processing.ts';
import type { DomainDeps } from './deps.ts';
import type { PaymentProvider } from './ports/provider.ts';

export function providerOf(deps: Pick<DomainDeps, 'providers'>, payment: { paymentMethod: PaymentMethod }): PaymentProvider {
  return deps.providers[payment.paymentMethod];
}
