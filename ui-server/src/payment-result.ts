/**
 * What the shopper is told: a processing outcome (or a form that never left) becomes one
 * `MakePaymentResult` and its HTTP status. JSON clients get the result as is; browsers get it
 * rendered by views/result-page.ts. The wording promises "not charged" only where that is
 * provably true (SPEC §7).
 */
import type { FieldProblem } from '../../shared/cards.ts';
import type { CheckoutMethod, MakePaymentResult } from '../../shared/contracts/ui.ts';
import type { Payment } from '../../shared/contracts/processing.ts';
import { formatMinor } from '../../shared/money.ts';
import { maskedPointsAccount } from '../../shared/points.ts';
import { checkoutMessage } from './checkout-messages.ts';
import type { CreatePaymentOutcome } from './processing-client.ts';
import { toFormField, type OrderSummary } from './payment-form.ts';

export interface ShopperAnswer {
  httpStatus: 200 | 202 | 400 | 402 | 409 | 503;
  result: MakePaymentResult;
}

export const MESSAGES = {
  approved: 'Payment approved.',
  invalid: 'Some details need correcting. Nothing was charged.',
  // The first payment made with this key may have gone through: never say "not charged" here.
  keyReused: 'This checkout was already used for a payment with other details, and that payment may have gone through. Check your card statement or the earlier confirmation before you pay again.',
  notCharged: 'We could not complete the payment because of a technical problem. You have not been charged. Please try again in a few minutes.',
  pending: 'We are confirming your payment with your bank. Please do not pay again; the result will be ready in a moment.',
  cardSaved: 'Payment approved. Your card is saved for your next checkout.',
  // The payment stands: failing to save the card never turns an approval into an error.
  cardNotSaved: 'Paid; we could not save the card. You can save it on your next checkout.',
  requiresAction: 'Your bank asks you to confirm this payment. Continue to your bank\'s page to finish it.',
  // The shopper left the bank's page unfinished for longer than the payment waits (3-D Secure).
  abandoned: 'The confirmation with your bank was not finished in time, so the payment was cancelled. You have not been charged.',
} as const;

/** What paid, as the shopper's words tell it: a saved card is a card. */
type PaidWith = Exclude<CheckoutMethod, 'saved_card'>;

/** A payment cancelled after its approval: the hold is gone, by card or by points. */
const RELEASED: Record<PaidWith, string> = {
  card: 'This payment was cancelled and the hold on your card released. You have not been charged.',
  points: 'This payment was cancelled and the points held for it released. You have not been charged.',
};

/** Human reasons by card decline code. Lost and stolen cards get the neutral bank message on purpose. */
const CARD_DECLINE_REASONS: Record<string, string> = {
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
  authentication_failed: 'Your bank could not confirm it was you. You have not been charged.',
  authentication_required: 'Your bank asks to confirm this payment with you, which could not be done here. Please try another card.',
};

/** The points provider's declines, in the same plain words; `do_not_honor` is a blocked account here. */
const POINTS_DECLINE_REASONS: Record<string, string> = {
  incorrect_pin: 'The PIN is not correct. Please check it and try again.',
  insufficient_points: 'This points account has too few points for this payment. Try a smaller amount or pay by card.',
  unknown_account: 'We don\'t know this points account. Please check the account number.',
  do_not_honor: 'This points account cannot be used. Please pay by card.',
  issuer_unavailable: 'The points provider could not be reached just now. Please try again in a few minutes.',
  system_malfunction: 'The points provider had a technical problem. Please try again in a few minutes.',
};

const DECLINE_REASONS: Record<PaidWith, { reasons: Record<string, string>; fallback: string }> = {
  card: { reasons: CARD_DECLINE_REASONS, fallback: 'The payment was declined. Please use another card or contact your bank.' },
  points: { reasons: POINTS_DECLINE_REASONS, fallback: 'The points payment was declined. Please pay by card or use another points account.' },
};

export function declineReason(code: string | undefined, method: PaidWith = 'card'): string {
  const { reasons, fallback } = DECLINE_REASONS[method];
  // hasOwn, so a code such as "toString" cannot pick up a prototype member.
  return code !== undefined && Object.hasOwn(reasons, code) ? (reasons[code] ?? fallback) : fallback;
}

/** A saved card is a card to the shopper: the same words and the same masked card. */
function checkoutMethodOf(payment: Payment): PaidWith {
  return payment.paymentMethod === 'points' ? 'points' : 'card';
}

type PaymentFacts = Pick<MakePaymentResult, 'paymentId' | 'card' | 'paymentMethod' | 'points' | 'amount' | 'currency'>;

/**
 * What the shopper may see of a payment: the masked card, or the masked points account and, for
 * an approval that still holds or took the points, how many it spent (one per minor unit).
 */
function fromPayment(payment: Payment, options: { pointsSpent: boolean } = { pointsSpent: false }): PaymentFacts {
  const paidWith = payment.paymentMethod === 'points'
    ? { paymentMethod: 'points' as const, points: { account: maskedPointsAccount(payment.points.accountId), ...(options.pointsSpent ? { spent: payment.amount } : {}) } }
    : { card: { brand: payment.card.brand, last4: payment.card.last4 } };
  return {
    paymentId: payment.id,
    ...paidWith,
    amount: formatMinor(payment.amount, payment.currency),
    currency: payment.currency,
  };
}

/** The order as typed, for answers without a payment; a points checkout says so, for its retry link. */
function orderOnly(order: OrderSummary): Pick<MakePaymentResult, 'amount' | 'currency' | 'paymentMethod'> {
  return { amount: order.amountText, currency: order.currency, ...(order.paymentMethod === 'points' ? { paymentMethod: 'points' as const } : {}) };
}

export function invalidFormAnswer(errors: FieldProblem[], order: OrderSummary): ShopperAnswer {
  return {
    httpStatus: 400,
    result: { status: 'error', message: MESSAGES.invalid, ...orderOnly(order), errors },
  };
}

/**
 * The processing server's field problems under the form's names. Its refusal of the currency for
 * points, and of a saved card that is gone, are said in the checkout's words, beside the field.
 */
function invalidFields(outcome: Extract<CreatePaymentOutcome, { kind: 'invalid' }>, order: OrderSummary): FieldProblem[] {
  if (outcome.code === 'card_not_found') return [{ field: 'savedCardId', message: checkoutMessage('savedCardId', 'unavailable') }];
  const errors = outcome.errors.map((problem) => ({ field: toFormField(problem.field), message: problem.message }));
  if (outcome.code !== 'currency_not_supported') return errors;
  const currencyProblem = { field: 'currency', message: checkoutMessage('currency', 'points_refused', { currency: order.currency }) };
  return [currencyProblem, ...errors.filter((problem) => problem.field !== 'currency')];
}

export function answerFor(outcome: CreatePaymentOutcome, order: OrderSummary): ShopperAnswer {
  switch (outcome.kind) {
    case 'authorized':
      return {
        httpStatus: 200,
        result: {
          status: 'approved', message: MESSAGES.approved, ...fromPayment(outcome.payment, { pointsSpent: true }),
          ...(outcome.payment.authorizationCode ? { authorizationCode: outcome.payment.authorizationCode } : {}),
        },
      };
    case 'requires_action':
      return {
        httpStatus: 202,
        result: { status: 'requires_action', message: MESSAGES.requiresAction, ...fromPayment(outcome.payment), nextAction: outcome.payment.nextAction },
      };
    case 'declined': {
      const declineCode = outcome.payment.decline?.code;
      return {
        httpStatus: 402,
        result: {
          status: 'declined', message: declineReason(declineCode, checkoutMethodOf(outcome.payment)), ...fromPayment(outcome.payment),
          ...(declineCode ? { declineCode } : {}),
        },
      };
    }
    case 'invalid': {
      const errors = invalidFields(outcome, order);
      return invalidFormAnswer(errors.length > 0 ? errors : [{ field: 'body', message: outcome.message }], order);
    }
    case 'key_reused':
      return { httpStatus: 409, result: { status: 'error', code: 'idempotency_key_reused', message: MESSAGES.keyReused, ...orderOnly(order) } };
    case 'in_flight':
      return {
        httpStatus: 409,
        result: {
          status: 'pending', message: MESSAGES.pending, ...orderOnly(order),
          ...(outcome.paymentId ? { paymentId: outcome.paymentId } : {}),
          ...(outcome.payment ? fromPayment(outcome.payment) : {}),
        },
      };
    case 'not_charged':
      return {
        httpStatus: 503,
        result: { status: 'error', message: failedMessage(outcome.payment), ...orderOnly(order), ...(outcome.payment ? fromPayment(outcome.payment) : {}) },
      };
    case 'unreachable':
      return { httpStatus: 503, result: { status: 'error', message: MESSAGES.notCharged, ...orderOnly(order) } };
    case 'unknown':
      return { httpStatus: 503, result: { status: 'pending', message: MESSAGES.pending, ...orderOnly(order), ...(outcome.payment ? fromPayment(outcome.payment) : {}) } };
  }
}

/** An approval whose card the shopper asked to save: said whether it was, the approval unchanged. */
export function withCardSaved(answer: ShopperAnswer, saved: boolean): ShopperAnswer {
  return { ...answer, result: { ...answer.result, cardSaved: saved, message: saved ? MESSAGES.cardSaved : MESSAGES.cardNotSaved } };
}

/** A payment looked up later (GET /payments/:id): the same four answers, by its current status. */
/** Why a payment failed, in the shopper's words: a technical problem, or the bank's page left unfinished. */
function failedMessage(payment: Payment | undefined): string {
  return payment?.reason === 'authentication_abandoned' ? MESSAGES.abandoned : MESSAGES.notCharged;
}

/** A payment looked up later (GET /payments/:id): the same answers, by its current status. */
export function resultForPayment(payment: Payment): MakePaymentResult {
  const base = fromPayment(payment);
  switch (payment.status) {
    case 'authorized':
    case 'captured':
    case 'settled':
      return {
        status: 'approved', message: MESSAGES.approved, ...fromPayment(payment, { pointsSpent: true }),
        ...(payment.authorizationCode ? { authorizationCode: payment.authorizationCode } : {}),
      };
    // Refunds give points back: what was spent is no longer what the payment took.
    case 'partially_refunded':
    case 'refunded':
      return {
        status: 'approved', message: MESSAGES.approved, ...base,
        ...(payment.authorizationCode ? { authorizationCode: payment.authorizationCode } : {}),
      };
    case 'declined':
      return {
        status: 'declined', message: declineReason(payment.decline?.code, checkoutMethodOf(payment)), ...base,
        ...(payment.decline?.code ? { declineCode: payment.decline.code } : {}),
      };
    case 'pending':
      return { status: 'pending', message: MESSAGES.pending, ...base };
    case 'requires_action':
      return payment.nextAction
        ? { status: 'requires_action', message: MESSAGES.requiresAction, ...base, nextAction: payment.nextAction }
        : { status: 'pending', message: MESSAGES.pending, ...base };
    case 'failed':
      return { status: 'error', message: failedMessage(payment), ...base };
    case 'voided':
    case 'expired':
    case 'settlement_rejected':
      return { status: 'error', message: checkoutMethodOf(payment) === 'points' ? RELEASED.points : RELEASED.card, ...base };
  }
}
