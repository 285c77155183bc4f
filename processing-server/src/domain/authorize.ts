/**
 * Create-and-authorize (SPEC §3, §6): the source checked (card or points), the idempotency key,
 * the spending limit and a durable `pending` record first; then the provider of the payment's
 * method (the card company, the points provider); then the final state, recorded with the
 * answer the caller gets, so a repeat of the request gets the same answer.
 */
import type { CreatePaymentRequest, Payment } from '../../../shared/contracts/processing.ts';
import type { DomainDeps } from './deps.ts';
import { DomainError } from './errors.ts';
import { newPaymentId, type PaymentRecord } from './payment.ts';
import { paymentSource, type PaymentSource } from './payment-source.ts';
import type { Instrument } from './ports/provider.ts';
import type { IdempotencyRecord } from './ports/store.ts';
import { providerOf } from './providers.ts';
import { hashRequest } from './request-hash.ts';
import { changesFromDecision, settleOutcome, type AuthorizeOutcomeKind, type Resolution } from './resolve.ts';
import { spendCheck } from './spend-limit.ts';
import { toPublicPayment } from './views.ts';

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
  const id = newPaymentId();
  const source = paymentSource(deps, request, id, now);
  const requestHash = hashRequest(deps.vault, request);
  const payment = newPendingPayment(id, input, source, now);
  const spend = spendCheck(deps.settings.spendLimits, request.currency, now, payment.paymentMethod);
  const created = await deps.store.payments.create({ payment, requestHash, spend });

  if (created.kind === 'existing') return replay(created.idempotency, requestHash);
  if (created.kind === 'limit_exceeded') {
    await deps.store.idempotency.complete({ paymentId: created.payment.id, outcome: 'declined', response: JSON.stringify(toPublicPayment(created.payment)) });
    deps.logger.info({ paymentId: created.payment.id, paymentMethod: payment.paymentMethod }, 'declined: spending limit reached');
    return { outcome: 'declined', payment: toPublicPayment(created.payment), replayed: false };
  }
  const resolution = await authorizeAtProvider(deps, created.payment, source.instrument, input.requestId);
  // At debug: the request's access line carries the payment and its outcome (one line per request at info).
  deps.logger.debug({ paymentId: payment.id, paymentMethod: payment.paymentMethod, outcome: resolution.outcome, status: resolution.payment.status }, 'payment authorization finished');
  return { outcome: resolution.outcome, payment: toPublicPayment(resolution.payment), replayed: false };
}

function newPendingPayment(id: string, input: AuthorizeInput, source: PaymentSource, now: Date): PaymentRecord {
  const { request } = input;
  const createdAt = now.toISOString();
  return {
    id, merchantReference: id, status: 'pending', amountMinor: request.amount, currency: request.currency,
    captureMethod: request.captureMethod, ...source.fields, description: request.description ?? null, orderId: request.orderId ?? null,
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

async function authorizeAtProvider(deps: DomainDeps, payment: PaymentRecord, instrument: Instrument, requestId?: string): Promise<Resolution> {
  const attempt = await providerOf(deps, payment).authorize({
    merchantReference: payment.merchantReference, amountMinor: payment.amountMinor, currency: payment.currency, instrument,
  }, { requestId });
  if (attempt.kind !== 'no_answer') {
    const { outcome, change } = changesFromDecision(attempt.authorizationId, attempt);
    return settleOutcome(deps, payment, outcome, change);
  }
  deps.logger.warn({ paymentId: payment.id, delivered: attempt.delivered, error: attempt.error }, 'no answer from the provider; looking the authorization up');
  return resolveWithoutAnswer(deps, payment, attempt.delivered, requestId);
}

/**
 * Every attempt went unanswered. Ask the provider what it recorded: its decision (approved or
 * declined) is the payment's, exactly as if the answer had arrived, so a sale the provider
 * approved is kept and the caller told so; nothing held means failed; no answer to the look-up
 * either means the outcome is unknown and stays pending, for the recovery worker. (A hold found
 * later, after the caller was told the payment failed, is released by the recovery worker.)
 */
async function resolveWithoutAnswer(
  deps: DomainDeps, payment: PaymentRecord, delivered: 'no' | 'maybe', requestId?: string,
): Promise<Resolution> {
  const lookup = await providerOf(deps, payment).lookup(payment.merchantReference, { requestId });
  if (lookup.kind === 'found' && (lookup.authorization.status === 'approved' || lookup.authorization.status === 'declined')) {
    const { outcome, change } = changesFromDecision(lookup.authorization.authorizationId, lookup.authorization.decision);
    deps.logger.info({ paymentId: payment.id, outcome }, 'the look-up found the provider\'s decision');
    return settleOutcome(deps, payment, outcome, change);
  }
  if (lookup.kind === 'unknown' && delivered === 'maybe') {
    return { outcome: 'pending', payment };
  }
  // Nothing held at the provider (or provably never delivered). A request still travelling
  // could land later, so a payment that may have been delivered stays watched for a late hold.
  return settleOutcome(deps, payment, 'failed', {
    to: 'failed',
    changes: { reason: 'network_unavailable', resolution: delivered === 'maybe' && lookup.kind !== 'found' ? 'reverse' : null },
  });
}
