/**
 * The shopper side of the chaos test: card and loyalty-points checkouts through the UI server's
 * JSON API, each with its own idempotency key, repeated with the same key while the outcome is not known
 * — as a shopper following the "we are confirming your payment" page would: with the cookie the
 * UI server set for the key, and, behind several UI servers, on another one than the last time.
 */
import axios, { type AxiosInstance } from 'axios';

export type FinalStatus = 'approved' | 'declined' | 'error';

export interface CardCheckout {
  method: 'card';
  idempotencyKey: string;
  cardNumber: string;
  cvv: string;
  /** Decimal major units, as the shopper types it. */
  amount: string;
  currency: 'USD';
}

export interface PointsCheckout {
  method: 'points';
  idempotencyKey: string;
  accountId: string;
  pin: string;
  /** Points: minor units of the points currency. */
  amountMinor: number;
  currency: 'USD';
}

export type CheckoutSpec = CardCheckout | PointsCheckout;

export interface CheckoutRecord {
  spec: CheckoutSpec;
  /** The checkout's number in the run: which UI server it goes to first. */
  index: number;
  /** The cookie the UI server set for the key (name=value), sent back with every repeat, as a browser does. */
  cookie: string | null;
  /** Every paymentId any answer named for this key. */
  paymentIds: Set<string>;
  final: FinalStatus | null;
  attempts: number;
  pendingAnswers: number;
  /** An answer no correct server gives (a 400 to a valid request, a 5xx without a problem): the audit reports it. */
  unexpected: string | null;
}

/** The points accounts of one chaos run, opened at the points provider before the run. */
export interface ChaosPointsAccount {
  accountId: string;
  pin: string;
  balance: number;
  blocked: boolean;
}

export const CHAOS_POINTS_PIN = '2468';

export function chaosPointsAccounts(runTag: string): ChaosPointsAccount[] {
  const account = (name: string, balance: number, blocked = false) => ({ accountId: `PTS-CHAOS-${runTag}-${name}`, pin: CHAOS_POINTS_PIN, balance, blocked });
  // Three accounts that cover any run's spending; one too small for most payments; one blocked.
  return [account('A', 50_000_000), account('B', 50_000_000), account('C', 50_000_000), account('SMALL', 20_000), account('BLOCKED', 1_000_000, true)];
}

/** One client per UI server; a load balancer without sticky sessions in front of them. */
export interface ChaosClients {
  uis: AxiosInstance[];
}

export function createClients(uiUrls: string[]): ChaosClients {
  return {
    uis: uiUrls.map((uiUrl) => axios.create({ baseURL: uiUrl, timeout: 20_000, validateStatus: () => true, headers: { Accept: 'application/json' } })),
  };
}

/** One post of the checkout; returns the final status, or null while the outcome is not known. */
export async function postCheckout(clients: ChaosClients, record: CheckoutRecord): Promise<FinalStatus | null> {
  // Each repeat goes to the next UI server: none of them may need to have seen the key before.
  const ui = clients.uis[(record.index + record.attempts) % clients.uis.length]!;
  record.attempts += 1;
  const answer = await postCheckoutForm(ui, checkoutForm(record.spec), record);
  if (!answer) {
    record.pendingAnswers += 1;
    return null;
  }
  if (answer.paymentId) record.paymentIds.add(answer.paymentId);
  if (answer.unexpected) record.unexpected ??= answer.unexpected;
  if (answer.final) {
    record.final = answer.final;
    return answer.final;
  }
  record.pendingAnswers += 1;
  return null;
}

interface Answer {
  final: FinalStatus | null;
  paymentId?: string | undefined;
  unexpected?: string | undefined;
}

/** What the checkout posts for a spec: the card fields, or the points account and PIN. */
function checkoutForm(spec: CheckoutSpec): Record<string, string> {
  if (spec.method === 'card') {
    return {
      cardholderName: 'Chaos Monkey', cardNumber: spec.cardNumber, expiry: '12/34', cvv: spec.cvv,
      amount: spec.amount, currency: spec.currency, idempotencyKey: spec.idempotencyKey,
    };
  }
  const cents = String(spec.amountMinor % 100).padStart(2, '0');
  return {
    paymentMethod: 'points', pointsAccount: spec.accountId, pointsPin: spec.pin,
    amount: `${Math.floor(spec.amountMinor / 100)}.${cents}`, currency: spec.currency, idempotencyKey: spec.idempotencyKey,
  };
}

/**
 * The checkout's JSON answers, as the page reads them: approved, declined and error are final
 * (error: not charged); pending (409, 503 pending) and any failure to connect are not known yet.
 */
async function postCheckoutForm(client: AxiosInstance, form: Record<string, string>, record: CheckoutRecord): Promise<Answer | null> {
  let response;
  try {
    response = await client.post('/make-payment', form, record.cookie ? { headers: { Cookie: record.cookie } } : {});
  } catch {
    return null;
  }
  const sent = (response.headers['set-cookie'] ?? []).find((cookie) => cookie.startsWith('cardlane_sent_'));
  if (sent) record.cookie = sent.split(';')[0] ?? null;
  const body = response.data as { status?: string; paymentId?: string };
  const final = body.status === 'approved' || body.status === 'declined' || body.status === 'error' ? body.status : null;
  return { final, paymentId: typeof body.paymentId === 'string' ? body.paymentId : undefined };
}

/** A small seeded generator (mulberry32), so a chaos run can be repeated with --seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const CARDS = [
  { cardNumber: '4242 4242 4242 4242', cvv: '123', weight: 36 },
  { cardNumber: '5555 5555 5555 4444', cvv: '123', weight: 24 },
  { cardNumber: '3782 822463 10005', cvv: '1234', weight: 12 },
  { cardNumber: '4000 0000 0000 0002', cvv: '123', weight: 4 },
  { cardNumber: '4000 0000 0000 9995', cvv: '123', weight: 4 },
];

/** Points make a fifth of the mix: mostly good accounts; a wrong PIN, a blocked account and a small one for declines. */
function pointsChoices(accounts: ChaosPointsAccount[]): Array<{ accountId: string; pin: string; weight: number }> {
  const [first, second, third, small, blocked] = accounts;
  if (!first || !second || !third || !small || !blocked) throw new Error('the chaos run opens five points accounts');
  return [
    { accountId: first.accountId, pin: first.pin, weight: 6 }, { accountId: second.accountId, pin: second.pin, weight: 6 },
    { accountId: third.accountId, pin: third.pin, weight: 4 }, { accountId: first.accountId, pin: '9999', weight: 1 },
    { accountId: blocked.accountId, pin: blocked.pin, weight: 1 }, { accountId: small.accountId, pin: small.pin, weight: 2 },
  ];
}

function pick<Choice extends { weight: number }>(choices: Choice[], random: () => number): Choice {
  const totalWeight = choices.reduce((sum, choice) => sum + choice.weight, 0);
  let point = random() * totalWeight;
  return choices.find((candidate) => (point -= candidate.weight) < 0) ?? choices[0]!;
}

export function makeSpecs(count: number, random: () => number, runTag: string, accounts: ChaosPointsAccount[]): CheckoutSpec[] {
  const points = pointsChoices(accounts);
  return Array.from({ length: count }, (_unused, index): CheckoutSpec => {
    const idempotencyKey = `chaos-${runTag}-${index}`;
    const cents = 100 + Math.floor(random() * 19_900);
    if (random() < 0.2) {
      const choice = pick(points, random);
      return { method: 'points', idempotencyKey, accountId: choice.accountId, pin: choice.pin, amountMinor: cents, currency: 'USD' };
    }
    const card = pick(CARDS, random);
    return {
      method: 'card', idempotencyKey, cardNumber: card.cardNumber, cvv: card.cvv,
      amount: `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`, currency: 'USD',
    };
  });
}
