/** The processing server's API description, from the shared contracts: every route with every status it can answer. */
import { z } from 'zod';
import {
  adjustPaymentRequestSchema, captureRequestSchema, createPaymentRequestSchema, declineSchema, idempotencyKeySchema, paymentListQuerySchema,
  paymentListSchema, paymentSchema, reconciliationSchema, refundListSchema, refundRequestSchema, refundSchema, saveCardRequestSchema,
  savedCardListQuerySchema, savedCardListSchema, savedCardSchema, settlementItemListSchema, settlementNothingReadySchema,
  settlementRunListSchema, settlementRunSchema,
} from '../../../shared/contracts/processing.ts';
import {
  BEARER_SECURITY_SCHEMES, INTERNAL_ERROR, isConditional, METHOD_NOT_ALLOWED, NOT_FOUND, NOT_MODIFIED, OPTIONS_AND_405_TEXT, UNAUTHORIZED, jsonBodyAnswers,
} from '../../../shared/http/openapi-common.ts';
import {
  buildOpenApi, builtOnce, type OperationShape, type OperationSpec, type Responses,
} from '../../../shared/http/openapi.ts';

const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key', required: true, schema: idempotencyKeySchema,
  description: '1 to 255 printable ASCII characters without spaces; the same key and body replay the first answer, the same key with another body is 409',
};
const REPLAYED_HEADER = { 'Idempotent-Replayed': { description: '`true` when this is the stored answer to an earlier request with the same key', schema: z.literal('true') } };

/** The settlement routes' paging: `limit` 1–100 (20 by default), `startingAfter` the last id of the previous page. */
const pageQuery = z.object({
  limit: z.number().int().min(1).max(100).default(20),
  startingAfter: z.string().min(1).max(200).optional(),
});


const health = z.object({ status: z.literal('ok') });
const readiness = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.object({ database: z.enum(['ok', 'failing']), network: z.enum(['ok', 'unreachable']), shuttingDown: z.boolean() }),
});

/** A repeat while the first request with its key is still answered: it names the payment (or the card) being worked on. */
const IN_FLIGHT = { code: 'idempotency_key_in_flight', extensions: { paymentId: z.string().optional(), cardId: z.string().optional() } };

const NOT_FOUND_PAYMENT: Responses = { 404: { description: 'No payment with this id (not_found).', problems: ['not_found'] } };
const NOT_FOUND_RUN: Responses = { 404: { description: 'No settlement run with this id (not_found).', problems: ['not_found'] } };
const INVALID = (what: string): Responses => ({ 400: { description: `${what} (validation_failed, errors name the fields).`, problems: ['validation_failed'] } });

function paymentOperations(): OperationSpec[] {
  return [
    {
      method: 'post', path: '/v1/payments', summary: 'Create and authorize a payment', body: createPaymentRequestSchema, headers: [IDEMPOTENCY_HEADER],
      responses: {
        201: { description: 'Authorized.', json: paymentSchema, headers: REPLAYED_HEADER },
        202: {
          description: 'The card issuer asks for 3-D Secure: status `requires_action`, with `nextAction: {type: "redirect", url}` (the issuer\'s page, which sends '
            + 'the shopper back to `returnUrl` with `paymentId=`); then POST /v1/payments/{id}/confirm.',
          json: paymentSchema, headers: REPLAYED_HEADER,
        },
        402: {
          description: 'Declined: status `declined`, with `decline` (`authentication_required` when the issuer asks for 3-D Secure and no `returnUrl` was given; '
            + '`authentication_failed` when the cardholder could not be authenticated).',
          json: paymentSchema, headers: REPLAYED_HEADER,
        },
        400: {
          description: 'The body, the card or the points account is invalid, or the saved card has expired (validation_failed, errors name the fields; exactly one of card, cardId and points), '
            + 'points in another currency than POINTS_CURRENCY (currency_not_supported), or the Idempotency-Key is missing (idempotency_key_required).',
          problems: ['validation_failed', 'currency_not_supported', 'idempotency_key_required'],
        },
        404: { description: 'The saved card (cardId) is not there: never saved, deleted, or not the customerId\'s (card_not_found). Nothing was charged.', problems: ['card_not_found'] },
        409: {
          description: 'The key was used with another body (idempotency_key_reused), or its first request is still being answered (idempotency_key_in_flight, with its paymentId).',
          problems: ['idempotency_key_reused', IN_FLIGHT],
        },
        503: {
          description: 'The card company (or the points provider) could not be reached: the payment failed and nothing was charged (network_unavailable).', headers: REPLAYED_HEADER,
          problems: [{ code: 'network_unavailable', extensions: { paymentStatus: z.literal('failed'), charged: z.literal(false), payment: paymentSchema } }],
        },
        504: {
          description: 'The card company did not answer in time; the outcome is not known yet (authorization_pending). Repeat with the same key for the final answer.', headers: REPLAYED_HEADER,
          problems: [{ code: 'authorization_pending', extensions: { paymentStatus: z.literal('pending'), payment: paymentSchema } }],
        },
      },
    },
    {
      method: 'get', path: '/v1/payments', summary: 'List payments, newest first', query: paymentListQuerySchema,
      responses: { 200: { description: 'A page of payments.', json: paymentListSchema }, ...INVALID('A query parameter is invalid') },
    },
    { method: 'get', path: '/v1/payments/:id', summary: 'One payment (card masked)', responses: { 200: { description: 'The payment.', json: paymentSchema }, ...NOT_FOUND_PAYMENT } },
    {
      method: 'post', path: '/v1/payments/:id/capture', summary: 'Capture a manual payment, fully or partly', body: captureRequestSchema,
      responses: {
        200: { description: 'Captured; the rest of the hold is released.', json: paymentSchema },
        400: { description: 'The amount is invalid (validation_failed) or above the authorized amount (amount_too_large).', problems: ['validation_failed', 'amount_too_large'] },
        ...NOT_FOUND_PAYMENT,
        409: { description: 'Not a manual payment (capture_not_allowed), or not authorized any more (invalid_state).', problems: ['capture_not_allowed', 'invalid_state'] },
      },
    },
    {
      method: 'post', path: '/v1/payments/:id/void', summary: 'Void before settlement; the hold is released',
      responses: {
        200: { description: 'Voided.', json: paymentSchema },
        ...NOT_FOUND_PAYMENT,
        409: { description: 'Not authorized or captured (invalid_state), or already taken by a settlement run (already_in_batch).', problems: ['invalid_state', 'already_in_batch'] },
      },
    },
    {
      method: 'post', path: '/v1/payments/:id/adjust', summary: 'Change the amount of an authorized payment (the new total)', body: adjustPaymentRequestSchema,
      headers: [IDEMPOTENCY_HEADER],
      responses: {
        200: { description: 'The payment with its new amount (a decrease is released at the provider; an increase was approved).', json: paymentSchema, headers: REPLAYED_HEADER },
        402: {
          description: 'The increase was declined (by the provider, or `limit_exceeded` by the spending limit): the payment keeps its old amount; `decline` says why.',
          json: paymentSchema, headers: REPLAYED_HEADER,
        },
        400: { description: 'The body is invalid (validation_failed), or the Idempotency-Key is missing (idempotency_key_required).', problems: ['validation_failed', 'idempotency_key_required'] },
        ...NOT_FOUND_PAYMENT,
        409: {
          description: 'Not authorized, or already taken by a settlement run (invalid_state); an earlier change of its amount is still being completed (adjustment_in_progress); '
            + 'the key was used with another body (idempotency_key_reused), or its first request is still being decided (idempotency_key_in_flight).',
          problems: ['invalid_state', 'adjustment_in_progress', 'idempotency_key_reused', IN_FLIGHT],
        },
        503: {
          description: 'The card company (or points provider) could not be reached: the amount did not change (adjustment_failed).', headers: REPLAYED_HEADER,
          problems: [{ code: 'adjustment_failed', extensions: { adjusted: z.literal(false), payment: paymentSchema } }],
        },
        504: {
          description: 'No answer in time; whether the amount changed is not known yet (adjustment_pending). Repeat with the same key for the final answer.',
          problems: [{ code: 'adjustment_pending', extensions: { payment: paymentSchema } }],
        },
      },
    },
    {
      method: 'post', path: '/v1/payments/:id/confirm', summary: 'Finish a payment after the shopper\'s 3-D Secure step',
      responses: {
        201: { description: 'Authorized (or the payment was already authorized: its state as it is).', json: paymentSchema },
        202: { description: 'The shopper has not finished the issuer\'s page yet: still `requires_action`, with the same `nextAction`.', json: paymentSchema },
        402: { description: 'Declined: `authentication_failed` when the cardholder was not authenticated, or another decline of the card company.', json: paymentSchema },
        ...NOT_FOUND_PAYMENT,
        503: {
          description: 'The card company could not be asked how the step ended (provider_unavailable): nothing changed, confirm again; '
            + 'or the payment has failed (network_unavailable; `reason` authentication_abandoned when the step took longer than AUTHENTICATION_TTL_MINUTES), and was not charged.',
          problems: ['provider_unavailable', { code: 'network_unavailable', extensions: { paymentStatus: z.literal('failed'), charged: z.literal(false), payment: paymentSchema } }],
        },
        504: {
          description: 'The authorization got no answer in time; the outcome is not known yet (confirmation_pending; the payment stays requires_action). Confirm again for the final answer.',
          problems: [{ code: 'confirmation_pending', extensions: { paymentStatus: z.literal('requires_action'), payment: paymentSchema } }],
        },
      },
    },
    { method: 'get', path: '/v1/payments/:id/refunds', summary: 'The payment\'s refunds, oldest first', responses: { 200: { description: 'The refunds.', json: refundListSchema }, ...NOT_FOUND_PAYMENT } },
    {
      method: 'post', path: '/v1/payments/:id/refunds', summary: 'Refund a settled payment (a credit in the next settlement run)', body: refundRequestSchema, headers: [IDEMPOTENCY_HEADER],
      responses: {
        201: { description: 'The refund, pending until the next run settles it.', json: refundSchema, headers: REPLAYED_HEADER },
        400: {
          description: 'The body is invalid (validation_failed), the amount is above what is left to refund (amount_exceeds_refundable), or the Idempotency-Key is missing (idempotency_key_required).',
          problems: ['validation_failed', 'amount_exceeds_refundable', 'idempotency_key_required'],
        },
        ...NOT_FOUND_PAYMENT,
        409: { description: 'The payment is not settled (invalid_state), or the key was used for another refund (idempotency_key_reused).', problems: ['invalid_state', 'idempotency_key_reused'] },
      },
    },
  ];
}

const NOT_FOUND_CARD: Responses = { 404: { description: 'No saved card with this id, or it was deleted (card_not_found).', problems: ['card_not_found'] } };

function cardOperations(): OperationSpec[] {
  return [
    {
      method: 'post', path: '/v1/cards', summary: 'Save a card: verified at the card company without charging it (amount 0), then kept encrypted', body: saveCardRequestSchema,
      headers: [IDEMPOTENCY_HEADER],
      responses: {
        201: { description: 'Saved (or, for a customer who already keeps this card with this expiry, that card). Never the number.', json: savedCardSchema, headers: REPLAYED_HEADER },
        400: {
          description: 'The body or the card is invalid (validation_failed, errors name the fields), or the Idempotency-Key is missing (idempotency_key_required).',
          problems: ['validation_failed', 'idempotency_key_required'],
        },
        402: { description: 'The card company declined the card (card_declined, with `decline`); nothing was stored.', problems: [{ code: 'card_declined', extensions: { decline: declineSchema } }] },
        409: {
          description: 'The key was used for another card (idempotency_key_reused), or its first request is still being answered (idempotency_key_in_flight, with its cardId).',
          problems: ['idempotency_key_reused', IN_FLIGHT],
        },
        503: { description: 'The card company could not be reached to verify the card (provider_unavailable); nothing was stored.', problems: ['provider_unavailable'] },
      },
    },
    {
      method: 'get', path: '/v1/cards', summary: 'A customer\'s saved cards, newest first (at most 100)', query: savedCardListQuerySchema,
      responses: { 200: { description: 'The cards.', json: savedCardListSchema }, ...INVALID('customerId is missing or invalid') },
    },
    { method: 'get', path: '/v1/cards/:id', summary: 'One saved card (never its number)', responses: { 200: { description: 'The card.', json: savedCardSchema }, ...NOT_FOUND_CARD } },
    {
      method: 'delete', path: '/v1/cards/:id', summary: 'Delete a saved card: its encrypted number is erased; payments made with it keep their masked card',
      responses: { 204: { description: 'Deleted.' }, ...NOT_FOUND_CARD },
    },
  ];
}

const RUN_EXTENSION = { run: settlementRunSchema };

function settlementOperations(): OperationSpec[] {
  return [
    {
      method: 'post', path: '/v1/settlements', summary: 'Start a settlement run now',
      responses: {
        200: { description: 'Nothing is ready to settle; no run was recorded.', json: settlementNothingReadySchema },
        201: { description: 'The run finished within a few seconds.', json: settlementRunSchema, headers: { Location: { description: 'the run\'s URL', required: true } } },
        202: { description: 'The run goes on (status running); follow it at Location.', json: settlementRunSchema, headers: { Location: { description: 'the run\'s URL', required: true } } },
        409: { description: 'A run is already going (settlement_running); it is under `run`.', problems: [{ code: 'settlement_running', extensions: RUN_EXTENSION }] },
        502: { description: 'The card company\'s answer did not match the batch (settlement_failed); the failed run is under `run`.', problems: [{ code: 'settlement_failed', extensions: RUN_EXTENSION }] },
        503: {
          description: 'The card company could not be reached (settlement_interrupted; the run, still running, is under `run` and resumes on the next trigger), '
            + 'or another instance is starting a run and has not recorded it yet (settlement_busy, with Retry-After).',
          problems: [{ code: 'settlement_interrupted', extensions: RUN_EXTENSION }, 'settlement_busy'],
          headers: { 'Retry-After': { description: 'seconds to wait (settlement_busy)', schema: z.string().regex(/^\d+$/) } },
        },
      },
    },
    {
      method: 'get', path: '/v1/settlements', summary: 'Settlement runs, newest first', query: pageQuery,
      responses: { 200: { description: 'A page of runs.', json: settlementRunListSchema }, ...INVALID('A query parameter is invalid') },
    },
    { method: 'get', path: '/v1/settlements/:id', summary: 'One settlement run', responses: { 200: { description: 'The run.', json: settlementRunSchema }, ...NOT_FOUND_RUN } },
    {
      method: 'get', path: '/v1/settlements/:id/items', summary: 'A run\'s items, paged (startingAfter is an item id)', query: pageQuery,
      responses: { 200: { description: 'A page of items.', json: settlementItemListSchema }, ...INVALID('A query parameter is invalid, or startingAfter is not an item id'), ...NOT_FOUND_RUN },
    },
    {
      method: 'get', path: '/v1/settlements/:id/reconciliation', summary: 'Our ledger against the card company\'s reports of the run\'s batches',
      responses: {
        200: { description: 'Matched items and every difference.', json: reconciliationSchema }, ...NOT_FOUND_RUN,
        503: { description: 'The card company could not be asked for its reports (provider_unavailable).', problems: ['provider_unavailable'] },
      },
    },
  ];
}

function probeOperations(): OperationSpec[] {
  return [
    { method: 'get', path: '/healthz', summary: 'Liveness', security: null, responses: { 200: { description: 'The process answers.', json: health } } },
    {
      method: 'get', path: '/readyz', summary: 'Readiness: the database (the card vault\'s included) and the card company answer, and the server is not shutting down', security: null,
      responses: { 200: { description: 'Ready.', json: readiness }, 503: { description: 'Not ready; `checks` says why.', json: readiness } },
    },
    { method: 'get', path: '/metrics', summary: 'Prometheus metrics', security: null, responses: { 200: { description: 'The metrics, in the Prometheus text format.', text: ['text/plain'] } } },
    { method: 'get', path: '/openapi.json', summary: 'This document', security: null, responses: { 200: { description: 'The OpenAPI 3.1 document.', json: z.looseObject({ openapi: z.literal('3.1.0') }) } } },
  ];
}

/** Every `/v1` request's body is read as JSON (1 MB at most), and a body that is not JSON is refused. */
const PROCESSING_BODY_ANSWERS: Responses = {
  ...jsonBodyAnswers('1 MB'),
  415: {
    description: 'The body is not JSON (unsupported_media_type), or its Content-Encoding or charset is not supported (unsupported_encoding).',
    problems: ['unsupported_media_type', 'unsupported_encoding'],
  },
};

/** The key is checked first, then the method, then the body (see app.ts); Express answers conditional GETs. */
function sharedResponses(operation: OperationShape): Responses {
  const keyed = operation.path.startsWith('/v1/');
  if (operation.method === 'options') return { ...(keyed ? UNAUTHORIZED : {}), ...INTERNAL_ERROR };
  return {
    ...(keyed ? { ...UNAUTHORIZED, ...PROCESSING_BODY_ANSWERS } : {}),
    ...(isConditional(operation) ? NOT_MODIFIED : {}),
    ...INTERNAL_ERROR,
  };
}

export const processingOpenApi = builtOnce((_options: void): Record<string, unknown> => buildOpenApi({
  title: 'cardlane processing server',
  version: '1',
  description: 'The merchant payment subsystem: authorize (a card or loyalty points, with 3-D Secure when the card issuer asks for it), change an authorized amount, capture, void, refund, settle. Amounts are integers in minor units '
    + '(for points, one point is one minor unit of POINTS_CURRENCY). A card payment carries `card` and `holderName`; a points payment `points` and neither of them. '
    + 'Every /v1 request needs Authorization: Bearer <key>; errors are application/problem+json whose `code` names the problem. '
    + 'Every /v1 request that carries a body must send JSON of at most 1 MB. '
    + OPTIONS_AND_405_TEXT,
  securitySchemes: BEARER_SECURITY_SCHEMES,
  defaultSecurity: 'bearer',
  schemas: { Payment: paymentSchema, Refund: refundSchema, SettlementRun: settlementRunSchema, SavedCard: savedCardSchema },
  optionsSecured: true,
  operations: [...paymentOperations(), ...settlementOperations(), ...cardOperations(), ...probeOperations()],
  sharedResponses,
  otherMethods: {
    description: 'A method a listed path does not take: 405 with Allow. Under /v1 a request without a valid key is refused first (401).',
    responses: { ...METHOD_NOT_ALLOWED, ...UNAUTHORIZED, ...INTERNAL_ERROR },
  },
  unknownPaths: {
    description: 'A path not listed here: 404. Under /v1 the key is checked first (401), then a body as for every /v1 request (400, 413, 415).',
    responses: { ...NOT_FOUND, ...UNAUTHORIZED, ...PROCESSING_BODY_ANSWERS, ...INTERNAL_ERROR },
  },
}));
