/** /v1/payments: parse the request, call the domain, map its result to a status code. */
import { Router, type Response } from 'express';
import { Counter, type Registry } from 'prom-client';
import {
  IDEMPOTENCY_KEY_HEADER, adjustPaymentRequestSchema, captureRequestSchema, createPaymentRequestSchema, idempotencyKeySchema, paymentListQuerySchema,
  refundRequestSchema, type Payment,
} from '../../../shared/contracts/processing.ts';
import { AppError, validationError } from '../../../shared/errors.ts';
import { sendProblem } from '../../../shared/http/errors.ts';
import { addToRequestLog } from '../../../shared/http/logging.ts';
import { fieldProblems, parseOrThrow } from '../../../shared/http/validate.ts';
import { authorizePayment, type AuthorizeResult } from '../domain/authorize.ts';
import { adjustPayment, type AdjustResult } from '../domain/adjust.ts';
import { capturePayment } from '../domain/capture.ts';
import { confirmPayment, type ConfirmResult } from '../domain/confirm.ts';
import type { DomainDeps } from '../domain/deps.ts';
import { listPaymentEvents } from '../domain/event-queries.ts';
import { requestDeps } from './request-deps.ts';
import { getPayment, listPayments } from '../domain/queries.ts';
import { listRefunds, refundPayment } from '../domain/refund.ts';
import { voidPayment } from '../domain/void.ts';

const IDEMPOTENCY_KEY_FIELD = 'Idempotency-Key';

/** The header's value, or a 400 whose one field problem is named `Idempotency-Key` (the header's name). */
export function requireIdempotencyKey(header: string | undefined): string {
  if (header === undefined || header.trim() === '') {
    throw new AppError({
      code: 'idempotency_key_required', status: 400,
      message: 'The Idempotency-Key header is required, so that a repeated request cannot charge twice.',
      errors: [{ field: IDEMPOTENCY_KEY_FIELD, message: 'is required' }],
    });
  }
  const parsed = idempotencyKeySchema.safeParse(header);
  if (parsed.success) return parsed.data;
  throw validationError(fieldProblems(parsed.error).map((problem) => ({ ...problem, field: IDEMPOTENCY_KEY_FIELD })));
}

/**
 * 201 authorized, 402 declined, 202 requires_action (the shopper's 3-D Secure step, see
 * `nextAction`), 503 failed (not charged), 504 pending (outcome not yet known).
 */
function sendAuthorizeResult(response: Response, result: AuthorizeResult | (ConfirmResult & { replayed?: undefined }), repeat: 'create' | 'confirm' = 'create'): void {
  if (result.replayed) response.setHeader('Idempotent-Replayed', 'true');
  const { payment } = result;
  switch (result.outcome) {
    case 'authorized':
      response.status(201).json(payment);
      return;
    case 'declined':
      response.status(402).json(payment);
      return;
    case 'requires_action':
      response.status(202).json(payment);
      return;
    case 'failed':
      sendProblem(response, new AppError({
        code: 'network_unavailable', status: 503,
        message: failedMessage(payment),
        extensions: { paymentStatus: payment.status, charged: false, payment },
      }));
      return;
    case 'pending':
      sendProblem(response, new AppError({
        code: repeat === 'create' ? 'authorization_pending' : 'confirmation_pending', status: 504,
        message: `The ${payment.paymentMethod === 'points' ? 'points provider' : 'card company'} did not answer in time; the outcome is not yet known. `
          + (repeat === 'create' ? 'Repeat the request with the same Idempotency-Key for the final answer.' : 'Confirm the payment again for the final answer.'),
        extensions: { paymentStatus: payment.status, payment },
      }));
  }
}

function failedMessage(payment: Payment): string {
  if (payment.reason === 'authentication_abandoned') {
    return 'The shopper did not finish the 3-D Secure step in time; the payment failed and the card was not charged.';
  }
  return payment.paymentMethod === 'points'
    ? 'The points provider could not be reached; the payment failed and no points were taken.'
    : 'The card company could not be reached; the payment failed and the card was not charged.';
}

/** 200 adjusted, 402 the increase declined, 503 failed (the amount did not change), 504 not known yet. */
function sendAdjustResult(response: Response, result: AdjustResult): void {
  if (result.replayed) response.setHeader('Idempotent-Replayed', 'true');
  const { payment } = result;
  switch (result.outcome) {
    case 'adjusted':
      response.status(200).json(payment);
      return;
    case 'declined':
      response.status(402).json(payment);
      return;
    case 'failed':
      sendProblem(response, new AppError({
        code: 'adjustment_failed', status: 503,
        message: `The ${payment.paymentMethod === 'points' ? 'points provider' : 'card company'} could not be reached; the amount did not change.`,
        extensions: { adjusted: false, payment },
      }));
      return;
    case 'pending':
      sendProblem(response, new AppError({
        code: 'adjustment_pending', status: 504,
        message: 'The card company did not answer in time; whether the amount changed is not known yet. Repeat the request with the same Idempotency-Key for the final answer.',
        extensions: { payment },
      }));
  }
}

export interface PaymentMetrics {
  /** Answers to POST /v1/payments by outcome (authorized, declined, failed, pending) and whether replayed. */
  authorizations: Counter<'outcome' | 'replayed'>;
}

export function createPaymentMetrics(registry: Registry): PaymentMetrics {
  return {
    authorizations: new Counter({
      name: 'cardlane_payment_authorizations_total', help: 'Answers to POST /v1/payments by outcome',
      labelNames: ['outcome', 'replayed'] as const, registers: [registry],
    }),
  };
}

export function paymentsRouter(deps: DomainDeps, metrics?: PaymentMetrics): Router {
  const router = Router();

  router.post('/', async (request, response) => {
    const idempotencyKey = requireIdempotencyKey(request.get(IDEMPOTENCY_KEY_HEADER));
    const body = parseOrThrow(createPaymentRequestSchema, request.body);
    // The request's own logger carries its requestId into every line the domain writes.
    const result = await authorizePayment(requestDeps(deps, request), { request: body, idempotencyKey, requestId: String(request.id) });
    metrics?.authorizations.inc({ outcome: result.outcome, replayed: String(result.replayed) });
    addToRequestLog(response, { paymentId: result.payment.id, paymentMethod: result.payment.paymentMethod, outcome: result.outcome, replayed: result.replayed });
    sendAuthorizeResult(response, result);
  });

  router.get('/', async (request, response) => {
    const query = parseOrThrow(paymentListQuerySchema, request.query, 'query');
    response.json(await listPayments(deps, query));
  });

  router.get('/:id', async (request, response) => {
    response.json(await getPayment(deps, request.params.id));
  });

  router.post('/:id/capture', async (request, response) => {
    const body = parseOrThrow(captureRequestSchema, request.body);
    response.json(await capturePayment(requestDeps(deps, request), request.params.id, body.amount, String(request.id)));
  });

  router.post('/:id/void', async (request, response) => {
    response.json(await voidPayment(requestDeps(deps, request), request.params.id, String(request.id)));
  });

  router.get('/:id/events', async (request, response) => {
    response.json(await listPaymentEvents(deps, request.params.id));
  });

  router.post('/:id/adjust', async (request, response) => {
    const idempotencyKey = requireIdempotencyKey(request.get(IDEMPOTENCY_KEY_HEADER));
    const body = parseOrThrow(adjustPaymentRequestSchema, request.body);
    const result = await adjustPayment(requestDeps(deps, request), {
      paymentId: request.params.id, amountMinor: body.amount, idempotencyKey, requestId: String(request.id),
    });
    sendAdjustResult(response, result);
  });

  router.post('/:id/confirm', async (request, response) => {
    sendAuthorizeResult(response, await confirmPayment(requestDeps(deps, request), request.params.id, String(request.id)), 'confirm');
  });

  router.get('/:id/refunds', async (request, response) => {
    response.json(await listRefunds(deps, request.params.id));
  });

  router.post('/:id/refunds', async (request, response) => {
    const idempotencyKey = requireIdempotencyKey(request.get(IDEMPOTENCY_KEY_HEADER));
    const body = parseOrThrow(refundRequestSchema, request.body);
    const result = await refundPayment(requestDeps(deps, request), { paymentId: request.params.id, amountMinor: body.amount, idempotencyKey });
    if (result.replayed) response.setHeader('Idempotent-Replayed', 'true');
    response.status(201).json(result.refund);
  });

  return router;
}
