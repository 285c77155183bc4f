/** Every SQL statement of the simulator, prepared once when the store opens. */
import type { DatabaseSync, StatementSync } from 'node:sqlite';

const AUTHORIZATION_COLUMNS = `
  seq, id, merchant_reference AS merchantReference, card_fingerprint AS cardFingerprint,
  card_last4 AS cardLast4, amount, currency, response_code AS responseCode,
  authorization_code AS authorizationCode, message, status, held_amount AS heldAmount,
  settled_amount AS settledAmount, refunded_amount AS refundedAmount,
  settlement_batch_id AS settlementBatchId, requested_amount AS requestedAmount,
  authentication_id AS authenticationId, created_at_ms AS createdAtMs, updated_at_ms AS updatedAtMs`;

/**
 * Only what clearing decides on, in this order (store.ts reads these rows as arrays by position):
 * fewer columns read is a measurably faster 5,000-row batch.
 */
const CLEARING_COLUMNS = `
  seq, merchant_reference, card_fingerprint, currency, authorization_code, status,
  held_amount, settled_amount, refunded_amount, created_at_ms`;

const SQL = {
  ping: 'SELECT 1 AS one',
  insertMetaIfMissing: 'INSERT INTO simulator_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING',
  selectMeta: 'SELECT value FROM simulator_meta WHERE key = ?',
  selectAuthorizationByReference: `SELECT ${AUTHORIZATION_COLUMNS} FROM authorizations WHERE merchant_reference = ?`,
  selectAuthorizationById: `SELECT ${AUTHORIZATION_COLUMNS} FROM authorizations WHERE id = ?`,
  selectClearingRowsByReferences: `SELECT ${CLEARING_COLUMNS} FROM authorizations
    WHERE merchant_reference IN (SELECT value FROM json_each(?))`,
  selectAuthorizationPage: `SELECT ${AUTHORIZATION_COLUMNS} FROM authorizations WHERE seq > ? ORDER BY seq LIMIT ?`,
  insertAuthorization: `INSERT INTO authorizations (id, merchant_reference, card_fingerprint, card_last4, requested_amount, amount,
    currency, response_code, authorization_code, message, status, held_amount, authentication_id, created_at_ms, updated_at_ms)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  updateDecision: `UPDATE authorizations SET response_code = ?, authorization_code = ?, message = ?, status = ?,
    held_amount = ?, authentication_id = ?, created_at_ms = ?, updated_at_ms = ? WHERE id = ?`,
  updateHold: 'UPDATE authorizations SET held_amount = ?, status = ?, updated_at_ms = ? WHERE id = ?',
  updateTotal: `UPDATE authorizations SET amount = ?, held_amount = ?, updated_at_ms = ? WHERE id = ? AND status = 'approved'`,
  selectAdjustment: `SELECT reference, amount, response_code AS responseCode, message, at_ms AS atMs FROM hold_adjustments
    WHERE authorization_id = ? AND reference = ?`,
  selectAdjustments: `SELECT authorization_id AS authorizationId, reference, amount, response_code AS responseCode, message,
    at_ms AS atMs FROM hold_adjustments WHERE authorization_id IN (SELECT value FROM json_each(?)) ORDER BY seq`,
  insertAdjustment: `INSERT INTO hold_adjustments (authorization_id, reference, amount, response_code, message, at_ms)
    VALUES (?, ?, ?, ?, ?, ?)`,
  sumCardSpend: `SELECT COALESCE(SUM(settled_amount - refunded_amount), 0) AS total FROM authorizations
    WHERE card_fingerprint = ? AND currency = ? AND status = 'settled'`,
  /** Open holds and settled spend of a card in one walk of its authorizations: what a new authorization is checked against. */
  sumCardCommitted: `SELECT COALESCE(SUM(CASE
      WHEN status = 'approved' AND created_at_ms >= ? THEN held_amount
      WHEN status = 'settled' THEN settled_amount - refunded_amount
      ELSE 0 END), 0) AS total
    FROM authorizations WHERE card_fingerprint = ? AND currency = ?`,
  settleSales: `UPDATE authorizations SET status = 'settled', settled_amount = settled.amount, held_amount = 0,
      settlement_batch_id = ?, updated_at_ms = ?
    FROM (SELECT value ->> 0 AS seq, value ->> 1 AS amount FROM json_each(?)) AS settled
    WHERE authorizations.seq = settled.seq AND authorizations.status = 'approved'`,
  selectRefundReferences: `SELECT merchant_reference AS merchantReference FROM refunds
    WHERE merchant_reference IN (SELECT value FROM json_each(?))`,
  insertRefund: `INSERT INTO refunds (merchant_reference, original_merchant_reference, amount, currency,
    settlement_batch_id, settled_at_ms, method) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  addRefundedAmount: 'UPDATE authorizations SET refunded_amount = refunded_amount + ?, updated_at_ms = ? WHERE seq = ?',
  selectBatch: 'SELECT content_sha256 AS contentSha256, response_json AS responseJson FROM settlement_batches WHERE batch_id = ?',
  insertBatch: 'INSERT INTO settlement_batches (batch_id, content_sha256, response_json, received_at_ms) VALUES (?, ?, ?, ?)',
  insertDeposit: 'INSERT INTO merchant_deposits (batch_id, currency, amount, at_ms) VALUES (?, ?, ?, ?)',
  upsertBalance: `INSERT INTO merchant_balances (currency, amount) VALUES (?, ?)
    ON CONFLICT (currency) DO UPDATE SET amount = amount + excluded.amount`,
  selectBalances: 'SELECT currency, amount FROM merchant_balances ORDER BY currency',
  selectDeposits: 'SELECT batch_id AS batchId, currency, amount, at_ms AS atMs FROM merchant_deposits ORDER BY seq',
} as const;

export type Statements = Record<keyof typeof SQL, StatementSync>;

/** Statements whose rows come back as arrays: thousands of rows are read per batch. */
const ARRAY_ROW_STATEMENTS = new Set<string>(['selectClearingRowsByReferences']);

export function prepareStatements(database: DatabaseSync): Statements {
  const entries = Object.entries(SQL).map(([name, sql]) => {
    const statement = database.prepare(sql);
    // Node.js before 22.16 lacks setReturnArrays; rows then come as objects and are read by position all the same.
    if (ARRAY_ROW_STATEMENTS.has(name) && typeof statement.setReturnArrays === 'function') statement.setReturnArrays(true);
    return [name, statement] as const;
  });
  return Object.fromEntries(entries) as Statements;
}
