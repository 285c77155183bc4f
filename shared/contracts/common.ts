/** Building blocks shared by the contracts of every process. */
import { z } from 'zod';
import { AMOUNT_MINOR_MAX, CURRENCIES, type Currency } from '../money.ts';

export const currencySchema = z.enum(CURRENCIES as [Currency, ...Currency[]], {
  error: 'must be a supported ISO 4217 currency code such as USD',
});

/** A positive amount in integer minor units. */
export const amountMinorSchema = z
  .number({ error: 'must be an integer number of minor units' })
  .int('must be an integer number of minor units')
  .positive('must be greater than zero')
  .max(AMOUNT_MINOR_MAX, 'is too large');

export const isoDateTimeSchema = z.iso.datetime({ offset: true });

export const cardBrandSchema = z.enum(['visa', 'mastercard', 'amex', 'discover', 'jcb', 'diners', 'unionpay', 'unknown']);

/** The only card data that ever leaves the processing server. */
export const maskedCardSchema = z.object({
  brand: cardBrandSchema,
  last4: z.string().regex(/^\d{4}$/),
  expMonth: z.number().int().min(1).max(12),
  expYear: z.number().int(),
});
export type MaskedCard = z.infer<typeof maskedCardSchema>;

/** Full card data as sent to the card company (never logged, never stored in clear). */
export const cardDetailsSchema = z.object({
  number: z.string().regex(/^\d{12,19}$/, 'must be 12 to 19 digits'),
  expMonth: z.number().int().min(1, 'must be 1 to 12').max(12, 'must be 1 to 12'),
  expYear: z.number().int().min(2000, 'must be a four-digit year').max(2099, 'must be a four-digit year'),
  cvv: z.string().regex(/^\d{3,4}$/, 'must be 3 or 4 digits'),
});
export type CardDetails = z.infer<typeof cardDetailsSchema>;

export function listSchema<Item extends z.ZodType>(item: Item) {
  return z.object({ data: z.array(item), hasMore: z.boolean() });
}

export const fieldProblemSchema = z.object({ field: z.string(), message: z.string() });

export const problemSchema = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string(),
  errors: z.array(fieldProblemSchema).optional(),
});
export type ProblemBody = z.infer<typeof problemSchema>;
