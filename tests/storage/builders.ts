/** Payments, refunds and settled states made through the store port, for the storage contract. */
import { randomBytes } from 'node:crypto';
import { newPaymentId, type PaymentRecord } from '../../processing-server/src/domain/payment.ts';
import type { CreatePaymentCommand, RefundRecord, Store } from '../../processing-server/src/domain/ports/store.ts';
import { SETTLEMENT_OUTCOMES, SETTLEMENT_READINESS } from '../../processing-server/src/domain/settlement-outcomes.ts';
import { limitExceededDecline } from '../../processing-server/src/domain/spend-limit.ts';

export const NOW = new Date('2026-03-01T12:00:00.000Z');
/** 1,000.00 in minor units: the default CARD_SPEND_LIMIT. */
export const LIMIT_MINOR = 100_000;
export const WINDOW_START = new Date(NOW.getTime() - 24 * 3_600_000).toISOString();

export function at(offsetSeconds: number): string {
  return new Date(NOW.getTime() + offsetSeconds * 1000).toISOString();
}

export function newCardFingerprint(): string {
  return `card-${randomBytes(8).toString('hex')}`;
}

export function newKey(): string {
  return `key-${randomBytes(8).toString('hex')}`;
}

export function pendingPayment(overrides: Partial<PaymentRecord> = {}): PaymentRecord {
  const id = overrides.id ?? newPaymentId();
  const amountMinor = overrides.amountMinor ?? 10_000;
  const createdAt = overrides.createdAt ?? NOW.toISOString();
  return {
    id, merchantReference: id, status: 'pending', amountMinor, currency: 'USD', captureMethod: 'automatic', paymentMethod: 'card', pointsAccountId: null,
    cardBrand: 'visa', cardLast4: '4242', cardExpMonth: 12, cardExpYear: 2030, instrumentFingerprint: newCardFingerprint(),
    cardSealed: 'sealed', holderName: 'Ada Lovelace', savedCardId: null, customerId: null, description: null, orderId: null, idempotencyKey: newKey(),
    authorizationId: null, authorizationCode: null, decline: null, reason: null, resolution: null,
    countedMinor: amountMinor, capturedMinor: 0, refundedMinor: 0, settlementId: null, createdAt, updatedAt: createdAt,
    authenticationId: null, nextActionUrl: null,
    ...overrides,
  };
}

export function createInput(payment: PaymentRecord, limitMinor = LIMIT_MINOR, windowStart = WINDOW_START): CreatePaymentCommand {
  return {
    payment,
    requestHash: `hash-of-${payment.idempotencyKey}`,
    spend: { limitMinor, windowStart, decline: limitExceededDecline('1,000.00 USD') },
  };
}

/** A payment created and authorized by the card company. */
export async function authorizedPayment(store: Store, overrides: Partial<PaymentRecord> = {}): Promise<PaymentRecord> {
  const created = await store.payments.create(createInput(pendingPayment(overrides)));
  if (created.kind !== 'created') throw new Error(`expected a created payment, got ${created.kind}`);
  const authorized = await store.payments.transition({
    id: created.payment.id, from: ['pending'], to: 'authorized',
    changes: { authorizationId: `auth_${created.payment.id}`, authorizationCode: 'A1B2C3', updatedAt: created.payment.createdAt },
  });
  if (!authorized) throw new Error('the authorization transition applied');
  return authorized;
}

/** A run of everything ready, created as the domain creates it. */
export function createRun(store: Store, runId: string, options: { startedAt?: string; batchSizeMax?: number; notBefore?: string } = {}) {
  return store.settlements.createRun({
    runId, startedAt: options.startedAt ?? at(60), batchSizeMax: options.batchSizeMax ?? 5000,
    notBefore: options.notBefore ?? WINDOW_START, ready: SETTLEMENT_READINESS,
  });
}

/** Records one batch's results as the domain does, with the domain's outcomes. */
export function recordResults(
  store: Store, runId: string, batchNo: number, results: Array<{ seq: number; type: 'sale' | 'refund'; status: 'settled' | 'rejected'; reason?: string | null }>, now = at(60),
) {
  return store.settlements.recordBatchResults({
    runId, batchNo, now, outcomes: SETTLEMENT_OUTCOMES,
    results: results.map((result) => ({ ...result, reason: result.reason ?? null })),
  });
}

/** Runs one settlement of everything ready, every item settled; returns the run id. */
export async function settleEverything(store: Store, now = at(60)): Promise<string> {
  const runId = `set_${randomBytes(8).toString('hex')}`;
  const run = await createRun(store, runId, { startedAt: now });
  if (!run) throw new Error('something was ready to settle');
  for (const batchNo of await store.settlements.unsentBatchNumbers(runId)) {
    const items = await store.settlements.readBatch(runId, batchNo);
    await recordResults(store, runId, batchNo, items.map((item) => ({ seq: item.seq, type: item.type, status: 'settled' })), now);
  }
  await store.settlements.complete(runId, now);
  return runId;
}

export async function settledPayment(store: Store, overrides: Partial<PaymentRecord> = {}): Promise<PaymentRecord> {
  const payment = await authorizedPayment(store, overrides);
  await settleEverything(store);
  const settled = await store.payments.get(payment.id);
  if (settled?.status !== 'settled') throw new Error('the payment settled');
  return settled;
}

export function newRefund(payment: PaymentRecord, amountMinor: number, overrides: Partial<RefundRecord> = {}): RefundRecord {
  const key = overrides.idempotencyKey ?? newKey();
  return {
    id: `re_${randomBytes(8).toString('hex')}`, paymentId: payment.id, amountMinor, currency: payment.currency, status: 'pending',
    reason: null, settlementId: null, idempotencyKey: key, requestHash: `hash-of-${key}`, createdAt: at(120), updatedAt: at(120),
    ...overrides,
  };
}
