/**
 * One call to the processing server as the back office and the saved cards make them: the URLs
 * in order (moving on only when a connection is refused, so the request never arrived there), no
 * retries (whoever asked sees the answer and decides), and every answer validated against the
 * processing contract before use.
 */
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { z } from 'zod';
import { problemSchema } from '../../shared/contracts/common.ts';
import { IDEMPOTENCY_KEY_HEADER, paymentSchema } from '../../shared/contracts/processing.ts';
import { createServiceClient, isConnectionRefused, requestIdHeaders } from '../../shared/http/client.ts';
import type { Logger } from '../../shared/logger.ts';
import { pathSegment } from './path-segment.ts';

export type Answer<T> =
  | { kind: 'ok'; status: number; data: T }
  /** The processing server refused or failed with a problem+json. */
  | { kind: 'problem'; status: number; code: string; detail: string; body: Record<string, unknown> }
  /** No usable answer: unreachable, timed out, or a body that breaks the contract. */
  | { kind: 'unavailable'; reason: string };

export interface CallContext {
  requestId: string;
}

export interface ProcessingCallOptions {
  baseUrls: string[];
  apiKey: string;
  timeoutMs: number;
  logger: Logger;
  /** Who calls, for the log line of a failed call. */
  caller: string;
}

export type Send = (http: AxiosInstance) => Promise<AxiosResponse<unknown>>;

export interface ProcessingCalls {
  call<T>(schema: z.ZodType<T>, send: Send, context: CallContext): Promise<Answer<T>>;
  /** Calls `send` with the id as one path segment; an id that cannot be one is not found, uncalled. */
  byId<T>(id: string, send: (segment: string) => Promise<Answer<T>>): Promise<Answer<T>>;
  headers(context: CallContext, idempotencyKey?: string): Record<string, string>;
}

export function createProcessingCalls(options: ProcessingCallOptions): ProcessingCalls {
  const clients = options.baseUrls.map((baseURL) => createServiceClient({ baseURL, apiKey: options.apiKey, timeoutMs: options.timeoutMs, socketsMax: 16 }));

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

  return {
    async call(schema, send, context) {
      let reason = 'no processing URL configured';
      for (const http of clients) {
        let response: AxiosResponse<unknown>;
        try {
          response = await send(http);
        } catch (error) {
          reason = axios.isAxiosError(error) ? `${error.code ?? 'error'}: ${error.message}` : String(error);
          options.logger.warn({ requestId: context.requestId, detail: reason }, `${options.caller} call to the processing server failed`);
          if (isConnectionRefused(error)) continue;
          return { kind: 'unavailable', reason };
        }
        return interpret(schema, response, context);
      }
      return { kind: 'unavailable', reason };
    },
    byId(id, send) {
      const segment = pathSegment(id);
      if (segment !== undefined) return send(segment);
      return Promise.resolve({ kind: 'problem', status: 404, code: 'not_found', detail: 'No such resource.', body: {} });
    },
    headers: (context, idempotencyKey) => ({
      ...requestIdHeaders(context.requestId),
      ...(idempotencyKey ? { [IDEMPOTENCY_KEY_HEADER]: idempotencyKey } : {}),
    }),
  };
}
