/** Payments, refunds and settled states made through the repository interfaces, for the storage contract. */
import { randomBytes } from 'node:crypto';
import { newPaymentId } from '../../processing-server/src/domain/authorize.ts';
import { limitExceededDecline } from '../../processing-server/src/domain/declines.ts';
import type { PaymentRecord } from '../../processing-server/src/domain/payment.ts';
import type { CreatePaymentInput } from '../../processing-server/src/storage/repository.ts';
import type { RefundRecord } from '../../processing-server/src/storage/settlement-repository.ts';
import type { Storage } from '../../processing-server/src/storage/index.ts';

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
  const amount = overrides.amount ?? 10_000;
  const createdAt = overrides.createdAt ?? NOW.toISOString();
  return {
    id, merchantReference: id, status: 'pending', amount, currency: 'USD', captureMethod: 'automatic',
    cardBrand: 'visa', cardLast4: '4242', cardExpMonth: 12, cardExpYear: 2030, cardFingerprint: newCardFingerprint(),
    cardSealed: 'sealed', holderName: 'Ada Lovelace', description: null, orderId: null, idempotencyKey: newKey(),
    authorizationId: null, authorizationCode: null, decline: null, reason: null, resolution: null,
    limitAmount: amount, capturedAmount: 0, refundedAmount: 0, settlementId: null, createdAt, updatedAt: createdAt,
    ...overrides,
  };
}

export function createInput(payment: PaymentRecord, limitMinor = LIMIT_MINOR, windowStart = WINDOW_START): CreatePaymentInput {
  return {
    payment,
    requestHash: `hash-of-${payment.idempotencyKey}`,
    spendLimit: { limitMinor, windowStart, decline: limitExceededDecline('1,000.00 USD') },
  };
}

/** A payment created and authorized by the card company. */
export async function authorizedPayment(storage: Storage, overrides: Partial<PaymentRecord> = {}): Promise<PaymentRecord> {
  const created = await storage.repository.createPayment(createInput(pendingPayment(overrides)));
  if (created.kind !== 'created') throw new Error(`expected a created payment, got ${created.kind}`);
  const authorized = await storage.repository.transition({
    id: created.payment.id, fromStatuses: ['pending'],
    changes: { status: 'authorized', authorizationId: `auth_${created.payment.id}`, authorizationCode: 'A1B2C3', updatedAt: created.payment.createdAt },
  });
  if (!authorized) throw new Error('the authorization transition applied');
  return authorized;
}

/** Runs one settlement of everything ready, every item settled; returns the run id. */
export async function settleEverything(storage: Storage, now = at(60)): Promise<string> {
  const runId = `set_${randomBytes(8).toString('hex')}`;
  const run = await storage.settlements.createRun({ runId, startedAt: now, batchSizeMax: 5000, notBefore: WINDOW_START });
  if (!run) throw new Error('something was ready to settle');
  for (const batchNo of await storage.settlements.unsentBatchNumbers(runId)) {
    const items = await storage.settlements.readBatch(runId, batchNo);
    await storage.settlements.recordBatchResults(runId, items.map((item) => ({ item, status: 'settled', reason: null })), now);
  }
  await storage.settlements.completeRun(runId, now);
  return runId;
}

export async function settledPayment(storage: Storage, overrides: Partial<PaymentRecord> = {}): Promise<PaymentRecord> {
  const payment = await authorizedPayment(storage, overrides);
  await settleEverything(storage);
  const settled = await storage.repository.getPayment(payment.id);
  if (settled?.status !== 'settled') throw new Error('the payment settled');
  return settled;
}

export function newRefund(payment: PaymentRecord, amount: number, overrides: Partial<RefundRecord> = {}): RefundRecord {
  const key = overrides.idempotencyKey ?? newKey();
  return {
    id: `re_${randomBytes(8).toString('hex')}`, paymentId: payment.id, amount, currency: payment.currency, status: 'pending',
    reason: null, settlementId: null, idempotencyKey: key, requestHash: `hash-of-${key}`, createdAt: at(120), updatedAt: at(120),
    ...overrides,
  };
}
