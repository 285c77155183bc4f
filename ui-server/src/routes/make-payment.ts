/** POST /make-payment (SPEC §7): parse the form → call the processing server → answer the shopper. */
import express, { type RequestHandler, type Router } from 'express';
import type { Counter } from 'prom-client';
import { AppError } from '../../../shared/errors.ts';
import { addToRequestLog } from '../../../shared/http/logging.ts';
import type { Logger } from '../../../shared/logger.ts';
import { payAtCheckout } from '../checkout-payment.ts';
import type { Clock } from '../clock.ts';
import { parsePaymentForm, type CheckoutRules } from '../payment-form.ts';
import { invalidFormAnswer } from '../payment-result.ts';
import type { ProcessingClient } from '../processing-client.ts';
import type { SavedCardsClient } from '../saved-cards-client.ts';
import { paymentRateLimit } from '../security.ts';
import type { CheckoutPage } from '../views/checkout-page.ts';
import { savedCardsOf } from './pages.ts';
import { sendFormOrResult } from './respond.ts';

/** SPEC §7: the checkout form is small; anything larger is refused with 413. */
export const BODY_LIMIT = '16kb';
const FORM_FIELDS_MAX = 30;

export interface MakePaymentDeps {
  processingClient: ProcessingClient;
  /** The card vault: a card saved after an approval, and a returning shopper's cards on a form sent back. */
  savedCards: SavedCardsClient;
  clock: Clock;
  logger: Logger;
  rateLimitPerMinute: number;
  results: Counter<'status'>;
  /** The page a browser's form with errors comes back as. */
  checkoutPage: CheckoutPage;
  /** What the form is judged by besides itself: the currency points pay in. */
  rules: CheckoutRules;
  /** The card issuer's public origin: the only place besides this server a checkout answer sends a browser. */
  issuerOrigin: string;
}

const requireFormOrJson: RequestHandler = (request, _response, next) => {
  // `is` answers null when there is no body at all: that is left to validation ("is required").
  if (request.is(['application/x-www-form-urlencoded', 'application/json']) === false) {
    next(new AppError({
      code: 'unsupported_media_type',
      status: 415,
      message: 'Send the payment as a form (application/x-www-form-urlencoded) or as JSON (application/json).',
    }));
    return;
  }
  next();
};

export function makePaymentRoutes(deps: MakePaymentDeps): Router {
  const router = express.Router();
  router.post(
    '/make-payment',
    paymentRateLimit({ perMinute: deps.rateLimitPerMinute, logger: deps.logger }),
    requireFormOrJson,
    express.urlencoded({ extended: false, limit: BODY_LIMIT, parameterLimit: FORM_FIELDS_MAX }),
    express.json({ limit: BODY_LIMIT }),
    async (request, response) => {
      const parsed = parsePaymentForm(request.body, deps.clock.now(), deps.rules);
      const answer = parsed.ok ? await payAtCheckout(deps, request, response, parsed) : invalidFormAnswer(parsed.errors, parsed.order);
      const { result } = answer;
      deps.results.inc({ status: result.status });
      // On the request's one access-log line (with its requestId); only names of invalid fields, never values.
      addToRequestLog(response, {
        paymentMethod: parsed.order.paymentMethod, paymentStatus: result.status, paymentId: result.paymentId, declineCode: result.declineCode,
        invalidFields: result.errors?.map((problem) => problem.field),
      });
      await sendFormOrResult(request, response, answer, {
        checkoutPage: deps.checkoutPage, kept: parsed.kept, savedCards: () => savedCardsOf(deps, request),
      });
    },
  );
  return router;
}
