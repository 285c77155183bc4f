/**
 * Fault injection for demos and tests: added latency, 503 answers before anything is
 * recorded, and lost answers after the work was committed (the card was charged, the merchant
 * never heard). Every decision draws from the injected `random`, so tests are deterministic.
 */
import type { Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { AppError } from '../../shared/errors.ts';
import type { Logger } from '../../shared/logger.ts';
import { faultSettingsSchema, type FaultSettings } from '../../shared/contracts/network.ts';
import { parseLatencyText } from './config.ts';

/** No injected wait may outlast the server's own request timeout. */
export const LATENCY_MS_MAX = 30_000;

export type FaultKind = 'latency' | 'error' | 'lost_answer';

const latencyMsSchema = z.number().int().nonnegative().max(LATENCY_MS_MAX);
const latencyRangeSchema = z.object({ min: latencyMsSchema, max: latencyMsSchema })
  .refine((range) => range.max >= range.min, 'max must be at least min');

const FAULT_SETTING_NAMES = new Set(['latencyMs', 'errorRate', 'lostAnswerRate']);

/**
 * `POST /admin/faults`: any subset of the settings; latency as N, "N", "MIN-MAX" or {min, max}.
 * An unknown name (a typo such as `errorrate`) is refused by name rather than silently ignored.
 */
export const faultPatchSchema = z.looseObject({
  latencyMs: z.union([
    latencyMsSchema.transform((ms) => ({ min: ms, max: ms })),
    z.string().transform((text, context) => {
      const range = parseLatencyText(text);
      if (range && range.max <= LATENCY_MS_MAX) return range;
      context.addIssue({ code: 'custom', message: `must be N or MIN-MAX milliseconds (MIN ≤ MAX ≤ ${LATENCY_MS_MAX})` });
      return z.NEVER;
    }),
    latencyRangeSchema,
  ], { error: `must be a number of milliseconds, "MIN-MAX" or {min, max} (at most ${LATENCY_MS_MAX})` }).optional(),
  errorRate: faultSettingsSchema.shape.errorRate.optional(),
  lostAnswerRate: faultSettingsSchema.shape.lostAnswerRate.optional(),
}).superRefine((patch, context) => {
  for (const name of Object.keys(patch)) {
    if (!FAULT_SETTING_NAMES.has(name)) context.addIssue({ code: 'custom', path: [name], message: 'is not a fault setting (latencyMs, errorRate, lostAnswerRate)' });
  }
});
export type FaultPatch = z.infer<typeof faultPatchSchema>;

export interface FaultInjectorOptions {
  initial: FaultSettings;
  random: () => number;
  /** Told of every injected fault, e.g. to count it. */
  onFault?: (kind: FaultKind) => void;
}

function requestIdOf(request: Request): unknown {
  return (request as { id?: unknown }).id;
}

export class FaultInjector {
  #settings: FaultSettings;
  readonly #random: () => number;
  readonly #onFault: (kind: FaultKind) => void;

  constructor(options: FaultInjectorOptions) {
    this.#settings = faultSettingsSchema.parse(options.initial);
    this.#random = options.random;
    this.#onFault = options.onFault ?? (() => undefined);
  }

  get settings(): FaultSettings {
    return { ...this.#settings, latencyMs: { ...this.#settings.latencyMs } };
  }

  update(patch: FaultPatch): FaultSettings {
    const next = { ...this.#settings };
    if (patch.latencyMs !== undefined) next.latencyMs = patch.latencyMs;
    if (patch.errorRate !== undefined) next.errorRate = patch.errorRate;
    if (patch.lostAnswerRate !== undefined) next.lostAnswerRate = patch.lostAnswerRate;
    this.#settings = faultSettingsSchema.parse(next);
    return this.settings;
  }

  /** A draw below `rate` injects the fault: rate 0 never does, rate 1 always does. */
  #draw(rate: number): boolean {
    return rate > 0 && this.#random() < rate;
  }

  #latencyMs(): number {
    const { min, max } = this.#settings.latencyMs;
    if (max === 0) return 0;
    return Math.min(max, min + Math.floor(this.#random() * (max - min + 1)));
  }

  #log(request: Request, logger: Logger, kind: FaultKind, details: Record<string, unknown> = {}): void {
    this.#onFault(kind);
    logger.info({ requestId: requestIdOf(request), fault: kind, method: request.method, path: request.originalUrl.split('?')[0], ...details }, `injected fault: ${kind}`);
  }

  /** First on every `/v1` route: wait the added latency, then perhaps answer 503 before any work. */
  middleware(logger: Logger): RequestHandler {
    return (request, _response, next) => {
      const delayMs = this.#latencyMs();
      const proceed = (): void => {
        if (this.#draw(this.#settings.errorRate)) {
          this.#log(request, logger, 'error');
          next(new AppError({ code: 'injected_fault', status: 503, message: 'Injected fault: the card network is unavailable; nothing was recorded.' }));
          return;
        }
        next();
      };
      if (delayMs === 0) {
        proceed();
        return;
      }
      this.#log(request, logger, 'latency', { delayMs });
      setTimeout(proceed, delayMs);
    };
  }

  /**
   * Called after the work was committed and before the answer is sent: perhaps drop the answer
   * by destroying the socket, so the caller sees a reset. True when the answer was dropped.
   */
  loseAnswer(request: Request, response: Response, logger: Logger): boolean {
    if (!this.#draw(this.#settings.lostAnswerRate)) return false;
    this.#log(request, logger, 'lost_answer');
    response.socket?.destroy();
    return true;
  }
}
