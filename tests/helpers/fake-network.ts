/**
 * An in-memory card company (or points provider) for processing-server tests: it approves and
 * declines like the simulator's test cards and points accounts, records holds by
 * merchantReference, adjusts them by reference, authenticates the two 3-D Secure test cards,
 * and can be told to misbehave (go down, lose answers, hang, hold adjustments back) so every
 * branch of the authorization and adjustment paths can be reached. It speaks the domain's
 * provider port, as the real clients do.
 */
import type { AuthorizationRecord } from '../../shared/contracts/network.ts';
import type { Decline, PaymentMethod } from '../../shared/contracts/processing.ts';
import { DomainError } from '../../processing-server/src/domain/errors.ts';
import type {
  AdjustCommand, AdjustOutcome, AuthenticateCommand, AuthenticationOutcome, AuthorizeCommand, AuthorizeOutcome, ClearingPort, LookupOutcome,
  PaymentProvider, ReverseCommand, ReverseOutcome, VerifyCommand, VerifyOutcome,
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

/** One adjustment as the fake provider recorded it. */
export interface FakeAdjustment {
  reference: string;
  amount: number;
  approved: boolean;
}

/** The provider's record of a hold, as the card company keeps it (`heldAmount` and all). */
export type FakeHold = AuthorizationRecord & { decline: Decline | null; adjustments: FakeAdjustment[]; authenticationId?: string | undefined };

/** The simulator's 3-D Secure test cards: a challenge, or authenticated without one. */
export const THREE_DS_CARDS = { challenge: '4000000000003220', frictionless: '4000000000003063' } as const;
const AUTHENTICATION_REQUIRED: Decline = { code: 'authentication_required', message: 'The card issuer asks for 3-D Secure authentication of this payment.', networkCode: '1A' };
const INSUFFICIENT_FUNDS: Decline = { code: 'insufficient_funds', message: 'insufficient funds', networkCode: '51' };

export interface FakeAuthentication {
  authenticationId: string;
  merchantReference: string;
  status: 'authenticated' | 'challenge_required' | 'failed';
  returnUrl: string;
  amountMinor: number;
}

export interface FakeNetwork extends PaymentProvider {
  mode: FakeMode;
  holds: Map<string, FakeHold>;
  authorizeCalls: AuthorizeCommand[];
  reversals: ReverseCommand[];
  /** Account verifications asked for (cards): the cards the vault tried to save. */
  verifyCalls: VerifyCommand[];
  /** When set, authorize and adjust wait for this promise before answering (to hold a request in flight). */
  gate: Promise<void> | null;
  /** When set, reversals fail with this error (the provider unreachable for them only). */
  reversalFailure: string | null;
  adjustCalls: AdjustCommand[];
  /** When true, every increase is declined (`51`); decreases always succeed. */
  declineIncreases: boolean;
  /**
   * When true, adjustments are held back: nothing is recorded and the answer is lost, as for a
   * request still travelling; `landHeldAdjustments` lets them arrive.
   */
  holdAdjustmentsBack: boolean;
  heldBackAdjustments: AdjustCommand[];
  landHeldAdjustments(): void;
  authentications: Map<string, FakeAuthentication>;
  authenticateCalls: AuthenticateCommand[];
  /** The shopper's answer on the issuer's page. */
  decideChallenge(authenticationId: string, status: 'authenticated' | 'failed'): void;
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
    adjustCalls: [],
    declineIncreases: false,
    holdAdjustmentsBack: false,
    heldBackAdjustments: [],
    landHeldAdjustments() {
      for (const command of fake.heldBackAdjustments.splice(0)) applyAdjustment(command);
    },
    authentications: new Map(),
    authenticateCalls: [],
    decideChallenge(authenticationId, status) {
      const authentication = fake.authentications.get(authenticationId);
      if (authentication?.status === 'challenge_required') authentication.status = status;
    },
    async authorize(command): Promise<AuthorizeOutcome> {
      fake.authorizeCalls.push(command);
      if (fake.gate) await fake.gate;
      if (fake.mode === 'down') return { kind: 'no_answer', delivered: 'no', error: 'ECONNREFUSED' };
      const existing = fake.holds.get(command.merchantReference);
      // As at the card company, a `1A` promised nothing: a repeat is decided again.
      const redecided = existing?.decline?.networkCode === '1A';
      const record = existing && !redecided ? existing : decide(command, redecided ? Number(existing.authorizationId.slice('auth_'.length)) : (sequence += 1), authenticationOf(command));
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
          totalMinor: record.amount,
          adjustments: record.adjustments.map((adjustment) => ({
            reference: adjustment.reference, totalMinor: adjustment.amount,
            decision: adjustment.approved ? { kind: 'approved' as const } : { kind: 'declined' as const, decline: INSUFFICIENT_FUNDS },
          })),
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
    async adjust(command): Promise<AdjustOutcome> {
      fake.adjustCalls.push(command);
      if (fake.gate) await fake.gate;
      if (fake.mode === 'down') return { kind: 'no_answer', delivered: 'no', error: 'ECONNREFUSED' };
      if (fake.holdAdjustmentsBack) {
        fake.heldBackAdjustments.push(command);
        return { kind: 'no_answer', delivered: 'maybe', error: 'socket hang up' };
      }
      const adjustment = applyAdjustment(command);
      if (!adjustment) return { kind: 'no_answer', delivered: 'no', error: 'unknown authorization (409)' };
      if (fake.mode !== 'up') return { kind: 'no_answer', delivered: 'maybe', error: 'socket hang up' };
      return adjustment.approved ? { kind: 'approved', heldMinor: adjustment.amount } : { kind: 'declined', decline: INSUFFICIENT_FUNDS };
    },
    async authenticate(command): Promise<AuthenticationOutcome> {
      fake.authenticateCalls.push(command);
      if (unreachable()) return { kind: 'no_answer', delivered: 'no', error: 'ECONNREFUSED' };
      const existing = [...fake.authentications.values()].find((candidate) => candidate.merchantReference === command.merchantReference);
      const authenticationId = existing?.authenticationId ?? `3ds_${(sequence += 1)}`;
      const authentication = existing ?? {
        authenticationId, merchantReference: command.merchantReference, returnUrl: command.returnUrl, amountMinor: command.amountMinor,
        status: command.card.number === THREE_DS_CARDS.challenge ? 'challenge_required' as const : 'authenticated' as const,
      };
      fake.authentications.set(authenticationId, authentication);
      return { kind: 'answered', authenticationId, status: authentication.status, challengeUrl: challengeUrlOf(authentication) };
    },
    async getAuthentication(authenticationId): Promise<AuthenticationOutcome> {
      if (unreachable()) return { kind: 'no_answer', delivered: 'no', error: 'ECONNREFUSED' };
      const authentication = fake.authentications.get(authenticationId);
      if (!authentication) return { kind: 'no_answer', delivered: 'no', error: 'unknown authentication (404)' };
      return { kind: 'answered', authenticationId, status: authentication.status, challengeUrl: challengeUrlOf(authentication) };
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

  /** A new total for a hold, idempotently by reference: an increase as the fake decides, a decrease always. */
  function applyAdjustment(command: AdjustCommand): FakeAdjustment | null {
    const record = [...fake.holds.values()].find((candidate) => candidate.authorizationId === command.authorizationId);
    if (!record || record.status !== 'approved') return null;
    const repeated = record.adjustments.find((adjustment) => adjustment.reference === command.reference);
    if (repeated) return repeated;
    const adjustment = { reference: command.reference, amount: command.amountMinor, approved: command.amountMinor <= record.amount || !fake.declineIncreases };
    const adjusted: FakeHold = {
      ...record, adjustments: [...record.adjustments, adjustment],
      ...(adjustment.approved ? { amount: command.amountMinor, heldAmount: command.amountMinor } : {}),
    };
    fake.holds.set(record.merchantReference, adjusted);
    return adjustment;
  }

  /** The authentication an authorization names, if it covers it; `1A` is due without one for the 3-D Secure cards. */
  function authenticationOf(command: AuthorizeCommand): 'covered' | 'missing' | 'not_needed' {
    const enrolled = command.instrument.method === 'card' && Object.values(THREE_DS_CARDS).includes(command.instrument.number as never);
    if (command.authenticationId === undefined) return enrolled ? 'missing' : 'not_needed';
    const authentication = fake.authentications.get(command.authenticationId);
    return authentication?.status === 'authenticated' && authentication.merchantReference === command.merchantReference ? 'covered' : 'missing';
  }

  return fake;
}

function challengeUrlOf(authentication: FakeAuthentication): string | undefined {
  return authentication.status === 'challenge_required' ? `https://issuer.test/3ds/challenge/${authentication.authenticationId}` : undefined;
}

function decide(command: AuthorizeCommand, sequence: number, authentication: 'covered' | 'missing' | 'not_needed' = 'not_needed'): FakeHold {
  const { instrument } = command;
  const decline = authentication === 'missing' ? AUTHENTICATION_REQUIRED : instrument.method === 'points'
    ? DECLINING_ACCOUNTS[instrument.accountId] ?? (instrument.pin === WRONG_PIN ? INCORRECT_PIN : undefined)
    : DECLINING_CARDS[instrument.number];
  const at = new Date().toISOString();
  const base = {
    authorizationId: `auth_${sequence}`, merchantReference: command.merchantReference, amount: command.amountMinor,
    currency: command.currency, createdAt: at, updatedAt: at, adjustments: [],
    ...(authentication === 'covered' ? { authenticationId: command.authenticationId } : {}),
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
