/**
 * The processing instances behind PROCESSING_URLS and which of them get the next call: round
 * robin over the healthy ones. An instance that refused a connection, or failed several calls in
 * a row (timeouts, resets, internal errors), rests for a short while; once its rest is over it is asked
 * `GET /readyz`, and only a ready answer gives it traffic again. Nothing here decides what a
 * failure means for a payment: processing-client.ts does.
 */
import type { AxiosInstance } from 'axios';
import { createServiceClient } from '../../shared/http/client.ts';
import type { Logger } from '../../shared/logger.ts';

export interface ProcessingInstance {
  baseURL: string;
  http: AxiosInstance;
}

export interface ProcessingPoolOptions {
  baseUrls: string[];
  apiKey: string;
  timeoutMs: number;
  logger: Logger;
  /** How long an instance that refused (or kept failing) is left out before it is probed. */
  restMs?: number;
  /** Timeouts, resets or internal errors in a row after which an instance rests as if it had refused. */
  failuresInRowMax?: number;
  /** The bound on one readiness probe. */
  probeTimeoutMs?: number;
  now?: () => number;
}

export interface ProcessingPool {
  /**
   * The instances one call may use, in the order to try them: the healthy ones, starting from
   * the next in turn; then those whose rest is over, each once its probe says it is ready.
   * Resting instances are left out; when every instance rests, there is none.
   */
  candidates(): AsyncGenerator<ProcessingInstance, void, undefined>;
  /** The connection was refused: the call never reached the instance. */
  refused(instance: ProcessingInstance): void;
  /** A timeout, a reset, or an internal error: the call may have reached it, and it may not be able to work. */
  failed(instance: ProcessingInstance): void;
  /** An HTTP answer (other than an internal error): the instance is up. */
  answered(instance: ProcessingInstance): void;
}

interface Member {
  instance: ProcessingInstance;
  /** Null while healthy; otherwise the moment its rest ends. */
  restingUntil: number | null;
  failuresInRow: number;
  /** The readiness probe under way, shared by every call that finds the rest over. */
  probe: Promise<boolean> | null;
}

const REST_MS_DEFAULT = 1_000;
const FAILURES_IN_ROW_MAX_DEFAULT = 3;
const PROBE_TIMEOUT_MS_DEFAULT = 2_000;

export function createProcessingPool(options: ProcessingPoolOptions): ProcessingPool {
  if (options.baseUrls.length === 0) throw new RangeError('at least one processing URL is required');
  const restMs = options.restMs ?? REST_MS_DEFAULT;
  const failuresInRowMax = options.failuresInRowMax ?? FAILURES_IN_ROW_MAX_DEFAULT;
  const probeTimeoutMs = options.probeTimeoutMs ?? PROBE_TIMEOUT_MS_DEFAULT;
  const now = options.now ?? Date.now;
  const { logger } = options;
  const members: Member[] = options.baseUrls.map((baseURL) => ({
    instance: { baseURL, http: createServiceClient({ baseURL, apiKey: options.apiKey, timeoutMs: options.timeoutMs }) },
    restingUntil: null,
    failuresInRow: 0,
    probe: null,
  }));
  const memberOf = new Map(members.map((member) => [member.instance, member]));
  let turn = 0;

  const rest = (member: Member, why: string): void => {
    if (member.restingUntil === null) logger.warn({ processingUrl: member.instance.baseURL, why, restMs }, 'processing instance left out for now');
    member.restingUntil = now() + restMs;
    member.failuresInRow = 0;
  };

  const welcomeBack = (member: Member): void => {
    if (member.restingUntil !== null) logger.info({ processingUrl: member.instance.baseURL }, 'processing instance back in the rotation');
    member.restingUntil = null;
    member.failuresInRow = 0;
  };

  const probe = (member: Member): Promise<boolean> => {
    member.probe ??= member.instance.http.get('/readyz', { timeout: probeTimeoutMs })
      .then((response) => response.status === 200, () => false)
      .then((ready) => {
        if (ready) welcomeBack(member);
        else rest(member, 'not ready');
        return ready;
      })
      .finally(() => { member.probe = null; });
    return member.probe;
  };

  return {
    async* candidates() {
      const start = turn;
      turn = (turn + 1) % members.length;
      const due: Member[] = [];
      for (let offset = 0; offset < members.length; offset += 1) {
        const member = members[(start + offset) % members.length]!;
        if (member.restingUntil === null) yield member.instance;
        else if (now() >= member.restingUntil) {
          // Started now, so that it runs while the healthy ones are tried.
          void probe(member);
          due.push(member);
        }
      }
      for (const member of due) {
        if (await probe(member)) yield member.instance;
      }
    },
    refused(instance) {
      const member = memberOf.get(instance);
      if (member) rest(member, 'connection refused');
    },
    failed(instance) {
      const member = memberOf.get(instance);
      if (!member) return;
      member.failuresInRow += 1;
      if (member.failuresInRow >= failuresInRowMax) rest(member, `${member.failuresInRow} timeouts, resets or internal errors in a row`);
    },
    answered(instance) {
      const member = memberOf.get(instance);
      if (member) welcomeBack(member);
    },
  };
}
