/**
 * GET /payments/authentication-return?paymentId=…: where the card issuer's 3-D Secure page sends
 * the shopper back. It confirms the payment with the processing server and shows the final
 * result; a GET because the issuer answers its form with a 303 here. Confirming is safe to repeat
 * and only finishes what the shopper did at the bank: a reload, or a link followed twice, changes
 * nothing, and nobody can confirm a payment into anything the bank did not decide.
 */
import express, { type Router } from 'express';
import type { Counter } from 'prom-client';
import { notFound } from '../../../shared/errors.ts';
import type { Logger } from '../../../shared/logger.ts';
import { PAYMENT_ID_PATTERN } from '../path-segment.ts';
import { answerFor } from '../payment-result.ts';
import type { ProcessingClient } from '../processing-client.ts';
import { AUTHENTICATION_RETURN_PATH, withIssuerChecked } from '../three-d-secure.ts';
import { PENDING_REFRESH_SECONDS, sendResult } from './respond.ts';

export interface AuthenticationReturnDeps {
  processingClient: ProcessingClient;
  issuerOrigin: string;
  logger: Logger;
  results: Counter<'status'>;
}

export function authenticationReturnRoutes(deps: AuthenticationReturnDeps): Router {
  const router = express.Router();
  router.get(AUTHENTICATION_RETURN_PATH, async (request, response) => {
    const paymentId = request.query.paymentId;
    if (typeof paymentId !== 'string' || !PAYMENT_ID_PATTERN.test(paymentId)) throw notFound('The payment');
    const outcome = await deps.processingClient.confirmPayment(paymentId, { requestId: String(request.id) });
    if (outcome.kind === 'not_found') throw notFound('The payment');
    // Nothing is known of the order here but what the payment says; an answer without one has no amount.
    const answer = withIssuerChecked(answerFor(outcome, { amountText: '', currency: '', paymentMethod: 'card' }), deps.issuerOrigin, request.log);
    const { result } = answer;
    deps.results.inc({ status: result.status });
    request.log.info({ paymentId, paymentStatus: result.status, declineCode: result.declineCode }, 'payment confirmed after the bank\'s page');
    // Back at the shop before the bank's page was finished: a browser is sent back to it (sendResult).
    const here = `${AUTHENTICATION_RETURN_PATH}?paymentId=${encodeURIComponent(paymentId)}`;
    sendResult(request, response, answer.httpStatus, result, { pendingRefreshSeconds: PENDING_REFRESH_SECONDS, pendingRefreshUrl: here });
  });
  return router;
}
