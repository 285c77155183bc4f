/** The back office's pages in the UI server's API description: HTML for a logged-in merchant, forms that redirect. */
import type { OperationSpec, Responses, ResponseSpec } from '../../shared/http/openapi.ts';
import { SESSION_COOKIE } from './admin/auth.ts';

export const ADMIN_SESSION_SCHEME = 'adminSession';
export const ADMIN_SECURITY_SCHEMES = {
  [ADMIN_SESSION_SCHEME]: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'The back-office session, set by POST /admin/login (HttpOnly, SameSite=Strict, Path=/admin).' },
};

const page = (description: string): ResponseSpec => ({ description, html: true });
/** Express's redirect: a short text or HTML body naming the target, by the Accept header. */
export const redirect = (description: string): ResponseSpec => ({
  description, text: ['text/plain'], html: true, headers: { Location: { description: 'where to go', required: true } },
});

const TO_LOGIN: Responses = { 303: redirect('No session: to the login page, which comes back here after it.') };
const UNAVAILABLE: Responses = { 503: page('The processing server could not be reached, gave an unreadable answer, or refused the UI server\'s key (a page).') };
const NO_SESSION_POST: Responses = { 401: page('No session: the form cannot be replayed; log in again (a page).') };
const CSRF: Responses = { 403: page('The form\'s CSRF token does not match the session (a page).') };
const AFTER_ACTION: Responses = { 303: redirect('Done or refused: back to the page, which shows the outcome.') };

/** A back-office form: urlencoded fields, every one a string. */
function form(fields: string[]): Record<string, unknown> {
  return { type: 'object', properties: Object.fromEntries(fields.map((name) => [name, { type: 'string' }])) };
}

const ACTION_FIELDS = ['csrfToken', 'idempotencyKey', 'amount'];

function paymentOperations(): OperationSpec[] {
  const action = (name: string, summary: string): OperationSpec => ({
    method: 'post', path: `/admin/payments/:paymentId/${name}`, summary, form: form(ACTION_FIELDS),
    responses: { ...AFTER_ACTION, ...NO_SESSION_POST, ...CSRF, 404: page('No such payment (a page).'), ...UNAVAILABLE },
  });
  return [
    {
      method: 'get', path: '/admin/payments', summary: 'The payments, newest first, with filters (status, from, to) and paging (after)',
      responses: { 200: page('The list.'), 400: page('A filter is invalid; the page says which.'), ...TO_LOGIN, ...UNAVAILABLE },
    },
    {
      method: 'get', path: '/admin/payments/:paymentId', summary: 'One payment with its capture, change of amount, void and refund forms',
      responses: { 200: page('The payment.'), ...TO_LOGIN, 404: page('No such payment (a page).'), ...UNAVAILABLE },
    },
    {
      method: 'get', path: '/admin/customers/:customerId/cards', summary: 'A customer\'s saved cards (brand, last four, expiry, holder; never a number)',
      responses: { 200: page('The cards.'), ...TO_LOGIN, 404: page('Not a customer id (a page).'), ...UNAVAILABLE },
    },
    action('capture', 'Capture a manual payment (amount in major units)'),
    action('adjust', 'Change the amount of an authorized payment (the new total, in major units)'),
    action('void', 'Void a payment before settlement'),
    action('refunds', 'Refund a settled payment (amount in major units)'),
  ];
}

function settlementOperations(): OperationSpec[] {
  return [
    { method: 'get', path: '/admin/settlements', summary: 'The settlement runs, newest first', responses: { 200: page('The runs.'), ...TO_LOGIN, ...UNAVAILABLE } },
    {
      method: 'post', path: '/admin/settlements', summary: 'Run settlement now', form: form(['csrfToken']),
      responses: { 303: redirect('To the run (or the runs when nothing was ready or the run failed to start).'), ...NO_SESSION_POST, ...CSRF },
    },
    {
      method: 'get', path: '/admin/settlements/:runId', summary: 'One run: totals, items (paged by itemsAfter) and, once finished, its reconciliation',
      responses: { 200: page('The run.'), ...TO_LOGIN, 404: page('No such run (a page).'), ...UNAVAILABLE },
    },
  ];
}

export function adminOperations(): OperationSpec[] {
  return [
    { method: 'get', path: '/admin/', summary: 'The back office: to the payments, or to the login', security: null, responses: { 303: redirect('To /admin/payments with a session, else to /admin/login.') } },
    {
      method: 'get', path: '/admin/login', summary: 'The login form', security: null,
      responses: { 200: page('The form.'), 303: redirect('Already logged in: to `next`.') },
    },
    {
      method: 'post', path: '/admin/login', summary: 'Log in (ADMIN_USER, ADMIN_PASSWORD); 10 failures per address in 15 minutes, then 429', security: null, form: form(['user', 'password', 'next']),
      responses: {
        303: redirect('Logged in (a new session cookie): to `next`, a back-office path.'),
        401: page('The user name or password is not right (the form again).'),
        429: page('Too many failed logins from this address (a page).'),
      },
    },
    {
      method: 'post', path: '/admin/logout', summary: 'Log out', security: null, form: form(['csrfToken']),
      responses: { 303: redirect('To the login page; the session is gone.'), ...CSRF },
    },
    ...[
      ...paymentOperations(),
      ...settlementOperations(),
      {
        method: 'get', path: '/admin/activity', summary: 'Approvals, declines and settled volume per hour (a chart), for one currency (currency)',
        responses: { 200: page('The chart page.'), ...TO_LOGIN, ...UNAVAILABLE },
      } satisfies OperationSpec,
    ].map((operation) => ({ ...operation, security: ADMIN_SESSION_SCHEME })),
  ];
}
