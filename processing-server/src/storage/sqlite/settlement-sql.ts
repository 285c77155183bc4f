/**
 * The set-based SQL of settlement on SQLite, built from the domain's rules (which payments are
 * ready, which statuses expire) once per rule. Shaped for runs of a million items: see
 * docs/PERFORMANCE.md.
 */
import assert from 'node:assert/strict';
import type { PaymentStatus } from '../../../../shared/contracts/processing.ts';
import type { SettlementReadiness } from '../../domain/settlement-outcomes.ts';
import { statusLiterals } from '../sql/payment-rows.ts';

/**
 * The statuses of the partial index payments_unbatched (migration 3), as written there. Ready
 * and expiring payments are found through that index, so the domain's statuses for them must be
 * exactly these; a rule that changes them needs a new index first.
 */
export const UNBATCHED_INDEX_STATUSES: readonly PaymentStatus[] = ['authorized', 'captured'];
const UNBATCHED_INDEX_CONDITION = `status IN (${statusLiterals(UNBATCHED_INDEX_STATUSES)})`;

export function assertServedByUnbatchedIndex(statuses: readonly PaymentStatus[]): void {
  assert.deepEqual([...new Set(statuses)].sort(), [...UNBATCHED_INDEX_STATUSES].sort(),
    `payments in ${statuses.join(', ')} are not what the partial index payments_unbatched holds`);
}

/** `… AND status IN ('authorized', 'captured')` as the partial index has it, for a table or alias. */
export function unbatchedIndexCondition(table: string): string {
  return `${table}.${UNBATCHED_INDEX_CONDITION}`;
}

/**
 * `FROM … WHERE …` of the sale item of the payment whose id is `paymentId` (a column): a payment
 * with a sale item is in that item's run, whether or not its result has been recorded. Found on
 * the unique index settlement_items_sale.
 */
export function saleItemOf(paymentId: string): string {
  return `FROM settlement_items AS taken WHERE taken.payment_id = ${paymentId} AND taken.type = 'sale'`;
}

/**
 * The sales a run takes (the payments table is `p`, named parameter :notBefore): ready by their
 * capture method, never batched, not expired. Written so that the partial index
 * payments_unbatched (authorized or captured, settlement_id not yet written) serves it. On SQLite
 * a payment keeps its entry there until its result is recorded: what takes it out of the next
 * run is its sale item (see assignSalesSql).
 */
function readySaleCondition(ready: SettlementReadiness): string {
  assertServedByUnbatchedIndex([ready.automatic, ready.manual]);
  return `p.settlement_id IS NULL AND ${unbatchedIndexCondition('p')} AND p.created_at >= :notBefore
    AND ((p.capture_method = 'automatic' AND p.status = ${statusLiterals([ready.automatic])})
      OR (p.capture_method = 'manual' AND p.status = ${statusLiterals([ready.manual])}))`;
}

/** The refunds a run takes (the refunds table is `r`); every refund has its payment (a foreign key). */
export const READY_REFUND_CONDITION = "r.status = 'pending' AND r.settlement_id IS NULL";

const ITEM_INSERT = `INSERT INTO settlement_items (run_id, batch_no, payment_id, refund_id, type, merchant_reference,
    original_merchant_reference, authorization_code, payment_method, card_brand, card_last4, amount, currency)`;

/**
 * The next :limit ready sales after the key (:afterCreatedAt, :afterId), in (created_at, id)
 * order, as the items of batch :batchNo (named parameters :runId, :batchNo, :notBefore,
 * :afterCreatedAt, :afterId, :limit). A run calls it batch after batch, each time from the key
 * of the last sale taken (LAST_SALE_KEY_SQL), with :notBefore raised to :afterCreatedAt: the
 * index walk must start at the key, and SQLite starts it at the one lower bound on created_at
 * (a row-value comparison, or a second bound, is only a filter, and the walk starts back at the
 * front of the index every batch, quadratic in the run's size). Walking a partial index in order
 * numbers the items without sorting a million rows or running a window function over them, and
 * the payments are not rewritten. A payment that some run has taken already (it has a sale
 * item) is left out; the unique index settlement_items_sale would refuse it anyway. A manual
 * payment settles its captured amount.
 */
export function assignSalesSql(ready: SettlementReadiness): string {
  return `${ITEM_INSERT}
  SELECT :runId, :batchNo, p.id, NULL, 'sale', p.merchant_reference, NULL, p.authorization_code, p.payment_method, p.card_brand, p.card_last4,
    CASE WHEN p.capture_method = 'manual' THEN p.captured_amount ELSE p.amount END, p.currency
  FROM payments p INDEXED BY payments_unbatched
  WHERE ${readySaleCondition(ready)} AND (p.created_at > :afterCreatedAt OR p.id > :afterId)
    AND NOT EXISTS (SELECT 1 ${saleItemOf('p.id')})
  ORDER BY p.created_at, p.id
  LIMIT :limit`;
}

/** The (created_at, id) of the payment of the last item inserted: where the next batch of sales starts. */
export const LAST_SALE_KEY_SQL = `SELECT p.created_at AS created_at, p.id AS id FROM payments p
  WHERE p.id = (SELECT payment_id FROM settlement_items WHERE seq = (SELECT MAX(seq) FROM settlement_items))`;

/**
 * Every pending refund after the :assigned sales, continuing their numbering into batches of
 * :batchSizeMax (refunds are few, so a window function is cheap here). Named parameters:
 * :runId, :assigned, :batchSizeMax.
 */
export const ASSIGN_REFUNDS_SQL = `${ITEM_INSERT}
  SELECT :runId, CAST((:assigned + ROW_NUMBER() OVER (ORDER BY r.id) - 1) / CAST(:batchSizeMax AS INTEGER) AS INTEGER) + 1,
    r.payment_id, r.id, 'refund', r.id, p.merchant_reference, p.authorization_code, p.payment_method, p.card_brand, p.card_last4,
    r.amount, r.currency
  FROM refunds r JOIN payments p ON p.id = r.payment_id
  WHERE ${READY_REFUND_CONDITION}
  ORDER BY r.id`;
