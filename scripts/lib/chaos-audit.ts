/**
 * The chaos test's verdict: reads every payment from the processing server, every authorization
 * and the merchant account from the card company, and checks the promises of docs/RELIABILITY.md against
 * what the shoppers were told.
 */
import axios from 'axios';
import type { CheckoutRecord } from './chaos-driver.ts';

interface PaymentView { id: string; status: string; amount: number; capturedAmount: number; refundedAmount: number }
interface HoldView { merchantReference: string; authorizationId: string; status: string; heldAmount: number; amount: number }
interface AccountView { balances: Record<string, number>; deposits: Array<{ amount: number; currency: string }> }

export interface AuditInput {
  processingUrl: string;
  processingKey: string;
  networkUrl: string;
  networkKey: string;
  records: CheckoutRecord[];
}

export interface Audit {
  findings: Record<string, number | string>;
  violations: string[];
}

async function readAll<Item extends { id?: string; authorizationId?: string }>(
  url: string, key: string, limit: number, cursorOf: (item: Item) => string,
): Promise<Item[]> {
  const items: Item[] = [];
  let startingAfter: string | undefined;
  for (let page = 0; page < 10_000; page += 1) {
    const response = await axios.get(url, { headers: { Authorization: `Bearer ${key}` }, params: { limit, startingAfter }, timeout: 30_000 });
    items.push(...(response.data.data as Item[]));
    if (!response.data.hasMore) return items;
    startingAfter = cursorOf(items[items.length - 1]!);
  }
  throw new Error(`more than 10,000 pages at ${url}`);
}

const LIVE_HOLD = (hold: HoldView) => (hold.status === 'approved' && hold.heldAmount > 0) || hold.status === 'settled';
const CHARGED_STATUSES = new Set(['authorized', 'captured', 'settled', 'partially_refunded', 'refunded']);

export async function auditChaos(input: AuditInput): Promise<Audit> {
  const payments = await readAll<PaymentView>(`${input.processingUrl}/v1/payments`, input.processingKey, 100, (payment) => payment.id);
  const holds = await readAll<HoldView>(`${input.networkUrl}/v1/authorizations`, input.networkKey, 1000, (hold) => hold.authorizationId);
  const account = (await axios.get(`${input.networkUrl}/v1/merchant-account`, { headers: { Authorization: `Bearer ${input.networkKey}` } })).data as AccountView;
  const byId = new Map(payments.map((payment) => [payment.id, payment]));
  const violations: string[] = [];
  const violate = (text: string) => { if (violations.length < 50) violations.push(text); };

  const holdsPerReference = new Map<string, number>();
  for (const hold of holds) holdsPerReference.set(hold.merchantReference, (holdsPerReference.get(hold.merchantReference) ?? 0) + 1);
  for (const [reference, count] of holdsPerReference) if (count > 1) violate(`payment ${reference} has ${count} authorizations at the card company`);
  for (const hold of holds.filter(LIVE_HOLD)) {
    const payment = byId.get(hold.merchantReference);
    if (!payment) violate(`hold ${hold.authorizationId} (${hold.merchantReference}) belongs to no payment`);
    else if (!CHARGED_STATUSES.has(payment.status)) violate(`hold ${hold.authorizationId} is live but payment ${payment.id} is ${payment.status}`);
  }
  for (const payment of payments.filter((candidate) => candidate.status === 'pending')) violate(`payment ${payment.id} is still pending`);

  checkShoppers(input.records, byId, holds, violate);
  const settledTotal = payments.filter((payment) => ['settled', 'partially_refunded', 'refunded'].includes(payment.status))
    .reduce((sum, payment) => sum + payment.capturedAmount - payment.refundedAmount, 0);
  const deposited = account.deposits.reduce((sum, deposit) => sum + deposit.amount, 0);
  if (settledTotal !== deposited) violate(`deposits ${deposited} ≠ settled minus refunded ${settledTotal}`);
  if (payments.length > input.records.length) violate(`${payments.length} payments for ${input.records.length} idempotency keys`);

  const count = (status: string) => payments.filter((payment) => payment.status === status).length;
  return {
    violations,
    findings: {
      'payments at the processing server': payments.length,
      settled: count('settled'), declined: count('declined'), failed: count('failed'), voided: count('voided'), pending: count('pending'),
      'authorizations at the card company': holds.length,
      'live holds (held or settled)': holds.filter(LIVE_HOLD).length,
      'deposited (minor units)': deposited,
      'settled minus refunded (minor units)': settledTotal,
    },
  };
}

/** What each shopper was told must be what happened. */
function checkShoppers(records: CheckoutRecord[], byId: Map<string, PaymentView>, holds: HoldView[], violate: (text: string) => void): void {
  const liveByReference = new Set(holds.filter(LIVE_HOLD).map((hold) => hold.merchantReference));
  // Every payment that holds or took money must have been reported as approved to its shopper.
  const toldApproved = new Set(records.filter((record) => record.final === 'approved').flatMap((record) => [...record.paymentIds]));
  for (const payment of byId.values()) {
    if (CHARGED_STATUSES.has(payment.status) && !toldApproved.has(payment.id)) {
      violate(`payment ${payment.id} is ${payment.status} but no shopper was told it was approved`);
    }
  }
  for (const record of records) {
    const key = record.spec.idempotencyKey;
    if (record.paymentIds.size > 1) violate(`key ${key} was answered with ${record.paymentIds.size} different payments`);
    if (record.final === null) {
      violate(`key ${key} never got a final answer`);
      continue;
    }
    const [paymentId] = [...record.paymentIds];
    const payment = paymentId ? byId.get(paymentId) : undefined;
    if (record.final === 'approved' && payment?.status !== 'settled') violate(`key ${key} was approved but payment ${paymentId} is ${payment?.status}`);
    if (record.final !== 'approved' && paymentId && liveByReference.has(paymentId)) {
      violate(`key ${key} was told ${record.final} but payment ${paymentId} holds money at the card company`);
    }
  }
}
