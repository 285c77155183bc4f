/**
 * Money as people read it on a page: the currency code, then the amount with thousands
 * separators and exactly the currency's decimals ("USD 12,345.67", "JPY 150,000", "KWD 1.250").
 * Only for reading: form fields and JSON keep plain decimals ("12345.67"), which is what the
 * exact parser takes back.
 */
import { formatMinor, isCurrency } from '../../../shared/money.ts';

export function moneyText(amountMinor: number, currency: string): string {
  if (!isCurrency(currency)) return `${currency} ${amountMinor} (minor units)`;
  const [whole = '', fraction] = formatMinor(Math.abs(amountMinor), currency).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+$)/g, ',');
  return `${currency} ${amountMinor < 0 ? '-' : ''}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}
