/**
 * The statements of settlement, refunds and leases on PostgreSQL; positional parameters are
 * named beside each. Statuses come from the domain as parameters, never as SQL text.
 */

export const SETTLEMENT_SQL = {
  /**
   * The lease is one row per job. The conditional UPSERT is atomic: of two instances racing for
   * a free or expired lease, the second waits on the row and re-evaluates the WHERE against the
   * first one's write, so exactly one of them gets a row back. $1 name, $2 owner, $3 expiresAt, $4 now.
   */
  acquireLease: `INSERT INTO job_leases (name, owner, expires_at) VALUES ($1, $2, $3)
    ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
    WHERE job_leases.expires_at <= $4 OR job_leases.owner = $2
    RETURNING owner`,
  releaseLease: 'DELETE FROM job_leases WHERE name = $1 AND owner = $2',
  insertRun: `INSERT INTO settlement_runs (id, status, started_at, item_count, batch_count) VALUES ($1, 'running', $2, 0, 0)`,
  /**
   * Takes every ready sale for the run ($1 runId, $2 notBefore, $3 the status an automatic
   * payment is ready in, $4 a manual one's). An UPDATE locks each row it takes and re-checks the
   * condition on a row changed meanwhile, so a concurrent void or capture (guarded by
   * `settlement_id IS NULL`) either lands first and the payment is left out, or waits and then
   * finds the payment taken.
   */
  takeSales: `UPDATE payments SET settlement_id = $1
    WHERE settlement_id IS NULL AND created_at >= $2
      AND ((status = $3 AND capture_method = 'automatic') OR (status = $4 AND capture_method = 'manual'))`,
  /** $1 runId. */
  takeRefunds: `UPDATE refunds SET settlement_id = $1 WHERE status = 'pending' AND settlement_id IS NULL`,
  /**
   * The run's items from what it took, numbered into batches in one statement; items are
   * inserted in batch order so that `seq` follows it. $1 runId, $2 batchSizeMax.
   */
  assignItems: `
    INSERT INTO settlement_items (run_id, batch_no, payment_id, refund_id, type, merchant_reference,
      original_merchant_reference, authorization_code, payment_method, card_brand, card_last4, amount, currency)
    SELECT $1, (ROW_NUMBER() OVER (ORDER BY kind, id) - 1) / $2::bigint + 1,
      payment_id, refund_id, type, merchant_reference, original_merchant_reference, authorization_code, payment_method, card_brand, card_last4, amount, currency
    FROM (
      SELECT 0 AS kind, p.id AS id, p.id AS payment_id, NULL::text AS refund_id, 'sale'::text AS type,
        p.merchant_reference AS merchant_reference, NULL::text AS original_merchant_reference,
        p.authorization_code AS authorization_code, p.payment_method AS payment_method, p.card_brand AS card_brand, p.card_last4 AS card_last4,
        CASE WHEN p.capture_method = 'manual' THEN p.captured_amount ELSE p.amount END AS amount, p.currency AS currency
      FROM payments p WHERE p.settlement_id = $1
      UNION ALL
      SELECT 1, r.id, r.payment_id, r.id, 'refund', r.id, p.merchant_reference, p.authorization_code, p.payment_method, p.card_brand, p.card_last4,
        r.amount, r.currency
      FROM refunds r JOIN payments p ON p.id = r.payment_id WHERE r.settlement_id = $1
    ) AS ready
    ORDER BY kind, id`,
  setRunSize: 'UPDATE settlement_runs SET item_count = $1, batch_count = $2 WHERE id = $3',
  deleteRun: 'DELETE FROM settlement_runs WHERE id = $1',
  runningRun: "SELECT * FROM settlement_runs WHERE status = 'running' ORDER BY started_at LIMIT 1",
  getRun: 'SELECT * FROM settlement_runs WHERE id = $1',
  unsentBatches: "SELECT DISTINCT batch_no FROM settlement_items WHERE run_id = $1 AND status = 'pending' ORDER BY batch_no",
  readBatch: 'SELECT * FROM settlement_items WHERE run_id = $1 AND batch_no = $2 ORDER BY seq',
  /**
   * Records a batch's item results in one statement; only items still pending change, so a
   * batch recorded twice changes nothing the second time. $1 runId, $2 seqs, $3 statuses, $4 reasons.
   */
  setItems: `UPDATE settlement_items AS item SET status = result.status, reason = result.reason
    FROM unnest($2::bigint[], $3::text[], $4::text[]) AS result (seq, status, reason)
    WHERE item.seq = result.seq AND item.run_id = $1 AND item.status = 'pending'
    RETURNING item.seq, item.type, item.payment_id, item.refund_id, item.amount, result.status AS result`,
  /**
   * Settled sales: $1 now, $2 payment ids, $3 settled amounts, $4 the status they move to, $5
   * the statuses they may be in. `limit_amount = 0` is added when that status stops counting.
   */
  salesSettled: (releasesLimit: boolean) => `UPDATE payments AS p SET status = $4,${releasesLimit ? ' limit_amount = 0,' : ''} captured_amount = sale.amount, updated_at = $1
    FROM unnest($2::text[], $3::bigint[]) AS sale (id, amount)
    WHERE p.id = sale.id AND p.status = ANY($5::text[])
    RETURNING p.*`,
  /** Rejected sales: $1 now, $2 payment ids, $3 the status they move to, $4 the statuses they may be in. */
  salesRejected: (releasesLimit: boolean) => `UPDATE payments SET status = $3,${releasesLimit ? ' limit_amount = 0,' : ''} updated_at = $1
    WHERE id = ANY($2::text[]) AND status = ANY($4::text[])
    RETURNING *`,
  /** $1 now, $2 refund ids, $3 statuses, $4 reasons, $5 the status each must be in. */
  refundResults: `UPDATE refunds AS r SET status = result.status, reason = result.reason, updated_at = $1
    FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS result (id, status, reason, from_status)
    WHERE r.id = result.id AND r.status = result.from_status
    RETURNING r.*`,
  /** Locks the payments whose refunds were refused, to give the amounts back ($1 payment ids). */
  lockRefunded: 'SELECT id, status, captured_amount, refunded_amount FROM payments WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE',
  /**
   * A refused refund gives its amount back to the payment's refundable balance: the new totals
   * and statuses the domain decided. One row per payment. $1 now, $2 payment ids, $3 refunded
   * totals, $4 statuses, $5 the status each must still be in.
   */
  refundsGivenBack: `UPDATE payments AS p SET refunded_amount = given.refunded, status = given.status, updated_at = $1
    FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[]) AS given (id, refunded, status, from_status)
    WHERE p.id = given.id AND p.status = given.from_status
    RETURNING p.*`,
  groups: `SELECT currency, type, status, COUNT(*) AS count, SUM(amount) AS total
    FROM settlement_items WHERE run_id = $1 GROUP BY currency, type, status`,
  complete: `UPDATE settlement_runs SET status = 'completed', completed_at = $1, settled_count = $2, rejected_count = $3, totals = $4
    WHERE id = $5 AND status = 'running'`,
  fail: "UPDATE settlement_runs SET status = 'failed', completed_at = $1, error = $2 WHERE id = $3 AND status = 'running'",
  listRunsFirst: 'SELECT * FROM settlement_runs ORDER BY id DESC LIMIT $1',
  listRunsAfter: 'SELECT * FROM settlement_runs WHERE id < $1 ORDER BY id DESC LIMIT $2',
  listItems: 'SELECT * FROM settlement_items WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
  /** Locks the payment, so concurrent refunds of it are checked against the refundable balance one at a time. */
  lockPayment: 'SELECT id, status, currency, captured_amount, refunded_amount FROM payments WHERE id = $1 FOR UPDATE',
  refundByKey: 'SELECT * FROM refunds WHERE idempotency_key = $1',
  insertRefund: `INSERT INTO refunds (id, payment_id, amount, currency, status, reason, settlement_id, idempotency_key, request_hash, created_at, updated_at)
    VALUES ($1, $2, $3, $4, 'pending', NULL, NULL, $5, $6, $7, $8)
    ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
  /** The refunded total and status `decideRefund` gave: $1 refunded, $2 status, $3 now, $4 payment id, $5 its status now. */
  setRefunded: 'UPDATE payments SET refunded_amount = $1, status = $2, updated_at = $3 WHERE id = $4 AND status = $5 RETURNING *',
  refundsOfPayment: 'SELECT * FROM refunds WHERE payment_id = $1 ORDER BY created_at, id',
} as const;
