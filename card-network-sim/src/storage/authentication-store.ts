/** The 3-D Secure authentications table. Called inside the NetworkStore's transactions. */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { CardBrand } from '../../../shared/cards.ts';
import type { AuthenticationStatus } from '../../../shared/contracts/network.ts';
import type { Currency } from '../../../shared/money.ts';

export interface AuthenticationRow {
  id: string;
  merchantReference: string;
  cardFingerprint: string;
  cardBrand: CardBrand;
  cardLast4: string;
  amount: number;
  currency: Currency;
  returnUrl: string;
  merchantName: string;
  status: AuthenticationStatus;
  createdAtMs: number;
  updatedAtMs: number;
}

export type NewAuthentication = Omit<AuthenticationRow, 'updatedAtMs'>;

const COLUMNS = `id, merchant_reference AS merchantReference, card_fingerprint AS cardFingerprint, card_brand AS cardBrand,
  card_last4 AS cardLast4, amount, currency, return_url AS returnUrl, merchant_name AS merchantName, status,
  created_at_ms AS createdAtMs, updated_at_ms AS updatedAtMs`;

export class AuthenticationStore {
  readonly #selectById: StatementSync;
  readonly #selectByReference: StatementSync;
  readonly #insert: StatementSync;
  readonly #decide: StatementSync;

  constructor(database: DatabaseSync) {
    this.#selectById = database.prepare(`SELECT ${COLUMNS} FROM authentications WHERE id = ?`);
    this.#selectByReference = database.prepare(`SELECT ${COLUMNS} FROM authentications WHERE merchant_reference = ?`);
    this.#insert = database.prepare(`INSERT INTO authentications (id, merchant_reference, card_fingerprint, card_brand, card_last4,
      amount, currency, return_url, merchant_name, status, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    // Only an open challenge is ever decided: a decided authentication keeps its status.
    this.#decide = database.prepare(`UPDATE authentications SET status = ?, updated_at_ms = ?
      WHERE id = ? AND status = 'challenge_required'`);
  }

  findById(id: string): AuthenticationRow | undefined {
    return this.#selectById.get(id) as AuthenticationRow | undefined;
  }

  findByReference(merchantReference: string): AuthenticationRow | undefined {
    return this.#selectByReference.get(merchantReference) as AuthenticationRow | undefined;
  }

  insert(row: NewAuthentication): void {
    this.#insert.run(
      row.id, row.merchantReference, row.cardFingerprint, row.cardBrand, row.cardLast4, row.amount, row.currency,
      row.returnUrl, row.merchantName, row.status, row.createdAtMs, row.createdAtMs,
    );
  }

  /** True when the open challenge was decided now; false when it had been decided before. */
  decideChallenge(id: string, status: Exclude<AuthenticationStatus, 'challenge_required'>, atMs: number): boolean {
    return Number(this.#decide.run(status, atMs, id).changes) === 1;
  }
}
