/**
 * The processing server's API (SPEC §4): what the UI server (and any other client)
 * sends and receives.
 */
import { z } from 'zod';
import {
  amountMinorSchema, currencySchema, isoDateTimeSchema, listSchema, maskedCardSchema,
} from './common.ts';
import { batchIdSchema, settlementItemTypeSchema, batchTotalsSchema } from './network.ts';
import { HOLDER_NAME_LENGTH_MAX, holderNameApiMessage, holderNameProblem } from '../cards.ts';

export const PAYMENT_STATUSES = [
  'pending', 'authorized', 'declined', 'failed', 'captured', 'settled', 'settlement_rejected',
  'voided', 'partially_refunded', 'refunded', 'expired',
] as const;
export const paymentStatusSchema = z.enum(PAYMENT_STATUSES);
export type PaymentStatus = z.infer<typeof paymentStatusSchema>;

export const captureMethodSchema = z.enum(['automatic', 'manual']);
export type CaptureMethod = z.infer<typeof captureMethodSchema>;

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const idempotencyKeySchema = z.string().min(1, 'is required').max(255, 'must be at most 255 characters').regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

/**
 * The holder name, trimmed. The rule itself (present, no control or invisible formatting
 * characters) lives in shared/cards.ts, so the UI server, the processing server and the page
 * refuse the same names; the length bound stays here too, where the OpenAPI document reads it.
 */
function holderNameSchema() {
  return z.string({ error: 'is required' }).trim().max(HOLDER_NAME_LENGTH_MAX, 'is too long').superRefine((name, context) => {
    const problem = holderNameProblem(name);
    if (problem && problem !== 'too_long') context.addIssue({ code: 'custom', message: holderNameApiMessage(problem) });
  });
}

/** Card as typed by the shopper; the server normalizes the number and checks Luhn, expiry and CVV. */
export const paymentCardInputSchema = z.object({
  number: z.string({ error: 'is required' }).min(1, 'is required').max(40, 'is too long'),
  expMonth: z.number({ error: 'must be an integer from 1 to 12' }).int('must be an integer from 1 to 12').min(1, 'must be 1 to 12').max(12, 'must be 1 to 12'),
  expYear: z.number({ error: 'must be a four-digit year' }).int('must be a four-digit year').min(1000, 'must be a four-digit year').max(9999, 'must be a four-digit year'),
  cvv: z.string({ error: 'is required' }).regex(/^\d{3,4}$/, 'must be 3 or 4 digits'),
  holderName: holderNameSchema(),
});

export const createPaymentRequestSchema = z.object({
  amount: amountMinorSchema,
  currency: currencySchema,
  card: paymentCardInputSchema,
  captureMethod: captureMethodSchema.default('automatic'),
  description: z.string().max(500, 'is too long').optional(),
  orderId: z.string().max(100, 'is too long').optional(),
});
export type CreatePaymentRequest = z.infer<typeof createPaymentRequestSchema>;
export type CreatePaymentInput = z.input<typeof createPaymentRequestSchema>;

export const declineSchema = z.object({
  /** Stable code: `limit_exceeded` (ours) or a card-company reason such as `insufficient_funds`. */
  code: z.string(),
  message: z.string(),
  /** The card company's response code (ISO 8583 field 39), when it declined. */
  networkCode: z.string().optional(),
});
export type Decline = z.infer<typeof declineSchema>;

export const paymentSchema = z.object({
  id: z.string(),
  status: paymentStatusSchema,
  amount: amountMinorSchema,
  currency: currencySchema,
  captureMethod: captureMethodSchema,
  card: maskedCardSchema,
  holderName: z.string(),
  authorizationCode: z.string().nullable(),
  decline: declineSchema.nullable(),
  /** Why a payment failed or was voided (e.g. `network_unavailable`, `timeout_reversal`). */
  reason: z.string().nullable(),
  capturedAmount: z.number().int().nonnegative(),
  refundedAmount: z.number().int().nonnegative(),
  settlementId: z.string().nullable(),
  merchantReference: z.string(),
  description: z.string().nullable(),
  orderId: z.string().nullable(),
  createdAt: isoDateTimeSchema,
  updatedAt: isoDateTimeSchema,
});
export type Payment = z.infer<typeof paymentSchema>;

export const paymentListSchema = listSchema(paymentSchema);
export type PaymentList = z.infer<typeof paymentListSchema>;

export const paymentListQuerySchema = z.object({
  limit: z.coerce.number({ error: 'must be an integer from 1 to 100' }).int('must be an integer from 1 to 100').min(1, 'must be 1 to 100').max(100, 'must be 1 to 100').default(20),
  startingAfter: z.string().min(1).max(100).optional(),
  status: paymentStatusSchema.optional(),
  from: isoDateTimeSchema.optional(),
  to: isoDateTimeSchema.optional(),
});
export type PaymentListQuery = z.infer<typeof paymentListQuerySchema>;

export const captureRequestSchema = z.object({ amount: amountMinorSchema.optional() });
export const refundRequestSchema = z.object({ amount: amountMinorSchema, reason: z.string().max(200).optional() });

export const refundSchema = z.object({
  id: z.string(),
  paymentId: z.string(),
  amount: amountMinorSchema,
  currency: currencySchema,
  status: z.enum(['pending', 'settled', 'rejected']),
  settlementId: z.string().nullable(),
  createdAt: isoDateTimeSchema,
});
export type Refund = z.infer<typeof refundSchema>;

/** GET /v1/payments/:id/refunds: the payment's refunds, oldest first. */
export const refundListSchema = z.object({ data: z.array(refundSchema) });
export type RefundList = z.infer<typeof refundListSchema>;

export const settlementRunSchema = z.object({
  id: z.string(),
  status: z.enum(['running', 'completed', 'failed']),
  startedAt: isoDateTimeSchema,
  completedAt: isoDateTimeSchema.nullable(),
  itemCount: z.number().int().nonnegative(),
  settledCount: z.number().int().nonnegative(),
  rejectedCount: z.number().int().nonnegative(),
  totals: batchTotalsSchema,
  batchIds: z.array(batchIdSchema),
});
export type SettlementRun = z.infer<typeof settlementRunSchema>;

export const settlementItemSchema = z.object({
  id: z.string(),
  paymentId: z.string(),
  /** The refund a refund item credits. */
  refundId: z.string().optional(),
  type: settlementItemTypeSchema,
  amount: amountMinorSchema,
  currency: currencySchema,
  batchId: batchIdSchema,
  status: z.enum(['pending', 'settled', 'rejected']),
  reason: z.string().optional(),
});
