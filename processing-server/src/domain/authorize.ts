/**
 * Create-and-authorize (SPEC §3, §6): card checks, the idempotency key, the spending limit and a
 * durable `pending` record first; then the card company; then the final state, recorded with
 * the answer the caller gets, so a repeat of the request gets the same answer.
 */
import { checkCard, detectBrand, last4, normalizeCardNumber } from '../../../shared/cards.ts';
import type { CreatePaymentRequest, Payment } from '../../../shared/contracts/processing.ts';
import { DomainError } from './errors.ts';
import type { DomainDeps } from './deps.ts';
import { newPaymentId, type PaymentRecord } from './payment.ts';
import type { IdempotencyRecord } from './ports/store.ts';
import { hashRequest } from './request-hash.ts';
import { changesFromDecision, settleOutcome, type AuthorizeOutcomeKind, type Resolution } from './resolve.ts';
import { spendCheck } from './spend-limit.ts';
import { toPublicPayment } from './views.ts';

type PaymentCardInput = NonNullable<CreatePaymentRequest['card']>;

export interface AuthorizeInput {
  request: CreatePaymentRequest;
  idempotencyKey: string;
  requestId?: string | undefined;
}

export interface AuthorizeResult {
  outcome: AuthorizeOutcomeKind;
  payment: Payment;
  /** True when this is the stored answer to an earlier request with the same key. */
  replayed: boolean;
}

export async function authorizePayment(deps: DomainDeps, input: AuthorizeInput): Promise<AuthorizeResult> {
  const now = deps.clock();
  const { request } = input;
  if (!request.card) {
    throw new DomainError({ code: 'invalid_payment', message: 'Points are not accepted yet.', problems: [{ field: 'points', message: 'is not accepted yet; pay with a card' }] });
  }
  const card = request.card;
  const problems = checkCard(card, now, { requireHolderName: true });
  if (problems.length > 0) throw new DomainError({ code: 'invalid_payment', message: 'The card cannot be charged.', problems });

  const digits = normalizeCardNumber(card.number);
  const requestHash = hashRequest(deps.vault, request);
  const payment = newPendingPayment(deps, input, card, digits, now);
  const created = await deps.store.payments.create({ payment, requestHash, spend: spendCheck(deps.settings.spendLimits, request.currency, now) });

  if (created.kind === 'existing') return replay(created.idempotency, requestHash);
  if (created.kind === 'limit_exceeded') {
    await deps.store.idempotency.complete({ paymentId: created.payment.id, outcome: 'declined', response: JSON.stringify(toPublicPayment(created.payment)) });
    deps.logger.info({ paymentId: created.payment.id }, 'declined: card spending limit reached');
    return { outcome: 'declined', payment: toPublicPayment(created.payment), replayed: false };
  }
  const resolution = await authorizeAtNetwork(deps, created.payment, { number: digits, cvv: card.cvv }, input.requestId);
  deps.logger.info({ paymentId: payment.id, outcome: resolution.outcome, status: resolution.payment.status }, 'payment authorization finished');
  return { outcome: resolution.outcome, payment: toPublicPayment(resolution.payment), replayed: false };
}

function newPendingPayment(deps: DomainDeps, input: AuthorizeInput, card: PaymentCardInput, digits: string, now: Date): PaymentRecord {
  const { request } = input;
  const id = newPaymentId();
  const createdAt = now.toISOString();
  return {
    id, merchantReference: id, status: 'pending', amountMinor: request.amount, currency: request.currency,
    captureMethod: request.captureMethod, cardBrand: detectBrand(digits), cardLast4: last4(digits),
    cardExpMonth: card.expMonth, cardExpYear: card.expYear,
    instrumentFingerprint: deps.vault.fingerprint(digits), cardSealed: deps.vault.encrypt(digits, id),
    holderName: card.holderName, description: request.description ?? null, orderId: request.orderId ?? null,
    idempotencyKey: input.idempotencyKey, authorizationId: null, authorizationCode: null, decline: null, reason: null,
    resolution: null, countedMinor: request.amount, capturedMinor: 0, refundedMinor: 0, settlementId: null,
    createdAt, updatedAt: createdAt,
  };
}

function replay(record: IdempotencyRecord, requestHash: string): AuthorizeResult {
  if (record.requestHash !== requestHash) {
    throw new DomainError({
      code: 'idempotency_key_reused',
      message: 'This Idempotency-Key was already used for a different request; use a new key for a new payment.',
    });
  }
  if (record.outcome === null || record.response === null) {
    throw new DomainError({
      code: 'idempotency_key_in_flight',
      message: 'A request with this Idempotency-Key is still being processed; repeat it later for the final answer.',
      details: { paymentId: record.paymentId },
    });
  }
  return { outcome: record.outcome as AuthorizeOutcomeKind, payment: JSON.parse(record.response) as Payment, replayed: true };
}

async function authorizeAtNetwork(
  deps: DomainDeps, payment: PaymentRecord, card: { number: string; cvv: string }, requestId?: string,
): Promise<Resolution> {
  const attempt = await deps.providers.card.authorize({
    merchantReference: payment.merchantReference,
    amountMinor: payment.amountMinor,
    currency: payment.currency,
    instrument: { method: 'card', number: card.number, expMonth: payment.cardExpMonth, expYear: payment.cardExpYear, cvv: card.cvv },
  }, { requestId });
  if (attempt.kind !== 'no_answer') {
    const { outcome, change } = changesFromDecision(attempt.authorizationId, attempt);
    return settleOutcome(deps, payment, outcome, change);
  }
  deps.logger.warn({ paymentId: payment.id, delivered: attempt.delivered, error: attempt.error }, 'no answer from the card company; looking the authorization up');
  return resolveWithoutAnswer(deps, payment, attempt.delivered, requestId);
}

/**
 * Every attempt went unanswered. Ask the card company what it recorded: its decision (approved
 * or declined) is the payment's, exactly as if the answer had arrived, so a sale the card company
 * approved is kept and the caller told so; nothing held means failed; no answer to the look-up
 * either means the outcome is unknown and stays pending, for the recovery worker. (A hold found
 * later, after the caller was told the payment failed, is released by the recovery worker.)
 */
async function resolveWithoutAnswer(
  deps: DomainDeps, payment: PaymentRecord, delivered: 'no' | 'maybe', requestId?: string,
): Promise<Resolution> {
  const lookup = await deps.providers.card.lookup(payment.merchantReference, { requestId });
  if (lookup.kind === 'found' && (lookup.authorization.status === 'approved' || lookup.authorization.status === 'declined')) {
    const { outcome, change } = changesFromDecision(lookup.authorization.authorizationId, lookup.authorization.decision);
    deps.logger.info({ paymentId: payment.id, outcome }, 'the look-up found the card company\'s decision');
    return settleOutcome(deps, payment, outcome, change);
  }
  if (lookup.kind === 'unknown' && delivered === 'maybe') {
    return { outcome: 'pending', payment };
  }
  // Nothing held at the card company (or provably never delivered). A request still travelling
  // could land later, so a payment that may have been delivered stays watched for a late hold.
  return settleOutcome(deps, payment, 'failed', {
    to: 'failed',
    changes: { reason: 'network_unavailable', resolution: delivered === 'maybe' && lookup.kind !== 'found' ? 'reverse' : null },
  });
}
