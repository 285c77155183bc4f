/** The UI server's machine-facing API description (SPEC §7). */
import { makePaymentFormSchema, makePaymentResultSchema } from '../../shared/contracts/ui.ts';
import { buildOpenApi } from '../../shared/http/openapi.ts';

export function uiOpenApi(): Record<string, unknown> {
  return buildOpenApi({
    title: 'cardlane UI server',
    version: '1',
    description: 'The merchant web front end. POST /make-payment takes the checkout form (urlencoded) or JSON; JSON clients (Accept: application/json) get JSON.',
    operations: [
      {
        method: 'post', path: '/make-payment',
        summary: 'Pay: the form as posted by payment.html, by card (the card fields) or with `paymentMethod: points` (pointsAccount and pointsPin instead, in POINTS_CURRENCY only); 409 also answers a key already used with other details: status error, code idempotency_key_reused',
        body: makePaymentFormSchema, secured: false,
        responses: {
          200: makePaymentResultSchema, 402: makePaymentResultSchema, 400: makePaymentResultSchema, 409: makePaymentResultSchema, 503: makePaymentResultSchema,
          403: 'cross_site_request', 413: 'payload_too_large', 429: 'rate_limited',
        },
      },
      { method: 'get', path: '/payments/:id', summary: 'The current state of a payment (for shoppers told "pending")', responses: { 200: 'an HTML or JSON result', 404: 'not_found: no such payment, or not a payment id (pay_ and letters or digits)', 503: 'processing_unavailable' }, secured: false },
      { method: 'get', path: '/healthz', summary: 'Liveness', responses: { 200: 'OK' }, secured: false },
      { method: 'get', path: '/readyz', summary: 'Readiness', responses: { 200: 'OK' }, secured: false },
      { method: 'get', path: '/metrics', summary: 'Prometheus metrics', responses: { 200: 'OK' }, secured: false },
    ],
  });
}
