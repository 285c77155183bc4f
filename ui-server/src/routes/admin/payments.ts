/** Back-office payments: the list, one payment, its capture, void and refund forms, and the saved cards of its customer. */
import { randomUUID } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { paymentStatusSchema, type Payment } from '../../../../shared/contracts/processing.ts';
import { notFound } from '../../../../shared/errors.ts';
import { parseDecimalAmount } from '../../../../shared/money.ts';
import { requireCsrfToken, sessionOf } from '../../admin/auth.ts';
import type { Answer } from '../../admin/back-office-client.ts';
import { takeFlash, type AdminSession } from '../../admin/sessions.ts';
import { renderCustomerCards } from '../../views/admin/customer-pages.ts';
import { refundableMinor, renderPaymentDetail, renderPaymentList, type PaymentFilters } from '../../views/admin/payment-pages.ts';
import { moneyText } from '../../views/money-text.ts';
import { adminForm, bodyText, callContext, cursor, ID_PATTERN, queryText, unwrap, type AdminDeps } from './common.ts';

export const PAYMENTS_PAGE_SIZE = 25;
const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** A UTC day typed in a date input, as the start of that day (ISO), or undefined if not a real day. */
function dayStart(text: string): Date | undefined {
  if (!DAY_PATTERN.test(text)) return undefined;
  const date = new Date(`${text}T00:00:00.000Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text ? undefined : date;
}

/** The filters as typed, their errors, and the processing query: `to` is exclusive there, so the day after. */
export function readFilters(request: Request) {
  const filters: PaymentFilters = { status: queryText(request, 'status'), from: queryText(request, 'from'), to: queryText(request, 'to'), after: cursor(request, 'after') };
  const errors: string[] = [];
  const status = filters.status === undefined ? undefined : paymentStatusSchema.safeParse(filters.status);
  if (status && !status.success) errors.push('Status: choose one from the list.');
  const from = filters.from === undefined ? undefined : dayStart(filters.from);
  const to = filters.to === undefined ? undefined : dayStart(filters.to);
  if (filters.from !== undefined && !from) errors.push('From: enter a date such as 2026-01-31.');
  if (filters.to !== undefined && !to) errors.push('To: enter a date such as 2026-01-31.');
  if (from && to && from > to) errors.push('From must not be after To.');
  const query = {
    limit: PAYMENTS_PAGE_SIZE,
    startingAfter: filters.after,
    status: status?.success ? status.data : undefined,
    from: from?.toISOString(),
    to: to ? new Date(to.getTime() + 86_400_000).toISOString() : undefined,
  };
  return { filters, errors, query };
}

function freshKeys() {
  return { capture: randomUUID(), adjust: randomUUID(), void: randomUUID(), refund: randomUUID() };
}

type Action = 'capture' | 'adjust' | 'void' | 'refund';

/** A refused action in the merchant's words, with amounts in major units. */
function refusalMessage(action: Action, payment: Payment, answer: Exclude<Answer<unknown>, { kind: 'ok' }>): string {
  if (answer.kind === 'unavailable') {
    return 'The processing server did not answer. Reload this page to see whether the action took effect before trying again.';
  }
  if (action === 'adjust' && answer.status === 402 && answer.code !== 'limit_exceeded') {
    return `The ${payment.paymentMethod === 'points' ? 'points provider' : 'card issuer'} declined the higher amount (${answer.detail}); the amount did not change.`;
  }
  switch (answer.code) {
    case 'amount_too_large':
      return `The capture may be at most ${moneyText(payment.amount, payment.currency)}.`;
    case 'limit_exceeded':
      return `The new amount is above what this ${payment.paymentMethod === 'points' ? 'points account' : 'card'} may spend in 24 hours (the spending limit); the amount did not change.`;
    case 'adjustment_in_progress':
      return 'An earlier change of this payment\'s amount is still being completed; try again in a minute.';
    case 'amount_exceeds_refundable':
      return `The refund may be at most ${moneyText(refundableMinor(payment), payment.currency)} (settled minus already refunded).`;
    case 'idempotency_key_reused':
      return 'This form was already used for a different amount. The page has been reloaded; try again.';
    default:
      return `Could not ${action} this payment: ${answer.detail}`;
  }
}

async function loadPayment(deps: AdminDeps, request: Request): Promise<Payment> {
  const paymentId = String(request.params.paymentId);
  if (!ID_PATTERN.test(paymentId)) throw notFound('The payment');
  return unwrap(await deps.client.getPayment(paymentId, callContext(request)), 'The payment');
}

/** Reads the amount field in the payment's currency, or sets the flash and answers undefined. */
function readAmount(request: Request, payment: Payment, session: AdminSession): number | undefined {
  const parsed = parseDecimalAmount(bodyText(request, 'amount'), payment.currency);
  if (parsed.ok) return parsed.amountMinor;
  session.flash = { kind: 'error', message: `Amount: ${parsed.message}.` };
  return undefined;
}

async function performAction(deps: AdminDeps, request: Request, response: Response, action: Action): Promise<void> {
  const session = sessionOf(response);
  const payment = await loadPayment(deps, request);
  const detailUrl = `/admin/payments/${encodeURIComponent(payment.id)}`;
  const context = { ...callContext(request), idempotencyKey: bodyText(request, 'idempotencyKey') || randomUUID() };
  const amount = action === 'void' ? undefined : readAmount(request, payment, session);
  if (action !== 'void' && amount === undefined) {
    response.redirect(303, detailUrl);
    return;
  }
  const answer = action === 'capture' ? await deps.client.capture(payment.id, amount, context)
    : action === 'adjust' ? await deps.client.adjust(payment.id, amount ?? 0, context)
      : action === 'void' ? await deps.client.voidPayment(payment.id, context)
        : await deps.client.refund(payment.id, amount ?? 0, context);
  request.log.info({ event: `admin_${action}`, paymentId: payment.id, user: session.user, outcome: answer.kind, status: answer.kind === 'unavailable' ? undefined : answer.status }, 'back-office action');
  if (answer.kind !== 'ok') {
    session.flash = { kind: 'error', message: refusalMessage(action, payment, answer) };
  } else if (action === 'capture') {
    session.flash = { kind: 'success', message: `Captured ${moneyText(amount ?? 0, payment.currency)}. It will be settled by the next settlement run.` };
  } else if (action === 'adjust') {
    session.flash = { kind: 'success', message: `The amount is now ${moneyText(amount ?? 0, payment.currency)}.` };
  } else if (action === 'void') {
    session.flash = { kind: 'success', message: 'Payment voided: the hold on the card is released and it will not be settled.' };
  } else {
    session.flash = { kind: 'success', message: `Refund of ${moneyText(amount ?? 0, payment.currency)} recorded; the next settlement run credits it to the card.` };
  }
  // Post/redirect/get: reloading the result page never repeats the action.
  response.redirect(303, detailUrl);
}

export function paymentRoutes(deps: AdminDeps): Router {
  const router = express.Router();

  router.get('/payments', async (request, response) => {
    const session = sessionOf(response);
    const { filters, errors, query } = readFilters(request);
    const page = errors.length > 0 ? { data: [], hasMore: false } : unwrap(await deps.client.listPayments(query, callContext(request)), 'The payments');
    response.status(errors.length > 0 ? 400 : 200).type('html').send(renderPaymentList({
      session, flash: takeFlash(session), filters, filterErrors: errors, payments: page.data, hasMore: page.hasMore,
    }));
  });

  router.get('/payments/:paymentId', async (request, response) => {
    const session = sessionOf(response);
    const payment = await loadPayment(deps, request);
    response.type('html').send(renderPaymentDetail({ session, flash: takeFlash(session), payment, keys: freshKeys() }));
  });

  router.get('/customers/:customerId/cards', async (request, response) => {
    const session = sessionOf(response);
    const customerId = String(request.params.customerId);
    if (!ID_PATTERN.test(customerId)) throw notFound('The customer');
    const cards = unwrap(await deps.client.listCustomerCards(customerId, callContext(request)), 'The customer');
    response.type('html').send(renderCustomerCards({ session, flash: takeFlash(session), customerId, cards: cards.data }));
  });

  const csrf = requireCsrfToken();
  router.post('/payments/:paymentId/capture', adminForm, csrf, (request, response) => performAction(deps, request, response, 'capture'));
  router.post('/payments/:paymentId/adjust', adminForm, csrf, (request, response) => performAction(deps, request, response, 'adjust'));
  router.post('/payments/:paymentId/void', adminForm, csrf, (request, response) => performAction(deps, request, response, 'void'));
  router.post('/payments/:paymentId/refunds', adminForm, csrf, (request, response) => performAction(deps, request, response, 'refund'));
  return router;
}
