/**
 * The only code that talks to the processing server. It turns every answer, and every way a
 * call can fail, into an outcome that says whether the shopper was charged, was not charged, or
 * whether that is not known yet. Nothing here knows about HTML or the UI's status codes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import axios, { type AxiosResponse } from 'axios';
import { isConnectionRefused, requestIdHeaders } from '../../shared/http/client.ts';
import { problemSchema } from '../../shared/contracts/common.ts';
import { IDEMPOTENCY_KEY_HEADER, paymentSchema, type CreatePaymentInput, type Payment } from '../../shared/contracts/processing.ts';
import type { FieldProblem } from '../../shared/errors.ts';
import type { Logger } from '../../shared/logger.ts';
import { pathSegment } from './path-segment.ts';
import { createProcessingPool, type ProcessingInstance, type ProcessingPool, type ProcessingPoolOptions } from './processing-pool.ts';

export type CreatePaymentOutcome =
  | { kind: 'authorized'; payment: Payment }
  | { kind: 'declined'; payment: Payment }
  /** The card's issuer asks the shopper to confirm (3-D Secure): `payment.nextAction` says where. */
  | { kind: 'requires_action'; payment: Payment & { nextAction: NonNullable<Payment['nextAction']> } }
  /** The processing server refused the request as invalid; nothing was charged. */
  | { kind: 'invalid'; errors: FieldProblem[]; message: string; code?: string }
  /** The first request with this key is still being processed; its outcome is not known yet. */
  | { kind: 'in_flight'; payment: Payment | undefined; paymentId: string | undefined }
  /** The key was already used for a payment with other details. */
  | { kind: 'key_reused' }
  /** Provably not charged: the processing server refused the request, or the payment failed. */
  | { kind: 'not_charged'; reason: string; payment: Payment | undefined }
  /**
   * Nothing was sent: every processing instance refused the connection or is resting. Not
   * charged, unless an earlier request with the same key got through; the caller says so with
   * `repeat`, and then the outcome is `unknown` instead.
   */
  | { kind: 'unreachable' }
  /** The request may have been processed; the processing server will settle it either way. */
  | { kind: 'unknown'; reason: string; payment: Payment | undefined };

/** A confirm after the shopper's 3-D Secure step answers as a create does, or finds no such payment. */
export type ConfirmPaymentOutcome = CreatePaymentOutcome | { kind: 'not_found' };

export type GetPaymentOutcome =
  | { kind: 'found'; payment: Payment }
  | { kind: 'not_found' }
  | { kind: 'unavailable'; reason: string };

export interface CallContext {
  requestId: string;
}

export interface CreatePaymentContext extends CallContext {
  idempotencyKey: string;
  /**
   * The shopper's client says an earlier request with this key may have reached a processing
   * instance (see repeat-marker.ts): if none can be reached now, a payment may still exist.
   */
  repeat: boolean;
}

export interface ProcessingClient {
  createPayment(request: CreatePaymentInput, context: CreatePaymentContext): Promise<CreatePaymentOutcome>;
  getPayment(paymentId: string, context: CallContext): Promise<GetPaymentOutcome>;
  /** Finishes a payment after the shopper's 3-D Secure step; safe to repeat (the processing server authorizes once). */
  confirmPayment(paymentId: string, context: CallContext): Promise<ConfirmPaymentOutcome>;
}

export interface ProcessingClientOptions extends Pick<ProcessingPoolOptions, 'restMs' | 'failuresInRowMax' | 'probeTimeoutMs' | 'now'> {
  baseUrls: string[];
  apiKey: string;
  timeoutMs: number;
  logger: Logger;
  /** Extra attempts after a failure that is safe to repeat; the total is bounded. */
  retriesMax?: number;
  /** Base of the exponential backoff between attempts; each wait is jittered. */
  retryBackoffMs?: number;
  random?: () => number;
}

const RETRIES_MAX_CEILING = 2;

/** How a call ended at the transport level, before any HTTP answer. */
type TransportFailure = 'refused' | 'reset' | 'timeout' | 'other';

type Attempt =
  | { kind: 'response'; response: AxiosResponse<unknown> }
  /** `instance`: the one that failed after the request may have reached it (absent: nothing was sent). */
  | { kind: 'failure'; failure: TransportFailure; detail: string; instance?: ProcessingInstance };

function classifyTransportError(error: unknown): TransportFailure {
  if (isConnectionRefused(error)) return 'refused';
  if (!axios.isAxiosError(error)) return 'other';
  if (error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT') return 'timeout';
  if (error.code === 'ECONNRESET' || error.code === 'EPIPE' || error.message.includes('socket hang up')) return 'reset';
  return 'other';
}

/** The processing instances, and the retry bounds. */
interface Transport {
  pool: ProcessingPool;
  retriesMax: number;
  retryBackoffMs: number;
  random: () => number;
  logger: Logger;
}

type Send = (http: ProcessingInstance['http']) => Promise<AxiosResponse<unknown>>;

const NOTHING_SENT: Attempt = { kind: 'failure', failure: 'refused', detail: 'no processing instance took the connection (refused, or resting after refusals)' };

/**
 * One attempt: the instances the pool offers, moving on only when a connection is refused
 * (nothing arrived). After a timeout or a reset the request may be in flight at that instance,
 * so it is not sent to another one: the caller learns the outcome is not known. `only` pins the
 * attempt to one instance (a retry after a reset goes back where the request may be).
 */
async function attemptOnce(transport: Transport, send: Send, requestId: string, only?: ProcessingInstance): Promise<Attempt> {
  const instances = only ? [only] : transport.pool.candidates();
  let last = NOTHING_SENT;
  for await (const instance of instances) {
    try {
      const response = await send(instance.http);
      // A 500 is an instance that cannot work (its database gone, a bug): it counts towards resting
      // it, as a timeout does. The processing server's own 503 and 504 are answers about the card company.
      if (response.status === 500) transport.pool.failed(instance);
      else transport.pool.answered(instance);
      return { kind: 'response', response };
    } catch (error) {
      const failure = classifyTransportError(error);
      // Only the error's code and message are logged: an axios error also carries the request body.
      const detail = axios.isAxiosError(error) ? `${error.code ?? 'error'}: ${error.message}` : String(error);
      transport.logger.warn({ requestId, processingUrl: instance.baseURL, failure, detail }, 'call to the processing server failed');
      if (failure !== 'refused') {
        transport.pool.failed(instance);
        return { kind: 'failure', failure, detail, instance };
      }
      transport.pool.refused(instance);
      last = { kind: 'failure', failure, detail };
    }
  }
  return last;
}

/**
 * Bounded retries, only after a refused connection (the request never arrived: the next attempt
 * walks the instances again) or a reset connection (back to the same instance). A reset may come
 * after the request arrived, which is why every attempt carries the same Idempotency-Key: the
 * processing server then replays its first answer instead of charging again. A timeout is not
 * retried: the shopper has already waited the whole budget.
 */
async function sendWithRetries(transport: Transport, send: Send, requestId: string): Promise<Attempt> {
  let attempt = await attemptOnce(transport, send, requestId);
  let resetAt = attempt.kind === 'failure' && attempt.failure === 'reset' ? attempt.instance : undefined;
  for (let retry = 1; retry <= transport.retriesMax; retry += 1) {
    if (attempt.kind === 'response' || (attempt.failure !== 'refused' && attempt.failure !== 'reset')) break;
    const waitMs = Math.round(transport.retryBackoffMs * 2 ** (retry - 1) * (0.5 + transport.random()));
    transport.logger.info({ requestId, retry, waitMs }, 'retrying the call to the processing server');
    await sleep(waitMs);
    attempt = await attemptOnce(transport, send, requestId, resetAt);
    if (attempt.kind === 'failure' && attempt.failure === 'reset') resetAt ??= attempt.instance;
  }
  // A refusal proves only that the LAST attempt never arrived. If an earlier one was reset after
  // sending (the processing server died mid-request), the outcome is still unknown.
  if (attempt.kind === 'failure' && attempt.failure === 'refused' && resetAt) {
    return { kind: 'failure', failure: 'reset', detail: `an earlier attempt was reset; then ${attempt.detail}`, instance: resetAt };
  }
  return attempt;
}

export function createProcessingClient(options: ProcessingClientOptions): ProcessingClient {
  const logger = options.logger;
  const transport: Transport = {
    pool: createProcessingPool(options),
    retriesMax: Math.min(options.retriesMax ?? RETRIES_MAX_CEILING, RETRIES_MAX_CEILING),
    retryBackoffMs: options.retryBackoffMs ?? 100,
    random: options.random ?? Math.random,
    logger,
  };

  return {
    async createPayment(request, context) {
      const headers = { ...requestIdHeaders(context.requestId), [IDEMPOTENCY_KEY_HEADER]: context.idempotencyKey };
      const attempt = await sendWithRetries(transport, (http) => http.post('/v1/payments', request, { headers }), context.requestId);
      const outcome = attempt.kind === 'response' ? interpretCreateResponse(attempt.response) : interpretCreateFailure(attempt, context.repeat);
      if (outcome.kind === 'unknown' || (outcome.kind === 'not_charged' && attempt.kind === 'response')) {
        logger.warn({ requestId: context.requestId, outcome: outcome.kind, reason: outcome.reason, paymentId: outcome.payment?.id }, 'payment did not complete');
      }
      return outcome;
    },

    async confirmPayment(paymentId, context) {
      const segment = pathSegment(paymentId);
      if (segment === undefined) return { kind: 'not_found' };
      const headers = requestIdHeaders(context.requestId);
      const attempt = await sendWithRetries(transport, (http) => http.post(`/v1/payments/${segment}/confirm`, {}, { headers }), context.requestId);
      // The payment exists and waits; an earlier confirm (a reload) may have reached the processing
      // server, so a confirm that cannot be sent now leaves the outcome unknown, never "not charged".
      if (attempt.kind === 'failure') return { kind: 'unknown', reason: `processing_${attempt.failure}`, payment: undefined };
      if (attempt.response.status === 404) return { kind: 'not_found' };
      const outcome = interpretCreateResponse(attempt.response);
      if (outcome.kind === 'unknown' || outcome.kind === 'not_charged') {
        logger.warn({ requestId: context.requestId, outcome: outcome.kind, reason: outcome.reason, paymentId }, 'confirm did not complete');
      }
      return outcome;
    },

    async getPayment(paymentId, context) {
      const segment = pathSegment(paymentId);
      if (segment === undefined) return { kind: 'not_found' };
      const headers = requestIdHeaders(context.requestId);
      const send: Send = (http) => http.get(`/v1/payments/${segment}`, { headers });
      const attempt = await sendWithRetries(transport, send, context.requestId);
      if (attempt.kind === 'failure') return { kind: 'unavailable', reason: attempt.failure };
      const { status, data } = attempt.response;
      if (status === 404) return { kind: 'not_found' };
      const parsed = status === 200 ? paymentSchema.safeParse(data) : undefined;
      if (parsed?.success) return { kind: 'found', payment: parsed.data };
      logger.error({ requestId: context.requestId, status, problem: problemSummary(data) }, 'unexpected answer to a payment look-up');
      return { kind: 'unavailable', reason: `status ${status}` };
    },
  };
}

function interpretCreateFailure(attempt: Extract<Attempt, { kind: 'failure' }>, repeat: boolean): CreatePaymentOutcome {
  if (attempt.failure !== 'refused') return { kind: 'unknown', reason: `processing_${attempt.failure}`, payment: undefined };
  // Nothing was sent now; but an earlier request with this key may have created the payment.
  return repeat ? { kind: 'unknown', reason: 'processing_unreachable_on_repeat', payment: undefined } : { kind: 'unreachable' };
}

/** Maps the processing server's answer (SPEC §4) onto what it means for the shopper. */
export function interpretCreateResponse(response: Pick<AxiosResponse<unknown>, 'status' | 'data'>): CreatePaymentOutcome {
  const { status, data } = response;
  if (status === 201 || status === 402 || status === 202) {
    const parsed = paymentSchema.safeParse(data);
    if (!parsed.success) return { kind: 'unknown', reason: 'malformed_payment', payment: undefined };
    const { nextAction } = parsed.data;
    if (status === 202 && parsed.data.status === 'requires_action' && nextAction) return { kind: 'requires_action', payment: { ...parsed.data, nextAction } };
    if (status === 402 && parsed.data.status === 'declined') return { kind: 'declined', payment: parsed.data };
    if (status === 201) return { kind: 'authorized', payment: parsed.data };
    return { kind: 'unknown', reason: `unexpected_status_${parsed.data.status}`, payment: parsed.data };
  }
  const problem = problemSchema.safeParse(data);
  const code = problem.success ? problem.data.code : undefined;
  const payment = problem.success ? paymentFromProblem(problem.data) : undefined;
  if (status === 400 && problem.success) {
    return { kind: 'invalid', errors: problem.data.errors ?? [], message: problem.data.detail, code: problem.data.code };
  }
  // The saved card is gone (deleted, or not this shopper's): nothing was charged, another way to pay is needed.
  if (status === 404 && code === 'card_not_found' && problem.success) {
    return { kind: 'invalid', errors: [{ field: 'cardId', message: problem.data.detail }], message: problem.data.detail, code };
  }
  if (status === 409 && code === 'idempotency_key_reused') return { kind: 'key_reused' };
  if (status === 409 && code === 'idempotency_key_in_flight') {
    // The processing server names the payment being worked on, so the shopper can follow it.
    const paymentId = problem.success && typeof problem.data.paymentId === 'string' ? problem.data.paymentId : payment?.id;
    return { kind: 'in_flight', payment, paymentId };
  }
  // The processing server says `charged: false` when the payment failed or its hold was released
  // by a timeout reversal (the payment is then `voided`): either way the shopper was not charged.
  const notCharged = payment?.status === 'failed' || (payment?.status === 'voided' && problem.success && problem.data.charged === false);
  if ((status === 503 || status === 504) && notCharged && payment) {
    return { kind: 'not_charged', reason: payment.reason ?? code ?? 'payment_failed', payment };
  }
  // A refusal of our own request (wrong key, rate limit, …) happens before any payment exists.
  if (status === 401 || status === 403 || status === 404 || status === 413 || status === 415 || status === 429) {
    return { kind: 'not_charged', reason: code ?? `status_${status}`, payment: undefined };
  }
  // Anything else (504 pending, 500, a 503 without a failed payment, a malformed body) may have
  // charged the card; the processing server's recovery resolves it, so the answer is "pending".
  return { kind: 'unknown', reason: code ?? `status_${status}`, payment };
}

function paymentFromProblem(problem: Record<string, unknown>): Payment | undefined {
  const parsed = paymentSchema.safeParse(problem.payment);
  return parsed.success ? parsed.data : undefined;
}

function problemSummary(data: unknown): unknown {
  const problem = problemSchema.safeParse(data);
  return problem.success ? { code: problem.data.code, detail: problem.data.detail } : typeof data;
}
