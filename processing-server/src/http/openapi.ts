/** The processing server's API description (SPEC §4), from the shared contracts. */
import { z } from 'zod';
import {
  captureRequestSchema, createPaymentRequestSchema, paymentListQuerySchema, paymentListSchema, paymentSchema,
  reconciliationSchema, refundListSchema, refundRequestSchema, refundSchema, settlementItemListSchema,
  settlementNothingReadySchema, settlementRunListSchema, settlementRunSchema,
} from '../../../shared/contracts/processing.ts';
import { buildOpenApi, type OperationSpec } from '../../../shared/http/openapi.ts';

const IDEMPOTENCY_HEADER = { name: 'Idempotency-Key', required: true, description: 'the same key and body replay the first answer' };
const pageQuery = z.object({ limit: z.number().int().min(1).max(100).optional(), startingAfter: z.string().optional() });
const probe = (path: string, summary: string): OperationSpec => ({ method: 'get', path, summary, responses: { 200: 'OK' }, secured: false });

export function processingOpenApi(): Record<string, unknown> {
  return buildOpenApi({
    title: 'cardlane processing server',
    version: '1',
    description: 'The merchant payment subsystem: authorize (a card or loyalty points), capture, void, refund, settle. Amounts are integers in minor units '
      + '(for points, one point is one minor unit of POINTS_CURRENCY). A card payment carries `card` and `holderName`; a points payment `points` and neither of them. '
      + 'Errors are application/problem+json. '
      + 'A method a path does not take is answered 405 method_not_allowed with an Allow header (OPTIONS: 204 with the Allow header).',
    operations: [
      {
        method: 'post', path: '/v1/payments', summary: 'Create and authorize a payment', body: createPaymentRequestSchema, headers: [IDEMPOTENCY_HEADER],
        responses: {
          201: paymentSchema, 402: paymentSchema,
          400: 'validation_failed (errors name the fields; exactly one of card and points), idempotency_key_required, or currency_not_supported (points pay in POINTS_CURRENCY only)',
          409: 'idempotency_key_reused or idempotency_key_in_flight',
          503: 'network_unavailable: the card company or points provider could not be reached; the payment failed, not charged (payment in the body)',
          504: 'authorization_pending: outcome not yet known; repeat with the same key',
        },
      },
      { method: 'get', path: '/v1/payments', summary: 'List payments, newest first', query: paymentListQuerySchema, responses: { 200: paymentListSchema, 400: 'invalid query' } },
      { method: 'get', path: '/v1/payments/:id', summary: 'One payment (card masked)', responses: { 200: paymentSchema, 404: 'not_found' } },
      { method: 'post', path: '/v1/payments/:id/capture', summary: 'Capture a manual payment, fully or partly', body: captureRequestSchema, responses: { 200: paymentSchema, 400: 'amount_too_large', 409: 'capture_not_allowed or invalid_state' } },
      { method: 'post', path: '/v1/payments/:id/void', summary: 'Void before settlement; the hold is released', responses: { 200: paymentSchema, 409: 'invalid_state or already_in_batch' } },
      { method: 'get', path: '/v1/payments/:id/refunds', summary: 'The payment\'s refunds, oldest first', responses: { 200: refundListSchema, 404: 'not_found' } },
      {
        method: 'post', path: '/v1/payments/:id/refunds', summary: 'Refund a settled payment (a credit in the next batch)', body: refundRequestSchema,
        headers: [IDEMPOTENCY_HEADER], responses: { 201: refundSchema, 400: 'amount_exceeds_refundable', 409: 'invalid_state or idempotency_key_reused' },
      },
      {
        method: 'post', path: '/v1/settlements', summary: 'Start a settlement run now',
        responses: {
          201: settlementRunSchema, 202: settlementRunSchema, 200: settlementNothingReadySchema,
          409: 'settlement_running: the running run is under `run`',
          502: 'settlement_failed: the card company\'s answer did not match the batch (the run is under `run`)',
          503: 'settlement_interrupted (the run is under `run`, still running, resumed on the next trigger), or settlement_busy (another process holds the lease and recorded no run within 5 s; Retry-After)',
        },
      },
      { method: 'get', path: '/v1/settlements', summary: 'Settlement runs, newest first', query: pageQuery, responses: { 200: settlementRunListSchema, 400: 'invalid query' } },
      { method: 'get', path: '/v1/settlements/:id', summary: 'One settlement run', responses: { 200: settlementRunSchema, 404: 'not_found' } },
      { method: 'get', path: '/v1/settlements/:id/items', summary: 'A run\'s items, paged', query: pageQuery, responses: { 200: settlementItemListSchema, 400: 'invalid query', 404: 'not_found' } },
      {
        method: 'get', path: '/v1/settlements/:id/reconciliation', summary: 'Our ledger against the card company\'s reports',
        responses: { 200: reconciliationSchema, 404: 'not_found', 503: 'provider_unavailable: the card company could not be asked for its reports' },
      },
      probe('/healthz', 'Liveness'), probe('/readyz', 'Readiness: database and card company reachable'), probe('/metrics', 'Prometheus metrics'),
    ],
  });
}
