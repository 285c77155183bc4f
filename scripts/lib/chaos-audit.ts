/**
 * The chaos test's verdict: reads every payment from the processing server, every card
 * authorization, every points hold of a points payment and every points account from the
 * providers, and the merchant account, and checks the promises of docs/RELIABILITY.md against what the
 * shoppers were told.
 */
import axios from 'axios';
import type { ChaosPointsAccount, CheckoutRecord } from './chaos-driver.ts';

interface PaymentView { id: string; status: string; amount: number; capturedAmount: number; refundedAmount: number; paymentMethod: string }
interface HoldView { merchantReference: string; authorizationId: string; status: string; heldAmount: number; amount: number }
interface PointsHoldView extends HoldView { accountId: string; settledAmount: number; refundedAmount: number }
interface AccountView { balances: Record<string, number>; deposits: Array<{ amount: number; currency: string }> }
interface PointsAccountView { accountId: string; balance: number; held: number }

export interface AuditInput {
  processingUrl: string;
  processingKey: string;
  networkUrl: string;
  networkKey: string;
  records: CheckoutRecord[];
  pointsAccounts: ChaosPointsAccount[];
}

export interface Audit {
  findings: Record<string, number | string>;
  violations: string[];
}

type Violate = (text: string) => void;

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

/** The points provider's hold of each points payment (looked up by merchantReference, 20 at a time). */
async function pointsHoldsOf(input: AuditInput, payments: PaymentView[]): Promise<PointsHoldView[]> {
  const points = payments.filter((payment) => payment.paymentMethod === 'points');
  const holds: PointsHoldView[] = [];
  for (let index = 0; index < points.length; index += 20) {
    const found = await Promise.all(points.slice(index, index + 20).map(async (payment) => {
      const response = await axios.get(`${input.networkUrl}/v1/points/authorizations`, {
        headers: { Authorization: `Bearer ${input.networkKey}` }, params: { merchantReference: payment.id }, timeout: 30_000, validateStatus: () => true,
      });
      if (response.status === 404) return null;
      if (response.status !== 200) throw new Error(`points look-up of ${payment.id} answered ${response.status}`);
      return response.data as PointsHoldView;
    }));
    holds.push(...found.filter((hold): hold is PointsHoldView => hold !== null));
  }
  return holds;
}

const LIVE_HOLD = (hold: HoldView) => (hold.status === 'approved' && hold.heldAmount > 0) || hold.status === 'settled';
const CHARGED_STATUSES = new Set(['authorized', 'captured', 'settled', 'partially_refunded', 'refunded']);
const SETTLED_STATUSES = new Set(['settled', 'partially_refunded', 'refunded']);

/** Every payment at the processing server, newest first. */
export function readPayments(processingUrl: string, processingKey: string): Promise<PaymentView[]> {
  return readAll<PaymentView>(`${processingUrl}/v1/payments`, processingKey, 100, (payment) => payment.id);
}

export async function auditChaos(input: AuditInput): Promise<Audit> {
  const payments = await readPayments(input.processingUrl, input.processingKey);
  const holds = await readAll<HoldView>(`${input.networkUrl}/v1/authorizations`, input.networkKey, 1000, (hold) => hold.authorizationId);
  const pointsHolds = await pointsHoldsOf(input, payments);
  const account = (await axios.get(`${input.networkUrl}/v1/merchant-account`, { headers: { Authorization: `Bearer ${input.networkKey}` } })).data as AccountView;
  const byId = new Map(payments.map((payment) => [payment.id, payment]));
  const violations: string[] = [];
  const violate: Violate = (text) => { if (violations.length < 50) violations.push(text); };

  const holdsPerReference = new Map<string, number>();
  for (const hold of holds) holdsPerReference.set(hold.merchantReference, (holdsPerReference.get(hold.merchantReference) ?? 0) + 1);
  for (const [reference, count] of holdsPerReference) if (count > 1) violate(`payment ${reference} has ${count} authorizations at the card company`);
  for (const hold of [...holds, ...pointsHolds].filter(LIVE_HOLD)) {
    const payment = byId.get(hold.merchantReference);
    if (!payment) violate(`hold ${hold.authorizationId} (${hold.merchantReference}) belongs to no payment`);
    else if (!CHARGED_STATUSES.has(payment.status)) violate(`hold ${hold.authorizationId} is live but payment ${payment.id} is ${payment.status}`);
  }
  for (const payment of payments.filter((candidate) => candidate.status === 'pending')) violate(`payment ${payment.id} is still pending`);

  checkShoppers(input.records, byId, [...holds, ...pointsHolds], violate);
  const pointsFindings = await checkPoints(input, payments, pointsHolds, violate);
  const settledTotal = payments.filter((payment) => SETTLED_STATUSES.has(payment.status))
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
      ...pointsFindings,
      'deposited (minor units)': deposited,
      'settled minus refunded (minor units)': settledTotal,
    },
  };
}

/**
 * Points never go astray: a points payment that is charged holds, or has redeemed, exactly its
 * amount; one that is not holds nothing; and every account is its opening balance less what was
 * redeemed, holding exactly what its live payments hold (a hold no payment knows would show here).
 */
async function checkPoints(input: AuditInput, payments: PaymentView[], holds: PointsHoldView[], violate: Violate): Promise<Record<string, number>> {
  const holdOf = new Map(holds.map((hold) => [hold.merchantReference, hold]));
  for (const payment of payments.filter((candidate) => candidate.paymentMethod === 'points' && CHARGED_STATUSES.has(candidate.status))) {
    const hold = holdOf.get(payment.id);
    const expected = SETTLED_STATUSES.has(payment.status) ? payment.capturedAmount : payment.amount;
    const taken = hold ? (hold.status === 'settled' ? hold.settledAmount : hold.heldAmount) : 0;
    if (taken !== expected) violate(`points payment ${payment.id} is ${payment.status} for ${expected} but its hold is ${hold?.status ?? 'missing'} with ${taken}`);
  }
  let redeemedTotal = 0;
  for (const account of input.pointsAccounts) {
    const view = (await axios.get(`${input.networkUrl}/v1/points/accounts/${account.accountId}`, { headers: { Authorization: `Bearer ${input.networkKey}` } })).data as PointsAccountView;
    const own = holds.filter((hold) => hold.accountId === account.accountId);
    const redeemed = own.reduce((sum, hold) => sum + hold.settledAmount - hold.refundedAmount, 0);
    const held = own.filter((hold) => hold.status === 'approved').reduce((sum, hold) => sum + hold.heldAmount, 0);
    redeemedTotal += redeemed;
    if (view.balance !== account.balance - redeemed) violate(`points account ${account.accountId}: balance ${view.balance} ≠ ${account.balance} opened − ${redeemed} redeemed`);
    if (view.held !== held) violate(`points account ${account.accountId}: ${view.held} held ≠ ${held} held by its payments' holds`);
  }
  return {
    'points payments': payments.filter((payment) => payment.paymentMethod === 'points').length,
    'points payments settled': payments.filter((payment) => payment.paymentMethod === 'points' && SETTLED_STATUSES.has(payment.status)).length,
    'points redeemed': redeemedTotal,
  };
}

/** What each shopper was told must be what happened. */
function checkShoppers(records: CheckoutRecord[], byId: Map<string, PaymentView>, holds: HoldView[], violate: Violate): void {
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
    if (record.unexpected) violate(`key ${key} got an answer no correct server gives: ${record.unexpected}`);
    if (record.paymentIds.size > 1) violate(`key ${key} was answered with ${record.paymentIds.size} different payments`);
    if (record.final === null) {
      violate(`key ${key} never got a final answer`);
      continue;
    }
    const [paymentId] = [...record.paymentIds];
    const payment = paymentId ? byId.get(paymentId) : undefined;
    if (record.final === 'approved' && payment?.status !== 'settled') violate(`key ${key} was approved but payment ${paymentId} is ${payment?.status}`);
    if (record.final !== 'approved' && paymentId && liveByReference.has(paymentId)) {
      violate(`key ${key} was told ${record.final} but payment ${paymentId} holds money at its provider`);
    }
  }
}
