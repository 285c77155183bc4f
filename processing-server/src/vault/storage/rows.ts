/** What both SQL vault stores share: the columns a card shows, and rows mapped to records. */
import type { CardBrand } from '../../../../shared/cards.ts';
import type { CardRecord, CardRequestRecord, DataKeyRecord, DataKeyState, SealedCard } from '../store.ts';

export type Row = Record<string, unknown>;

/** The columns of a card anyone may see (no ciphertext, key or fingerprint), prefixed with `alias.` when given. */
export function cardColumns(alias?: string): string {
  const prefix = alias ? `${alias}.` : '';
  return ['id', 'customer_id', 'brand', 'last4', 'exp_month', 'exp_year', 'holder_name', 'created_at', 'deleted_at']
    .map((column) => `${prefix}${column}`).join(', ');
}

const nullableText = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

export function cardFromRow(row: Row): CardRecord {
  return {
    id: String(row.id),
    customerId: nullableText(row.customer_id),
    brand: String(row.brand) as CardBrand,
    last4: String(row.last4),
    expMonth: Number(row.exp_month),
    expYear: Number(row.exp_year),
    holderName: String(row.holder_name),
    createdAt: String(row.created_at),
    deletedAt: nullableText(row.deleted_at),
  };
}

/** A card row joined with its key (`ciphertext`, `key_id`, `wrapped`). */
export function sealedCardFromRow(row: Row): SealedCard {
  return { ...cardFromRow(row), sealed: String(row.ciphertext), key: { id: String(row.key_id), wrapped: String(row.wrapped) } };
}

export function keyFromRow(row: Row): DataKeyRecord {
  return {
    id: String(row.id), state: String(row.state) as DataKeyState, wrapped: nullableText(row.wrapped),
    createdAt: String(row.created_at), destroyedAt: nullableText(row.destroyed_at),
  };
}

export function requestFromRow(row: Row): CardRequestRecord {
  return {
    key: String(row.key), requestHash: String(row.request_hash), cardId: String(row.card_id),
    completed: Number(row.completed) === 1 || row.completed === true, createdAt: String(row.created_at),
  };
}
