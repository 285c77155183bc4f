/**
 * POST /webhooks/cardlane: how a merchant's system consumes the processing server's events. The
 * body is read raw (64 KB at most) so that the signature is checked on exactly the bytes that
 * were signed, in constant time, with the timestamp within 5 minutes of this server's clock; a
 * bad one is refused (401). A good one is de-duplicated by event id (deliveries are at least
 * once) and answered 200 at once: whatever the event starts happens after the answer, never
 * before, so that a slow consumer does not make the sender retry.
 */
import express, { type Router } from 'express';
import { eventSchema, type WebhookReceipt } from '../../../shared/contracts/events.ts';
import { AppError, validationError } from '../../../shared/errors.ts';
import { fieldProblems } from '../../../shared/http/validate.ts';
import type { Logger } from '../../../shared/logger.ts';
import { WEBHOOK_SIGNATURE_HEADER, verifyWebhookSignature } from '../../../shared/webhook-signature.ts';
import type { Clock } from '../clock.ts';
import type { WebhookInbox } from '../webhook-inbox.ts';

export const WEBHOOK_PATH = '/webhooks/cardlane';
export const WEBHOOK_BODY_LIMIT = '64kb';

const REFUSALS: Record<string, string> = {
  missing: `The ${WEBHOOK_SIGNATURE_HEADER} header is missing.`,
  malformed: `The ${WEBHOOK_SIGNATURE_HEADER} header is not t=<seconds>,v1=<hex>.`,
  too_old: 'The signature is more than 5 minutes old.',
  too_new: 'The signature is dated more than 5 minutes ahead.',
  mismatch: 'The signature does not match the body.',
};

export function webhookRoutes(deps: { secret: string; inbox: WebhookInbox; clock: Clock; logger: Logger }): Router {
  const router = express.Router();
  router.post(WEBHOOK_PATH, express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT }), (request, response) => {
    if (!request.is('application/json')) {
      throw new AppError({ code: 'unsupported_media_type', status: 415, message: 'A webhook delivery is JSON (Content-Type: application/json).' });
    }
    const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const now = deps.clock.now();
    const check = verifyWebhookSignature({
      secret: deps.secret, header: request.get(WEBHOOK_SIGNATURE_HEADER), rawBody, nowSeconds: Math.floor(now.getTime() / 1000),
    });
    if (!check.ok) {
      request.log.warn({ reason: check.reason }, 'webhook refused: bad signature');
      throw new AppError({ code: 'invalid_signature', status: 401, message: REFUSALS[check.reason] ?? 'The signature is not valid.' });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawBody.toString('utf8'));
    } catch {
      throw new AppError({ code: 'malformed_body', status: 400, message: 'The request body is not valid JSON.', errors: [{ field: 'body', message: 'is not valid JSON' }] });
    }
    const event = eventSchema.safeParse(parsed);
    if (!event.success) throw validationError(fieldProblems(event.error), 'The body is not a cardlane event.');
    const { duplicate } = deps.inbox.receive(event.data, now);
    request.log.info({ eventId: event.data.id, type: event.data.type, duplicate }, 'webhook received');
    response.status(200).json({ received: true, duplicate } satisfies WebhookReceipt);
  });
  return router;
}
