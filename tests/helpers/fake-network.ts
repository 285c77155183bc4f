/**
 * An in-memory card company (or points provider) for processing-server tests: it approves and
 * declines like the simulator's test cards and points accounts, records holds by
 * merchantReference, and can be told to misbehave (go down, lose answers, hang) so every branch
 * of the authorization path can be reached. It speaks the domain's provider port, as the real
 * clients do.
 */
import type { AuthorizationRecord } from '../../shared/contracts/network.ts';
import type { Decline, PaymentMethod } from '../../shared/contracts/processing.ts';
import { DomainError } from '../../processing-server/src/domain/errors.ts';
import type {
  AuthorizeCommand, AuthorizeOutcome, ClearingPort, LookupOutcome, PaymentProvider, ReverseCommand, ReverseOutcome, VerifyCommand, VerifyOutcome,
} from '../../processing-server/src/domain/ports/provider.ts';

export type FakeMode =
  /** Normal operation. */
  | 'up'
  /** Nothing reaches the provider (connection refused). */
  | 'down'
  /** The authorization is recorded, the answer is lost; look-ups work. */
  | 'lose_answers'
  /** The authorization is recorded, the answer is lost, and look-ups and reversals fail too. */
  | 'lose_everything';

const DECLINING_CARDS: Record<string, Decline> = {
  '4000000000000002': { code: 'do_not_honor', message: 'do not honor', networkCode: '05' },
  '4000000000009995': { code: 'insufficient_funds', message: 'insufficient funds', networkCode: '51' },
  '4000000000000119': { code: 'issuer_unavailable', message: 'issuer unavailable', networkCode: '91' },
};

const DECLINING_ACCOUNTS: Record<string, Decline> = {
  'PTS-0000-0003': { code: 'do_not_honor', message: 'The points account cannot be used for payments.', networkCode: '05' },
  'PTS-9999-9999': { code: 'unknown_account', message: 'There is no points account with this number.', networkCode: '14' },
};

/** The one PIN the fake points provider refuses; every other is right. */
export const WRONG_PIN = '0000';
const INCORRECT_PIN: Decline = { code: 'incorrect_pin', message: 'The PIN of the points account is incorrect.', networkCode: '55' };

/** The provider's record of a hold, as the card company keeps it (`heldAmount` and all). */
export type FakeHold = AuthorizationRecord & { decline: Decline | null };

export interface FakeNetwork extends PaymentProvider {
  mode: FakeMode;
  holds: Map<string, FakeHold>;
  authorizeCalls: AuthorizeCommand[];
  reversals: ReverseCommand[];
  /** Account verifications asked for (cards): the cards the vault tried to save. */
  verifyCalls: VerifyCommand[];
  /** When set, authorize waits for this promise before answering (to hold a request in flight). */
  gate: Promise<void> | null;
  /** When set, reversals fail with this error (the provider unreachable for them only). */
  reversalFailure: string | null;
}

export function createFakeNetwork(method: PaymentMethod = 'card'): FakeNetwork {
  let sequence = 0;
  const unreachable = () => fake.mode === 'down' || fake.mode === 'lose_everything';
  const fake: FakeNetwork = {
    method,
    mode: 'up',
    holds: new Map(),
    authorizeCalls: [],
    reversals: [],
    verifyCalls: [],
    gate: null,
    reversalFailure: null,
    async authorize(command): Promise<AuthorizeOutcome> {
      fake.authorizeCalls.push(command);
      if (fake.gate) await fake.gate;
      if (fake.mode === 'down') return { kind: 'no_answer', delivered: 'no', error: 'ECONNREFUSED' };
      const record = fake.holds.get(command.merchantReference) ?? decide(command, (sequence += 1));
      fake.holds.set(command.merchantReference, record);
      if (fake.mode !== 'up') return { kind: 'no_answer', delivered: 'maybe', error: 'socket hang up' };
      return record.decline
        ? { kind: 'declined', authorizationId: record.authorizationId, decline: record.decline }
        : { kind: 'approved', authorizationId: record.authorizationId, authorizationCode: record.authorizationCode ?? '' };
    },
    async lookup(merchantReference): Promise<LookupOutcome> {
      if (unreachable()) return { kind: 'unknown', error: 'ECONNREFUSED' };
      const record = fake.holds.get(merchantReference);
      if (!record) return { kind: 'not_found' };
      return {
        kind: 'found',
        authorization: {
          authorizationId: record.authorizationId, status: record.status, heldMinor: record.heldAmount,
          decision: record.decline ? { kind: 'declined', decline: record.decline } : { kind: 'approved', authorizationCode: record.authorizationCode ?? '' },
        },
      };
    },
    async reverse(command): Promise<ReverseOutcome> {
      if (unreachable()) return { kind: 'not_released', error: 'ECONNREFUSED' };
      if (fake.reversalFailure) return { kind: 'not_released', error: fake.reversalFailure };
      fake.reversals.push(command);
      const record = [...fake.holds.values()].find((candidate) => candidate.authorizationId === command.authorizationId);
      if (!record) return { kind: 'not_released', error: 'unknown authorization' };
      const heldAmount = command.amountMinor === undefined ? 0 : Math.max(0, record.amount - command.amountMinor);
      const reversed: FakeHold = { ...record, status: heldAmount === 0 ? 'reversed' : record.status, heldAmount };
      fake.holds.set(record.merchantReference, reversed);
      return { kind: 'released', heldMinor: heldAmount };
    },
    async adjust() {
      return { kind: 'no_answer', delivered: 'no', error: 'the fake provider does not adjust holds' };
    },
    async verify(command): Promise<VerifyOutcome> {
      fake.verifyCalls.push(command);
      if (fake.gate) await fake.gate;
      if (fake.mode === 'down') return { kind: 'no_answer', delivered: 'no', error: 'ECONNREFUSED' };
      if (fake.mode !== 'up') return { kind: 'no_answer', delivered: 'maybe', error: 'socket hang up' };
      // A verification checks the card, not its funds.
      const decline = command.card.number === '4000000000009995' ? undefined : DECLINING_CARDS[command.card.number];
      return decline ? { kind: 'declined', decline } : { kind: 'verified', verificationId: `verify_${(sequence += 1)}` };
    },
  };
  return fake;
}

function decide(command: AuthorizeCommand, sequence: number): FakeHold {
  const { instrument } = command;
  const decline = instrument.method === 'points'
    ? DECLINING_ACCOUNTS[instrument.accountId] ?? (instrument.pin === WRONG_PIN ? INCORRECT_PIN : undefined)
    : DECLINING_CARDS[instrument.number];
  const at = new Date().toISOString();
  const base = {
    authorizationId: `auth_${sequence}`, merchantReference: command.merchantReference, amount: command.amountMinor,
    currency: command.currency, createdAt: at, updatedAt: at,
  };
  if (decline) {
    return { ...base, responseCode: '05', message: decline.message, status: 'declined', heldAmount: 0, decline };
  }
  const authorizationCode = `A${String(sequence).padStart(5, '0')}`;
  return { ...base, responseCode: '00', authorizationCode, message: 'approved', status: 'approved', heldAmount: command.amountMinor, decline: null };
}

/** The fake card company's clearing house: reachable while the card company is up, but it settles nothing (settlement tests use the simulator). */
export function createFakeClearing(network: FakeNetwork): ClearingPort {
  const unavailable = () => new DomainError({ code: 'provider_unavailable', message: 'the fake card company does not settle; use the simulator' });
  return {
    sendBatch: async () => { throw unavailable(); },
    getBatchReport: async () => { throw unavailable(); },
    isReachable: async () => network.mode === 'up',
  };
}
