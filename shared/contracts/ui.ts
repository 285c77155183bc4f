/** The UI server's `POST /make-payment` (SPEC §7): the shopper's form and its JSON answer. */
import { z } from 'zod';
import { POINTS_ACCOUNT_LENGTH_MAX } from '../points.ts';
import { cardBrandSchema } from './common.ts';
import { nextActionSchema } from './processing.ts';

/** The ways to pay the checkout offers; a form without `paymentMethod` pays by card. `saved_card` only to a shopper with saved cards. */
export const CHECKOUT_METHODS = ['card', 'points', 'saved_card'] as const;
export const checkoutMethodSchema = z.enum(CHECKOUT_METHODS, { error: 'unknown' });
export type CheckoutMethod = z.infer<typeof checkoutMethodSchema>;

/**
 * The form as posted: every field is text, trimmed and bounded here, then judged by the UI server
 * against the card and money rules. The messages are the names of the problems (`too_long`,
 * `format`, …): the UI server words them for the shopper, in the same words as the page.
 */
export const makePaymentFormSchema = z.object({
  /** `card` (also when absent) needs the four card fields; `points` needs the two points fields instead. */
  paymentMethod: checkoutMethodSchema.optional(),
  cardholderName: z.string().trim().max(100, 'too_long'),
  cardNumber: z.string().trim().max(40, 'length'),
  expiry: z.string().trim().max(10, 'format'),
  cvv: z.string().trim().max(4, 'length'),
  /** The loyalty-points account, such as PTS-0000-0001. */
  pointsAccount: z.string().trim().max(POINTS_ACCOUNT_LENGTH_MAX, 'too_long'),
  /** The account's PIN: never logged, never shown or kept in a page. */
  pointsPin: z.string().trim().max(12, 'format'),
  /** With `paymentMethod: saved_card`: one of the shopper's saved cards (`card_…`), charged without retyping it. */
  savedCardId: z.string().trim().max(100, 'unavailable'),
  /** `on` (a ticked checkbox): after an approved card payment, keep the card for the shopper's next checkout. */
  saveCard: z.literal('on', { error: 'format' }).optional(),
  amount: z.string().trim().max(20, 'format'),
  currency: z.string().trim().max(3, 'unknown').toUpperCase(),
  idempotencyKey: z.string().trim().max(255, 'format').regex(/^[\x21-\x7e]*$/, 'format'),
});
export type MakePaymentForm = z.infer<typeof makePaymentFormSchema>;

/**
 * `requires_action` (HTTP 202): the card's issuer asks the shopper to confirm the payment (3-D
 * Secure); `nextAction.url` is its page, where a browser is sent (a form post gets a 303 there),
 * and which brings the shopper back to the UI server for the final result.
 */
export const makePaymentResultSchema = z.object({
  status: z.enum(['approved', 'declined', 'error', 'pending', 'requires_action']),
  paymentId: z.string().optional(),
  authorizationCode: z.string().optional(),
  message: z.string(),
  card: z.object({ brand: cardBrandSchema, last4: z.string() }).optional(),
  /** Only on answers about a points payment: card answers keep the shape above. */
  paymentMethod: z.literal('points').optional(),
  /** The points account masked ("PTS-…0001") and, once approved, the points spent. */
  points: z.object({ account: z.string(), spent: z.number().int().nonnegative().optional() }).optional(),
  amount: z.string(),
  currency: z.string(),
  declineCode: z.string().optional(),
  /** Asked to save the card: true when it is saved for next time, false when it could not be (the payment stands). */
  cardSaved: z.boolean().optional(),
  /** Why the answer is an error when no field is to blame, e.g. `idempotency_key_reused`. */
  code: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  /** With `requires_action` only: where to send the shopper. */
  nextAction: nextActionSchema.optional(),
});
export type MakePaymentResult = z.infer<typeof makePaymentResultSchema>;

/**
 * A checkout posted again after an answer that was not final says so, for a client that keeps no
 * cookies (a browser carries the UI server's cookie instead): `repeat: "true"` beside the form's
 * fields. When no processing instance can be reached, such a repeat is answered "pending", never
 * "not charged", since the first request may have created the payment.
 */
export const REPEAT_FIELD = 'repeat';
export const REPEAT_VALUE = 'true';
export const checkoutRepeatSchema = z.object({ [REPEAT_FIELD]: z.literal(REPEAT_VALUE).optional() });
