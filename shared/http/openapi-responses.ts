/**
 * The answers of an OpenAPI document: what each status carries (JSON from a zod contract,
 * problem+json with the codes it may name, an HTML page, other text), its headers, and how the
 * answers every route shares are merged into a route's own.
 */
import { z } from 'zod';
import { fieldProblemSchema } from '../contracts/common.ts';
import { problemType } from '../errors.ts';

/** One problem a status may carry: its `code`, and the members it adds to the standard ones. */
export interface ProblemSpec {
  code: string;
  extensions?: z.ZodRawShape;
}

export interface HeaderSpec {
  description: string;
  required?: boolean;
  /** A string by default. */
  schema?: z.ZodType;
}

export interface ResponseSpec {
  description: string;
  /** `application/json`, from a contract. */
  json?: z.ZodType;
  /** `application/problem+json`: the codes this status may carry, each with its extensions. */
  problems?: Array<string | ProblemSpec>;
  /** `text/html`: a page for a browser. */
  html?: boolean;
  /** Other media types whose body is text (`text/plain`, `text/css`) or anything (`*\/*`). */
  text?: string[];
  headers?: Record<string, HeaderSpec>;
}

export type Responses = Record<number, ResponseSpec>;

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/** Every response carries the request id (minted, or the caller's when well formed). */
export const REQUEST_ID_HEADER_NAME = 'X-Request-Id';
export const REQUEST_ID_HEADER_COMPONENT = {
  description: 'The request id: the caller\'s own when it is 1 to 100 letters, digits or `._:-`, otherwise a new one. Every log line of the request carries it.',
  required: true,
  schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,100}$' },
};

export function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { unrepresentable: 'any', io }) as Record<string, unknown>;
  return rest;
}

function problemVariant(status: number, problem: ProblemSpec): z.ZodObject {
  return z.object({
    type: z.literal(problemType(problem.code)),
    title: z.string(),
    status: z.literal(status),
    detail: z.string(),
    code: z.literal(problem.code),
    errors: z.array(fieldProblemSchema).optional(),
    ...problem.extensions,
  });
}

/** RFC 9457 problem details, closed: exactly the standard members, `errors`, and the extensions listed. */
export function problemSchema(status: number, problems: Array<string | ProblemSpec>): Record<string, unknown> {
  const variants = problems.map((problem) => problemVariant(status, typeof problem === 'string' ? { code: problem } : problem));
  const [first, ...others] = variants;
  if (!first) throw new Error(`status ${status} lists no problem codes`);
  return jsonSchema(others.length === 0 ? first : z.discriminatedUnion('code', [first, ...others]), 'output');
}

function codeOf(problem: string | ProblemSpec): string {
  return typeof problem === 'string' ? problem : problem.code;
}

/** Two descriptions of one status joined; a shared answer adds its own sentence to the route's. */
function joinDescriptions(first: string, second: string): string {
  if (first.includes(second)) return first;
  return `${first.replace(/\.$/, '')}. ${second}`;
}

function mergeResponse(status: number, own: ResponseSpec, shared: ResponseSpec): ResponseSpec {
  if (own.json && shared.json && own.json !== shared.json) throw new Error(`status ${status} has two JSON bodies`);
  const problems = [...(own.problems ?? [])];
  for (const problem of shared.problems ?? []) {
    if (!problems.some((known) => codeOf(known) === codeOf(problem))) problems.push(problem);
  }
  const json = own.json ?? shared.json;
  const text = [...new Set([...(own.text ?? []), ...(shared.text ?? [])])];
  return {
    description: joinDescriptions(own.description, shared.description),
    ...(json ? { json } : {}),
    ...(problems.length > 0 ? { problems } : {}),
    ...(own.html || shared.html ? { html: true } : {}),
    ...(text.length > 0 ? { text } : {}),
    headers: { ...shared.headers, ...own.headers },
  };
}

/** A route's own answers with the shared ones; where both describe a status, the route's comes first. */
export function mergeResponses(own: Responses, ...shared: Responses[]): Responses {
  const merged: Responses = { ...own };
  for (const layer of shared) {
    for (const [key, response] of Object.entries(layer)) {
      const status = Number(key);
      const existing = merged[status];
      merged[status] = existing ? mergeResponse(status, existing, response) : response;
    }
  }
  return merged;
}

function headerObject(header: HeaderSpec): Record<string, unknown> {
  return {
    description: header.description,
    required: header.required ?? false,
    schema: header.schema ? jsonSchema(header.schema, 'output') : { type: 'string' },
  };
}

/** The OpenAPI response object; `withBody: false` for HEAD, whose answers carry headers only. */
export function responseObject(status: number, response: ResponseSpec, withBody = true): Record<string, unknown> {
  const content: Record<string, unknown> = {};
  if (response.json) content['application/json'] = { schema: jsonSchema(response.json, 'output') };
  if (response.problems) content[PROBLEM_MEDIA_TYPE] = { schema: problemSchema(status, response.problems) };
  if (response.html) content['text/html'] = { schema: { type: 'string' } };
  for (const mediaType of response.text ?? []) content[mediaType] = { schema: { type: 'string' } };
  const headers: Record<string, unknown> = { [REQUEST_ID_HEADER_NAME]: { $ref: `#/components/headers/${REQUEST_ID_HEADER_NAME}` } };
  for (const [name, header] of Object.entries(response.headers ?? {})) headers[name] = headerObject(header);
  return {
    description: response.description,
    headers,
    ...(withBody && Object.keys(content).length > 0 ? { content } : {}),
  };
}
