/**
 * The processing server's API (SPEC §4): what the UI server (and any other client)
 * sends and receives.
 */
import { z } from 'zod';
import {
  amountMinorSchema, currencySchema, isoDateTimeSchema, listSchema, maskedCardSchema,
} from './common.ts';
import { batchIdSchema, batchTotalsSchema, pointsAccountIdSchema, returnUrlSchema, settlementItemTypeSchema } from './network.ts';
import { HOLDER_NAME_LENGTH_MAX, holderNameApiMessage, holderNameProblem } from '../cards.ts';

/** `requires_action`: the card company asked for 3-D Secure and the shopper's step is awaited. */
export const PAYMENT_STATUSES = [
  'pending', 'requires_action', 'authorized', 'declined', 'failed', 'captured', 'settled', 'settlement_rejected',
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

/** A loyalty-points account and its PIN (never stored or logged); the amount counts points. */
export const pointsInputSchema = z.object({
  accountId: z.string({ error: 'is required' }).pipe(pointsAccountIdSchema),
  pin: z.string({ error: 'is required' }).regex(/^\d{4,12}$/, 'must be 4 to 12 digits'),
});
export type PointsInput = z.infer<typeof pointsInputSchema>;

/** The ways a payment is paid; a request carries exactly one of them. */
export const PAYMENT_SOURCE_FIELDS = ['card', 'cardId', 'points'] as const;

/**
 * The merchant's own id of a customer (opaque to cardlane): saved cards belong to it, and a
 * payment may name it.
 */
export const customerIdSchema = z.string({ error: 'must be text' }).min(1, 'is required').max(100, 'is too long')
  .regex(/^[A-Za-z0-9_.:-]+$/, 'must be letters, digits, _ . : or -');

/** A saved card's id (`card_…`). */
export const cardIdSchema = z.string({ error: 'must be text' }).min(1, 'is required').max(100, 'is too long')
  .regex(/^[A-Za-z0-9_.:-]+$/, 'must be letters, digits, _ . : or -');

export const createPaymentRequestSchema = z.object({
  amount: amountMinorSchema,
  currency: currencySchema,
  /** A typed card; instead of it, `cardId` or `points`. Exactly one of the three. */
  card: paymentCardInputSchema.optional(),
  /** A card the vault keeps (POST /v1/cards): charged on file, without a CVV. */
  cardId: cardIdSchema.optional(),
  /** Loyalty points: `amount` is in minor units of the points currency, one point each. */
  points: pointsInputSchema.optional(),
  /** The customer paying; with `cardId`, the card must be this customer's. */
  customerId: customerIdSchema.optional(),
  captureMethod: captureMethodSchema.default('automatic'),
  description: z.string().max(500, 'is too long').optional(),
  orderId: z.string().max(100, 'is too long').optional(),
  /**
   * Where the card issuer's 3-D Secure page sends the shopper back, with `paymentId=<id>` added
   * to its query. Without it, a card whose issuer asks for 3-D Secure is declined
   * `authentication_required`.
   */
  returnUrl: returnUrlSchema.optional(),
}).superRefine((request, context) => {
  const given = PAYMENT_SOURCE_FIELDS.filter((field) => request[field] !== undefined);
  if (given.length === 0) {
    context.addIssue({ code: 'custom', path: ['card'], message: 'is required: send exactly one of card, cardId or points' });
  }
  for (const extra of given.slice(1)) {
    context.addIssue({ code: 'custom', path: [extra], message: `must not be sent with ${given[0]}: send exactly one of card, cardId or points` });
  }
}).meta({
  description: 'Exactly one of `card`, `cardId` and `points`.',
  // The refinement above, for readers of the OpenAPI document: one source, never none or two.
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

/** How a payment is paid: a typed card, or loyalty points. */
export const PAYMENT_METHODS = ['card', 'saved_card', 'points'] as const;
export const paymentMethodSchema = z.enum(PAYMENT_METHODS);
export type PaymentMethod = z.infer<typeof paymentMethodSchema>;

/** What the caller does next for a payment that is `requires_action`: send the shopper's browser to `url`. */
export const nextActionSchema = z.object({ type: z.literal('redirect'), url: z.string() });
export type NextAction = z.infer<typeof nextActionSchema>;

/** What every payment carries, whatever paid it. */
const paymentFields = {
  id: z.string(),
  /** The customer the payment names (or whose saved card paid it), when there is one. */
  customerId: z.string().optional(),
  status: paymentStatusSchema,
  amount: amountMinorSchema,
  currency: currencySchema,
  captureMethod: captureMethodSchema,
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
  /** Only while the payment is `requires_action`: where to send the shopper (the issuer's 3-D Secure page). */
  nextAction: nextActionSchema.optional(),
};

/**
 * A card payment: the card masked (brand, last four, expiry) and its holder's name. `saved_card`
 * when it was paid with a card the vault keeps (by its card id), `card` when it was typed.
 */
export const cardPaymentSchema = z.object({
  ...paymentFields,
  paymentMethod: z.enum(['card', 'saved_card']),
  card: maskedCardSchema,
  holderName: z.string(),
  /** The saved card that paid (`saved_card` only); the payment keeps its masked card after the card is deleted. */
  cardId: z.string().optional(),
});
export type CardPayment = z.infer<typeof cardPaymentSchema>;

/** A points payment: the account it was paid from; it has no `card` and no `holderName`. */
export const pointsPaymentSchema = z.object({
  ...paymentFields,
  paymentMethod: z.literal('points'),
  points: z.object({ accountId: pointsAccountIdSchema }),
});
export type PointsPayment = z.infer<typeof pointsPaymentSchema>;

/** A payment as the API shows it; `paymentMethod` says which of the shapes it has. */
export const paymentSchema = z.discriminatedUnion('paymentMethod', [cardPaymentSchema, pointsPaymentSchema]);
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

export const REFUND_STATUSES = ['pending', 'settled', 'rejected'] as const;
export const refundStatusSchema = z.enum(REFUND_STATUSES);
export type RefundStatus = z.infer<typeof refundStatusSchema>;

export const refundSchema = z.object({
  id: z.string(),
  paymentId: z.string(),
  amount: amountMinorSchema,
  currency: currencySchema,
  status: refundStatusSchema,
  settlementId: z.string().nullable(),
  createdAt: isoDateTimeSchema,
});
export type Refund = z.infer<typeof refundSchema>;

/** GET /v1/payments/:id/refunds: the payment's refunds, oldest first. */
export const refundListSchema = z.object({ data: z.array(refundSchema) });
export type RefundList = z.infer<typeof refundListSchema>;

export const SETTLEMENT_RUN_STATUSES = ['running', 'completed', 'failed'] as const;
export const settlementRunStatusSchema = z.enum(SETTLEMENT_RUN_STATUSES);
export type SettlementRunStatus = z.infer<typeof settlementRunStatusSchema>;

export const settlementRunSchema = z.object({
  id: z.string(),
  status: settlementRunStatusSchema,
  startedAt: isoDateTimeSchema,
  completedAt: isoDateTimeSchema.nullable(),
  itemCount: z.number().int().nonnegative(),
  settledCount: z.number().int().nonnegative(),
  rejectedCount: z.number().int().nonnegative(),
  totals: batchTotalsSchema,
  batchIds: z.array(batchIdSchema),
});
export type SettlementRun = z.infer<typeof settlementRunSchema>;

export const settlementRunListSchema = listSchema(settlementRunSchema);
export type SettlementRunList = z.infer<typeof settlementRunListSchema>;

/** `POST /v1/settlements` with nothing ready: no run is recorded. */
export const settlementNothingReadySchema = z.object({ itemCount: z.literal(0), message: z.string() });
export type SettlementNothingReady = z.infer<typeof settlementNothingReadySchema>;

export const SETTLEMENT_ITEM_STATUSES = ['pending', 'settled', 'rejected'] as const;
export const settlementItemStatusSchema = z.enum(SETTLEMENT_ITEM_STATUSES);
export type SettlementItemStatus = z.infer<typeof settlementItemStatusSchema>;

/** One sale or refund of a run, as sent to the card company in batch `batchId`. */
export const settlementItemSchema = z.object({
  /** `item_<n>`, in run order: the cursor of the items list. */
  id: z.string(),
  paymentId: z.string(),
  /** For a refund item: the refund it carries. */
  refundId: z.string().optional(),
  type: settlementItemTypeSchema,
  /** How the payment was paid; a points item's amount counts points (minor units of the points currency). */
  paymentMethod: paymentMethodSchema,
  amount: amountMinorSchema,
  currency: currencySchema,
  batchId: batchIdSchema,
  status: settlementItemStatusSchema,
  /** The card company's reason for a rejected item. */
  reason: z.string().optional(),
});
export type SettlementItem = z.infer<typeof settlementItemSchema>;

export const settlementItemListSchema = listSchema(settlementItemSchema);
export type SettlementItemList = z.infer<typeof settlementItemListSchema>;

/** One item that differs between our ledger and the card company's report of its batch. */
export const reconciliationEntrySchema = z.object({
  batchId: batchIdSchema,
  merchantReference: z.string(),
  type: settlementItemTypeSchema,
  /** Our amount, when the item is in our ledger. */
  ledgerAmount: z.number().int().optional(),
  /** The card company's amount, when it reported the item. */
  networkAmount: z.number().int().optional(),
  ledgerStatus: z.string().optional(),
  networkStatus: z.string().optional(),
});
export type ReconciliationEntry = z.infer<typeof reconciliationEntrySchema>;

/** `GET /v1/settlements/:id/reconciliation`: our ledger against the card company's reports of the run's batches. */
export const reconciliationSchema = z.object({
  runId: z.string(),
  /** Items on both sides with the same amount and outcome. */
  matched: z.number().int().nonnegative(),
  missingAtNetwork: z.array(reconciliationEntrySchema),
  missingInLedger: z.array(reconciliationEntrySchema),
  /** The same item on both sides with a different amount or a different outcome. */
  amountMismatches: z.array(reconciliationEntrySchema),
});
export type Reconciliation = z.infer<typeof reconciliationSchema>;

/** `POST /v1/cards`: a card to keep for later payments, verified first (the CVV is checked, never kept). */
export const saveCardRequestSchema = z.object({
  card: paymentCardInputSchema,
  customerId: customerIdSchema.optional(),
});
export type SaveCardRequest = z.infer<typeof saveCardRequestSchema>;

/** A saved card as the API shows it: never its number. */
export const savedCardSchema = z.object({
  /** `card_…` */
  id: z.string(),
  brand: maskedCardSchema.shape.brand,
  last4: maskedCardSchema.shape.last4,
  expMonth: maskedCardSchema.shape.expMonth,
  expYear: maskedCardSchema.shape.expYear,
  holderName: z.string(),
  customerId: z.string().nullable(),
  createdAt: isoDateTimeSchema,
});
export type SavedCard = z.infer<typeof savedCardSchema>;

/** `GET /v1/cards?customerId=`: the customer's saved cards, newest first. */
export const savedCardListSchema = z.object({ data: z.array(savedCardSchema) });
export type SavedCardList = z.infer<typeof savedCardListSchema>;

export const savedCardListQuerySchema = z.object({ customerId: customerIdSchema });
/** `POST /v1/payments/:id/adjust`: the new total of an authorized payment (not the difference). */
export const adjustPaymentRequestSchema = z.object({ amount: amountMinorSchema });
export type AdjustPaymentRequest = z.infer<typeof adjustPaymentRequestSchema>;
