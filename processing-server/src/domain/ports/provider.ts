/**
 * The payment-provider ports, in the domain's terms: whoever holds the money of a payment (the
 * card company for cards, the points provider for points) and the clearing house that settles a
 * run's batches. Outcomes are domain types; no transport error, status code or response code of
 * a provider reaches the domain. Adapters live in processing-server/src/providers/.
 */
import type { Decline, PaymentMethod } from '../../../../shared/contracts/processing.ts';
import type { Currency } from '../../../../shared/money.ts';

/** A card as typed: it travels to the card company and nowhere else. */
export interface CardInstrument {
  method: 'card';
  number: string;
  expMonth: number;
  expYear: number;
  /**
   * Absent when the payment is finished after the shopper's 3-D Secure step: the CVV is never
   * kept, and the cardholder's authentication stands in for it.
   */
  cvv?: string | undefined;
}

/**
 * A card the vault keeps, charged on file: the number comes out of the vault for this one call;
 * there is no CVV (it is never kept), and the card company is told the card is on file.
 */
export interface SavedCardInstrument {
  method: 'saved_card';
  cardId: string;
  number: string;
  expMonth: number;
  expYear: number;
}

/** A points account and its PIN: the PIN travels to the points provider and is never kept. */
export interface PointsInstrument {
  method: 'points';
  accountId: string;
  pin: string;
}

export type Instrument = CardInstrument | SavedCardInstrument | PointsInstrument;

export interface CallContext {
  requestId?: string | undefined;
}

export interface AuthorizeCommand {
  /** The payment's reference: the provider's idempotency key, the same on every retry. */
  merchantReference: string;
  amountMinor: number;
  currency: Currency;
  instrument: Instrument;
  /** A 3-D Secure authentication of this payment (cards): required by cards that ask for it. */
  authenticationId?: string | undefined;
}

/** No usable answer; `delivered: 'no'` only when no attempt can have reached the provider. */
export interface NoAnswer {
  kind: 'no_answer';
  delivered: 'no' | 'maybe';
  error: string;
}

export type AuthorizeOutcome =
  | { kind: 'approved'; authorizationId: string; authorizationCode: string }
  | { kind: 'declined'; authorizationId: string; decline: Decline }
  | NoAnswer;

/** What the provider recorded under a merchantReference. */
export interface ProviderAuthorization {
  authorizationId: string;
  status: 'approved' | 'declined' | 'reversed' | 'settled' | 'expired';
  /** Still held (0 once reversed, settled, declined or expired). */
  heldMinor: number;
  /** Its decision: approved with a code, or declined with a reason. */
  decision: { kind: 'approved'; authorizationCode: string } | { kind: 'declined'; decline: Decline };
  /** The authorized total: the amount asked for, or the latest approved adjustment's. */
  totalMinor: number;
  /** Every adjustment asked for, by its reference, oldest first. */
  adjustments: ProviderAdjustment[];
}

/** One adjustment as the provider recorded it: the total it asked for, approved or declined. */
export interface ProviderAdjustment {
  reference: string;
  totalMinor: number;
  decision: { kind: 'approved' } | { kind: 'declined'; decline: Decline };
}

export type LookupOutcome =
  | { kind: 'found'; authorization: ProviderAuthorization }
  | { kind: 'not_found' }
  | { kind: 'unknown'; error: string };

export interface ReverseCommand {
  authorizationId: string;
  /** Release this much of the authorized total in all (a partial release); the whole hold when absent. */
  amountMinor?: number | undefined;
  reason: 'void' | 'timeout' | 'partial_capture' | 'expiry';
}

export type ReverseOutcome =
  | { kind: 'released'; heldMinor: number }
  /** Not done: the provider could not be reached or refused; the caller keeps the hold marked. */
  | { kind: 'not_released'; error: string };

export interface AdjustCommand {
  authorizationId: string;
  /** The new total of the hold. */
  amountMinor: number;
  /** The adjustment's idempotency key, unique per authorization. */
  reference: string;
}

export type AdjustOutcome =
  | { kind: 'approved'; heldMinor: number }
  | { kind: 'declined'; decline: Decline }
  | NoAnswer;

/** An account verification: the card checked with its issuer, nothing charged or held. */
export interface VerifyCommand {
  /** The verification's own reference (the idempotency key at the provider). */
  merchantReference: string;
  currency: Currency;
  card: CardInstrument;
}

export type VerifyOutcome =
  | { kind: 'verified'; verificationId: string }
  | { kind: 'declined'; decline: Decline }
  | NoAnswer;

/** 3-D Secure of one card payment (SPEC §13). */
export interface AuthenticateCommand {
  merchantReference: string;
  amountMinor: number;
  currency: Currency;
  card: Omit<CardInstrument, 'cvv' | 'method'>;
  returnUrl: string;
}

export type AuthenticationOutcome =
  | { kind: 'answered'; authenticationId: string; status: 'authenticated' | 'challenge_required' | 'failed'; challengeUrl?: string | undefined }
  | NoAnswer;

export interface PaymentProvider {
  /** The way to pay this provider takes. */
  readonly method: PaymentMethod;
  authorize(command: AuthorizeCommand, context: CallContext): Promise<AuthorizeOutcome>;
  lookup(merchantReference: string, context: CallContext): Promise<LookupOutcome>;
  reverse(command: ReverseCommand, context: CallContext): Promise<ReverseOutcome>;
  adjust(command: AdjustCommand, context: CallContext): Promise<AdjustOutcome>;
  /** Checks a card without charging it, for a provider that can (the card company). */
  verify?(command: VerifyCommand, context: CallContext): Promise<VerifyOutcome>;
  /** 3-D Secure, for a provider that asks for it (the card company). */
  authenticate?(command: AuthenticateCommand, context: CallContext): Promise<AuthenticationOutcome>;
  getAuthentication?(authenticationId: string, context: CallContext): Promise<AuthenticationOutcome>;
}

/** The provider of each way to pay. */
export type Providers = Readonly<Record<PaymentMethod, PaymentProvider>>;

/**
 * One sale or refund of a batch, as the clearing house takes it. A run's stored items have these
 * fields, so a batch is handed over as read, without a copy (a batch holds up to 5,000 items).
 */
export interface ClearingItem {
  merchantReference: string;
  authorizationCode: string;
  amountMinor: number;
  currency: Currency;
  type: 'sale' | 'refund';
  paymentMethod: PaymentMethod;
  /** Brand and last four of a card item; null for points. */
  cardBrand: string | null;
  cardLast4: string | null;
  /** For a refund: the merchantReference of the sale it credits. */
  originalMerchantReference: string | null;
}

export interface ClearingBatch {
  batchId: string;
  items: ClearingItem[];
}

export interface ClearingItemResult {
  merchantReference: string;
  type: 'sale' | 'refund';
  amountMinor: number;
  status: 'settled' | 'rejected';
  reason: string | null;
}

export interface ClearingReport {
  batchId: string;
  items: ClearingItemResult[];
}

export interface ClearingContext extends CallContext {
  /**
   * Called once a batch's request has been handed to the operating system: a batch of about
   * 1 MB is more than a socket takes at once, and the run waits for it to be on its way before it
   * blocks the event loop with a database write.
   */
  onRequestSent?: (() => void) | undefined;
}

export interface ClearingPort {
  /**
   * Sends one batch. Safe to repeat: a resent batchId gets its first answer. Throws a
   * DomainError `provider_unavailable` when no answer came.
   */
  sendBatch(batch: ClearingBatch, context: ClearingContext): Promise<ClearingReport>;
  /** The clearing house's report of a batch, or null if it never received it; `provider_unavailable` when it cannot be asked. */
  getBatchReport(batchId: string, context: CallContext): Promise<ClearingReport | null>;
  /** Readiness: does the card company answer at all. */
  isReachable(): Promise<boolean>;
}
