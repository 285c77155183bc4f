/** zod at the edge: a failed parse becomes a 400 problem whose `errors` name each field. */
import type { z } from 'zod';
import { validationError, type FieldProblem } from '../errors.ts';

export function fieldProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.map(String).join('.') : 'body',
    message: issue.message,
  }));
}

/** Parses `input` or throws a validation AppError; `prefix` names where the fields live (e.g. `query`). */
export function parseOrThrow<Schema extends z.ZodType>(schema: Schema, input: unknown, prefix?: string): z.infer<Schema> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const problems = fieldProblems(result.error).map((problem) => ({
    ...problem,
    field: prefix ? `${prefix}.${problem.field}` : problem.field,
  }));
  throw validationError(problems);
}
