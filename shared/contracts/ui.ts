/** The UI server's `POST /make-payment` (SPEC §7): the shopper's form and its JSON answer. */
import { z } from 'zod';
import { cardBrandSchema } from './common.ts';

/**
 * The form as posted: every field is text, trimmed and bounded here, then judged by the UI server
 * against the card and money rules. The messages are the names of the problems (`too_long`,
 * `format`, …): the UI server words them for the shopper, in the same words as the page.
 */
export const makePaymentFormSchema = z.object({
  cardholderName: z.string().trim().max(100, 'too_long'),
  cardNumber: z.string().trim().max(40, 'length'),
  expiry: z.string().trim().max(10, 'format'),
  cvv: z.string().trim().max(4, 'length'),
  amount: z.string().trim().max(20, 'format'),
  currency: z.string().trim().max(3, 'unknown').toUpperCase(),
  idempotencyKey: z.string().trim().max(255, 'format').regex(/^[\x21-\x7e]*$/, 'format'),
});
export type MakePaymentForm = z.infer<typeof makePaymentFormSchema>;

export const makePaymentResultSchema = z.object({
  status: z.enum(['approved', 'declined', 'error', 'pending']),
  paymentId: z.string().optional(),
  authorizationCode: z.string().optional(),
  message: z.string(),
  card: z.object({ brand: cardBrandSchema, last4: z.string() }).optional(),
  amount: z.string(),
  currency: z.string(),
  declineCode: z.string().optional(),
  /** Why the answer is an error when no field is to blame, e.g. `idempotency_key_reused`. */
  code: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});
export type MakePaymentResult = z.infer<typeof makePaymentResultSchema>;
