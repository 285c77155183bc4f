/**
 * The points provider's tables: accounts (balance and PIN hash) and holds. Called inside the
 * NetworkStore's transactions; `held` is summed from open, unexpired holds, never stored.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { NetworkResponseCode } from '../../../shared/contracts/network.ts';
import type { Currency } from '../../../shared/money.ts';

export type PointsAccountStatus = 'active' | 'blocked';

export interface PointsAccountRow {
  accountId: string;
  pinHash: string;
  balance: number;
  status: PointsAccountStatus;
}

export type PointsAuthorizationStatus = 'approved' | 'declined' | 'reversed' | 'settled';

export interface PointsAuthorizationRow {
  seq: number;
  id: string;
  merchantReference: string;
  accountId: string;
  /** The points first asked for, which a repeat of the request is compared with. */
  requestedAmount: number;
  /** The authorized total in points (follows approved adjustments). */
  amount: number;
  currency: Currency;
  responseCode: NetworkResponseCode;
  authorizationCode: string | null;
  message: string;
  status: PointsAuthorizationStatus;
  heldAmount: number;
  settledAmount: number;
  refundedAmount: number;
  createdAtMs: number;
  updatedAtMs: number;
}

export type NewPointsAuthorization = Omit<PointsAuthorizationRow, 'seq' | 'requestedAmount' | 'settledAmount' | 'refundedAmount' | 'updatedAtMs'>;

/** What clearing reads of a points hold. */
export type PointsClearingRow = Pick<PointsAuthorizationRow,
  'seq' | 'merchantReference' | 'currency' | 'authorizationCode' | 'status' | 'heldAmount' | 'settledAmount' | 'refundedAmount' | 'createdAtMs'>;

const COLUMNS = `seq, id, merchant_reference AS merchantReference, account_id AS accountId, requested_amount AS requestedAmount,
  amount, currency, response_code AS responseCode, authorization_code AS authorizationCode, message, status,
  held_amount AS heldAmount, settled_amount AS settledAmount, refunded_amount AS refundedAmount,
  created_at_ms AS createdAtMs, updated_at_ms AS updatedAtMs`;

const SQL = {
  selectAccount: 'SELECT account_id AS accountId, pin_hash AS pinHash, balance, status FROM points_accounts WHERE account_id = ?',
  insertAccountIfMissing: `INSERT INTO points_accounts (account_id, pin_hash, balance, status, created_at_ms) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (account_id) DO NOTHING`,
  sumOpenHolds: `SELECT COALESCE(SUM(held_amount), 0) AS total FROM points_authorizations
    WHERE account_id = ? AND status = 'approved' AND created_at_ms >= ?`,
  selectByReference: `SELECT ${COLUMNS} FROM points_authorizations WHERE merchant_reference = ?`,
  selectById: `SELECT ${COLUMNS} FROM points_authorizations WHERE id = ?`,
  selectClearingRows: `SELECT seq, merchant_reference AS merchantReference, currency, authorization_code AS authorizationCode, status,
      held_amount AS heldAmount, settled_amount AS settledAmount, refunded_amount AS refundedAmount, created_at_ms AS createdAtMs
    FROM points_authorizations WHERE merchant_reference IN (SELECT value FROM json_each(?))`,
  insert: `INSERT INTO points_authorizations (id, merchant_reference, account_id, requested_amount, amount, currency, response_code,
    authorization_code, message, status, held_amount, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  updateHold: 'UPDATE points_authorizations SET held_amount = ?, status = ?, updated_at_ms = ? WHERE id = ?',
  updateTotal: `UPDATE points_authorizations SET amount = ?, held_amount = ?, updated_at_ms = ? WHERE id = ? AND status = 'approved'`,
  settleSale: `UPDATE points_authorizations SET status = 'settled', settled_amount = ?, held_amount = 0, settlement_batch_id = ?,
    updated_at_ms = ? WHERE seq = ? AND status = 'approved'`,
  addRefunded: 'UPDATE points_authorizations SET refunded_amount = refunded_amount + ?, updated_at_ms = ? WHERE seq = ?',
  // Redeemed points leave the account; refunded ones come back. Held points were always part of the balance.
  moveBalance: `UPDATE points_accounts SET balance = balance + ?
    WHERE account_id = (SELECT account_id FROM points_authorizations WHERE seq = ?)`,
} as const;

export class PointsStore {
  readonly #statements: Record<keyof typeof SQL, StatementSync>;

  constructor(database: DatabaseSync) {
    this.#statements = Object.fromEntries(Object.entries(SQL).map(([name, sql]) => [name, database.prepare(sql)])) as Record<keyof typeof SQL, StatementSync>;
  }

  findAccount(accountId: string): PointsAccountRow | undefined {
    return this.#statements.selectAccount.get(accountId) as PointsAccountRow | undefined;
  }

  insertAccountIfMissing(account: PointsAccountRow, createdAtMs: number): void {
    this.#statements.insertAccountIfMissing.run(account.accountId, account.pinHash, account.balance, account.status, createdAtMs);
  }

  /** Points held by the account's approved holds created at or after `sinceMs` (older ones expired). */
  heldAmount(accountId: string, sinceMs: number): number {
    return (this.#statements.sumOpenHolds.get(accountId, sinceMs) as { total: number } | undefined)?.total ?? 0;
  }

  findByReference(merchantReference: string): PointsAuthorizationRow | undefined {
    return this.#statements.selectByReference.get(merchantReference) as PointsAuthorizationRow | undefined;
  }

  findById(id: string): PointsAuthorizationRow | undefined {
    return this.#statements.selectById.get(id) as PointsAuthorizationRow | undefined;
  }

  findClearingRows(merchantReferences: string[]): PointsClearingRow[] {
    if (merchantReferences.length === 0) return [];
    return this.#statements.selectClearingRows.all(JSON.stringify(merchantReferences)) as unknown as PointsClearingRow[];
  }

  insert(row: NewPointsAuthorization): void {
    this.#statements.insert.run(
      row.id, row.merchantReference, row.accountId, row.amount, row.amount, row.currency, row.responseCode,
      row.authorizationCode, row.message, row.status, row.heldAmount, row.createdAtMs, row.createdAtMs,
    );
  }

  updateHold(id: string, heldAmount: number, status: PointsAuthorizationStatus, atMs: number): void {
    this.#statements.updateHold.run(heldAmount, status, atMs, id);
  }

  updateTotal(id: string, amount: number, heldAmount: number, atMs: number): void {
    const { changes } = this.#statements.updateTotal.run(amount, heldAmount, atMs, id);
    if (Number(changes) !== 1) throw new Error(`points authorization ${id} is no longer approved`);
  }

  /** Redeems the settled points: the hold becomes a sale and the points leave the balance. */
  settleSales(sales: Array<{ seq: number; amount: number }>, batchId: string, atMs: number): void {
    for (const sale of sales) {
      const { changes } = this.#statements.settleSale.run(sale.amount, batchId, atMs, sale.seq);
      if (Number(changes) !== 1) throw new Error(`points authorization #${sale.seq} could not be settled`);
      this.#statements.moveBalance.run(-sale.amount, sale.seq);
    }
  }

  /** Gives refunded points back to the account the sale took them from. */
  addRefunded(saleSeq: number, amount: number, atMs: number): void {
    this.#statements.addRefunded.run(amount, atMs, saleSeq);
    this.#statements.moveBalance.run(amount, saleSeq);
  }
}
