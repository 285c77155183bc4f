/**
 * The one table from what the domain refuses to what the API answers: status and problem code.
 * A code missing here does not compile.
 */
import type { ErrorRequestHandler } from 'express';
import { AppError, validationError } from '../../../shared/errors.ts';
import { DomainError, type DomainErrorCode } from '../domain/errors.ts';

interface Answer {
  status: number;
  /** The problem's `code` (docs/DESIGN.md lists them); the domain's own when absent. */
  code?: string;
}

export const DOMAIN_ERROR_ANSWERS: Readonly<Record<DomainErrorCode, Answer>> = {
  payment_not_found: { status: 404, code: 'not_found' },
  settlement_run_not_found: { status: 404, code: 'not_found' },
  invalid_payment: { status: 400, code: 'validation_failed' },
  currency_not_supported: { status: 400 },
  idempotency_key_reused: { status: 409 },
  idempotency_key_in_flight: { status: 409 },
  invalid_state: { status: 409 },
  adjustment_in_progress: { status: 409 },
  already_in_batch: { status: 409 },
  capture_not_allowed: { status: 409 },
  amount_too_large: { status: 400 },
  amount_exceeds_refundable: { status: 400 },
  provider_unavailable: { status: 503 },
  card_not_found: { status: 404 },
  invalid_card: { status: 400, code: 'validation_failed' },
  card_declined: { status: 402 },
};

export function toAppError(error: DomainError): AppError {
  const answer = DOMAIN_ERROR_ANSWERS[error.code];
  if (answer.code === 'validation_failed') return validationError(error.problems, error.message);
  return new AppError({
    code: answer.code ?? error.code,
    status: answer.status,
    message: error.message,
    ...(error.problems.length > 0 ? { errors: error.problems } : {}),
    ...(error.details ? { extensions: error.details } : {}),
    cause: error,
  });
}

/** Turns a domain error into its answer; everything else goes on to the shared error handler. */
export const domainErrorHandler: ErrorRequestHandler = (error: unknown, _request, _response, next) => {
  next(error instanceof DomainError ? toAppError(error) : error);
};
