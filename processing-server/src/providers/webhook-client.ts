/**
 * The webhook adapter: posts an event to an endpoint, signed (`Cardlane-Signature`,
 * shared/webhook-signature.ts), within a 10 s bound on the whole exchange, and behind a circuit
 * breaker of that endpoint's own: after consecutive failures the endpoint's deliveries fail fast
 * (`circuit_open`, nothing sent) until a probe gets through, so a dead endpoint holds no
 * dispatcher slot for the length of a timeout and slows no other endpoint. The answer's body is
 * never read.
 */
import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance } from 'axios';
import { BrokenCircuitError, ConsecutiveBreaker, circuitBreaker, handleAll, type CircuitBreakerPolicy } from 'cockatiel';
import type { Readable } from 'node:stream';
import { WEBHOOK_ATTEMPT_HEADER, WEBHOOK_SIGNATURE_HEADER, signWebhook } from '../../../shared/webhook-signature.ts';
import type { WebhookAnswer, WebhookRequest, WebhookSender } from '../domain/ports/webhook-sender.ts';

/** No answer within this time is no answer (SPEC §14). */
export const WEBHOOK_TIMEOUT_MS = 10_000;

export interface WebhookClientOptions {
  secret: string;
  timeoutMs?: number;
  /** Consecutive failed attempts that open an endpoint's breaker. */
  breakerThreshold?: number;
  breakerHalfOpenAfterMs?: number;
  /** The signing time (unix seconds come from it); the wall clock unless a test fixes it. */
  now?: () => Date;
  onCircuitChange?: (url: string, state: 'open' | 'closed') => void;
}

/** An answer other than 2xx: a failure for the breaker, a `refused` answer for the domain. */
class RefusedAnswer extends Error {
  override readonly name = 'RefusedAnswer';
  readonly responseStatus: number;
  constructor(responseStatus: number) {
    super(`the endpoint answered ${responseStatus}`);
    this.responseStatus = responseStatus;
  }
}

/** Why an exchange ended without an answer, in one word for the attempt's record. */
function noAnswerReason(error: unknown): string {
  if (!axios.isAxiosError(error)) return error instanceof Error ? error.message : String(error);
  switch (error.code) {
    case 'ECONNABORTED': case 'ETIMEDOUT': case 'ERR_CANCELED': return 'timeout';
    case 'ECONNREFUSED': return 'connection_refused';
    case 'ECONNRESET': return 'connection_reset';
    case 'ENOTFOUND': case 'EAI_AGAIN': return 'unknown_host';
    default: return error.code ? error.code.toLowerCase() : 'no_answer';
  }
}

function createHttp(timeoutMs: number): AxiosInstance {
  const agentOptions = { keepAlive: true, maxSockets: 16, maxFreeSockets: 4 };
  return axios.create({
    timeout: timeoutMs,
    httpAgent: new http.Agent(agentOptions),
    httpsAgent: new https.Agent(agentOptions),
    headers: { 'Content-Type': 'application/json', 'User-Agent': 'cardlane-webhooks/1' },
    validateStatus: () => true,
    // A redirect is not delivery: the endpoint is the URL configured, nothing it points to.
    maxRedirects: 0,
    // The status is all that counts; the body is dropped unread (so no endpoint can make us read much).
    responseType: 'stream',
  });
}

export function createWebhookClient(options: WebhookClientOptions): WebhookSender {
  const timeoutMs = options.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  const now = options.now ?? (() => new Date());
  const client = createHttp(timeoutMs);
  const breakers = new Map<string, CircuitBreakerPolicy>();

  function breakerOf(url: string): CircuitBreakerPolicy {
    let breaker = breakers.get(url);
    if (!breaker) {
      breaker = circuitBreaker(handleAll, {
        halfOpenAfter: options.breakerHalfOpenAfterMs ?? 30_000, breaker: new ConsecutiveBreaker(options.breakerThreshold ?? 5),
      });
      const report = options.onCircuitChange;
      if (report) {
        breaker.onBreak(() => report(url, 'open'));
        breaker.onReset(() => report(url, 'closed'));
      }
      breakers.set(url, breaker);
    }
    return breaker;
  }

  async function post(request: WebhookRequest): Promise<WebhookAnswer> {
    const timestampSeconds = Math.floor(now().getTime() / 1000);
    const response = await client.post<Readable>(request.url, request.body, {
      headers: { [WEBHOOK_SIGNATURE_HEADER]: signWebhook(options.secret, request.body, timestampSeconds), [WEBHOOK_ATTEMPT_HEADER]: String(request.attempt) },
      // The whole exchange, not only the wait for the first byte, is bounded.
      signal: AbortSignal.timeout(timeoutMs),
    });
    response.data.destroy();
    if (response.status >= 200 && response.status < 300) return { kind: 'delivered', responseStatus: response.status };
    throw new RefusedAnswer(response.status);
  }

  return {
    async send(request) {
      try {
        return await breakerOf(request.url).execute(() => post(request));
      } catch (error) {
        if (error instanceof RefusedAnswer) return { kind: 'refused', responseStatus: error.responseStatus };
        if (error instanceof BrokenCircuitError) return { kind: 'no_answer', error: 'circuit_open' };
        return { kind: 'no_answer', error: noAnswerReason(error) };
      }
    },
  };
}
