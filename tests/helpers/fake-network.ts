/**
 * An in-memory card company for processing-server tests: it approves and declines like the
 * simulator's test cards, records holds by merchantReference, and can be told to misbehave
 * (go down, lose answers, hang) so every branch of the authorization path can be reached.
 */
import type { AxiosInstance } from 'axios';
import { circuitBreaker, handleAll, ConsecutiveBreaker } from 'cockatiel';
import type { AuthorizationRecord, AuthorizationRequest, ReversalRequest } from '../../shared/contracts/network.ts';
import type { AuthorizeOutcome, LookupOutcome, NetworkClient } from '../../processing-server/src/network-client.ts';
import { NetworkCallError } from '../../processing-server/src/network-client.ts';

export type FakeMode =
  /** Normal operation. */
  | 'up'
  /** Nothing reaches the card company (connection refused). */
  | 'down'
  /** The authorization is recorded, the answer is lost; look-ups work. */
  | 'lose_answers'
  /** The authorization is recorded, the answer is lost, and look-ups and reversals fail too. */
  | 'lose_everything';

const DECLINING_CARDS: Record<string, { code: '05' | '51' | '91'; message: string }> = {
  '4000000000000002': { code: '05', message: 'do not honor' },
  '4000000000009995': { code: '51', message: 'insufficient funds' },
  '4000000000000119': { code: '91', message: 'issuer unavailable' },
};

export interface FakeNetwork extends NetworkClient {
  mode: FakeMode;
  holds: Map<string, AuthorizationRecord>;
  authorizeCalls: AuthorizationRequest[];
  reversals: Array<{ authorizationId: string; body: ReversalRequest }>;
  /** When set, authorize waits for this promise before answering (to hold a request in flight). */
  gate: Promise<void> | null;
}

export function createFakeNetwork(): FakeNetwork {
  let sequence = 0;
  const fake: FakeNetwork = {
    mode: 'up',
    holds: new Map(),
    authorizeCalls: [],
    reversals: [],
    gate: null,
    http: {} as AxiosInstance,
    breaker: circuitBreaker(handleAll, { halfOpenAfter: 1000, breaker: new ConsecutiveBreaker(5) }),
    async authorize(request): Promise<AuthorizeOutcome> {
      fake.authorizeCalls.push(request);
      if (fake.gate) await fake.gate;
      if (fake.mode === 'down') return { kind: 'no_answer', delivered: 'no', error: 'ECONNREFUSED' };
      const existing = fake.holds.get(request.merchantReference);
      const record = existing ?? decide(request, (sequence += 1));
      fake.holds.set(request.merchantReference, record);
      if (fake.mode !== 'up') return { kind: 'no_answer', delivered: 'maybe', error: 'socket hang up' };
      const { authorizationId, responseCode, authorizationCode, message } = record;
      return { kind: 'answered', response: { authorizationId, responseCode, message, ...(authorizationCode ? { authorizationCode } : {}) } };
    },
    async lookup(merchantReference): Promise<LookupOutcome> {
      if (fake.mode === 'down' || fake.mode === 'lose_everything') return { kind: 'unknown', error: 'ECONNREFUSED' };
      const record = fake.holds.get(merchantReference);
      return record ? { kind: 'found', record } : { kind: 'not_found' };
    },
    async reverse(authorizationId, body): Promise<AuthorizationRecord> {
      if (fake.mode === 'down' || fake.mode === 'lose_everything') {
        throw new NetworkCallError('down', { delivered: 'no' });
      }
      fake.reversals.push({ authorizationId, body });
      const record = [...fake.holds.values()].find((candidate) => candidate.authorizationId === authorizationId);
      if (!record) throw new NetworkCallError('unknown authorization', { delivered: 'no', status: 404 });
      const reversed: AuthorizationRecord = { ...record, status: 'reversed', heldAmount: 0 };
      fake.holds.set(record.merchantReference, reversed);
      return reversed;
    },
    async sendBatch() {
      throw new NetworkCallError('the fake card company does not settle; use the simulator', { delivered: 'no' });
    },
    async getBatch() {
      return null;
    },
    async getMerchantAccount() {
      return { balances: {}, deposits: [] };
    },
    async isReachable() {
      return fake.mode === 'up';
    },
  };
  return fake;
}

function decide(request: AuthorizationRequest, sequence: number): AuthorizationRecord {
  const decline = DECLINING_CARDS[request.card.number];
  const at = new Date().toISOString();
  const base = {
    authorizationId: `auth_${sequence}`, merchantReference: request.merchantReference, amount: request.amount,
    currency: request.currency, createdAt: at, updatedAt: at,
  };
  if (decline) return { ...base, responseCode: decline.code, message: decline.message, status: 'declined', heldAmount: 0 };
  const authorizationCode = `A${String(sequence).padStart(5, '0')}`;
  return { ...base, responseCode: '00', authorizationCode, message: 'approved', status: 'approved', heldAmount: request.amount };
}
