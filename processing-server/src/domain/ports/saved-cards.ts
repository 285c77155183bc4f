/**
 * The saved-cards port: what the payments need from the card vault to charge a card it keeps.
 * The vault (processing-server/src/vault/) implements it; the domain never sees how or where the
 * number is kept, only the card, opened for the one authorization that needs it.
 */
import type { CardBrand } from '../../../../shared/cards.ts';

/** A saved card with its number: held in memory for one call to the card company, never kept by a payment. */
export interface OpenedCard {
  id: string;
  customerId: string | null;
  number: string;
  expMonth: number;
  expYear: number;
  holderName: string;
  brand: CardBrand;
  last4: string;
}

export interface SavedCards {
  /** The live card with this id, or null when there is none (never saved, or deleted). */
  open(cardId: string): Promise<OpenedCard | null>;
}
