/**
 * Messages between the processing server and the card-network simulator.
 * Both sides validate with these schemas: what they send and what comes back.
 */
import { z } from 'zod';
import { AMOUNT_MINOR_MAX } from '../money.ts';
import { amountMinorSchema, cardDetailsSchema, currencySchema, isoDateTimeSchema } from './common.ts';

/**
 * ISO 8583 field 39 style response codes the card company and the points provider answer with:
 * `85` answers an account verification (amount 0) of a good card, `1A` asks for 3-D Secure
 * first, `55` is a wrong points PIN.
 */
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
  '1A': 'additional customer authentication required',
  '55': 'incorrect PIN',
  '85': 'no reason to decline',
} as const;

/** Every code either provider answers with. */
export type NetworkResponseCode = keyof typeof RESPONSE_CODES;
export const networkResponseCodeSchema = z.enum(Object.keys(RESPONSE_CODES) as [NetworkResponseCode, ...NetworkResponseCode[]]);

/**
 * The codes of a card authorization for a positive amount without 3-D Secure, as the card
 * company answered before verification, 3-D Secure and points existed. Kept narrow on purpose:
 * callers map each of them exhaustively; the wider answers use `networkResponseCodeSchema`.
 */
const CARD_AUTHORIZATION_CODES = ['00', '05', '14', '41', '43', '51', '54', '61', '91', '96', 'N7'] as const satisfies readonly NetworkResponseCode[];
export type ResponseCode = (typeof CARD_AUTHORIZATION_CODES)[number];
export const responseCodeSchema = z.enum(CARD_AUTHORIZATION_CODES);

/** Codes after which the same request may succeed if sent again. */
export const RETRYABLE_RESPONSE_CODES: readonly ResponseCode[] = ['91', '96'];

/** The merchant's own reference of an authorization: unique per payment, the idempotency key at the card company. */
export const merchantReferenceSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9_.:-]+$/, 'must be letters, digits, _ . : or -');

/** An authentication's id at the card company (`POST /v1/authentications`). */
export const authenticationIdSchema = z.string().min(1).max(100).regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, _ or -');

export const authorizationRequestSchema = z.object({
  merchantReference: merchantReferenceSchema,
  amount: amountMinorSchema,
  currency: currencySchema,
  /**
   * The CVV may be absent: the authorization that finishes a 3-D Secure challenge comes minutes
   * after the shopper typed it, and a merchant never keeps a CVV; the cardholder's
   * authentication stands in for it.
   */
  card: cardDetailsSchema.extend({ cvv: cardDetailsSchema.shape.cvv.optional() }),
  /** A 3-D Secure authentication of this payment; required by the cards that ask for it (else `1A`). */
  authenticationId: authenticationIdSchema.optional(),
});
export type AuthorizationRequest = z.infer<typeof authorizationRequestSchema>;

/**
 * What `POST /v1/authorizations` accepts: an authorization, or with `amount: 0` an account
 * verification (the card is checked, nothing is held, `85` when it is good).
 *
 * `storedCredential: true` marks a card-on-file authorization: the merchant charges a card it
 * keeps (with the cardholder's consent) and, never keeping a CVV, has none to send. The `cvv` may
 * then be left out, and the card company skips only its CVV check. The same holds for an
 * authorization that carries a 3-D Secure `authenticationId`: it finishes a payment minutes after
 * the shopper typed the CVV, and the cardholder's authentication stands in for it. Otherwise the
 * CVV is required as always.
 */
export const cardAuthorizationRequestSchema = authorizationRequestSchema.extend({
  amount: z.number({ error: 'must be an integer number of minor units' })
    .int('must be an integer number of minor units')
    .min(0, 'must be 0 (account verification) or a positive number of minor units')
    .max(AMOUNT_MINOR_MAX, 'is too large'),
  card: cardDetailsSchema.extend({ cvv: cardDetailsSchema.shape.cvv.optional() }),
  /** A card the merchant keeps on file: the CVV may be absent, and is not checked. */
  storedCredential: z.boolean().optional(),
}).superRefine((request, context) => {
  if (request.card.cvv === undefined && request.storedCredential !== true && request.authenticationId === undefined) {
    context.addIssue({ code: 'custom', path: ['card', 'cvv'], message: 'is required unless storedCredential is true or an authenticationId is given' });
  }
}).meta({ description: '`card.cvv` is required unless `storedCredential` is true (a card on file) or an `authenticationId` finishes a 3-D Secure payment.' });
export type CardAuthorizationRequest = z.infer<typeof cardAuthorizationRequestSchema>;

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

/** The answer to `POST /v1/authorizations` with every code it can carry (`85`, `1A` included). */
export const cardAuthorizationResponseSchema = authorizationResponseSchema.extend({ responseCode: networkResponseCodeSchema });
export type CardAuthorizationResponse = z.infer<typeof cardAuthorizationResponseSchema>;

/** One change of an open hold's total (`POST …/adjustment`), as kept on the authorization's record. */
export const adjustmentSchema = z.object({
  reference: merchantReferenceSchema,
  /** The new total it asked for. */
  amount: amountMinorSchema,
  responseCode: networkResponseCodeSchema,
  at: isoDateTimeSchema,
});
export type Adjustment = z.infer<typeof adjustmentSchema>;

/** A hold's amounts and lifecycle, shared by card and points authorizations. */
const holdRecordShape = {
  ...cardAuthorizationResponseSchema.shape,
  merchantReference: merchantReferenceSchema,
  /** The authorized total: the amount asked for, or the latest approved adjustment's total. */
  amount: z.number().int().nonnegative(),
  currency: currencySchema,
  /** Still held (0 once reversed, settled, declined, expired, or for a verification). */
  heldAmount: z.number().int().nonnegative(),
  settledAmount: z.number().int().nonnegative(),
  refundedAmount: z.number().int().nonnegative(),
  /** Every adjustment asked for, approved or declined, oldest first. */
  adjustments: z.array(adjustmentSchema),
  createdAt: isoDateTimeSchema,
  updatedAt: isoDateTimeSchema,
};

export const cardAuthorizationStatusSchema = z.enum([...authorizationStatusSchema.options, 'verified']);

/** The card company's full record of a card authorization or verification (`amount` 0, status `verified`). */
export const cardAuthorizationRecordSchema = z.object({
  ...holdRecordShape,
  status: cardAuthorizationStatusSchema,
  /** The 3-D Secure authentication the approval relied on. */
  authenticationId: authenticationIdSchema.optional(),
});
export type CardAuthorizationRecord = z.infer<typeof cardAuthorizationRecordSchema>;
export const cardAuthorizationListSchema = z.object({ data: z.array(cardAuthorizationRecordSchema), hasMore: z.boolean() });

/** `POST /v1/authorizations/:id/adjustment` and `POST /v1/points/authorizations/:id/adjustment`. */
export const adjustmentRequestSchema = z.object({
  /** The new total of the authorization, not the difference. */
  amount: amountMinorSchema,
  /** The idempotency key of this adjustment, unique per authorization. */
  reference: merchantReferenceSchema,
});
export type AdjustmentRequest = z.infer<typeof adjustmentRequestSchema>;

/** The record after the adjustment, with `reference`, `responseCode` and `message` of this adjustment. */
export const cardAdjustmentResponseSchema = cardAuthorizationRecordSchema.extend({ reference: merchantReferenceSchema });
export type CardAdjustmentResponse = z.infer<typeof cardAdjustmentResponseSchema>;

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

/** Where the 3-D Secure challenge page sends the shopper back: absolute http(s), kept byte for byte. */
export const returnUrlSchema = z.string()
  .max(2048, 'must be at most 2048 characters')
  // Printable ASCII without spaces: the URL goes back verbatim in a Location header.
  .regex(/^[\x21-\x7e]+$/, 'must be an absolute http(s) URL without spaces or non-ASCII characters')
  .refine((text) => URL.canParse(text) && /^https?:$/.test(new URL(text).protocol), 'must be an absolute http(s) URL');

export const authenticationStatusSchema = z.enum(['authenticated', 'challenge_required', 'failed']);
export type AuthenticationStatus = z.infer<typeof authenticationStatusSchema>;

/** `POST /v1/authentications`: 3-D Secure for one payment, idempotent by merchantReference. */
export const authenticationRequestSchema = z.object({
  merchantReference: merchantReferenceSchema,
  amount: amountMinorSchema,
  currency: currencySchema,
  /** No CVV: authentication is about the cardholder, not the card's security code. */
  card: cardDetailsSchema.omit({ cvv: true }),
  returnUrl: returnUrlSchema,
  /** Shown to the shopper on the challenge page; the returnUrl's host when absent. */
  merchantName: z.string().trim().min(1).max(100).optional(),
});
export type AuthenticationRequest = z.infer<typeof authenticationRequestSchema>;

export const authenticationResponseSchema = z.object({
  authenticationId: authenticationIdSchema,
  status: authenticationStatusSchema,
  /** Present while the status is `challenge_required`: the issuer's page for the shopper's browser. */
  challengeUrl: z.string().optional(),
});
export type AuthenticationResponse = z.infer<typeof authenticationResponseSchema>;

/** `GET /v1/authentications/:id`. */
export const authenticationSchema = z.object({
  authenticationId: authenticationIdSchema,
  merchantReference: merchantReferenceSchema,
  status: authenticationStatusSchema,
  amount: amountMinorSchema,
  currency: currencySchema,
  createdAt: isoDateTimeSchema,
  updatedAt: isoDateTimeSchema,
});
export type Authentication = z.infer<typeof authenticationSchema>;

export const pointsAccountIdSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, _ or -');

/** `GET /v1/points/accounts/:accountId`: spendable points are `balance − held`. */
export const pointsAccountSchema = z.object({
  accountId: pointsAccountIdSchema,
  /** Points the account owns, held ones included. */
  balance: z.number().int().nonnegative(),
  /** Points reserved by open holds. */
  held: z.number().int().nonnegative(),
});
export type PointsAccount = z.infer<typeof pointsAccountSchema>;

/**
 * `POST /admin/points-accounts` (admin only): opens a points account, for demos and load tests
 * that need more accounts than the seeded ones.
 */
export const pointsAccountOpeningSchema = z.object({
  accountId: pointsAccountIdSchema,
  pin: z.string().regex(/^\d{4,12}$/, 'must be 4 to 12 digits'),
  balance: z.number().int('must be a whole number of points').nonnegative('must not be negative').max(AMOUNT_MINOR_MAX, 'is too large'),
  /** A blocked account declines every hold (`05`). */
  blocked: z.boolean().default(false),
});
export type PointsAccountOpening = z.infer<typeof pointsAccountOpeningSchema>;

/** A number of points: one point is one minor unit of the points currency. */
export const pointsAmountSchema = z.number({ error: 'must be a whole number of points' })
  .int('must be a whole number of points')
  .positive('must be greater than zero')
  .max(AMOUNT_MINOR_MAX, 'is too large');

export const pointsAuthorizationRequestSchema = z.object({
  merchantReference: merchantReferenceSchema,
  accountId: pointsAccountIdSchema,
  /** Never stored or logged; checked against the account's salted hash. */
  pin: z.string().regex(/^\d{4,12}$/, 'must be 4 to 12 digits'),
  points: pointsAmountSchema,
});
export type PointsAuthorizationRequest = z.infer<typeof pointsAuthorizationRequestSchema>;

/** Same shape as a card authorization's answer: `00`, `55`, `51`, `14` or `05`. */
export const pointsAuthorizationResponseSchema = cardAuthorizationResponseSchema;
export type PointsAuthorizationResponse = z.infer<typeof pointsAuthorizationResponseSchema>;

/** The points provider's record of a hold; `amount`, `heldAmount` and the rest count points. */
export const pointsAuthorizationRecordSchema = z.object({
  ...holdRecordShape,
  status: authorizationStatusSchema,
  accountId: pointsAccountIdSchema,
});
export type PointsAuthorizationRecord = z.infer<typeof pointsAuthorizationRecordSchema>;

export const pointsAuthorizationQuerySchema = z.object({ merchantReference: merchantReferenceSchema });

export const pointsAdjustmentResponseSchema = pointsAuthorizationRecordSchema.extend({ reference: merchantReferenceSchema });
export type PointsAdjustmentResponse = z.infer<typeof pointsAdjustmentResponseSchema>;

export const settlementItemTypeSchema = z.enum(['sale', 'refund']);

/** How an item was paid: a card (the default when absent) or loyalty points. */
export const paymentMethodSchema = z.enum(['card', 'points']);
export type PaymentMethod = z.infer<typeof paymentMethodSchema>;

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
  /**
   * `points` for a points authorization: `amount` counts points (minor units of the points
   * currency) and there is no card. Absent means a card.
   */
  method: paymentMethodSchema.optional(),
}).refine((item) => item.type === 'sale' || item.originalMerchantReference !== undefined, {
  message: 'is required for a refund',
  path: ['originalMerchantReference'],
}).refine((item) => item.method !== 'points' || item.card === undefined, {
  message: 'must be absent for a points item',
  path: ['card'],
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
  /** Present on points items only, so that card items read exactly as they always did. */
  method: paymentMethodSchema.optional(),
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
  /** Share (0..1) of answers to authorizations, adjustments (card and points) and settlement batches dropped after the work was committed. */
  lostAnswerRate: z.number().min(0).max(1),
});
export type FaultSettings = z.infer<typeof faultSettingsSchema>;
