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

function reference(name: string): Record<string, unknown> {
  return { $ref: `#/components/schemas/${name}` };
}

/**
 * The document's reusable schemas, each written once and referred to: the contracts the document
 * names (a payment, a run), and one closed RFC 9457 problem per code and status (exactly the
 * standard members, `errors`, and the extensions listed).
 */
export class SchemaComponents {
  readonly schemas: Record<string, Record<string, unknown>> = {};
  readonly #names: Map<z.ZodType, string>;

  constructor(named: Record<string, z.ZodType> = {}) {
    this.#names = new Map(Object.entries(named).map(([name, schema]) => [schema, name]));
  }

  /** A JSON body: a reference when the contract is named, else the schema itself. */
  json(schema: z.ZodType): Record<string, unknown> {
    const name = this.#names.get(schema);
    if (!name) return jsonSchema(schema, 'output');
    this.schemas[name] ??= jsonSchema(schema, 'output');
    return reference(name);
  }

  /** A problem+json body: one of the problems a status may carry. */
  problem(status: number, problems: Array<string | ProblemSpec>): Record<string, unknown> {
    const references = problems.map((problem) => {
      const spec = typeof problem === 'string' ? { code: problem } : problem;
      const name = `problem-${spec.code}-${status}`;
      const schema = jsonSchema(problemVariant(status, spec), 'output');
      const known = this.schemas[name];
      if (known && JSON.stringify(known) !== JSON.stringify(schema)) throw new Error(`${spec.code} at ${status} is described with two sets of members`);
      this.schemas[name] = schema;
      return reference(name);
    });
    if (references.length === 0) throw new Error(`status ${status} lists no problem codes`);
    return references.length === 1 ? references[0] as Record<string, unknown> : { oneOf: references };
  }
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
export function responseObject(status: number, response: ResponseSpec, components: SchemaComponents, withBody = true): Record<string, unknown> {
  const content: Record<string, unknown> = {};
  if (response.json) content['application/json'] = { schema: components.json(response.json) };
  if (response.problems) content[PROBLEM_MEDIA_TYPE] = { schema: components.problem(status, response.problems) };
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
