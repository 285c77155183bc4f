/**
 * Delivering events to the webhook endpoints (SPEC §14): at least once, across restarts. The
 * outbox holds every event written; a dispatcher pass hands its events to the endpoints (one
 * delivery per event and endpoint), claims the deliveries that are due, posts each one and
 * records the attempt: delivered, failed (due again later, webhook-schedule.ts) or abandoned.
 * A claim keeps any other dispatcher (another instance) from making the same attempt while it
 * is under way; a dispatcher that dies holding one loses it when it lapses, and the attempt is
 * made again. Every step is one transaction, so a crash at any point loses no event.
 */
import { randomUUID } from 'node:crypto';
import type { WebhookAttemptStatus } from '../../../shared/contracts/events.ts';
import type { Logger } from '../../../shared/logger.ts';
import { toPublicEvent } from './events.ts';
import type { ClaimedDelivery, Store } from './ports/store.ts';
import type { WebhookAnswer, WebhookSender } from './ports/webhook-sender.ts';
import { endpointForLogs } from './webhook-endpoints.ts';
import { afterFailure } from './webhook-schedule.ts';

/**
 * How long a claim holds a delivery: longer than an attempt can take (its 10 s timeout, and
 * recording it), so that no other dispatcher starts the same attempt while it is under way.
 */
export const CLAIM_TTL_MS = 30_000;

export interface WebhookDeliveryDeps {
  store: Pick<Store, 'webhooks'>;
  sender: WebhookSender;
  clock: () => Date;
  logger: Logger;
  /** Jitter of the retry delays; Math.random unless a test fixes it. */
  random?: () => number;
}

/** Hands up to `limit` events of the outbox to the endpoints; returns how many. */
export function fanOut(deps: Pick<WebhookDeliveryDeps, 'store' | 'clock'>, urls: readonly string[], limit: number): Promise<number> {
  return deps.store.webhooks.fanOut({ urls, limit, now: deps.clock().toISOString() });
}

/** Claims up to `limit` due deliveries to `url` for this dispatcher. */
export function claimDue(deps: Pick<WebhookDeliveryDeps, 'store' | 'clock'>, url: string, limit: number): Promise<ClaimedDelivery[]> {
  const now = deps.clock();
  return deps.store.webhooks.claimDue({
    url, limit, now: now.toISOString(), claim: randomUUID(), claimedUntil: new Date(now.getTime() + CLAIM_TTL_MS).toISOString(),
  });
}

/**
 * Makes one attempt at a claimed delivery and records it. Returns what the attempt became, or
 * null when the claim had lapsed meanwhile (another dispatcher may be making the attempt).
 */
export async function attemptDelivery(deps: WebhookDeliveryDeps, delivery: ClaimedDelivery): Promise<WebhookAttemptStatus | null> {
  const body = JSON.stringify(toPublicEvent(delivery.event));
  let answer: WebhookAnswer;
  try {
    answer = await deps.sender.send({ url: delivery.url, body, eventId: delivery.event.id, attempt: delivery.attempt });
  } catch (error) {
    // An adapter never throws on purpose; whatever it threw is an attempt without an answer.
    answer = { kind: 'no_answer', error: error instanceof Error ? error.message : String(error) };
  }
  const at = deps.clock();
  const next = answer.kind === 'delivered'
    ? { status: 'delivered' as const }
    : afterFailure({ attempt: delivery.attempt, firstAttemptAt: delivery.firstAttemptAt ?? at.toISOString(), at, random: deps.random ?? Math.random });
  const recorded = await deps.store.webhooks.recordAttempt({
    eventSeq: delivery.eventSeq, url: delivery.url, claim: delivery.claim, attempt: delivery.attempt, status: next.status,
    responseStatus: answer.kind === 'no_answer' ? null : answer.responseStatus, error: answer.kind === 'no_answer' ? answer.error : null,
    at: at.toISOString(), nextAttemptAt: next.status === 'failed' ? next.nextAttemptAt : null,
  });
  const context = { eventId: delivery.event.id, type: delivery.event.type, endpoint: endpointForLogs(delivery.url), attempt: delivery.attempt, status: next.status };
  if (!recorded) {
    deps.logger.warn(context, 'webhook attempt not recorded: its claim had lapsed');
    return null;
  }
  if (next.status === 'abandoned') deps.logger.error({ ...context, responseStatus: answer.kind === 'no_answer' ? undefined : answer.responseStatus }, 'webhook delivery abandoned after retrying for 24 hours');
  else if (next.status === 'failed') deps.logger.info({ ...context, nextAttemptAt: next.nextAttemptAt, error: answer.kind === 'no_answer' ? answer.error : undefined }, 'webhook attempt failed; trying again later');
  return next.status;
}
