/**
 * Create-and-authorize (SPEC §3, §6): card checks, the idempotency key, the spending limit and a
 * durable `pending` record first; then the card company; then the final state, recorded with
 * the answer the caller gets, so a repeat of the request gets the same answer.
 */
import { v7 as uuidv7 } from 'uuid';
import { checkCard, detectBrand, last4, normalizeCardNumber } from '../../../shared/cards.ts';
import type { CreatePaymentRequest, PaymentCardInput } from '../../../shared/contracts/processing.ts';
import { AppError, validationError } from '../../../shared/errors.ts';
import { formatMoney } from '../../../shared/money.ts';
import type { DomainDeps } from './deps.ts';
import { limitExceededDecline } from './declines.ts';
import { hashRequest } from './request-hash.ts';
import { spendLimitMinor } from './spend-limit.ts';
import type { PaymentRecord } from './payment.ts';
import { toPublicPayment } from './payment.ts';
import { changesFromAnswer, settleOutcome, type Resolution } from './resolve.ts';
import type { IdempotencyRecord } from '../storage/repository.ts';

const SPEND_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface AuthorizeInput {
  request: CreatePaymentRequest;
  idempotencyKey: string;
  requestId?: string | undefined;
}

export interface AuthorizeResult extends Resolution {
  /** True when this is the stored answer to an earlier request with the same key. */
  replayed: boolean;
}

export function newPaymentId(): string {
  return `pay_${uuidv7().replaceAll('-', '')}`;
}

export async function authorizePayment(deps: DomainDeps, input: AuthorizeInput): Promise<AuthorizeResult> {
  const now = deps.clock();
  const { request } = input;
  // The contract lets a request pay with points; this server authorizes cards only so far.
  if (!request.card) throw validationError([{ field: 'points', message: 'is not accepted by this server yet: pay with a card' }]);
  const card = request.card;
  const problems = checkCard(card, now, { requireHolderName: true });
  if (problems.length > 0) throw validationError(problems, 'The card cannot be charged.');

  const digits = normalizeCardNumber(card.number);
  const requestHash = hashRequest(deps.vault, request);
  const payment = newPendingPayment(deps, input, card, digits, now);
  const limitMinor = spendLimitMinor(deps.settings.spendLimits, request.currency);
  const created = await deps.repository.createPayment({
    payment,
    requestHash,
    spendLimit: {
      limitMinor,
      windowStart: new Date(now.getTime() - SPEND_WINDOW_MS).toISOString(),
      decline: limitExceededDecline(formatMoney(limitMinor, request.currency)),
    },
  });

  if (created.kind === 'existing') return replay(created.idempotency, requestHash);
  if (created.kind === 'limit_exceeded') {
    await deps.repository.completeIdempotency(created.payment.id, 'declined', JSON.stringify(toPublicPayment(created.payment)));
    deps.logger.info({ paymentId: created.payment.id }, 'declined: card spending limit reached');
    return { outcome: 'declined', payment: created.payment, replayed: false };
  }
  const resolution = await authorizeAtNetwork(deps, created.payment, { number: digits, cvv: card.cvv }, input.requestId);
  deps.logger.info({ paymentId: payment.id, outcome: resolution.outcome, status: resolution.payment.status }, 'payment authorization finished');
  return { ...resolution, replayed: false };
}

function newPendingPayment(deps: DomainDeps, input: AuthorizeInput, card: PaymentCardInput, digits: string, now: Date): PaymentRecord {
  const { request } = input;
  const id = newPaymentId();
  const createdAt = now.toISOString();
  return {
    id, merchantReference: id, status: 'pending', amount: request.amount, currency: request.currency,
    captureMethod: request.captureMethod, cardBrand: detectBrand(digits), cardLast4: last4(digits),
    cardExpMonth: card.expMonth, cardExpYear: card.expYear,
    cardFingerprint: deps.vault.fingerprint(digits), cardSealed: deps.vault.encrypt(digits, id),
    holderName: card.holderName, description: request.description ?? null, orderId: request.orderId ?? null,
    idempotencyKey: input.idempotencyKey, authorizationId: null, authorizationCode: null, decline: null, reason: null,
    resolution: null, limitAmount: request.amount, capturedAmount: 0, refundedAmount: 0, settlementId: null,
    createdAt, updatedAt: createdAt,
  };
}

function replay(record: IdempotencyRecord, requestHash: string): AuthorizeResult {
  if (record.requestHash !== requestHash) {
    throw new AppError({
      code: 'idempotency_key_reused', status: 409,
      message: 'This Idempotency-Key was already used for a different request; use a new key for a new payment.',
    });
  }
  if (record.outcome === null || record.response === null) {
    throw new AppError({
      code: 'idempotency_key_in_flight', status: 409,
      message: 'A request with this Idempotency-Key is still being processed; repeat it later for the final answer.',
      extensions: { paymentId: record.paymentId },
    });
  }
  return { outcome: record.outcome as AuthorizeResult['outcome'], payment: JSON.parse(record.response), replayed: true };
}

async function authorizeAtNetwork(
  deps: DomainDeps, payment: PaymentRecord, card: { number: string; cvv: string }, requestId?: string,
): Promise<Resolution> {
  const attempt = await deps.network.authorize({
    merchantReference: payment.merchantReference,
    amount: payment.amount,
    currency: payment.currency,
    card: { number: card.number, expMonth: payment.cardExpMonth, expYear: payment.cardExpYear, cvv: card.cvv },
  }, { requestId });
  if (attempt.kind === 'answered') {
    const { outcome, changes } = changesFromAnswer(attempt.response);
    return settleOutcome(deps, payment, outcome, changes);
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
  const lookup = await deps.network.lookup(payment.merchantReference, { requestId });
  if (lookup.kind === 'found' && (lookup.record.status === 'approved' || lookup.record.status === 'declined')) {
    const { outcome, changes } = changesFromAnswer(lookup.record);
    deps.logger.info({ paymentId: payment.id, outcome }, 'the look-up found the card company\'s decision');
    return settleOutcome(deps, payment, outcome, changes);
  }
  if (lookup.kind === 'unknown' && delivered === 'maybe') {
    return { outcome: 'pending', payment };
  }
  // Nothing held at the card company (or provably never delivered). A request still travelling
  // could land later, so a payment that may have been delivered stays watched for a late hold.
  return settleOutcome(deps, payment, 'failed', {
    status: 'failed', reason: 'network_unavailable', limitAmount: 0,
    resolution: delivered === 'maybe' && lookup.kind !== 'found' ? 'reverse' : null,
  });
}
