/**
 * The webhook dispatcher: a job like the recovery worker, started by the composition root and
 * stopped at shutdown. Each pass first hands over the events waiting in another database's
 * outbox (the card vault's own file), then hands the outbox's events to the endpoints (at most
 * FAN_OUT_MAX events) and claims as many due deliveries as there are free slots: at most
 * CONCURRENCY_MAX attempts under way in all, ENDPOINT_CONCURRENCY_MAX to one endpoint, so a slow
 * endpoint never takes every slot. Attempts run in the background; a delivered one starts the
 * next pass at once (a backlog drains at the endpoints' pace), a failed one does not (a dead
 * endpoint is not hammered). Otherwise a pass runs every `intervalMs`. Passes never overlap.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { WebhookAttemptStatus } from '../../../shared/contracts/events.ts';
import type { Logger } from '../../../shared/logger.ts';
import { attemptDelivery, claimDue, fanOut, type WebhookDeliveryDeps } from '../domain/webhook-delivery.ts';

export const CONCURRENCY_MAX = 16;
export const ENDPOINT_CONCURRENCY_MAX = 8;
export const FAN_OUT_MAX = 500;
/** How long a stop waits for the attempts under way; one not finished by then is made again once its claim lapses. */
const STOP_WAIT_MS = 5_000;

export interface WebhookDispatcherOptions {
  deps: WebhookDeliveryDeps;
  /** WEBHOOK_URLS; with none, events still leave the outbox (to nobody). */
  urls: readonly string[];
  intervalMs?: number;
  logger: Logger;
  /** Told of every attempt recorded (metrics). */
  onAttempt?: (status: WebhookAttemptStatus) => void;
  /** Hands over up to `limit` events written in another database (the card vault's) to the events; how many. */
  handOver?: (limit: number) => Promise<number>;
}

export interface PassReport {
  /** Events handed over from the card vault's outbox. */
  handedOver: number;
  /** Events handed from the outbox to the endpoints. */
  fannedOut: number;
  /** Attempts started. */
  started: number;
}

export interface WebhookDispatcher {
  /** One pass now, waiting for the attempts it started to be recorded (the next pass waits for one under way). */
  runOnce(): Promise<PassReport>;
  stop(): Promise<void>;
}

export function startWebhookDispatcher(options: WebhookDispatcherOptions): WebhookDispatcher {
  const { deps, urls, logger } = options;
  const inFlightByUrl = new Map<string, number>();
  const underWay = new Set<Promise<unknown>>();
  let wanted = false;
  let queued = false;
  let stopped = false;

  function start(url: string, delivery: Parameters<typeof attemptDelivery>[1]): void {
    inFlightByUrl.set(url, (inFlightByUrl.get(url) ?? 0) + 1);
    const work = attemptDelivery(deps, delivery).then((status) => {
      if (status) options.onAttempt?.(status);
      // A delivery that went through may be one of many waiting: look for the next at once.
      if (status === 'delivered') schedule();
    }).catch((error: unknown) => {
      logger.error({ err: error, eventId: delivery.event.id }, 'webhook attempt could not be recorded; its claim lapses and it is made again');
    }).finally(() => {
      inFlightByUrl.set(url, (inFlightByUrl.get(url) ?? 1) - 1);
      underWay.delete(work);
    });
    underWay.add(work);
  }

  /** A failed hand-over leaves the events where they are, for the next pass: it never stops this one. */
  async function handOver(): Promise<number> {
    try {
      return await options.handOver?.(FAN_OUT_MAX) ?? 0;
    } catch (error) {
      logger.warn({ err: error }, 'events of the card vault could not be handed over; trying again on the next pass');
      return 0;
    }
  }

  async function pass(): Promise<PassReport> {
    const handedOver = await handOver();
    const fannedOut = await fanOut(deps, urls, FAN_OUT_MAX);
    let started = 0;
    for (const url of urls) {
      if (stopped) break;
      const free = Math.min(ENDPOINT_CONCURRENCY_MAX - (inFlightByUrl.get(url) ?? 0), CONCURRENCY_MAX - underWay.size);
      if (free <= 0) continue;
      for (const delivery of await claimDue(deps, url, free)) {
        start(url, delivery);
        started += 1;
      }
    }
    return { handedOver, fannedOut, started };
  }

  /** Runs `work` after every pass queued before it: passes never overlap. */
  let chain: Promise<unknown> = Promise.resolve();
  function exclusive<Result>(work: () => Promise<Result>): Promise<Result> {
    const result = chain.then(work);
    chain = result.catch(() => undefined);
    return result;
  }

  /** Queues passes that run while one is wanted. */
  function schedule(): void {
    wanted = true;
    if (queued || stopped) return;
    queued = true;
    exclusive(async () => {
      queued = false;
      // Bounded: a pass is wanted again only by an attempt that delivered, and each claims what is free.
      while (wanted && !stopped) {
        wanted = false;
        await pass();
      }
    }).catch((error: unknown) => {
      logger.error({ err: error }, 'webhook pass failed; trying again on the next tick');
    });
  }

  const timer = setInterval(schedule, options.intervalMs ?? 1_000);
  timer.unref();
  schedule();

  return {
    async runOnce() {
      const report = await exclusive(pass);
      await Promise.allSettled([...underWay]);
      return report;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await chain;
      await Promise.race([Promise.allSettled([...underWay]), sleep(STOP_WAIT_MS, undefined, { ref: false })]);
    },
  };
}
