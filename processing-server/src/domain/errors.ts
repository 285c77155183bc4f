/**
 * What the domain refuses, in its own words. The HTTP layer maps each code to an answer in one
 * table (http/domain-errors.ts); nothing here knows about statuses or problem documents.
 */
import type { FieldProblem } from '../../../shared/cards.ts';

export type { FieldProblem };

export type DomainErrorCode =
  /** The request names something that does not exist. */
  | 'payment_not_found'
  | 'settlement_run_not_found'
  /** The request is well formed but cannot be paid as it is (a card that fails its checks). */
  | 'invalid_payment'
  | 'currency_not_supported'
  | 'idempotency_key_reused'
  | 'idempotency_key_in_flight'
  /** The payment's status does not allow the operation. */
  | 'invalid_state'
  /** An earlier change of the payment's amount is still being completed at the provider. */
  | 'adjustment_in_progress'
  | 'already_in_batch'
  | 'capture_not_allowed'
  | 'amount_too_large'
  | 'amount_exceeds_refundable'
  /** The card company (or points provider) could not be asked; nothing was decided. */
  | 'provider_unavailable'
  /** No saved card with this id (never saved, deleted, or another customer's). */
  | 'card_not_found'
  /** A card to save that fails its checks (number, expiry, CVV, holder). */
  | 'invalid_card'
  /** The card company declined to verify a card to save; nothing was stored. */
  | 'card_declined';

export interface DomainErrorOptions {
  code: DomainErrorCode;
  message: string;
  /** The fields at fault, when the request is to blame. */
  problems?: FieldProblem[];
  /** Facts a caller may act on, such as the payment a request in flight concerns. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class DomainError extends Error {
  override readonly name = 'DomainError';
  readonly code: DomainErrorCode;
  readonly problems: FieldProblem[];
  readonly details: Record<string, unknown> | undefined;

  constructor(options: DomainErrorOptions) {
    super(options.message, { cause: options.cause });
    this.code = options.code;
    this.problems = options.problems ?? [];
    this.details = options.details;
  }
}

export function paymentNotFound(id: string): DomainError {
  return new DomainError({ code: 'payment_not_found', message: `Payment ${id} was not found.` });
}

export function settlementRunNotFound(id: string): DomainError {
  return new DomainError({ code: 'settlement_run_not_found', message: `Settlement run ${id} was not found.` });
}

export function cardNotFound(id: string): DomainError {
  return new DomainError({ code: 'card_not_found', message: `Saved card ${id} was not found.` });
}

export function invalidState(message: string): DomainError {
  return new DomainError({ code: 'invalid_state', message });
}
