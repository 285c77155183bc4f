/**
 * AppError: the one error type the services throw on purpose. Its options are named,
 * never positional, and it maps one to one onto an RFC 9457 problem+json body.
 */
import type { FieldProblem } from './cards.ts';

export type { FieldProblem };

export interface AppErrorOptions {
  /** Stable, machine-readable code, e.g. `validation_failed`, `idempotency_key_required`. */
  code: string;
  /** HTTP status the edge answers with. */
  status: number;
  /** Human-readable explanation of this occurrence (the problem's `detail`). */
  message: string;
  /** Per-field problems, for validation errors. */
  errors?: FieldProblem[];
  /** Extra members carried into the problem body (e.g. the payment a 503 concerns). */
  extensions?: Record<string, unknown>;
  cause?: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly errors: FieldProblem[] | undefined;
  readonly extensions: Record<string, unknown> | undefined;

  constructor(options: AppErrorOptions) {
    super(options.message, { cause: options.cause });
    this.name = 'AppError';
    this.code = options.code;
    this.status = options.status;
    this.errors = options.errors;
    this.extensions = options.extensions;
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden',
  404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 413: 'Content Too Large',
  415: 'Unsupported Media Type', 422: 'Unprocessable Content', 429: 'Too Many Requests',
  500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldProblem[];
  [extension: string]: unknown;
}

/** Every problem type is a code; docs/API.md lists them all, with their statuses and meanings. */
export function problemType(code: string): string {
  return `https://cardlane.dev/problems/${code}`;
}

export function toProblem(error: AppError): Problem {
  return {
    ...error.extensions,
    type: problemType(error.code),
    title: TITLES[error.status] ?? 'Error',
    status: error.status,
    detail: error.message,
    code: error.code,
    ...(error.errors ? { errors: error.errors } : {}),
  };
}

export function validationError(errors: FieldProblem[], message = 'The request is invalid.'): AppError {
  const detail = errors.length > 0
    ? `${message} ${errors.map((problem) => `${problem.field}: ${problem.message}`).join('; ')}`
    : message;
  return new AppError({ code: 'validation_failed', status: 400, message: detail, errors });
}

export function notFound(what: string): AppError {
  return new AppError({ code: 'not_found', status: 404, message: `${what} was not found.` });
}

export function unauthorized(): AppError {
  return new AppError({ code: 'unauthorized', status: 401, message: 'A valid bearer key is required (Authorization: Bearer <key>).' });
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
