/**
 * The only code that talks to the card company. Every call has a timeout; authorization and
 * look-up calls retry retryable failures (timeouts, resets, 5xx, codes 91/96) a bounded number
 * of times with jittered exponential backoff, always with the same merchantReference; a circuit
 * breaker fails fast while the card company is down and lets one probe through half-open.
 * Answers are validated with the shared contracts before anyone believes them.
 */
import nodeHttp from 'node:http';
import nodeHttps from 'node:https';
import type { AxiosInstance } from 'axios';
import axios from 'axios';
import {
  BrokenCircuitError, ConsecutiveBreaker, ExponentialBackoff, circuitBreaker, handleType, handleWhen, retry, wrap,
  type CircuitBreakerPolicy, type IPolicy,
} from 'cockatiel';
import type { z } from 'zod';
import { createServiceClient, isConnectionRefused, requestIdHeaders } from '../../shared/http/client.ts';
import {
  RETRYABLE_RESPONSE_CODES, authorizationRecordSchema, authorizationResponseSchema,
  merchantAccountSchema, settlementBatchResponseSchema,
  type AuthorizationRecord, type AuthorizationRequest, type AuthorizationResponse, type MerchantAccount, type ReversalRequest,
  type SettlementBatchRequest, type SettlementBatchResponse,
} from '../../shared/contracts/network.ts';

/** A failed exchange with the card company; `delivered` says whether it may have acted on it. */
export class NetworkCallError extends Error {
  override readonly name = 'NetworkCallError';
  readonly delivered: 'no' | 'maybe';
  readonly status: number | undefined;

  constructor(message: string, options: { delivered: 'no' | 'maybe'; status?: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.delivered = options.delivered;
    this.status = options.status;
  }
}

/** An answer that says "try again" (issuer unavailable, system malfunction). */
class RetryableAnswer extends Error {
  readonly response: AuthorizationResponse;
  constructor(response: AuthorizationResponse) {
    super(`retryable response code ${response.responseCode}`);
    this.response = response;
  }
}

export type AuthorizeOutcome =
  | { kind: 'answered'; response: AuthorizationResponse }
  /** No usable answer after every attempt; `delivered: 'no'` only if no attempt can have reached the card company. */
  | { kind: 'no_answer'; delivered: 'no' | 'maybe'; error: string };

export type LookupOutcome =
  | { kind: 'found'; record: AuthorizationRecord }
  | { kind: 'not_found' }
  | { kind: 'unknown'; error: string };

export interface CallContext {
  requestId?: string | undefined;
  /**
   * Called when a request's body has been handed to the operating system (settlement batches
   * only): a batch of about 1 MB is more than a socket takes at once, and the settlement run
   * waits for it to be on its way before it blocks the event loop with a database write.
   */
  onRequestSent?: (() => void) | undefined;
}

export interface NetworkClient {
  authorize(request: AuthorizationRequest, context: CallContext): Promise<AuthorizeOutcome>;
  lookup(merchantReference: string, context: CallContext): Promise<LookupOutcome>;
  /** Releases all of a hold, or `amount` of it; throws NetworkCallError when it could not be done. */
  reverse(authorizationId: string, body: ReversalRequest, context: CallContext): Promise<AuthorizationRecord>;
  /**
   * Sends one settlement batch. Safe to repeat: the card company answers a resent batchId with
   * its first answer. Throws NetworkCallError when no answer came after the retries.
   */
  sendBatch(batch: SettlementBatchRequest, context: CallContext): Promise<SettlementBatchResponse>;
  /** The card company's report of a batch, or null if it never received it. */
  getBatch(batchId: string, context: CallContext): Promise<SettlementBatchResponse | null>;
  getMerchantAccount(context: CallContext): Promise<MerchantAccount>;
  readonly http: AxiosInstance;
  readonly breaker: CircuitBreakerPolicy;
  isReachable(): Promise<boolean>;
}

export interface NetworkClientOptions {
  baseURL: string;
  apiKey: string;
  timeoutMs: number;
  retryMax: number;
  /** Consecutive failed calls that open the breaker. */
  breakerThreshold?: number;
  breakerHalfOpenAfterMs?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** Per-call timeout for settlement batches, which carry thousands of items. */
  batchTimeoutMs?: number;
}

/**
 * The http(s) transport, reporting each request's 'finish' (every byte of the body written out).
 * Node's own request timeout covers an idle socket only, so callers also pass a wall-clock signal.
 */
function transportReportingSent(onSent: () => void) {
  return {
    request(options: nodeHttp.RequestOptions, onResponse: (response: nodeHttp.IncomingMessage) => void): nodeHttp.ClientRequest {
      const request = (options.protocol === 'https:' ? nodeHttps : nodeHttp).request(options, onResponse);
      request.once('finish', onSent);
      return request;
    },
  };
}

function toCallError(error: unknown): NetworkCallError {
  if (error instanceof NetworkCallError) return error;
  if (error instanceof BrokenCircuitError) {
    return new NetworkCallError('the card company is unavailable (circuit open)', { delivered: 'no', cause: error });
  }
  if (isConnectionRefused(error)) {
    return new NetworkCallError('the card company refused the connection', { delivered: 'no', cause: error });
  }
  const message = axios.isAxiosError(error) ? `${error.code ?? 'error'}: ${error.message}` : String(error);
  return new NetworkCallError(`no answer from the card company (${message})`, { delivered: 'maybe', cause: error });
}

/** Checks the HTTP status and the body's shape; 5xx are failures the card company made before recording anything. */
function readAnswer<Schema extends z.ZodType>(status: number, data: unknown, schema: Schema): z.infer<Schema> {
  if (status >= 500) throw new NetworkCallError(`the card company answered ${status}`, { delivered: 'no', status });
  if (status < 200 || status >= 300) {
    throw new NetworkCallError(`the card company refused the request with ${status}`, { delivered: 'no', status });
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    throw new NetworkCallError('the card company answered with an unexpected body', { delivered: 'maybe', status });
  }
  return parsed.data;
}

export function createNetworkClient(options: NetworkClientOptions): NetworkClient {
  const http = createServiceClient({ baseURL: options.baseURL, apiKey: options.apiKey, timeoutMs: options.timeoutMs });
  // Only transport failures and 5xx count against the breaker: one card's issuer being down is not the network being down.
  const breaker = circuitBreaker(
    handleType(NetworkCallError, (error) => error.status === undefined || error.status >= 500),
    { halfOpenAfter: options.breakerHalfOpenAfterMs ?? 5_000, breaker: new ConsecutiveBreaker(options.breakerThreshold ?? 5) },
  );
  const retryPolicy = retry(
    handleWhen((error) => error instanceof RetryableAnswer
      || (error instanceof NetworkCallError && (error.status === undefined || error.status >= 500))),
    {
      maxAttempts: options.retryMax,
      backoff: new ExponentialBackoff({ initialDelay: options.backoffInitialMs ?? 50, maxDelay: options.backoffMaxMs ?? 500 }),
    },
  );
  const resilient: IPolicy = wrap(retryPolicy, breaker);

  /** One HTTP exchange inside the breaker; transport errors become NetworkCallError. */
  async function exchange<Schema extends z.ZodType>(
    call: () => Promise<{ status: number; data: unknown }>, schema: Schema,
  ): Promise<z.infer<Schema>> {
    let answer: { status: number; data: unknown };
    try {
      answer = await call();
    } catch (error) {
      throw toCallError(error);
    }
    return readAnswer(answer.status, answer.data, schema);
  }

  async function authorize(request: AuthorizationRequest, context: CallContext): Promise<AuthorizeOutcome> {
    let delivered: 'no' | 'maybe' = 'no';
    let lastRetryable: AuthorizationResponse | null = null;
    try {
      const response = await resilient.execute(async () => {
        try {
          const answer = await exchange(
            () => http.post('/v1/authorizations', request, { headers: requestIdHeaders(context.requestId) }),
            authorizationResponseSchema,
          );
          if (RETRYABLE_RESPONSE_CODES.includes(answer.responseCode)) throw new RetryableAnswer(answer);
          return answer;
        } catch (error) {
          if (error instanceof NetworkCallError && error.delivered === 'maybe') delivered = 'maybe';
          if (error instanceof RetryableAnswer) lastRetryable = error.response;
          throw error;
        }
      });
      return { kind: 'answered', response: response as AuthorizationResponse };
    } catch (error) {
      // Retries spent on "try again" answers: the last one is the card company's answer.
      if (lastRetryable && delivered === 'no') return { kind: 'answered', response: lastRetryable };
      return { kind: 'no_answer', delivered, error: toCallError(error).message };
    }
  }

  async function lookup(merchantReference: string, context: CallContext): Promise<LookupOutcome> {
    try {
      const record = await resilient.execute(() => exchange(
        () => http.get('/v1/authorizations', { params: { merchantReference }, headers: requestIdHeaders(context.requestId) })
          .then((answer) => (answer.status === 404 ? { status: 200, data: null } : answer)),
        authorizationRecordSchema.nullable(),
      ));
      return record ? { kind: 'found', record: record as AuthorizationRecord } : { kind: 'not_found' };
    } catch (error) {
      return { kind: 'unknown', error: toCallError(error).message };
    }
  }

  async function reverse(authorizationId: string, body: ReversalRequest, context: CallContext): Promise<AuthorizationRecord> {
    try {
      // A reversal is idempotent at the card company, so it may be retried like a look-up.
      return await resilient.execute(() => exchange(
        () => http.post(`/v1/authorizations/${encodeURIComponent(authorizationId)}/reversal`, body, { headers: requestIdHeaders(context.requestId) }),
        authorizationRecordSchema,
      )) as AuthorizationRecord;
    } catch (error) {
      throw toCallError(error);
    }
  }

  async function sendBatch(batch: SettlementBatchRequest, context: CallContext): Promise<SettlementBatchResponse> {
    const timeoutMs = options.batchTimeoutMs ?? 30_000;
    const { onRequestSent } = context;
    try {
      return await resilient.execute(() => exchange(
        () => http.post('/v1/settlement-batches', batch, {
          headers: requestIdHeaders(context.requestId), timeout: timeoutMs,
          ...(onRequestSent ? { transport: transportReportingSent(onRequestSent), signal: AbortSignal.timeout(timeoutMs) } : {}),
        }),
        settlementBatchResponseSchema,
      )) as SettlementBatchResponse;
    } catch (error) {
      throw toCallError(error);
    }
  }

  async function getBatch(batchId: string, context: CallContext): Promise<SettlementBatchResponse | null> {
    try {
      return await resilient.execute(() => exchange(
        () => http.get(`/v1/settlement-batches/${encodeURIComponent(batchId)}`, { headers: requestIdHeaders(context.requestId) })
          .then((answer) => (answer.status === 404 ? { status: 200, data: null } : answer)),
        settlementBatchResponseSchema.nullable(),
      )) as SettlementBatchResponse | null;
    } catch (error) {
      throw toCallError(error);
    }
  }

  async function getMerchantAccount(context: CallContext): Promise<MerchantAccount> {
    try {
      return await resilient.execute(() => exchange(
        () => http.get('/v1/merchant-account', { headers: requestIdHeaders(context.requestId) }),
        merchantAccountSchema,
      )) as MerchantAccount;
    } catch (error) {
      throw toCallError(error);
    }
  }

  async function isReachable(): Promise<boolean> {
    try {
      const answer = await http.get('/healthz', { timeout: Math.min(options.timeoutMs, 1000) });
      return answer.status === 200;
    } catch {
      return false;
    }
  }

  return { authorize, lookup, reverse, sendBatch, getBatch, getMerchantAccount, http, breaker, isReachable };
}
