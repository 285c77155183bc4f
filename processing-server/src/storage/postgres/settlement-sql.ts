/** The statements of settlement on PostgreSQL; positional parameters are named beside each. */

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
  /** $1 now, $2 cutoff. Each expired payment's hold is still to be released (`resolution`). */
  expire: `UPDATE payments SET status = 'expired', limit_amount = 0, resolution = 'reverse', updated_at = $1
    WHERE status IN ('authorized', 'captured') AND settlement_id IS NULL AND created_at < $2
    RETURNING id, authorization_id`,
  /** $1 payment id. */
  holdReleased: "UPDATE payments SET resolution = NULL WHERE id = $1 AND status = 'expired'",
  insertRun: `INSERT INTO settlement_runs (id, status, started_at, item_count, batch_count) VALUES ($1, 'running', $2, 0, 0)`,
  /**
   * Takes every ready sale for the run ($1 runId, $2 notBefore). An UPDATE locks each row it
   * takes and re-checks the condition on a row changed meanwhile, so a concurrent void or
   * capture (guarded by `settlement_id IS NULL`) either lands first and the payment is left
   * out, or waits and then finds the payment taken.
   */
  takeSales: `UPDATE payments SET settlement_id = $1
    WHERE settlement_id IS NULL AND created_at >= $2
      AND ((status = 'authorized' AND capture_method = 'automatic') OR status = 'captured')`,
  /** $1 runId. */
  takeRefunds: `UPDATE refunds SET settlement_id = $1 WHERE status = 'pending' AND settlement_id IS NULL`,
  /**
   * The run's items from what it took, numbered into batches in one statement; items are
   * inserted in batch order so that `seq` follows it. $1 runId, $2 batchSizeMax.
   */
  assignItems: `
    INSERT INTO settlement_items (run_id, batch_no, payment_id, refund_id, type, merchant_reference,
      original_merchant_reference, authorization_code, card_brand, card_last4, amount, currency)
    SELECT $1, (ROW_NUMBER() OVER (ORDER BY kind, id) - 1) / $2::bigint + 1,
      payment_id, refund_id, type, merchant_reference, original_merchant_reference, authorization_code, card_brand, card_last4, amount, currency
    FROM (
      SELECT 0 AS kind, p.id AS id, p.id AS payment_id, NULL::text AS refund_id, 'sale'::text AS type,
        p.merchant_reference AS merchant_reference, NULL::text AS original_merchant_reference,
        p.authorization_code AS authorization_code, p.card_brand AS card_brand, p.card_last4 AS card_last4,
        CASE WHEN p.capture_method = 'manual' THEN p.captured_amount ELSE p.amount END AS amount, p.currency AS currency
      FROM payments p WHERE p.settlement_id = $1
      UNION ALL
      SELECT 1, r.id, r.payment_id, r.id, 'refund', r.id, p.merchant_reference, p.authorization_code, p.card_brand, p.card_last4, r.amount, r.currency
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
  /** $1 now, $2 payment ids, $3 settled amounts. */
  salesSettled: `UPDATE payments AS p SET status = 'settled', captured_amount = sale.amount, updated_at = $1
    FROM unnest($2::text[], $3::bigint[]) AS sale (id, amount)
    WHERE p.id = sale.id AND p.status IN ('authorized', 'captured')`,
  /** $1 now, $2 payment ids. */
  salesRejected: `UPDATE payments SET status = 'settlement_rejected', limit_amount = 0, updated_at = $1
    WHERE id = ANY($2::text[]) AND status IN ('authorized', 'captured')`,
  /** $1 now, $2 refund ids, $3 statuses, $4 reasons. */
  refundResults: `UPDATE refunds AS r SET status = result.status, reason = result.reason, updated_at = $1
    FROM unnest($2::text[], $3::text[], $4::text[]) AS result (id, status, reason)
    WHERE r.id = result.id AND r.status = 'pending'`,
  /**
   * A refused refund gives its amount back to the payment's refundable balance. One row per
   * payment (the caller sums several refused refunds of one payment): an UPDATE … FROM applies
   * only one joined row to each target row. $1 now, $2 payment ids, $3 amounts.
   */
  refundsUndone: `UPDATE payments AS p SET refunded_amount = p.refunded_amount - undone.amount,
      status = CASE WHEN p.refunded_amount - undone.amount = 0 THEN 'settled' ELSE 'partially_refunded' END, updated_at = $1
    FROM unnest($2::text[], $3::bigint[]) AS undone (id, amount)
    WHERE p.id = undone.id`,
  groups: `SELECT currency, type, status, COUNT(*) AS count, SUM(amount) AS total
    FROM settlement_items WHERE run_id = $1 GROUP BY currency, type, status`,
  complete: `UPDATE settlement_runs SET status = 'completed', completed_at = $1, settled_count = $2, rejected_count = $3, totals = $4
    WHERE id = $5`,
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
  /** $1 amount, $2 now, $3 payment id. */
  addRefunded: `UPDATE payments SET refunded_amount = refunded_amount + $1,
      status = CASE WHEN refunded_amount + $1 = captured_amount THEN 'refunded' ELSE 'partially_refunded' END, updated_at = $2
    WHERE id = $3`,
  refundsOfPayment: 'SELECT * FROM refunds WHERE payment_id = $1 ORDER BY created_at, id',
} as const;
