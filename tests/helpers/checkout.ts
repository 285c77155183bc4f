/** What the checkout browser tests share: card details, typing them like a person, and the payments a holder made. */
import type { AxiosInstance } from 'axios';
import type { Page } from 'playwright-core';
import { typeInto } from './browser.ts';

export interface CardDetails {
  name: string;
  number: string;
  expiry: string;
  cvv: string;
  amount: string;
}

export const approvedCard = (name: string): CardDetails => ({ name, number: '4242424242424242', expiry: '1234', cvv: '123', amount: '25.00' });

/** Key by key into each field, as a shopper types (the page formats the number and the expiry as it goes). */
export async function fillLikeAPerson(page: Page, card: CardDetails): Promise<void> {
  await typeInto(page, '#amount', card.amount);
  await typeInto(page, '#cardholderName', card.name);
  await typeInto(page, '#cardNumber', card.number);
  await typeInto(page, '#expiry', card.expiry);
  await typeInto(page, '#cvv', card.cvv);
}

/** The processing server's payments made by this holder (names are unique per test), newest first. */
export async function paymentsOf(processing: AxiosInstance, holderName: string): Promise<Array<{ id: string; status: string; amount: number; currency: string }>> {
  const response = await processing.get('/v1/payments', { params: { limit: 100 } });
  if (response.status !== 200) throw new Error(`listing payments answered ${response.status}`);
  return (response.data.data as Array<{ id: string; status: string; amount: number; currency: string; holderName: string }>)
    .filter((payment) => payment.holderName === holderName);
}
