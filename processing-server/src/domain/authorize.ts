/**
 * Create-and-authorize (SPEC §3, §6, §13): the source checked (card, saved card or points), the
 * idempotency key, the spending limit and a durable `pending` record first; then the provider of
 * the payment's method (the card company, the points provider), with 3-D Secure when the card's
 * issuer asks for it; then the next state, recorded with the answer the caller gets, so a repeat
 * of the request gets the same answer.
 */
import type { CreatePaymentRequest, Payment } from '../../../shared/contracts/processing.ts';
import type { DomainDeps } from './deps.ts';
import { DomainError } from './errors.ts';
import { newPaymentId, type PaymentRecord } from './payment.ts';
import { paymentSource, type PaymentSource } from './payment-source.ts';
import type { Instrument } from './ports/provider.ts';
import type { IdempotencyRecord } from './ports/store.ts';
import { askForAuthorization, asksForAuthentication, settleDecision } from './provider-decision.ts';
import { hashRequest } from './request-hash.ts';
import type { AuthorizeOutcomeKind, Resolution } from './resolve.ts';
import { authenticate } from './three-d-secure.ts';
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
  const requestHash = hashRequest(deps.vault, request);
  if (request.cardId !== undefined) {
    // A repeat is answered before the vault is asked: the saved card may have been deleted since
    // the first request, and the first answer still stands.
    const earlier = await deps.store.idempotency.get(input.idempotencyKey);
    if (earlier) return replay(earlier, requestHash);
  }
  const source = await paymentSource(deps, request, id, now);
  const payment = newPendingPayment(id, input, source, now);
  const spend = spendCheck(deps.settings.spendLimits, request.currency, now, payment.paymentMethod);
  const created = await deps.store.payments.create({ payment, requestHash, spend, cause: deps.cause });

  if (created.kind === 'existing') return replay(created.idempotency, requestHash);
  if (created.kind === 'limit_exceeded') {
    await deps.store.idempotency.complete({ paymentId: created.payment.id, outcome: 'declined', response: JSON.stringify(toPublicPayment(created.payment)) });
    deps.logger.info({ paymentId: created.payment.id, paymentMethod: payment.paymentMethod }, 'declined: spending limit reached');
    return { outcome: 'declined', payment: toPublicPayment(created.payment), replayed: false };
  }
  const resolution = await authorizeAtProvider(deps, created.payment, source.instrument, input);
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
    createdAt, updatedAt: createdAt, authenticationId: null, nextActionUrl: null,
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

/**
 * The provider decides; a card whose issuer asks for 3-D Secure (`1A`) is authenticated first
 * when the caller gave a returnUrl to send the shopper back to, and declined
 * `authentication_required` when it did not.
 */
async function authorizeAtProvider(deps: DomainDeps, payment: PaymentRecord, instrument: Instrument, input: AuthorizeInput): Promise<Resolution> {
  const decision = await askForAuthorization(deps, payment, { instrument }, input.requestId);
  const { returnUrl } = input.request;
  if (asksForAuthentication(decision) && instrument.method !== 'points' && returnUrl !== undefined) {
    return authenticate(deps, payment, instrument, { returnUrl, requestId: input.requestId });
  }
  return settleDecision(deps, payment, decision);
}
