/**
 * The card company, as the domain's card provider and clearing house (one breaker for both: it is
 * one outside system). Authorizations, look-ups, reversals and adjustments of card holds, and
 * 3-D Secure authentications, over the shared contracts (shared/contracts/network.ts).
 */
import {
  authenticationResponseSchema, authenticationSchema, cardAdjustmentResponseSchema, cardAuthorizationRecordSchema,
  cardAuthorizationResponseSchema, type AuthenticationRequest, type CardAuthorizationRequest, type CardAuthorizationResponse,
} from '../../../shared/contracts/network.ts';
import { requestIdHeaders } from '../../../shared/http/client.ts';
import type {
  AuthenticationOutcome, CardInstrument, ClearingPort, PaymentProvider, SavedCardInstrument, VerifyOutcome,
} from '../domain/ports/provider.ts';
import { createClearingClient } from './clearing-client.ts';
import { cardDecline } from './decline-codes.ts';
import { authorizeOutcome, holdOperations } from './hold-operations.ts';
import {
  askForDecision, createResilientExchange, type DecisionAttempt, type ExchangeOptions, type ResilientExchange,
} from './resilient-exchange.ts';

export type CardNetworkOptions = Omit<ExchangeOptions, 'partyName'> & {
  /** Per-call timeout for settlement batches, which carry thousands of items. */
  batchTimeoutMs?: number | undefined;
};

export interface CardNetwork {
  cards: PaymentProvider;
  clearing: ClearingPort;
}

const PARTY = 'the card company';

/** A typed card with its CVV; a saved card on file, without one (the card company then skips that check). */
function cardOf(instrument: CardInstrument | SavedCardInstrument): Pick<CardAuthorizationRequest, 'card' | 'storedCredential'> {
  const { number, expMonth, expYear } = instrument;
  return instrument.method === 'card'
    ? { card: { number, expMonth, expYear, ...(instrument.cvv === undefined ? {} : { cvv: instrument.cvv }) } }
    : { card: { number, expMonth, expYear }, storedCredential: true };
}

/** A verification's answer: `85` is a good card, a decline code a card that is not, anything else not believed. */
function verifyOutcome(attempt: DecisionAttempt<CardAuthorizationResponse>): VerifyOutcome {
  if (attempt.kind === 'no_answer') return attempt;
  const { answer } = attempt;
  if (answer.responseCode === '85') return { kind: 'verified', verificationId: answer.authorizationId };
  const decline = answer.responseCode === '00' ? null : cardDecline(answer.responseCode, answer.message);
  if (!decline) return { kind: 'no_answer', delivered: 'maybe', error: `${PARTY} answered a verification with code ${answer.responseCode}` };
  return { kind: 'declined', decline };
}

export function createCardNetworkClient(options: CardNetworkOptions): CardNetwork {
  const exchange = createResilientExchange({ ...options, partyName: PARTY });
  return { cards: cardProvider(exchange), clearing: createClearingClient(exchange, { batchTimeoutMs: options.batchTimeoutMs }) };
}

function cardProvider(exchange: ResilientExchange): PaymentProvider {
  const { http } = exchange;

  async function authentication(send: () => Promise<{ status: number; data: unknown }>, expectChallenge: boolean): Promise<AuthenticationOutcome> {
    try {
      const answer = await exchange.execute(() => exchange.call(send, expectChallenge ? authenticationResponseSchema : authenticationSchema));
      return { kind: 'answered', authenticationId: answer.authenticationId, status: answer.status, challengeUrl: 'challengeUrl' in answer ? answer.challengeUrl : undefined };
    } catch (error) {
      const failure = exchange.toExchangeError(error);
      return { kind: 'no_answer', delivered: failure.delivered, error: failure.message };
    }
  }

  return {
    method: 'card',
    async authorize(command, context) {
      const { instrument } = command;
      if (instrument.method === 'points') throw new TypeError('the card company authorizes cards only');
      const body: CardAuthorizationRequest = {
        merchantReference: command.merchantReference, amount: command.amountMinor, currency: command.currency,
        ...cardOf(instrument),
        ...(command.authenticationId ? { authenticationId: command.authenticationId } : {}),
      };
      const attempt = await askForDecision(exchange, () => http.post('/v1/authorizations', body, { headers: requestIdHeaders(context.requestId) }), cardAuthorizationResponseSchema);
      return authorizeOutcome(attempt, cardDecline, PARTY);
    },
    async verify(command, context) {
      const body: CardAuthorizationRequest = {
        merchantReference: command.merchantReference, amount: 0, currency: command.currency, ...cardOf(command.card),
      };
      const attempt = await askForDecision(exchange, () => http.post('/v1/authorizations', body, { headers: requestIdHeaders(context.requestId) }), cardAuthorizationResponseSchema);
      return verifyOutcome(attempt);
    },
    ...holdOperations(exchange, {
      authorizationsPath: '/v1/authorizations', recordSchema: cardAuthorizationRecordSchema,
      adjustmentSchema: cardAdjustmentResponseSchema, readDecline: cardDecline,
    }),
    authenticate(command, context) {
      const body: AuthenticationRequest = {
        merchantReference: command.merchantReference, amount: command.amountMinor, currency: command.currency,
        card: command.card, returnUrl: command.returnUrl,
      };
      return authentication(() => http.post('/v1/authentications', body, { headers: requestIdHeaders(context.requestId) }), true);
    },
    getAuthentication(authenticationId, context) {
      return authentication(() => http.get(`/v1/authentications/${encodeURIComponent(authenticationId)}`, { headers: requestIdHeaders(context.requestId) }), false);
    },
  };
}
