/**
 * What card and points holds have in common: the look-up, reversal and adjustment calls (the
 * same at both providers, under their own paths), and an authorization's answer and record read
 * into the domain's terms. The providers' response codes stop here.
 */
import type { z } from 'zod';
import type { Decline } from '../../../shared/contracts/processing.ts';
import type { NetworkResponseCode } from '../../../shared/contracts/network.ts';
import { requestIdHeaders } from '../../../shared/http/client.ts';
import type {
  AdjustOutcome, AuthorizeOutcome, LookupOutcome, PaymentProvider, ProviderAdjustment, ProviderAuthorization,
} from '../domain/ports/provider.ts';
import { askForDecision, orNothing, type DecisionAttempt, type ResilientExchange } from './resilient-exchange.ts';

/** A provider's reading of its own codes: the decline a code means, or null when it is not one. */
export type DeclineReading = (code: NetworkResponseCode, message?: string) => Decline | null;

interface HoldAnswer {
  authorizationId: string;
  responseCode: NetworkResponseCode;
  authorizationCode?: string | undefined;
  message: string;
}

interface HoldRecord extends HoldAnswer {
  status: string;
  heldAmount: number;
  amount: number;
  adjustments: Array<{ reference: string; amount: number; responseCode: NetworkResponseCode }>;
}

function decisionOf(answer: HoldAnswer, readDecline: DeclineReading): ProviderAuthorization['decision'] | null {
  if (answer.responseCode === '00') return answer.authorizationCode ? { kind: 'approved', authorizationCode: answer.authorizationCode } : null;
  const decline = readDecline(answer.responseCode, answer.message);
  return decline ? { kind: 'declined', decline } : null;
}

/** An authorization's answer: approved, declined, or (a code that makes no sense here) not believed. */
export function authorizeOutcome(attempt: DecisionAttempt<HoldAnswer>, readDecline: DeclineReading, partyName: string): AuthorizeOutcome {
  if (attempt.kind === 'no_answer') return attempt;
  const { answer } = attempt;
  const decision = decisionOf(answer, readDecline);
  if (!decision) return { kind: 'no_answer', delivered: 'maybe', error: `${partyName} answered with an unexpected response code ${answer.responseCode}` };
  return decision.kind === 'approved'
    ? { kind: 'approved', authorizationId: answer.authorizationId, authorizationCode: decision.authorizationCode }
    : { kind: 'declined', authorizationId: answer.authorizationId, decline: decision.decline };
}

const RECORD_STATUSES: ReadonlyArray<ProviderAuthorization['status']> = ['approved', 'declined', 'reversed', 'settled', 'expired'];

/** The provider's record under a merchantReference, or `unknown` when it is not one a payment can have. */
export function lookupOutcome(record: HoldRecord | null, readDecline: DeclineReading, partyName: string): LookupOutcome {
  if (!record) return { kind: 'not_found' };
  const decision = decisionOf(record, readDecline);
  const status = RECORD_STATUSES.find((candidate) => candidate === record.status);
  if (!decision || !status) return { kind: 'unknown', error: `${partyName} holds a ${record.status} record with code ${record.responseCode}` };
  const adjustments: ProviderAdjustment[] = [];
  for (const adjustment of record.adjustments) {
    const decline = adjustment.responseCode === '00' ? null : readDecline(adjustment.responseCode);
    if (adjustment.responseCode !== '00' && !decline) return { kind: 'unknown', error: `${partyName} holds an adjustment with code ${adjustment.responseCode}` };
    adjustments.push({ reference: adjustment.reference, totalMinor: adjustment.amount, decision: decline ? { kind: 'declined', decline } : { kind: 'approved' } });
  }
  return {
    kind: 'found',
    authorization: { authorizationId: record.authorizationId, status, heldMinor: record.heldAmount, decision, totalMinor: record.amount, adjustments },
  };
}

/** An adjustment's answer: the new hold, or the decline that left the hold as it was. */
export function adjustOutcome(attempt: DecisionAttempt<HoldRecord>, readDecline: DeclineReading, partyName: string): AdjustOutcome {
  if (attempt.kind === 'no_answer') return attempt;
  const { answer } = attempt;
  if (answer.responseCode === '00') return { kind: 'approved', heldMinor: answer.heldAmount };
  const decline = readDecline(answer.responseCode, answer.message);
  if (!decline) return { kind: 'no_answer', delivered: 'maybe', error: `${partyName} answered an adjustment with code ${answer.responseCode}` };
  return { kind: 'declined', decline };
}

export interface HoldEndpoints {
  /** `/v1/authorizations` or `/v1/points/authorizations`. */
  authorizationsPath: string;
  recordSchema: z.ZodType<HoldRecord>;
  adjustmentSchema: z.ZodType<HoldRecord>;
  readDecline: DeclineReading;
}

/** Look-up by merchantReference, reversal and adjustment of a hold, as every provider of holds offers them. */
export function holdOperations(exchange: ResilientExchange, endpoints: HoldEndpoints): Pick<PaymentProvider, 'lookup' | 'reverse' | 'adjust'> {
  const { http, partyName } = exchange;
  const path = (authorizationId: string, action: string) => `${endpoints.authorizationsPath}/${encodeURIComponent(authorizationId)}/${action}`;
  return {
    async lookup(merchantReference, context) {
      try {
        const record = await exchange.execute(() => exchange.call(
          orNothing(() => http.get(endpoints.authorizationsPath, { params: { merchantReference }, headers: requestIdHeaders(context.requestId) })),
          endpoints.recordSchema.nullable(),
        ));
        return lookupOutcome(record, endpoints.readDecline, partyName);
      } catch (error) {
        return { kind: 'unknown', error: exchange.toExchangeError(error).message };
      }
    },
    async reverse(command, context) {
      const body = { reason: command.reason, ...(command.amountMinor === undefined ? {} : { amount: command.amountMinor }) };
      try {
        // A reversal is idempotent at the provider, so it may be retried like a look-up.
        const record = await exchange.execute(() => exchange.call(
          () => http.post(path(command.authorizationId, 'reversal'), body, { headers: requestIdHeaders(context.requestId) }),
          endpoints.recordSchema,
        ));
        return { kind: 'released', heldMinor: record.heldAmount };
      } catch (error) {
        return { kind: 'not_released', error: exchange.toExchangeError(error).message };
      }
    },
    async adjust(command, context) {
      const body = { amount: command.amountMinor, reference: command.reference };
      const attempt = await askForDecision(exchange,
        () => http.post(path(command.authorizationId, 'adjustment'), body, { headers: requestIdHeaders(context.requestId) }), endpoints.adjustmentSchema);
      return adjustOutcome(attempt, endpoints.readDecline, partyName);
    },
  };
}
