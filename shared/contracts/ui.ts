/** The UI server's `POST /make-payment` (SPEC §7): the shopper's form and its JSON answer. */
import { z } from 'zod';
import { cardBrandSchema } from './common.ts';

/** The form as posted; every field is a string, parsed and checked by the UI server. */
export const makePaymentFormSchema = z.object({
  cardholderName: z.string({ error: 'is required' }).trim().min(1, 'is required').max(100, 'is too long'),
  cardNumber: z.string({ error: 'is required' }).trim().min(1, 'is required').max(40, 'is too long'),
  expiry: z.string({ error: 'is required' }).trim().min(1, 'is required').max(10, 'must be MM/YY'),
  cvv: z.string({ error: 'is required' }).trim().min(1, 'is required').max(4, 'must be 3 or 4 digits'),
  amount: z.string({ error: 'is required' }).trim().min(1, 'is required').max(20, 'is too long'),
  currency: z.string({ error: 'is required' }).trim().min(1, 'is required').max(3, 'must be a 3-letter code').toUpperCase(),
  idempotencyKey: z.string({ error: 'is required' }).trim().min(1, 'is required').max(255, 'is too long').regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
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
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});
export type MakePaymentResult = z.infer<typeof makePaymentResultSchema>;
