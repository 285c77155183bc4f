/**
 * GET /payments/:paymentId: the current state of one payment, for the shopper whose result was
 * "pending". Only what the result page shows anyway (amount, masked card, status) is revealed.
 */
import express, { type Router } from 'express';
import { AppError, notFound } from '../../../shared/errors.ts';
import type { ProcessingClient } from '../processing-client.ts';
import { PAYMENT_ID_PATTERN } from '../path-segment.ts';
import { resultForPayment } from '../payment-result.ts';
import { sendResult } from './respond.ts';

export function paymentStatusRoutes(deps: { processingClient: ProcessingClient }): Router {
  const router = express.Router();
  router.get('/payments/:paymentId', async (request, response) => {
    const paymentId = String(request.params.paymentId);
    // Only what can be a payment id goes on: `.`, `..`, `%2e` and the like would otherwise reach the
    // processing server as its payment list.
    if (!PAYMENT_ID_PATTERN.test(paymentId)) throw notFound('The payment');
    const outcome = await deps.processingClient.getPayment(paymentId, { requestId: String(request.id) });
    if (outcome.kind === 'not_found') throw notFound('The payment');
    if (outcome.kind === 'unavailable') {
      throw new AppError({
        code: 'processing_unavailable',
        status: 503,
        message: 'The payment status cannot be looked up right now. Please try again in a moment.',
      });
    }
    sendResult(request, response, 200, resultForPayment(outcome.payment));
  });
  return router;
}
