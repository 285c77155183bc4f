/**
 * The back office's calls to the processing server, with the UI server's own key (the browser
 * never holds it). Unlike the shopper's client there are no retries: a merchant sees the answer
 * and decides, and every answer is validated against the processing contract before use
 * (processing-calls.ts).
 */
import { z } from 'zod';
import {
  paymentListSchema, paymentSchema, reconciliationSchema, refundSchema, savedCardListSchema, settlementItemListSchema,
  settlementNothingReadySchema, settlementRunListSchema, settlementRunSchema, type PaymentStatus,
} from '../../../shared/contracts/processing.ts';
import type { Logger } from '../../../shared/logger.ts';
import { createProcessingCalls, type Answer, type CallContext } from '../processing-calls.ts';

export type { Reconciliation, ReconciliationEntry } from '../../../shared/contracts/processing.ts';

/** POST /v1/settlements: the run (201, 202), "nothing ready" (200), or a problem naming the running run (409). */
export const startSettlementAnswerSchema = z.union([settlementRunSchema, settlementNothingReadySchema]);

export type { Answer, CallContext };

export interface PageQuery {
  limit: number;
  startingAfter?: string | undefined;
}

export interface PaymentQuery extends PageQuery {
  status?: PaymentStatus | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

export interface BackOfficeClientOptions {
  baseUrls: string[];
  apiKey: string;
  timeoutMs: number;
  logger: Logger;
}

export function createBackOfficeClient(options: BackOfficeClientOptions) {
  const { call, byId, headers } = createProcessingCalls({ ...options, caller: 'back-office' });

  return {
    listPayments: (query: PaymentQuery, context: CallContext) =>
      call(paymentListSchema, (http) => http.get('/v1/payments', { params: query, headers: headers(context) }), context),
    getPayment: (paymentId: string, context: CallContext) => byId(paymentId, (id) =>
      call(paymentSchema, (http) => http.get(`/v1/payments/${id}`, { headers: headers(context) }), context)),
    capture: (paymentId: string, amountMinor: number | undefined, context: CallContext & { idempotencyKey: string }) => byId(paymentId, (id) =>
      call(paymentSchema, (http) => http.post(`/v1/payments/${id}/capture`, amountMinor === undefined ? {} : { amount: amountMinor }, { headers: headers(context, context.idempotencyKey) }), context)),
    /** The new total; a declined increase is a refusal whose code is the decline's. */
    adjust: (paymentId: string, amountMinor: number, context: CallContext & { idempotencyKey: string }) => byId(paymentId, (id) =>
      call(paymentSchema, (http) => http.post(`/v1/payments/${id}/adjust`, { amount: amountMinor }, { headers: headers(context, context.idempotencyKey) }), context)),
    voidPayment: (paymentId: string, context: CallContext & { idempotencyKey: string }) => byId(paymentId, (id) =>
      call(paymentSchema, (http) => http.post(`/v1/payments/${id}/void`, {}, { headers: headers(context, context.idempotencyKey) }), context)),
    refund: (paymentId: string, amountMinor: number, context: CallContext & { idempotencyKey: string }) => byId(paymentId, (id) =>
      call(refundSchema, (http) => http.post(`/v1/payments/${id}/refunds`, { amount: amountMinor }, { headers: headers(context, context.idempotencyKey) }), context)),
    listRuns: (query: PageQuery, context: CallContext) =>
      call(settlementRunListSchema, (http) => http.get('/v1/settlements', { params: query, headers: headers(context) }), context),
    getRun: (runId: string, context: CallContext) => byId(runId, (id) =>
      call(settlementRunSchema, (http) => http.get(`/v1/settlements/${id}`, { headers: headers(context) }), context)),
    listItems: (runId: string, query: PageQuery, context: CallContext) => byId(runId, (id) =>
      call(settlementItemListSchema, (http) => http.get(`/v1/settlements/${id}/items`, { params: query, headers: headers(context) }), context)),
    reconciliation: (runId: string, context: CallContext) => byId(runId, (id) =>
      call(reconciliationSchema, (http) => http.get(`/v1/settlements/${id}/reconciliation`, { headers: headers(context) }), context)),
    startSettlement: (context: CallContext) =>
      call(startSettlementAnswerSchema, (http) => http.post('/v1/settlements', {}, { headers: headers(context) }), context),
    listCustomerCards: (customerId: string, context: CallContext) =>
      call(savedCardListSchema, (http) => http.get('/v1/cards', { params: { customerId }, headers: headers(context) }), context),
  };
}

export type BackOfficeClient = ReturnType<typeof createBackOfficeClient>;
