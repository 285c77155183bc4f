/**
 * The shopper side of the chaos test: checkouts through the UI server's JSON API, each with its
 * own idempotency key, repeated with the same key while the answer is "pending" — as a shopper
 * following the "we are confirming your payment" page would.
 */
import axios, { type AxiosInstance } from 'axios';

export type FinalStatus = 'approved' | 'declined' | 'error';

export interface CheckoutSpec {
  idempotencyKey: string;
  cardNumber: string;
  cvv: string;
  amount: string;
  currency: 'USD';
}

export interface CheckoutRecord {
  spec: CheckoutSpec;
  /** Every paymentId any answer named for this key. */
  paymentIds: Set<string>;
  final: FinalStatus | null;
  attempts: number;
  pendingAnswers: number;
}

export function createUiClient(uiUrl: string): AxiosInstance {
  return axios.create({ baseURL: uiUrl, timeout: 20_000, validateStatus: () => true, headers: { Accept: 'application/json' } });
}

/** One post of the checkout; returns the final status, or null while the outcome is not known. */
export async function postCheckout(client: AxiosInstance, record: CheckoutRecord): Promise<FinalStatus | null> {
  record.attempts += 1;
  let response;
  try {
    response = await client.post('/make-payment', {
      cardholderName: 'Chaos Monkey', cardNumber: record.spec.cardNumber, expiry: '12/34', cvv: record.spec.cvv,
      amount: record.spec.amount, currency: record.spec.currency, idempotencyKey: record.spec.idempotencyKey,
    });
  } catch {
    record.pendingAnswers += 1;
    return null;
  }
  const body = response.data as { status?: string; paymentId?: string };
  if (typeof body.paymentId === 'string') record.paymentIds.add(body.paymentId);
  if (body.status === 'approved' || body.status === 'declined' || body.status === 'error') {
    record.final = body.status;
    return body.status;
  }
  record.pendingAnswers += 1;
  return null;
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
  { cardNumber: '4242 4242 4242 4242', cvv: '123', weight: 45 },
  { cardNumber: '5555 5555 5555 4444', cvv: '123', weight: 30 },
  { cardNumber: '3782 822463 10005', cvv: '1234', weight: 15 },
  { cardNumber: '4000 0000 0000 0002', cvv: '123', weight: 5 },
  { cardNumber: '4000 0000 0000 9995', cvv: '123', weight: 5 },
];

export function makeSpecs(count: number, random: () => number, runTag: string): CheckoutSpec[] {
  const totalWeight = CARDS.reduce((sum, card) => sum + card.weight, 0);
  return Array.from({ length: count }, (_unused, index) => {
    let pick = random() * totalWeight;
    const card = CARDS.find((candidate) => (pick -= candidate.weight) < 0) ?? CARDS[0]!;
    const cents = 100 + Math.floor(random() * 19_900);
    return {
      idempotencyKey: `chaos-${runTag}-${index}`,
      cardNumber: card.cardNumber,
      cvv: card.cvv,
      amount: `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`,
      currency: 'USD',
    };
  });
}
