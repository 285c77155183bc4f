/**
 * The back office's calls to the processing server, with the UI server's own key (the browser
 * never holds it). Unlike the shopper's client there are no retries: a merchant sees the answer
 * and decides, and every answer is validated against the processing contract before use.
 */
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { z } from 'zod';
import { problemSchema } from '../../../shared/contracts/common.ts';
import {
  IDEMPOTENCY_KEY_HEADER, paymentListSchema, paymentSchema, reconciliationSchema, refundSchema, settlementItemListSchema,
  settlementNothingReadySchema, settlementRunListSchema, settlementRunSchema, type PaymentStatus,
} from '../../../shared/contracts/processing.ts';
import { createServiceClient, isConnectionRefused, requestIdHeaders } from '../../../shared/http/client.ts';
import type { Logger } from '../../../shared/logger.ts';
import { pathSegment } from '../path-segment.ts';

export type { Reconciliation, ReconciliationEntry } from '../../../shared/contracts/processing.ts';

/** POST /v1/settlements: the run (201, 202), "nothing ready" (200), or a problem naming the running run (409). */
export const startSettlementAnswerSchema = z.union([settlementRunSchema, settlementNothingReadySchema]);

export type Answer<T> =
  | { kind: 'ok'; status: number; data: T }
  /** The processing server refused or failed with a problem+json. */
  | { kind: 'problem'; status: number; code: string; detail: string; body: Record<string, unknown> }
  /** No usable answer: unreachable, timed out, or a body that breaks the contract. */
  | { kind: 'unavailable'; reason: string };

export interface PageQuery {
  limit: number;
  startingAfter?: string | undefined;
}

export interface PaymentQuery extends PageQuery {
  status?: PaymentStatus | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

export interface CallContext {
  requestId: string;
}

export interface BackOfficeClientOptions {
  baseUrls: string[];
  apiKey: string;
  timeoutMs: number;
  logger: Logger;
}

type Send = (http: AxiosInstance) => Promise<AxiosResponse<unknown>>;

export function createBackOfficeClient(options: BackOfficeClientOptions) {
  const clients = options.baseUrls.map((baseURL) => createServiceClient({ baseURL, apiKey: options.apiKey, timeoutMs: options.timeoutMs, socketsMax: 16 }));

  /** The URLs in order, moving on only when a connection is refused (the request never arrived). */
  async function call<T>(schema: z.ZodType<T>, send: Send, context: CallContext): Promise<Answer<T>> {
    let reason = 'no processing URL configured';
    for (const http of clients) {
      let response: AxiosResponse<unknown>;
      try {
        response = await send(http);
      } catch (error) {
        reason = axios.isAxiosError(error) ? `${error.code ?? 'error'}: ${error.message}` : String(error);
        options.logger.warn({ requestId: context.requestId, detail: reason }, 'back-office call to the processing server failed');
        if (isConnectionRefused(error)) continue;
        return { kind: 'unavailable', reason };
      }
      return interpret(schema, response, context);
    }
    return { kind: 'unavailable', reason };
  }

  function interpret<T>(schema: z.ZodType<T>, response: AxiosResponse<unknown>, context: CallContext): Answer<T> {
    const { status, data } = response;
    if (status >= 200 && status < 300) {
      const parsed = schema.safeParse(data);
      if (parsed.success) return { kind: 'ok', status, data: parsed.data };
      options.logger.error({ requestId: context.requestId, status, issues: parsed.error.issues.slice(0, 5) }, 'processing answer breaks the contract');
      return { kind: 'unavailable', reason: 'malformed answer' };
    }
    const problem = problemSchema.safeParse(data);
    if (problem.success) {
      return { kind: 'problem', status, code: problem.data.code, detail: problem.data.detail, body: problem.data };
    }
    // A declined increase of the amount answers the unchanged payment with its decline: a refusal.
    const declined = status === 402 ? paymentSchema.safeParse(data) : null;
    if (declined?.success && declined.data.decline) {
      return { kind: 'problem', status, code: declined.data.decline.code, detail: declined.data.decline.message, body: declined.data };
    }
    return { kind: 'unavailable', reason: `status ${status}` };
  }

  const headers = (context: CallContext, idempotencyKey?: string) => ({
    ...requestIdHeaders(context.requestId),
    ...(idempotencyKey ? { [IDEMPOTENCY_KEY_HEADER]: idempotencyKey } : {}),
  });
  /** Calls `send` with the id as one path segment; an id that cannot be one is not found, uncalled. */
  const byId = <T>(id: string, send: (segment: string) => Promise<Answer<T>>): Promise<Answer<T>> => {
    const segment = pathSegment(id);
    if (segment !== undefined) return send(segment);
    return Promise.resolve({ kind: 'problem', status: 404, code: 'not_found', detail: 'No such resource.', body: {} });
  };

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
  };
}

export type BackOfficeClient = ReturnType<typeof createBackOfficeClient>;
