/** The card-network simulator's API description, from the shared contracts. */
import { z } from 'zod';
import {
  adjustmentRequestSchema, authenticationRequestSchema, authenticationResponseSchema, authenticationSchema, authorizationQuerySchema,
  cardAdjustmentResponseSchema, cardAuthorizationListSchema, cardAuthorizationRecordSchema, cardAuthorizationRequestSchema,
  cardAuthorizationResponseSchema, merchantAccountSchema, pointsAccountOpeningSchema, pointsAccountSchema, pointsAdjustmentResponseSchema,
  pointsAuthorizationQuerySchema, pointsAuthorizationRecordSchema, pointsAuthorizationRequestSchema, pointsAuthorizationResponseSchema,
  reversalRequestSchema, settlementBatchRequestSchema, settlementBatchResponseSchema,
} from '../../shared/contracts/network.ts';
import { buildOpenApi, type OperationSpec } from '../../shared/http/openapi.ts';
import { CHALLENGE_PATH } from './authentication.ts';

/** What every `/v1` route may answer besides its own statuses. */
const V1_RESPONSES = {
  401: 'unauthorized: no key or a wrong key',
  503: 'injected_fault: fault injection answered before anything was recorded',
} as const;

const WITH_BODY_RESPONSES = { ...V1_RESPONSES, 400: 'validation_failed or malformed_body, naming the field', 413: 'the body is too large' } as const;

const ADJUSTMENT_CONFLICTS = '409: adjustment_reference_reused (same reference, other amount), not_approved (declined or a verification), '
  + 'already_settled, authorization_reversed, authorization_expired, amount_below_released (a new total not above what partial reversals released)';

function cardOperations(): OperationSpec[] {
  return [
    { method: 'post', path: '/v1/authorizations', summary: 'Authorize, or with amount 0 verify the card (85, nothing held); a repeat of a merchantReference returns the first result (91, 96 and 1A are decided again)', body: cardAuthorizationRequestSchema, responses: { 200: cardAuthorizationResponseSchema, ...WITH_BODY_RESPONSES, 409: 'merchant_reference_reused' } },
    { method: 'get', path: '/v1/authorizations', summary: 'One authorization by merchantReference (with its adjustments), or a page of all', query: authorizationQuerySchema, responses: { 200: z.union([cardAuthorizationRecordSchema, cardAuthorizationListSchema]), ...V1_RESPONSES, 400: 'validation_failed naming the query field', 404: 'not_found' } },
    { method: 'post', path: '/v1/authorizations/:id/reversal', summary: 'Release the hold (whole, or `amount` of the authorized total in total); a verification answers its record unchanged', body: reversalRequestSchema, responses: { 200: cardAuthorizationRecordSchema, ...WITH_BODY_RESPONSES, 404: 'not_found', 409: 'already_settled or not_approved' } },
    { method: 'post', path: '/v1/authorizations/:id/adjustment', summary: 'Set a new total for an open hold: an increase is decided (51 leaves the hold), a decrease always succeeds; idempotent by reference', body: adjustmentRequestSchema, responses: { 200: cardAdjustmentResponseSchema, ...WITH_BODY_RESPONSES, 404: 'not_found', 409: ADJUSTMENT_CONFLICTS } },
  ];
}

function authenticationOperations(): OperationSpec[] {
  return [
    { method: 'post', path: '/v1/authentications', summary: '3-D Secure for one payment (idempotent by merchantReference): challenge_required with challengeUrl for the challenge card, else authenticated', body: authenticationRequestSchema, responses: { 200: authenticationResponseSchema, ...WITH_BODY_RESPONSES, 409: 'merchant_reference_reused' } },
    { method: 'get', path: '/v1/authentications/:id', summary: 'An authentication\'s status', responses: { 200: authenticationSchema, ...V1_RESPONSES, 404: 'not_found' } },
    { method: 'get', path: `${CHALLENGE_PATH}/:authenticationId`, summary: 'The issuer\'s challenge page for the shopper\'s browser (HTML, no key); a decided authentication shows that it is finished', responses: { 200: 'the challenge page, or the finished page linking back to the returnUrl', 404: 'no such authentication (an HTML page)' }, secured: false },
    { method: 'post', path: `${CHALLENGE_PATH}/:authenticationId`, summary: 'The challenge form: code 123456 authenticates, any other code or action=cancel fails; decided once', responses: { 303: 'to the returnUrl exactly as given', 403: 'posted from another site (an HTML page)', 404: 'no such authentication (an HTML page)', 413: 'the form is too large' }, secured: false },
  ];
}

function pointsOperations(): OperationSpec[] {
  return [
    { method: 'get', path: '/v1/points/accounts/:accountId', summary: 'A points account: balance (held points included) and held', responses: { 200: pointsAccountSchema, ...V1_RESPONSES, 400: 'validation_failed naming accountId', 404: 'not_found' } },
    { method: 'post', path: '/v1/points/authorizations', summary: 'Hold points after checking the PIN: 00, 55 incorrect PIN, 51 too few points, 14 unknown account, 05 blocked; idempotent by merchantReference', body: pointsAuthorizationRequestSchema, responses: { 200: pointsAuthorizationResponseSchema, ...WITH_BODY_RESPONSES, 409: 'merchant_reference_reused' } },
    { method: 'get', path: '/v1/points/authorizations', summary: 'One points hold by merchantReference', query: pointsAuthorizationQuerySchema, responses: { 200: pointsAuthorizationRecordSchema, ...V1_RESPONSES, 400: 'validation_failed naming merchantReference', 404: 'not_found' } },
    { method: 'post', path: '/v1/points/authorizations/:id/reversal', summary: 'Release a points hold (whole, or `amount` points in total)', body: reversalRequestSchema, responses: { 200: pointsAuthorizationRecordSchema, ...WITH_BODY_RESPONSES, 404: 'not_found', 409: 'already_settled or not_approved' } },
    { method: 'post', path: '/v1/points/authorizations/:id/adjustment', summary: 'Set a new total in points for an open hold (an increase may be declined 51); idempotent by reference', body: adjustmentRequestSchema, responses: { 200: pointsAdjustmentResponseSchema, ...WITH_BODY_RESPONSES, 404: 'not_found', 409: ADJUSTMENT_CONFLICTS } },
  ];
}

/** The challenge form is HTML for a browser: its answers are pages and its body a form, not JSON. */
function describeChallengeAsHtml(document: Record<string, unknown>): void {
  const paths = document.paths as Record<string, Record<string, { responses: Record<string, { content?: unknown }>; requestBody?: unknown }>>;
  const challenge = paths[`${CHALLENGE_PATH}/{authenticationId}`] ?? {};
  for (const operation of Object.values(challenge)) {
    for (const [status, response] of Object.entries(operation.responses)) {
      response.content = status === '303' ? undefined : { 'text/html': { schema: { type: 'string' } } };
    }
  }
  if (challenge.post) {
    challenge.post.requestBody = {
      required: true,
      content: {
        'application/x-www-form-urlencoded': {
          schema: { type: 'object', properties: { code: { type: 'string', description: 'the one-time code' }, action: { type: 'string', enum: ['verify', 'cancel'] } } },
        },
      },
    };
  }
}

export function networkOpenApi(batchSizeMax: number): Record<string, unknown> {
  const document = buildOpenApi({
    title: 'cardlane card-network simulator',
    version: '1',
    description: 'The card company: authorizations and account verifications (idempotent by merchantReference), reversals and adjustments of holds, '
      + '3-D Secure authentications and the issuer\'s challenge page, the loyalty-points provider, settlement batches of card and points items '
      + '(idempotent by batchId), the merchant account, fault injection. '
      + 'A method a path does not take is answered 405 method_not_allowed with an Allow header (OPTIONS: 204 with the Allow header).',
    operations: [
      ...cardOperations(),
      ...authenticationOperations(),
      ...pointsOperations(),
      { method: 'post', path: '/v1/settlement-batches', summary: `One batch of at most ${batchSizeMax} card and points items (idempotent by batchId)`, body: settlementBatchRequestSchema(batchSizeMax), responses: { 200: settlementBatchResponseSchema, ...WITH_BODY_RESPONSES, 409: 'batch_id_reused' } },
      { method: 'get', path: '/v1/settlement-batches/:batchId', summary: 'The card company\'s report of a batch', responses: { 200: settlementBatchResponseSchema, ...V1_RESPONSES, 400: 'validation_failed naming batchId', 404: 'not_found' } },
      { method: 'get', path: '/v1/merchant-account', summary: 'Balances and one deposit per batch and currency', responses: { 200: merchantAccountSchema, ...V1_RESPONSES } },
      { method: 'post', path: '/admin/faults', summary: 'Change fault injection at run time (latencyMs, errorRate, lostAnswerRate)', responses: { 200: 'the current fault settings', 400: 'validation_failed naming the setting', 401: 'unauthorized', 404: 'admin disabled' } },
      {
        method: 'post', path: '/admin/points-accounts', summary: 'Open a points account with a PIN and a balance (demos and load tests)', body: pointsAccountOpeningSchema,
        responses: { 201: pointsAccountSchema, 400: 'validation_failed naming the field', 401: 'unauthorized', 404: 'admin disabled', 409: 'points_account_exists' },
      },
      { method: 'get', path: '/healthz', summary: 'Liveness', responses: { 200: 'OK' }, secured: false },
      { method: 'get', path: '/readyz', summary: 'Readiness', responses: { 200: 'OK', 503: 'shutting down or the database does not answer' }, secured: false },
      { method: 'get', path: '/metrics', summary: 'Prometheus metrics', responses: { 200: 'OK' }, secured: false },
    ],
  });
  describeChallengeAsHtml(document);
  return document;
}
