/**
 * The processing server's API (SPEC §4): what the UI server (and any other client)
 * sends and receives.
 */
import { z } from 'zod';
import {
  amountMinorSchema, currencySchema, isoDateTimeSchema, listSchema, maskedCardSchema,
} from './common.ts';
import { batchIdSchema, pointsAccountIdSchema, settlementItemTypeSchema, batchTotalsSchema } from './network.ts';
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
export type PaymentCardInput = z.infer<typeof paymentCardInputSchema>;

/** A loyalty-points account and its PIN (never stored or logged); the payment's amount counts points. */
export const pointsInputSchema = z.object({
  accountId: z.string({ error: 'is required' }).pipe(pointsAccountIdSchema),
  pin: z.string({ error: 'is required' }).regex(/^\d{4,12}$/, 'must be 4 to 12 digits'),
});
export type PointsInput = z.infer<typeof pointsInputSchema>;

/** The ways a request can pay; it carries exactly one of them. */
export const PAYMENT_SOURCE_FIELDS = ['card', 'points'] as const;

export const createPaymentRequestSchema = z.object({
  amount: amountMinorSchema,
  currency: currencySchema,
  /** A typed card; instead of it, `points`. Exactly one of the two. */
  card: paymentCardInputSchema.optional(),
  /** Loyalty points: `amount` is in minor units of the points currency, one point each. */
  points: pointsInputSchema.optional(),
  captureMethod: captureMethodSchema.default('automatic'),
  description: z.string().max(500, 'is too long').optional(),
  orderId: z.string().max(100, 'is too long').optional(),
}).superRefine((request, context) => {
  const given = PAYMENT_SOURCE_FIELDS.filter((field) => request[field] !== undefined);
  if (given.length === 0) context.addIssue({ code: 'custom', path: ['card'], message: 'is required: send exactly one of card or points' });
  for (const extra of given.slice(1)) {
    context.addIssue({ code: 'custom', path: [extra], message: `must not be sent with ${given[0]}: send exactly one of card or points` });
  }
}, {
  // Also when other fields are wrong, so one answer names every problem; never on a non-object.
  when: (payload) => typeof payload.value === 'object' && payload.value !== null && !Array.isArray(payload.value),
}).meta({
  description: 'Exactly one of `card` and `points`.',
  // The refinement above, for readers of the OpenAPI document: one way to pay, never none or two.
  oneOf: PAYMENT_SOURCE_FIELDS.map((field) => ({ required: [field] })),
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

/** How a payment was paid: a typed card, a saved card, or loyalty points. */
export const PAYMENT_METHODS = ['card', 'saved_card', 'points'] as const;
export const paymentMethodSchema = z.enum(PAYMENT_METHODS);
export type PaymentMethod = z.infer<typeof paymentMethodSchema>;

export const paymentSchema = z.object({
  id: z.string(),
  status: paymentStatusSchema,
  amount: amountMinorSchema,
  currency: currencySchema,
  captureMethod: captureMethodSchema,
  paymentMethod: paymentMethodSchema,
  /** The card, masked, for card and saved-card payments. */
  card: maskedCardSchema.optional(),
  /** The points account, for points payments. */
  points: z.object({ accountId: pointsAccountIdSchema }).optional(),
  /** The card holder's name; a points payment has none. */
  holderName: z.string().optional(),
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
}).superRefine((payment, context) => {
  // A payment that does not carry what paid it cannot be shown to anyone: refuse it as malformed.
  if (payment.paymentMethod === 'points' ? !payment.points : !payment.card) {
    context.addIssue({ code: 'custom', path: [payment.paymentMethod === 'points' ? 'points' : 'card'], message: `is required for a ${payment.paymentMethod} payment` });
  }
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
  type: settlementItemTypeSchema,
  amount: amountMinorSchema,
  currency: currencySchema,
  batchId: batchIdSchema,
  status: z.enum(['pending', 'settled', 'rejected']),
  reason: z.string().optional(),
});
