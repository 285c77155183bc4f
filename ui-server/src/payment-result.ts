/**
 * What the shopper is told: a processing outcome (or a form that never left) becomes one
 * `MakePaymentResult` and its HTTP status. JSON clients get the result as is; browsers get it
 * rendered by views/result-page.ts. The wording promises "not charged" only where that is
 * provably true (SPEC §7).
 */
import type { FieldProblem } from '../../shared/cards.ts';
import type { MakePaymentResult } from '../../shared/contracts/ui.ts';
import type { Payment } from '../../shared/contracts/processing.ts';
import { formatMinor } from '../../shared/money.ts';
import type { CreatePaymentOutcome } from './processing-client.ts';
import { toFormField, type OrderSummary } from './payment-form.ts';

export interface ShopperAnswer {
  httpStatus: 200 | 400 | 402 | 409 | 503;
  result: MakePaymentResult;
}

export const MESSAGES = {
  approved: 'Payment approved.',
  invalid: 'Some details need correcting. Nothing was charged.',
  // The first payment made with this key may have gone through: never say "not charged" here.
  keyReused: 'This checkout was already used for a payment with other details, and that payment may have gone through. Check your card statement or the earlier confirmation before you pay again.',
  notCharged: 'We could not complete the payment because of a technical problem. You have not been charged. Please try again in a few minutes.',
  pending: 'We are confirming your payment with your bank. Please do not pay again; the result will be ready in a moment.',
} as const;

/** Human reasons by decline code. Lost and stolen cards get the neutral bank message on purpose. */
const DECLINE_REASONS: Record<string, string> = {
  limit_exceeded: 'This card has reached its spending limit at this shop for today. Try a smaller amount or another card.',
  do_not_honor: 'Your bank declined the payment. Please contact your bank or use another card.',
  insufficient_funds: 'There are not enough funds or credit on this card for this amount.',
  expired_card: 'Your bank reports that this card has expired. Please use another card.',
  cvv_mismatch: 'The security code (CVV) does not match the card. Please check it and try again.',
  lost_card: 'Your bank declined the payment. Please contact your bank.',
  stolen_card: 'Your bank declined the payment. Please contact your bank.',
  issuer_unavailable: 'Your bank could not be reached just now. Please try again in a few minutes.',
  invalid_card_number: 'Your bank does not recognise this card number. Please check it or use another card.',
  exceeds_amount_limit: 'The amount is above what this card allows for a single payment. Try a smaller amount or another card.',
  system_malfunction: 'The card network had a technical problem. Please try again in a few minutes.',
};
const DECLINE_FALLBACK = 'The payment was declined. Please use another card or contact your bank.';

export function declineReason(code: string | undefined): string {
  // hasOwn, so a code such as "toString" cannot pick up a prototype member.
  return code !== undefined && Object.hasOwn(DECLINE_REASONS, code) ? (DECLINE_REASONS[code] ?? DECLINE_FALLBACK) : DECLINE_FALLBACK;
}

function fromPayment(payment: Payment): Pick<MakePaymentResult, 'paymentId' | 'card' | 'amount' | 'currency'> {
  return {
    paymentId: payment.id,
    ...(payment.card ? { card: { brand: payment.card.brand, last4: payment.card.last4 } } : {}),
    amount: formatMinor(payment.amount, payment.currency),
    currency: payment.currency,
  };
}

export function invalidFormAnswer(errors: FieldProblem[], order: OrderSummary): ShopperAnswer {
  return {
    httpStatus: 400,
    result: { status: 'error', message: MESSAGES.invalid, amount: order.amountText, currency: order.currency, errors },
  };
}

export function answerFor(outcome: CreatePaymentOutcome, order: OrderSummary): ShopperAnswer {
  const orderOnly = { amount: order.amountText, currency: order.currency };
  switch (outcome.kind) {
    case 'authorized':
      return {
        httpStatus: 200,
        result: {
          status: 'approved', message: MESSAGES.approved, ...fromPayment(outcome.payment),
          ...(outcome.payment.authorizationCode ? { authorizationCode: outcome.payment.authorizationCode } : {}),
        },
      };
    case 'declined': {
      const declineCode = outcome.payment.decline?.code;
      return {
        httpStatus: 402,
        result: {
          status: 'declined', message: declineReason(declineCode), ...fromPayment(outcome.payment),
          ...(declineCode ? { declineCode } : {}),
        },
      };
    }
    case 'invalid': {
      const errors = outcome.errors.map((problem) => ({ field: toFormField(problem.field), message: problem.message }));
      return invalidFormAnswer(errors.length > 0 ? errors : [{ field: 'body', message: outcome.message }], order);
    }
    case 'key_reused':
      return { httpStatus: 409, result: { status: 'error', code: 'idempotency_key_reused', message: MESSAGES.keyReused, ...orderOnly } };
    case 'in_flight':
      return {
        httpStatus: 409,
        result: {
          status: 'pending', message: MESSAGES.pending, ...orderOnly,
          ...(outcome.paymentId ? { paymentId: outcome.paymentId } : {}),
          ...(outcome.payment ? fromPayment(outcome.payment) : {}),
        },
      };
    case 'not_charged':
      return { httpStatus: 503, result: { status: 'error', message: MESSAGES.notCharged, ...orderOnly, ...(outcome.payment ? fromPayment(outcome.payment) : {}) } };
    case 'unknown':
      return { httpStatus: 503, result: { status: 'pending', message: MESSAGES.pending, ...orderOnly, ...(outcome.payment ? fromPayment(outcome.payment) : {}) } };
  }
}

/** A payment looked up later (GET /payments/:id): the same four answers, by its current status. */
export function resultForPayment(payment: Payment): MakePaymentResult {
  const base = fromPayment(payment);
  switch (payment.status) {
    case 'authorized':
    case 'captured':
    case 'settled':
    case 'partially_refunded':
    case 'refunded':
      return {
        status: 'approved', message: MESSAGES.approved, ...base,
        ...(payment.authorizationCode ? { authorizationCode: payment.authorizationCode } : {}),
      };
    case 'declined':
      return {
        status: 'declined', message: declineReason(payment.decline?.code), ...base,
        ...(payment.decline?.code ? { declineCode: payment.decline.code } : {}),
      };
    case 'pending':
      return { status: 'pending', message: MESSAGES.pending, ...base };
    case 'failed':
      return { status: 'error', message: MESSAGES.notCharged, ...base };
    case 'voided':
    case 'expired':
    case 'settlement_rejected':
      return { status: 'error', message: 'This payment was cancelled and the hold on your card released. You have not been charged.', ...base };
  }
}
