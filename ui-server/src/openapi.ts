/**
 * The UI server's API description: the checkout (POST /make-payment, as a form or JSON), the
 * payment look-up, the pages and static files, the back office, the probes. Browsers get HTML
 * pages; clients that ask for JSON get JSON or problem+json.
 */
import path from 'node:path';
import { z } from 'zod';
import { checkoutRepeatSchema, makePaymentFormSchema, makePaymentResultSchema } from '../../shared/contracts/ui.ts';
import { INTERNAL_ERROR, isConditional, METHOD_NOT_ALLOWED, NOT_MODIFIED, OPTIONS_AND_405_TEXT } from '../../shared/http/openapi-common.ts';
import { jsonSchema } from '../../shared/http/openapi-responses.ts';
import { buildOpenApi, builtOnce, type OperationShape, type OperationSpec, type Responses, type ResponseSpec } from '../../shared/http/openapi.ts';
import { ADMIN_SECURITY_SCHEMES, adminOperations, redirect } from './openapi-admin.ts';

export interface UiDocumentOptions {
  /** The URL paths of the files served from the public folder. */
  publicFiles: string[];
  /** How many folders deep the chart library's distribution files lie (0: all at its top). */
  chartFolderDepth: number;
}

export const CHART_JS_PATH = '/admin/vendor/chart.js';

const MEDIA_TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

/** What express.static answers for a file it has: whole, a range, not modified, or a refused precondition or range. */
function staticFileResponses(mediaType: string): Responses {
  return {
    200: { description: 'The file.', text: [mediaType] },
    206: { description: 'The part of the file the Range header asked for.', text: [mediaType], headers: { 'Content-Range': { description: 'the part sent', required: true } } },
    ...NOT_MODIFIED,
    412: { description: 'If-Match or If-Unmodified-Since does not hold (bad_request).', problems: ['bad_request'] },
    416: { description: 'The Range cannot be satisfied (bad_request).', problems: ['bad_request'] },
  };
}

/** How many folders below `mountPath` the deepest of `files` (URL paths) lies. */
export function folderDepth(files: string[], mountPath: string): number {
  const mountSegments = mountPath.split('/').length;
  return Math.max(0, ...files.map((file) => file.split('/').length - mountSegments - 1));
}

/** `{file}`, `{folder1}/{file}`, …: one template per depth of the chart library's folders. */
function chartTemplates(folderDepth: number): string[] {
  return Array.from({ length: folderDepth + 1 }, (_unused, depth) => [
    ...Array.from({ length: depth }, (_folder, index) => `:folder${index + 1}`), ':file',
  ].join('/'));
}

function staticOperations(publicFiles: string[], chartFolderDepth: number): OperationSpec[] {
  const files: OperationSpec[] = publicFiles
    // The checkout page is rendered by a route (with the shopper's order kept), not served as a file.
    .filter((file) => file !== '/payment.html')
    .map((file) => ({
      method: 'get', path: file, summary: `The static file ${file.slice(1)}`, security: null,
      responses: staticFileResponses(MEDIA_TYPES[path.extname(file)] ?? '*/*'),
    }));
  const chartFiles: OperationSpec[] = chartTemplates(chartFolderDepth).map((template) => ({
    method: 'get', path: `${CHART_JS_PATH}/${template}`, security: null,
    summary: 'A file of the chart library\'s distribution folder, from the installed npm package (the activity page loads chart.umd.min.js)',
    responses: { ...staticFileResponses('*/*'), ...missingChartFile },
  }));
  return [...files, ...chartFiles];
}

/** A chart file that does not exist falls through to the back office, which wants a session first. */
const missingChartFile: Responses = {
  303: redirect('No such file and no back-office session: to the login page.'),
  404: { description: 'No such file (a page).', html: true },
};

const result = (description: string): ResponseSpec => ({ description, json: makePaymentResultSchema, html: true });

const RATE_LIMIT_HEADERS = { RateLimit: { description: 'the limit, what is left and when the window resets' }, 'RateLimit-Policy': { description: 'the limit and its window' } };
const CUSTOMER_COOKIE_HEADER = { 'Set-Cookie': { description: 'cardlane_customer, when a card was saved or a saved card paid' } };
/** The checkout's fields, and the mark a client without cookies puts on a repeat. */
const checkoutBodySchema = makePaymentFormSchema.extend(checkoutRepeatSchema.shape);

/** The answers to a post that reached (or may have reached) a processing instance mark its key in the browser. */
const SENT_COOKIE_HEADER = {
  'Set-Cookie': { description: 'cardlane_sent_<digest of the idempotencyKey>=1 (Path=/make-payment, HttpOnly, SameSite=Strict, 24 h): a later post of the same key is a repeat' },
};
const marked = (description: string): ResponseSpec => ({ ...result(description), headers: SENT_COOKIE_HEADER });
/** An approval may set both: the key's mark, and the returning shopper's customer cookie. */
const SENT_AND_CUSTOMER_COOKIE_HEADER = {
  'Set-Cookie': { description: `${SENT_COOKIE_HEADER['Set-Cookie'].description}; and ${CUSTOMER_COOKIE_HEADER['Set-Cookie'].description}` },
};

function checkoutOperations(): OperationSpec[] {
  return [
    {
      method: 'post', path: '/make-payment', security: null, body: checkoutBodySchema, form: jsonSchema(checkoutBodySchema, 'input'),
      summary: 'Pay: the checkout form (urlencoded, as payment.html posts it) or JSON, by card (the card fields; `saveCard: on` keeps the card for next time '
        + 'after an approval), with `paymentMethod: saved_card` (savedCardId, one of the cards of the customer the cardlane_customer cookie names) or with '
        + '`paymentMethod: points` (pointsAccount and pointsPin instead, in POINTS_CURRENCY only). A browser gets a page; a client that asks for JSON (or posts it) gets JSON',
      description: 'A final answer other than 200 (400, 402, or 503 with status error) means the shopper was not charged; 409 and 503 with status pending mean '
        + 'the outcome is not known yet: the same request with the same idempotencyKey later gets the final answer. 409 with status error and code '
        + 'idempotency_key_reused answers a key already used with other details. Posts are limited per client address and minute (UI_RATE_LIMIT_PER_MINUTE). '
        + 'Saving a card comes after the approval: `cardSaved` says whether it worked, and a card that could not be saved leaves the approval a 200. '
        + 'A saved card sets (or renews) the cardlane_customer cookie: HttpOnly, SameSite=Lax, Secure over HTTPS, 180 days. '
        + 'A post that reached a processing instance gets a cookie for its key; when no instance can be reached, a post of that key with the cookie '
        + '(or with repeat: "true", for a client without cookies) is answered 503 pending, never "not charged": the first request may have created the payment.',
      responses: {
        200: { ...marked('Approved: amount, masked card, authorization code (and cardSaved, when the card was to be saved).'), headers: SENT_AND_CUSTOMER_COOKIE_HEADER },
        202: {
          ...marked('The card\'s issuer asks the shopper to confirm the payment (3-D Secure), for a client that asked for JSON: status requires_action, '
            + '`paymentId`, and `nextAction: {type: "redirect", url}`, the issuer\'s page. Send the shopper\'s browser there; it comes back to '
            + 'GET /payments/authentication-return, which confirms the payment and shows the final result. Nothing is charged until then.'),
          html: false,
        },
        303: {
          ...redirect('For a browser, a card whose issuer asks the shopper to confirm (3-D Secure): to the issuer\'s page (NETWORK_PUBLIC_URL), '
            + 'which sends it back to GET /payments/authentication-return.'),
          headers: SENT_COOKIE_HEADER,
        },
        402: marked('Declined, with a reason for the shopper; not charged.'),
        400: {
          ...marked('A field is invalid (errors name each; a browser gets the form again with the errors beside the fields), or the JSON body is malformed (malformed_body).'),
          problems: ['malformed_body'],
        },
        409: marked('The first request with this key is still being answered (status pending), or the key was used with other details (status error, code idempotency_key_reused).'),
        503: marked('No processing instance could be reached (status error: not charged; no cookie), the payment failed (status error), or the outcome is not known yet (status pending).'),
        415: { description: 'The body is neither a form nor JSON (unsupported_media_type).', problems: ['unsupported_media_type'], html: true },
        429: { description: 'Too many payments from this address in a minute (rate_limited).', problems: ['rate_limited'], html: true, headers: RATE_LIMIT_HEADERS },
      },
    },
    {
      method: 'post', path: '/saved-cards/:cardId/remove', security: null, summary: 'Remove one of the saved cards of the customer the cardlane_customer cookie names (the checkout page\'s Remove button)',
      form: { type: 'object', properties: { amount: { type: 'string' }, currency: { type: 'string' } }, description: 'The order to keep on the checkout page it goes back to; may be empty.' },
      responses: {
        303: redirect('Removed: back to the checkout page (a browser), with the order kept and a notice.'),
        204: { description: 'Removed (a client that does not ask for HTML).' },
        404: { description: 'No such card among this shopper\'s saved cards, or no shopper cookie (not_found; a page for a browser).', problems: ['not_found'], html: true },
        429: { description: 'Too many posts from this address in a minute (rate_limited).', problems: ['rate_limited'], html: true, headers: RATE_LIMIT_HEADERS },
        503: { description: 'The processing server could not be reached (processing_unavailable).', problems: ['processing_unavailable'], html: true },
      },
    },
    {
      method: 'get', path: '/payments/authentication-return', security: null,
      summary: 'Where the card issuer\'s 3-D Secure page sends the shopper back: confirms the payment and shows the final result (a page, or JSON)',
      query: z.object({ paymentId: z.string() }),
      description: 'Safe to repeat: the processing server authorizes a payment once, and a confirm only finishes what the shopper did at the bank.',
      responses: {
        200: result('Approved: amount, masked card, authorization code.'),
        202: { description: 'The bank\'s page is not finished yet, for a client that asked for JSON: status requires_action with `nextAction`.', json: makePaymentResultSchema },
        303: redirect('The bank\'s page is not finished yet: a browser goes back to it.'),
        402: result('Declined, in plain words (the bank could not confirm it was the cardholder); not charged.'),
        404: { description: 'No such payment, or no payment id (not_found).', problems: ['not_found'], html: true },
        503: result('Not completed: the payment failed, or the confirmation with the bank took too long (status error: not charged); or the outcome is not known yet (status pending; a page looks again by itself).'),
      },
    },
    {
      method: 'get', path: '/payments/:paymentId', security: null, summary: 'The current state of a payment, for a shopper told "pending" (a page, or JSON)',
      responses: {
        200: result('The payment as a checkout result (status requires_action, with `nextAction`, while the bank waits for the shopper).'),
        303: redirect('A payment waiting for the shopper at the bank (3-D Secure): a browser goes to the bank\'s page.'),
        404: { description: 'No such payment, or not a payment id (pay_ and letters or digits) (not_found).', problems: ['not_found'], html: true },
        503: { description: 'The processing server could not be reached (processing_unavailable).', problems: ['processing_unavailable'], html: true },
      },
    },
  ];
}

function pageOperations(): OperationSpec[] {
  const probe = (pathName: string, summary: string, responses: Responses): OperationSpec => ({ method: 'get', path: pathName, summary, security: null, responses });
  return [
    probe('/', 'To the checkout page', { 302: redirect('To /payment.html.') }),
    {
      method: 'get', path: '/payment.html', security: null,
      summary: 'The checkout page; `amount`, `currency` and `method` in the query are kept in the form, `notice` says what just happened (card_removed)',
      query: z.object({ amount: z.string().optional(), currency: z.string().optional(), method: z.string().optional(), notice: z.string().optional() }),
      responses: { 200: { description: 'The page, with a fresh idempotency key, and the saved cards of the customer the cardlane_customer cookie names.', html: true } },
    },
    probe('/checkout-messages.js', 'The checkout page\'s messages, for its script', { 200: { description: 'A JavaScript module.', text: ['text/javascript'] } }),
    probe('/healthz', 'Liveness', { 200: { description: 'The process answers.', json: z.object({ status: z.literal('ok') }) } }),
    probe('/readyz', 'Readiness: false only while shutting down', {
      200: { description: 'Ready.', json: z.object({ status: z.literal('ready') }) },
      503: { description: 'Shutting down.', json: z.object({ status: z.literal('shutting_down') }) },
    }),
    probe('/metrics', 'Prometheus metrics', { 200: { description: 'The metrics, in the Prometheus text format.', text: ['text/plain'] } }),
    probe('/openapi.json', 'This document', { 200: { description: 'The OpenAPI 3.1 document.', json: z.looseObject({ openapi: z.literal('3.1.0') }) } }),
  ];
}

const CROSS_SITE: Responses = {
  403: { description: 'Posted from another site: Sec-Fetch-Site cross-site, or an Origin other than this server\'s (cross_site_request).', problems: ['cross_site_request'], html: true },
};

/** Every POST passes the cross-site guard and reads a small form (or JSON) body; GETs may be answered 304. */
function sharedResponses(operation: OperationShape): Responses {
  if (operation.method === 'get' || operation.method === 'head') return { ...(isConditional(operation) ? NOT_MODIFIED : {}), ...INTERNAL_ERROR };
  if (operation.method !== 'post') return INTERNAL_ERROR;
  return {
    ...CROSS_SITE,
    400: { description: 'The body could not be read (request_aborted, bad_request).', problems: ['request_aborted', 'bad_request'] },
    413: { description: 'The body is larger than 16 KB (payload_too_large) or has too many fields (too_many_parameters).', problems: ['payload_too_large', 'too_many_parameters'] },
    415: { description: 'The body\'s Content-Encoding or charset is not supported (unsupported_encoding).', problems: ['unsupported_encoding'] },
    ...INTERNAL_ERROR,
  };
}

export const uiOpenApi = builtOnce((options: UiDocumentOptions): Record<string, unknown> => buildOpenApi({
  title: 'cardlane UI server',
  version: '1',
  description: 'The merchant web front end: the checkout page and its form post, the payment look-up, the back office under /admin/ (a session cookie '
    + 'from POST /admin/login), static files, probes. A browser (Accept ranking HTML above JSON) gets pages; other clients get JSON, and '
    + 'application/problem+json for errors. ' + OPTIONS_AND_405_TEXT,
  securitySchemes: ADMIN_SECURITY_SCHEMES,
  schemas: { CheckoutResult: makePaymentResultSchema },
  operations: [...checkoutOperations(), ...pageOperations(), ...staticOperations(options.publicFiles, options.chartFolderDepth), ...adminOperations()],
  sharedResponses,
  otherMethods: { description: 'A method a listed path does not take: 405 with Allow.', responses: { ...METHOD_NOT_ALLOWED, ...INTERNAL_ERROR } },
  unknownPaths: {
    description: 'A path not listed here: 404 (a page for a browser). Under /admin/ the session comes first: without one a GET goes to the login (303) '
      + 'and any other method is refused (401). A post from another site is refused first (403).',
    responses: {
      303: redirect('Under /admin/ without a session: to the login page.'),
      401: { description: 'Under /admin/, a method other than GET without a session (a page).', html: true },
      ...CROSS_SITE,
      404: { description: 'No such path (not_found; a page for a browser).', problems: ['not_found'], html: true },
      ...INTERNAL_ERROR,
    },
  },
}));
