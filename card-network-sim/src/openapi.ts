/** The card-network simulator's API description, from the shared contracts: every route with every status it can answer. */
import { z } from 'zod';
import {
  adjustmentRequestSchema, authenticationRequestSchema, authenticationResponseSchema, authenticationSchema, authorizationQuerySchema,
  cardAdjustmentResponseSchema, cardAuthorizationListSchema, cardAuthorizationRecordSchema, cardAuthorizationRequestSchema,
  cardAuthorizationResponseSchema, faultSettingsSchema, merchantAccountSchema, pointsAccountOpeningSchema, pointsAccountSchema, pointsAdjustmentResponseSchema,
  pointsAuthorizationQuerySchema, pointsAuthorizationRecordSchema, pointsAuthorizationRequestSchema, pointsAuthorizationResponseSchema,
  reversalRequestSchema, settlementBatchRequestSchema, settlementBatchResponseSchema,
} from '../../shared/contracts/network.ts';
import {
  BEARER_SECURITY_SCHEMES, INTERNAL_ERROR, METHOD_NOT_ALLOWED, NOT_FOUND, OPTIONS_AND_405_TEXT, UNAUTHORIZED, jsonBodyAnswers,
} from '../../shared/http/openapi-common.ts';
import { buildOpenApi, builtOnce, type OperationShape, type OperationSpec, type Responses } from '../../shared/http/openapi.ts';
import { CHALLENGE_PATH } from './authentication.ts';
import { faultPatchSchema } from './faults.ts';

export interface NetworkDocumentOptions {
  batchSizeMax: number;
  /** The JSON body limit of /v1, which follows the batch size. */
  jsonBodyLimitBytes: number;
  /** Whether /admin/faults is served. */
  adminEnabled: boolean;
}

const INJECTED_FAULT: Responses = {
  503: { description: 'Fault injection answered before anything was recorded (injected_fault); the same request may be sent again.', problems: ['injected_fault'] },
};
const INVALID: Responses = { 400: { description: 'Invalid (validation_failed, errors name the fields).', problems: ['validation_failed'] } };
const NOT_FOUND_HERE = (what: string): Responses => ({ 404: { description: `No such ${what} (not_found).`, problems: ['not_found'] } });
const REFERENCE_REUSED: Responses = {
  409: { description: 'The merchantReference was used with another request (merchant_reference_reused).', problems: ['merchant_reference_reused'] },
};
const REVERSAL_CONFLICTS: Responses = {
  409: { description: 'The hold is settled (already_settled) or was never approved (not_approved).', problems: ['already_settled', 'not_approved'] },
};
const ADJUSTMENT_CONFLICTS: Responses = {
  409: {
    description: 'The reference was used for another amount (adjustment_reference_reused), the hold was not approved or is a verification (not_approved), '
      + 'is settled (already_settled), reversed (authorization_reversed) or expired (authorization_expired), or the new total is not above what partial reversals released (amount_below_released).',
    problems: ['adjustment_reference_reused', 'not_approved', 'already_settled', 'authorization_reversed', 'authorization_expired', 'amount_below_released'],
  },
};
const HTML_PAGE = (description: string) => ({ description, html: true });

function cardOperations(): OperationSpec[] {
  return [
    {
      method: 'post', path: '/v1/authorizations', body: cardAuthorizationRequestSchema,
      summary: 'Authorize, or with amount 0 verify the card (85, nothing held); a repeat of a merchantReference returns the first result (91, 96 and 1A are decided again)',
      responses: { 200: { description: 'The decision (responseCode; authorizationCode when approved).', json: cardAuthorizationResponseSchema }, ...INVALID, ...REFERENCE_REUSED },
    },
    {
      method: 'get', path: '/v1/authorizations', summary: 'One authorization by merchantReference (with its adjustments), or a page of all', query: authorizationQuerySchema,
      responses: {
        200: { description: 'The record (with merchantReference), or a page of records.', json: z.union([cardAuthorizationRecordSchema, cardAuthorizationListSchema]) },
        ...INVALID, ...NOT_FOUND_HERE('authorization with this merchantReference'),
      },
    },
    {
      method: 'post', path: '/v1/authorizations/:id/reversal', body: reversalRequestSchema,
      summary: 'Release the hold (whole, or `amount` of the authorized total in total); a verification answers its record unchanged',
      responses: { 200: { description: 'The record after the reversal.', json: cardAuthorizationRecordSchema }, ...INVALID, ...NOT_FOUND_HERE('authorization'), ...REVERSAL_CONFLICTS },
    },
    {
      method: 'post', path: '/v1/authorizations/:id/adjustment', body: adjustmentRequestSchema,
      summary: 'Set a new total for an open hold: an increase is decided (51 leaves the hold), a decrease always succeeds; idempotent by reference',
      responses: { 200: { description: 'The record after the adjustment, with this adjustment\'s reference and responseCode.', json: cardAdjustmentResponseSchema }, ...INVALID, ...NOT_FOUND_HERE('authorization'), ...ADJUSTMENT_CONFLICTS },
    },
  ];
}

function authenticationOperations(): OperationSpec[] {
  return [
    {
      method: 'post', path: '/v1/authentications', body: authenticationRequestSchema,
      summary: '3-D Secure for one payment (idempotent by merchantReference): challenge_required with challengeUrl for the challenge card, else authenticated',
      responses: { 200: { description: 'The authentication.', json: authenticationResponseSchema }, ...INVALID, ...REFERENCE_REUSED },
    },
    {
      method: 'get', path: '/v1/authentications/:id', summary: 'An authentication\'s status',
      responses: { 200: { description: 'The authentication.', json: authenticationSchema }, ...NOT_FOUND_HERE('authentication') },
    },
    {
      method: 'get', path: `${CHALLENGE_PATH}/:authenticationId`, security: null,
      summary: 'The issuer\'s challenge page for the shopper\'s browser (HTML, no key); a decided authentication shows that it is finished',
      responses: { 200: HTML_PAGE('The challenge page, or the finished page linking back to the returnUrl.'), 404: HTML_PAGE('No such authentication (a page).') },
    },
    {
      method: 'post', path: `${CHALLENGE_PATH}/:authenticationId`, security: null,
      summary: 'The challenge form: code 123456 authenticates, any other code or action=cancel fails; decided once',
      form: { type: 'object', properties: { code: { type: 'string', description: 'the one-time code' }, action: { type: 'string', enum: ['verify', 'cancel'] } } },
      responses: {
        303: { description: 'Back to the returnUrl exactly as given; no body.', headers: { Location: { description: 'the returnUrl', required: true } } },
        403: HTML_PAGE('Posted from another site (a page).'),
        404: HTML_PAGE('No such authentication (a page).'),
        400: { description: 'The form could not be read (request_aborted, bad_request).', problems: ['request_aborted', 'bad_request'] },
        413: { description: 'The form is larger than 2 KB (payload_too_large) or has more than 10 fields (too_many_parameters).', problems: ['payload_too_large', 'too_many_parameters'] },
        415: { description: 'The form\'s Content-Encoding or charset is not supported (unsupported_encoding).', problems: ['unsupported_encoding'] },
      },
    },
  ];
}

function pointsOperations(): OperationSpec[] {
  return [
    {
      method: 'get', path: '/v1/points/accounts/:accountId', summary: 'A points account: balance (held points included) and held',
      responses: { 200: { description: 'The account.', json: pointsAccountSchema }, ...INVALID, ...NOT_FOUND_HERE('points account') },
    },
    {
      method: 'post', path: '/v1/points/authorizations', body: pointsAuthorizationRequestSchema,
      summary: 'Hold points after checking the PIN: 00, 55 incorrect PIN, 51 too few points, 14 unknown account, 05 blocked; idempotent by merchantReference',
      responses: { 200: { description: 'The decision.', json: pointsAuthorizationResponseSchema }, ...INVALID, ...REFERENCE_REUSED },
    },
    {
      method: 'get', path: '/v1/points/authorizations', summary: 'One points hold by merchantReference', query: pointsAuthorizationQuerySchema,
      responses: { 200: { description: 'The hold.', json: pointsAuthorizationRecordSchema }, ...INVALID, ...NOT_FOUND_HERE('points authorization with this merchantReference') },
    },
    {
      method: 'post', path: '/v1/points/authorizations/:id/reversal', summary: 'Release a points hold (whole, or `amount` points in total)', body: reversalRequestSchema,
      responses: { 200: { description: 'The hold after the reversal.', json: pointsAuthorizationRecordSchema }, ...INVALID, ...NOT_FOUND_HERE('points authorization'), ...REVERSAL_CONFLICTS },
    },
    {
      method: 'post', path: '/v1/points/authorizations/:id/adjustment', body: adjustmentRequestSchema,
      summary: 'Set a new total in points for an open hold (an increase may be declined 51); idempotent by reference',
      responses: { 200: { description: 'The hold after the adjustment.', json: pointsAdjustmentResponseSchema }, ...INVALID, ...NOT_FOUND_HERE('points authorization'), ...ADJUSTMENT_CONFLICTS },
    },
  ];
}

function settlementOperations(batchSizeMax: number): OperationSpec[] {
  return [
    {
      method: 'post', path: '/v1/settlement-batches', summary: `One batch of at most ${batchSizeMax} card and points items (idempotent by batchId)`, body: settlementBatchRequestSchema(batchSizeMax),
      responses: {
        200: { description: 'Each item settled or rejected, and the totals; a resent batchId gets the first answer byte for byte.', json: settlementBatchResponseSchema },
        ...INVALID, 409: { description: 'The batchId was used for other items (batch_id_reused).', problems: ['batch_id_reused'] },
      },
    },
    {
      method: 'get', path: '/v1/settlement-batches/:batchId', summary: 'The card company\'s report of a batch',
      responses: { 200: { description: 'The batch as it was answered.', json: settlementBatchResponseSchema }, ...INVALID, ...NOT_FOUND_HERE('settlement batch') },
    },
    { method: 'get', path: '/v1/merchant-account', summary: 'Balances and one deposit per batch and currency', responses: { 200: { description: 'The account.', json: merchantAccountSchema } } },
  ];
}

function adminOperations(): OperationSpec[] {
  return [
    { method: 'get', path: '/admin/faults', summary: 'The fault settings in force', responses: { 200: { description: 'The settings.', json: faultSettingsSchema } } },
    {
      method: 'post', path: '/admin/faults', summary: 'Change fault injection at run time: any of latencyMs (N, "MIN-MAX" or {min, max}), errorRate, lostAnswerRate',
      body: faultPatchSchema,
      responses: { 200: { description: 'The settings now in force.', json: faultSettingsSchema }, 400: { description: 'A setting is invalid or unknown (validation_failed).', problems: ['validation_failed'] } },
    },
    {
      method: 'post', path: '/admin/points-accounts', summary: 'Open a points account with a PIN and a balance (demos and load tests)',
      body: pointsAccountOpeningSchema,
      responses: {
        201: { description: 'The account, opened.', json: pointsAccountSchema },
        400: { description: 'A field is invalid (validation_failed).', problems: ['validation_failed'] },
        409: { description: 'An account with this id exists (points_account_exists).', problems: ['points_account_exists'] },
      },
    },
  ];
}

function probeOperations(): OperationSpec[] {
  const readiness = z.object({ status: z.enum(['ready', 'unavailable']), checks: z.object({ database: z.enum(['ok', 'failing']) }) });
  return [
    { method: 'get', path: '/healthz', summary: 'Liveness', security: null, responses: { 200: { description: 'The process answers.', json: z.object({ status: z.literal('ok') }) } } },
    {
      method: 'get', path: '/readyz', summary: 'Readiness', security: null,
      responses: { 200: { description: 'Ready.', json: readiness }, 503: { description: 'Shutting down, or the database does not answer.', json: readiness } },
    },
    { method: 'get', path: '/metrics', summary: 'Prometheus metrics', security: null, responses: { 200: { description: 'The metrics, in the Prometheus text format.', text: ['text/plain'] } } },
    { method: 'get', path: '/openapi.json', summary: 'This document', security: null, responses: { 200: { description: 'The OpenAPI 3.1 document.', json: z.looseObject({ openapi: z.literal('3.1.0') }) } } },
  ];
}

/**
 * Under /v1 the key comes first, then the method (OPTIONS), then fault injection, then the JSON
 * body; /admin checks the key and reads a small JSON body.
 */
function sharedResponses(options: NetworkDocumentOptions): (operation: OperationShape) => Responses {
  const v1Body = jsonBodyAnswers(`${options.jsonBodyLimitBytes} bytes (enough for ${options.batchSizeMax} batch items)`);
  const adminBody = jsonBodyAnswers('16 KB');
  return (operation) => {
    if (operation.path.startsWith('/v1/')) {
      return operation.method === 'options' ? { ...UNAUTHORIZED, ...INTERNAL_ERROR } : { ...UNAUTHORIZED, ...INJECTED_FAULT, ...v1Body, ...INTERNAL_ERROR };
    }
    if (operation.path.startsWith('/admin/')) {
      return operation.method === 'options' ? { ...UNAUTHORIZED, ...INTERNAL_ERROR } : { ...UNAUTHORIZED, ...adminBody, ...INTERNAL_ERROR };
    }
    return INTERNAL_ERROR;
  };
}

export const networkOpenApi = builtOnce((options: NetworkDocumentOptions): Record<string, unknown> => {
  const v1Body = jsonBodyAnswers(`${options.jsonBodyLimitBytes} bytes`);
  return buildOpenApi({
    title: 'cardlane card-network simulator',
    version: '1',
    description: 'The card company: authorizations and account verifications (idempotent by merchantReference), reversals and adjustments of holds, '
      + '3-D Secure authentications and the issuer\'s challenge page, the loyalty-points provider, settlement batches of card and points items '
      + '(idempotent by batchId), the merchant account, fault injection. Every /v1 request needs Authorization: Bearer <merchant key>, and may be answered '
      + '503 injected_fault while fault injection is on. '
      + OPTIONS_AND_405_TEXT,
    securitySchemes: BEARER_SECURITY_SCHEMES,
    defaultSecurity: 'bearer',
    schemas: {
      CardAuthorizationRecord: cardAuthorizationRecordSchema, PointsAuthorizationRecord: pointsAuthorizationRecordSchema,
      SettlementBatchReport: settlementBatchResponseSchema, FaultSettings: faultSettingsSchema,
    },
    optionsSecured: true,
    operations: [
      ...cardOperations(), ...authenticationOperations(), ...pointsOperations(), ...settlementOperations(options.batchSizeMax),
      ...(options.adminEnabled ? adminOperations() : []), ...probeOperations(),
    ],
    sharedResponses: sharedResponses(options),
    otherMethods: {
      description: 'A method a listed path does not take: 405 with Allow. Under /v1 (and /admin) a request without a valid key is refused first (401).',
      responses: { ...METHOD_NOT_ALLOWED, ...UNAUTHORIZED, ...INTERNAL_ERROR },
    },
    unknownPaths: {
      description: 'A path not listed here: 404. Under /v1 (and /admin while fault injection can be changed) the key is checked first (401); '
        + 'under /v1 fault injection (503) and the JSON body (400, 413, 415) come before the 404.',
      responses: { ...NOT_FOUND, ...UNAUTHORIZED, ...INJECTED_FAULT, ...v1Body, ...INTERNAL_ERROR },
    },
  });
});
