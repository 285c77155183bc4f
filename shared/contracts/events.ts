/**
 * Events and webhooks (the processing server's audit trail): every change of a payment, refund,
 * saved card or settlement run is written as an event in the same transaction as the change, and
 * each event is posted, signed, to every webhook endpoint. What the API lists, what a webhook
 * carries and what a receiver checks are these schemas.
 */
import { z } from 'zod';
import { isoDateTimeSchema } from './common.ts';
import { paymentSchema, refundSchema, savedCardSchema, settlementRunSchema } from './processing.ts';

/** Payment events: one per status change (by the status it reached), and a change of the authorized amount. */
export const PAYMENT_EVENT_TYPES = [
  'payment.requires_action', 'payment.authorized', 'payment.declined', 'payment.failed', 'payment.captured', 'payment.voided',
  'payment.expired', 'payment.amount_changed', 'payment.settled', 'payment.settlement_rejected',
  /** A refund moved the payment to partially_refunded or refunded. */
  'payment.refunded',
  /** The card company rejected a refund: its amount is given back, and the payment's status follows. */
  'payment.refund_rejected',
] as const;
export const REFUND_EVENT_TYPES = ['refund.created', 'refund.settled', 'refund.rejected'] as const;
export const CARD_EVENT_TYPES = ['card.saved', 'card.deleted'] as const;
export const SETTLEMENT_EVENT_TYPES = ['settlement.completed', 'settlement.failed'] as const;

export const EVENT_TYPES = [...PAYMENT_EVENT_TYPES, ...REFUND_EVENT_TYPES, ...CARD_EVENT_TYPES, ...SETTLEMENT_EVENT_TYPES] as const;
export const eventTypeSchema = z.enum(EVENT_TYPES, { error: `must be one of ${EVENT_TYPES.join(', ')}` });
export type EventType = z.infer<typeof eventTypeSchema>;
export type PaymentEventType = (typeof PAYMENT_EVENT_TYPES)[number];
export type RefundEventType = (typeof REFUND_EVENT_TYPES)[number];
export type CardEventType = (typeof CARD_EVENT_TYPES)[number];
export type SettlementEventType = (typeof SETTLEMENT_EVENT_TYPES)[number];

export const EVENT_ID_PATTERN = /^evt_[0-9a-f]{32}$/;

/** What every event carries; the object it concerns is named by its id, and `data` is that object after the change. */
const eventFields = {
  id: z.string().regex(EVENT_ID_PATTERN),
  createdAt: isoDateTimeSchema,
  paymentId: z.string().optional(),
  refundId: z.string().optional(),
  cardId: z.string().optional(),
  settlementId: z.string().optional(),
  /** What caused the change: `request:<X-Request-Id>` for an API request, `job:<name>` for a job. */
  cause: z.string().optional(),
};

export const eventSchema = z.discriminatedUnion('type', [
  z.object({ ...eventFields, type: z.enum(PAYMENT_EVENT_TYPES), data: paymentSchema }),
  z.object({ ...eventFields, type: z.enum(REFUND_EVENT_TYPES), data: refundSchema }),
  // A saved card as GET /v1/cards/:id shows it: never its number.
  z.object({ ...eventFields, type: z.enum(CARD_EVENT_TYPES), data: savedCardSchema }),
  z.object({ ...eventFields, type: z.enum(SETTLEMENT_EVENT_TYPES), data: settlementRunSchema }),
]);
export type Event = z.infer<typeof eventSchema>;

/** GET /v1/events: newest first. */
export const eventListSchema = z.object({ data: z.array(eventSchema), hasMore: z.boolean() });
export type EventList = z.infer<typeof eventListSchema>;

/** GET /v1/payments/:id/events: every event of the payment (its refunds' included), oldest first. */
export const paymentEventListSchema = z.object({ data: z.array(eventSchema) });
export type PaymentEventList = z.infer<typeof paymentEventListSchema>;

export const eventListQuerySchema = z.object({
  limit: z.coerce.number({ error: 'must be an integer from 1 to 100' }).int('must be an integer from 1 to 100').min(1, 'must be 1 to 100').max(100, 'must be 1 to 100').default(20),
  /** The id of the last event of the page before. */
  startingAfter: z.string().min(1).max(100).optional(),
  type: eventTypeSchema.optional(),
  paymentId: z.string().min(1).max(100).optional(),
});
export type EventListQuery = z.infer<typeof eventListQuerySchema>;

/**
 * One attempt to deliver an event to one endpoint: `delivered` (a 2xx answer), `failed` (another
 * answer, none within the timeout, or the endpoint's circuit open; it is tried again), or
 * `abandoned` (it failed, and the event was retried for long enough: no more attempts).
 */
export const WEBHOOK_ATTEMPT_STATUSES = ['delivered', 'failed', 'abandoned'] as const;
export const webhookAttemptStatusSchema = z.enum(WEBHOOK_ATTEMPT_STATUSES);
export type WebhookAttemptStatus = z.infer<typeof webhookAttemptStatusSchema>;

export const webhookAttemptSchema = z.object({
  eventId: z.string(),
  /** The endpoint, as configured in WEBHOOK_URLS (without a user name or password). */
  url: z.string(),
  /** 1 for the first attempt at this event and endpoint, then 2, 3, … */
  attempt: z.number().int().positive(),
  status: webhookAttemptStatusSchema,
  /** The endpoint's HTTP status, when it answered. */
  responseStatus: z.number().int().optional(),
  /** Why there was no answer: `timeout`, `connection_refused`, `circuit_open`, … */
  error: z.string().optional(),
  at: isoDateTimeSchema,
});
export type WebhookAttempt = z.infer<typeof webhookAttemptSchema>;

/** GET /v1/webhook-deliveries?eventId=: every attempt at the event, to every endpoint, in the order they were made. */
export const webhookAttemptListSchema = z.object({ data: z.array(webhookAttemptSchema) });
export type WebhookAttemptList = z.infer<typeof webhookAttemptListSchema>;

export const webhookAttemptQuerySchema = z.object({
  eventId: z.string({ error: 'is required' }).min(1, 'is required').max(100, 'is too long'),
});

/** What the UI server's receiver answers to a delivery it accepted. */
export const webhookReceiptSchema = z.object({
  received: z.literal(true),
  /** True when this event id was received before (a retry, or a second delivery): nothing new was done. */
  duplicate: z.boolean(),
});
export type WebhookReceipt = z.infer<typeof webhookReceiptSchema>;
