/**
 * Messages between the processing server and the card-network simulator (SPEC §5).
 * Both sides validate with these schemas: what they send and what comes back.
 */
import { z } from 'zod';
import { amountMinorSchema, cardDetailsSchema, currencySchema, isoDateTimeSchema } from './common.ts';

/** ISO 8583 field 39 style response codes the card company answers with. */
export const RESPONSE_CODES = {
  '00': 'approved',
  '05': 'do not honor',
  '14': 'invalid card number',
  '41': 'lost card',
  '43': 'stolen card',
  '51': 'insufficient funds',
  '54': 'expired card',
  '61': 'exceeds amount limit',
  '91': 'issuer unavailable',
  '96': 'system malfunction',
  N7: 'CVV mismatch',
} as const;
export type ResponseCode = keyof typeof RESPONSE_CODES;
export const responseCodeSchema = z.enum(Object.keys(RESPONSE_CODES) as [ResponseCode, ...ResponseCode[]]);

/** Codes after which the same request may succeed if sent again. */
export const RETRYABLE_RESPONSE_CODES: readonly ResponseCode[] = ['91', '96'];

/** The merchant's own reference of an authorization: unique per payment, the idempotency key at the card company. */
export const merchantReferenceSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9_.:-]+$/, 'must be letters, digits, _ . : or -');

export const authorizationRequestSchema = z.object({
  merchantReference: merchantReferenceSchema,
  amount: amountMinorSchema,
  currency: currencySchema,
  card: cardDetailsSchema,
});
export type AuthorizationRequest = z.infer<typeof authorizationRequestSchema>;

export const authorizationResponseSchema = z.object({
  authorizationId: z.string().min(1),
  responseCode: responseCodeSchema,
  authorizationCode: z.string().regex(/^[A-Z0-9]{6}$/).optional(),
  message: z.string(),
});
export type AuthorizationResponse = z.infer<typeof authorizationResponseSchema>;

export const authorizationStatusSchema = z.enum(['approved', 'declined', 'reversed', 'settled', 'expired']);
export type AuthorizationStatus = z.infer<typeof authorizationStatusSchema>;

/** The card company's record of one authorization, as returned by the look-up and the reversal. */
export const authorizationRecordSchema = authorizationResponseSchema.extend({
  merchantReference: merchantReferenceSchema,
  amount: amountMinorSchema,
  currency: currencySchema,
  status: authorizationStatusSchema,
  /** Amount still held on the card (0 once reversed, settled or declined). */
  heldAmount: z.number().int().nonnegative(),
  createdAt: isoDateTimeSchema,
  updatedAt: isoDateTimeSchema,
});
export type AuthorizationRecord = z.infer<typeof authorizationRecordSchema>;

/** `GET /v1/authorizations`: one by merchantReference, or a page of all of them (oldest first). */
export const authorizationQuerySchema = z.object({
  merchantReference: merchantReferenceSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  startingAfter: z.string().min(1).max(100).optional(),
});
export const authorizationListSchema = z.object({ data: z.array(authorizationRecordSchema), hasMore: z.boolean() });

/**
 * Reversal body: the whole hold by default; with `amount`, how much of the authorized amount is
 * released in total (the hold becomes authorized − amount and never grows back), so a retried
 * partial reversal releases nothing twice.
 */
export const reversalRequestSchema = z.object({
  amount: amountMinorSchema.optional(),
  reason: z.enum(['void', 'timeout', 'partial_capture', 'expiry']).optional(),
});
export type ReversalRequest = z.infer<typeof reversalRequestSchema>;

export const settlementItemTypeSchema = z.enum(['sale', 'refund']);

export const settlementBatchItemSchema = z.object({
  merchantReference: merchantReferenceSchema,
  authorizationCode: z.string().regex(/^[A-Z0-9]{6}$/, 'must be 6 letters or digits'),
  amount: amountMinorSchema,
  currency: currencySchema,
  /**
   * The card as the merchant identifies it in the batch. cardlane sends brand and last four digits
   * only (the authorization code already binds the item to the card); a sender that includes the full
   * number is accepted, and the simulator never stores it.
   */
  card: z.object({
    brand: z.string().max(20).optional(),
    last4: z.string().regex(/^\d{4}$/, 'must be 4 digits').optional(),
    number: z.string().regex(/^\d{12,19}$/, 'must be 12 to 19 digits').optional(),
  }).optional(),
  type: settlementItemTypeSchema,
  /**
   * For a refund: the merchantReference of the settled sale it credits. A refund carries a
   * reference of its own (the refund id) so that two refunds of one sale stay distinct.
   */
  originalMerchantReference: merchantReferenceSchema.optional(),
}).refine((item) => item.type === 'sale' || item.originalMerchantReference !== undefined, {
  message: 'is required for a refund',
  path: ['originalMerchantReference'],
});
export type SettlementBatchItem = z.infer<typeof settlementBatchItemSchema>;

export const batchIdSchema = z.string().min(1).max(100).regex(/^[A-Za-z0-9_.:-]+$/, 'must be letters, digits, _ . : or -');

export function settlementBatchRequestSchema(batchSizeMax: number) {
  return z.object({
    batchId: batchIdSchema,
    items: z.array(settlementBatchItemSchema).min(1, 'must hold at least one item').max(batchSizeMax, `must hold at most ${batchSizeMax} items`),
  });
}
export type SettlementBatchRequest = z.infer<ReturnType<typeof settlementBatchRequestSchema>>;

export const settlementItemResultSchema = z.object({
  merchantReference: merchantReferenceSchema,
  type: settlementItemTypeSchema,
  amount: amountMinorSchema,
  currency: currencySchema,
  status: z.enum(['settled', 'rejected']),
  reason: z.string().optional(),
});
export type SettlementItemResult = z.infer<typeof settlementItemResultSchema>;

/** Per currency: settled sales, settled refunds and their difference, in minor units. */
export const batchTotalsSchema = z.record(z.string(), z.object({
  sales: z.number().int().nonnegative(),
  refunds: z.number().int().nonnegative(),
  net: z.number().int(),
}));

export const settlementBatchResponseSchema = z.object({
  batchId: batchIdSchema,
  receivedAt: isoDateTimeSchema,
  itemCount: z.number().int().nonnegative(),
  settledCount: z.number().int().nonnegative(),
  rejectedCount: z.number().int().nonnegative(),
  totals: batchTotalsSchema,
  items: z.array(settlementItemResultSchema),
});
export type SettlementBatchResponse = z.infer<typeof settlementBatchResponseSchema>;

export const merchantAccountSchema = z.object({
  balances: z.record(z.string(), z.number().int()),
  deposits: z.array(z.object({
    batchId: batchIdSchema,
    currency: currencySchema,
    amount: z.number().int(),
    at: isoDateTimeSchema,
  })),
});
export type MerchantAccount = z.infer<typeof merchantAccountSchema>;

/** Run-time fault settings of the simulator (POST /admin/faults). */
export const faultSettingsSchema = z.object({
  /** Added latency per request: a fixed number of ms, or a range. */
  latencyMs: z.object({ min: z.number().int().nonnegative(), max: z.number().int().nonnegative() })
    .refine((range) => range.max >= range.min, 'max must be at least min'),
  /** Share (0..1) of answered 5xx before anything is recorded. */
  errorRate: z.number().min(0).max(1),
  /** Share (0..1) of answers to POST /v1/authorizations and /v1/settlement-batches dropped after the work was committed. */
  lostAnswerRate: z.number().min(0).max(1),
});
export type FaultSettings = z.infer<typeof faultSettingsSchema>;
