/**
 * How cardlane talks to an outside provider over HTTP: every call has a timeout; retryable
 * failures (timeouts, resets, 5xx, "try again" answers) are retried a bounded number of times
 * with jittered exponential backoff, always with the same idempotency key; a circuit breaker
 * fails fast while the provider is down and lets one probe through half-open. Answers are
 * validated with the shared contracts before anyone believes them. The card-network and points
 * clients each build one, so one provider's outage does not open the other's breaker.
 */
import axios, { type AxiosInstance } from 'axios';
import {
  BrokenCircuitError, ConsecutiveBreaker, ExponentialBackoff, circuitBreaker, handleType, handleWhen, retry, wrap, type IPolicy,
} from 'cockatiel';
import type { z } from 'zod';
import { createServiceClient, isConnectionRefused } from '../../../shared/http/client.ts';

/** A failed exchange; `delivered` says whether the provider may have acted on it. */
export class ExchangeError extends Error {
  override readonly name = 'ExchangeError';
  readonly delivered: 'no' | 'maybe';
  readonly status: number | undefined;

  constructor(message: string, options: { delivered: 'no' | 'maybe'; status?: number | undefined; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.delivered = options.delivered;
    this.status = options.status;
  }
}

/** An answer that says "try again" (issuer unavailable, system malfunction): retried like a failure. */
export class RetryableAnswer<Answer> extends Error {
  override readonly name = 'RetryableAnswer';
  readonly answer: Answer;
  constructor(answer: Answer, code: string) {
    super(`retryable response code ${code}`);
    this.answer = answer;
  }
}

export interface ExchangeOptions {
  baseURL: string;
  apiKey: string;
  timeoutMs: number;
  /** Retries after the first attempt. */
  retryMax: number;
  /** Who answers, for messages: "the card company", "the points provider". */
  partyName: string;
  /** Consecutive failed calls that open the breaker. */
  breakerThreshold?: number | undefined;
  breakerHalfOpenAfterMs?: number | undefined;
  backoffInitialMs?: number | undefined;
  backoffMaxMs?: number | undefined;
  /** Told when the breaker opens or closes again, so that the process can log it. */
  onCircuitChange?: ((state: 'open' | 'closed') => void) | undefined;
}

export interface ResilientExchange {
  readonly http: AxiosInstance;
  readonly partyName: string;
  readonly timeoutMs: number;
  /** Runs `attempt` under the retry policy and the breaker; what it throws is retried when retryable. */
  execute<Result>(attempt: () => Promise<Result>): Promise<Result>;
  /** One HTTP call, its status and body checked; transport failures become ExchangeError. */
  call<Schema extends z.ZodType>(send: () => Promise<{ status: number; data: unknown }>, schema: Schema): Promise<z.infer<Schema>>;
  /** Any failure as an ExchangeError. */
  toExchangeError(error: unknown): ExchangeError;
}

export function createResilientExchange(options: ExchangeOptions): ResilientExchange {
  const http = createServiceClient({ baseURL: options.baseURL, apiKey: options.apiKey, timeoutMs: options.timeoutMs });
  const party = options.partyName;
  // Only transport failures and 5xx count against the breaker: one card's issuer being down is not the network being down.
  const breaker = circuitBreaker(
    handleType(ExchangeError, (error) => error.status === undefined || error.status >= 500),
    { halfOpenAfter: options.breakerHalfOpenAfterMs ?? 5_000, breaker: new ConsecutiveBreaker(options.breakerThreshold ?? 5) },
  );
  if (options.onCircuitChange) {
    const report = options.onCircuitChange;
    breaker.onBreak(() => report('open'));
    breaker.onReset(() => report('closed'));
  }
  const retryPolicy = retry(
    handleWhen((error) => error instanceof RetryableAnswer
      || (error instanceof ExchangeError && (error.status === undefined || error.status >= 500))),
    {
      maxAttempts: options.retryMax,
      backoff: new ExponentialBackoff({ initialDelay: options.backoffInitialMs ?? 50, maxDelay: options.backoffMaxMs ?? 500 }),
    },
  );
  const resilient: IPolicy = wrap(retryPolicy, breaker);

  function toExchangeError(error: unknown): ExchangeError {
    if (error instanceof ExchangeError) return error;
    if (error instanceof BrokenCircuitError) return new ExchangeError(`${party} is unavailable (circuit open)`, { delivered: 'no', cause: error });
    if (isConnectionRefused(error)) return new ExchangeError(`${party} refused the connection`, { delivered: 'no', cause: error });
    const message = axios.isAxiosError(error) ? `${error.code ?? 'error'}: ${error.message}` : String(error);
    return new ExchangeError(`no answer from ${party} (${message})`, { delivered: 'maybe', cause: error });
  }

  /** Checks the HTTP status and the body's shape; 5xx are failures the provider made before recording anything. */
  function readAnswer<Schema extends z.ZodType>(status: number, data: unknown, schema: Schema): z.infer<Schema> {
    if (status >= 500) throw new ExchangeError(`${party} answered ${status}`, { delivered: 'no', status });
    if (status < 200 || status >= 300) throw new ExchangeError(`${party} refused the request with ${status}`, { delivered: 'no', status });
    const parsed = schema.safeParse(data);
    if (!parsed.success) throw new ExchangeError(`${party} answered with an unexpected body`, { delivered: 'maybe', status });
    return parsed.data;
  }

  return {
    http,
    partyName: party,
    timeoutMs: options.timeoutMs,
    execute: (attempt) => resilient.execute(attempt),
    async call(send, schema) {
      let answer: { status: number; data: unknown };
      try {
        answer = await send();
      } catch (error) {
        throw toExchangeError(error);
      }
      return readAnswer(answer.status, answer.data, schema);
    },
    toExchangeError,
  };
}

/** Whether the provider answers its liveness probe, within a second at most. */
export async function answersHealthCheck(exchange: ResilientExchange): Promise<boolean> {
  try {
    const answer = await exchange.http.get('/healthz', { timeout: Math.min(exchange.timeoutMs, 1000) });
    return answer.status === 200;
  } catch {
    return false;
  }
}

/** Codes after which the same request may succeed if sent again (issuer unavailable, system malfunction). */
export const RETRYABLE_CODES: readonly string[] = ['91', '96'];

export type DecisionAttempt<Answer> =
  | { kind: 'answered'; answer: Answer }
  | { kind: 'no_answer'; delivered: 'no' | 'maybe'; error: string };

/**
 * An idempotent request the provider answers with a response code (an authorization, an
 * adjustment): retried while the answer says "try again" or no answer comes. When the retries
 * were spent on "try again" answers only, the last of them is the provider's answer.
 */
export async function askForDecision<Schema extends z.ZodType<{ responseCode: string }>>(
  exchange: ResilientExchange, send: () => Promise<{ status: number; data: unknown }>, schema: Schema,
): Promise<DecisionAttempt<z.infer<Schema>>> {
  let delivered: 'no' | 'maybe' = 'no';
  let lastRetryable: z.infer<Schema> | null = null;
  try {
    const answer = await exchange.execute(async () => {
      try {
        const decided = await exchange.call(send, schema);
        if (RETRYABLE_CODES.includes(decided.responseCode)) throw new RetryableAnswer(decided, decided.responseCode);
        return decided;
      } catch (error) {
        if (error instanceof ExchangeError && error.delivered === 'maybe') delivered = 'maybe';
        if (error instanceof RetryableAnswer) lastRetryable = error.answer as z.infer<Schema>;
        throw error;
      }
    });
    return { kind: 'answered', answer };
  } catch (error) {
    if (lastRetryable && delivered === 'no') return { kind: 'answered', answer: lastRetryable };
    return { kind: 'no_answer', delivered, error: exchange.toExchangeError(error).message };
  }
}

/** A GET that answers 404 for "nothing there": the body, or null. */
export function orNothing(send: () => Promise<{ status: number; data: unknown }>): () => Promise<{ status: number; data: unknown }> {
  return () => send().then((answer) => (answer.status === 404 ? { status: 200, data: null } : answer));
}
