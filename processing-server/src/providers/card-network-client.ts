/**
 * The card company, as the domain's card provider and clearing house (one breaker for both: it is
 * one outside system). Authorizations, look-ups, reversals and adjustments of card holds, and
 * 3-D Secure authentications, over the shared contracts (shared/contracts/network.ts).
 */
import {
  authenticationResponseSchema, authenticationSchema, cardAdjustmentResponseSchema, cardAuthorizationRecordSchema,
  cardAuthorizationResponseSchema, type AuthenticationRequest, type CardAuthorizationRequest,
} from '../../../shared/contracts/network.ts';
import { requestIdHeaders } from '../../../shared/http/client.ts';
import type { AuthenticationOutcome, ClearingPort, PaymentProvider } from '../domain/ports/provider.ts';
import { createClearingClient } from './clearing-client.ts';
import { cardDecline } from './decline-codes.ts';
import { authorizeOutcome, holdOperations } from './hold-operations.ts';
import { askForDecision, createResilientExchange, type ExchangeOptions, type ResilientExchange } from './resilient-exchange.ts';

export type CardNetworkOptions = Omit<ExchangeOptions, 'partyName'> & {
  /** Per-call timeout for settlement batches, which carry thousands of items. */
  batchTimeoutMs?: number | undefined;
};

export interface CardNetwork {
  cards: PaymentProvider;
  clearing: ClearingPort;
}

const PARTY = 'the card company';

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
      if (instrument.method !== 'card') throw new TypeError('the card company authorizes cards only');
      const body: CardAuthorizationRequest = {
        merchantReference: command.merchantReference, amount: command.amountMinor, currency: command.currency,
        card: { number: instrument.number, expMonth: instrument.expMonth, expYear: instrument.expYear, ...(instrument.cvv === undefined ? {} : { cvv: instrument.cvv }) },
        ...(command.authenticationId ? { authenticationId: command.authenticationId } : {}),
      };
      const attempt = await askForDecision(exchange, () => http.post('/v1/authorizations', body, { headers: requestIdHeaders(context.requestId) }), cardAuthorizationResponseSchema);
      return authorizeOutcome(attempt, cardDecline, PARTY);
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
