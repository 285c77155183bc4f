/**
 * The loyalty-points provider (SPEC §11), as the domain's points provider: holds of points on an
 * account (PIN-checked by the provider), look-ups, reversals and adjustments, under /v1/points.
 * Points are minor units of POINTS_CURRENCY; the amount of a points payment is its points. The
 * PIN goes in the request body to the provider and nowhere else.
 */
import {
  pointsAdjustmentResponseSchema, pointsAuthorizationRecordSchema, pointsAuthorizationResponseSchema, type PointsAuthorizationRequest,
} from '../../../shared/contracts/network.ts';
import { requestIdHeaders } from '../../../shared/http/client.ts';
import type { PaymentProvider } from '../domain/ports/provider.ts';
import { pointsDecline } from './decline-codes.ts';
import { authorizeOutcome, holdOperations } from './hold-operations.ts';
import { askForDecision, createResilientExchange, type ExchangeOptions } from './resilient-exchange.ts';

const PARTY = 'the points provider';

export function createPointsClient(options: Omit<ExchangeOptions, 'partyName'>): PaymentProvider {
  const exchange = createResilientExchange({ ...options, partyName: PARTY });
  const { http } = exchange;

  return {
    method: 'points',
    async authorize(command, context) {
      const { instrument } = command;
      if (instrument.method !== 'points') throw new TypeError('the points provider holds points only');
      const body: PointsAuthorizationRequest = {
        merchantReference: command.merchantReference, accountId: instrument.accountId, pin: instrument.pin, points: command.amountMinor,
      };
      const attempt = await askForDecision(exchange,
        () => http.post('/v1/points/authorizations', body, { headers: requestIdHeaders(context.requestId) }), pointsAuthorizationResponseSchema);
      return authorizeOutcome(attempt, pointsDecline, PARTY);
    },
    ...holdOperations(exchange, {
      authorizationsPath: '/v1/points/authorizations', recordSchema: pointsAuthorizationRecordSchema,
      adjustmentSchema: pointsAdjustmentResponseSchema, readDecline: pointsDecline,
    }),
  };
}
