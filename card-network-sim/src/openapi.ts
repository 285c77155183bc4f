/** The card-network simulator's API description (SPEC §5), from the shared contracts. */
import { z } from 'zod';
import {
  authorizationListSchema, authorizationQuerySchema, authorizationRecordSchema, authorizationRequestSchema,
  authorizationResponseSchema, merchantAccountSchema, reversalRequestSchema, settlementBatchRequestSchema,
  settlementBatchResponseSchema,
} from '../../shared/contracts/network.ts';
import { buildOpenApi } from '../../shared/http/openapi.ts';

export function networkOpenApi(batchSizeMax: number): Record<string, unknown> {
  return buildOpenApi({
    title: 'cardlane card-network simulator',
    version: '1',
    description: 'The card company: authorizations (idempotent by merchantReference), reversals, settlement batches (idempotent by batchId), the merchant account, fault injection. '
      + 'A method a path does not take is answered 405 method_not_allowed with an Allow header (OPTIONS: 204 with the Allow header).',
    operations: [
      { method: 'post', path: '/v1/authorizations', summary: 'Authorize (a repeat of a merchantReference returns the first result)', body: authorizationRequestSchema, responses: { 200: authorizationResponseSchema, 400: 'invalid request', 409: 'merchant_reference_reused' } },
      { method: 'get', path: '/v1/authorizations', summary: 'One authorization by merchantReference, or a page of all', query: authorizationQuerySchema, responses: { 200: z.union([authorizationRecordSchema, authorizationListSchema]), 404: 'not_found' } },
      { method: 'post', path: '/v1/authorizations/:id/reversal', summary: 'Release the hold (whole, or `amount` of it in total)', body: reversalRequestSchema, responses: { 200: authorizationRecordSchema, 404: 'not_found', 409: 'already_settled or not_approved' } },
      { method: 'post', path: '/v1/settlement-batches', summary: `One batch of at most ${batchSizeMax} items (idempotent by batchId)`, body: settlementBatchRequestSchema(batchSizeMax), responses: { 200: settlementBatchResponseSchema, 409: 'batch_id_reused' } },
      { method: 'get', path: '/v1/settlement-batches/:batchId', summary: 'The card company\'s report of a batch', responses: { 200: settlementBatchResponseSchema, 404: 'not_found' } },
      { method: 'get', path: '/v1/merchant-account', summary: 'Balances and one deposit per batch and currency', responses: { 200: merchantAccountSchema } },
      { method: 'post', path: '/admin/faults', summary: 'Change fault injection at run time (latencyMs, errorRate, lostAnswerRate)', responses: { 200: 'the current fault settings', 404: 'admin disabled' } },
      { method: 'get', path: '/healthz', summary: 'Liveness', responses: { 200: 'OK' }, secured: false },
      { method: 'get', path: '/readyz', summary: 'Readiness', responses: { 200: 'OK' }, secured: false },
      { method: 'get', path: '/metrics', summary: 'Prometheus metrics', responses: { 200: 'OK' }, secured: false },
    ],
  });
}
