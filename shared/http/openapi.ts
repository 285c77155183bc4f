/**
 * OpenAPI 3.1 documents built from the same zod contracts the code validates with, so the
 * published description cannot drift from what the server accepts. Served at /openapi.json.
 *
 * A document is exact: every status a route can answer, with the body of each (problem+json
 * bodies name the codes they may carry), HEAD beside every GET, OPTIONS on every path, and two
 * extensions for what no operation can hold: `x-cardlane-other-methods` (a method a listed path
 * does not take: 405 with `Allow`) and `x-cardlane-unknown-paths` (a path not listed: 404).
 * Each problem (code and status) and each contract the document names is written once under
 * components.schemas and referred to.
 */
import type { RequestHandler } from 'express';
import { z } from 'zod';
import {
  REQUEST_ID_HEADER_COMPONENT, REQUEST_ID_HEADER_NAME, SchemaComponents, jsonSchema, mergeResponses, responseObject, type Responses,
} from './openapi-responses.ts';

export type { ProblemSpec, ResponseSpec, Responses, HeaderSpec } from './openapi-responses.ts';
export { mergeResponses } from './openapi-responses.ts';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';
export type DocumentedMethod = HttpMethod | 'head' | 'options';

export interface HeaderParameter {
  name: string;
  required: boolean;
  description: string;
  schema?: z.ZodType;
}

export interface OperationSpec {
  method: HttpMethod;
  /** Express style: `/v1/payments/:id`. */
  path: string;
  summary: string;
  description?: string;
  /** Request body schema (JSON). */
  body?: z.ZodType;
  /** JSON Schema of an `application/x-www-form-urlencoded` body (a browser's form); with `body`, either is taken. */
  form?: Record<string, unknown>;
  /** Query parameters, from an object schema. */
  query?: z.ZodObject;
  /** Path parameters other than plain strings. */
  pathParameters?: Record<string, z.ZodType>;
  headers?: HeaderParameter[];
  /** The route's own answers; the document adds the shared ones. */
  responses: Responses;
  /** The security scheme it needs, null for none; the document's default when absent. */
  security?: string | null;
}

/** What the shared answers are chosen by: a listed operation, or a HEAD or OPTIONS derived from one. */
export interface OperationShape {
  method: DocumentedMethod;
  path: string;
  security: string | null;
  /** True when the operation takes a request body. */
  takesBody: boolean;
  /** The statuses of the operation's own answers. */
  statuses: number[];
}

export interface ExtraAnswers {
  description: string;
  responses: Responses;
}

export interface DocumentSpec {
  title: string;
  description: string;
  version: string;
  operations: OperationSpec[];
  securitySchemes?: Record<string, Record<string, unknown>>;
  defaultSecurity?: string;
  /** Contracts answered by several routes, written once under components.schemas by these names. */
  schemas?: Record<string, z.ZodType>;
  /** Answers every operation of this shape may give besides its own (401, body parsing, 500, …). */
  sharedResponses: (operation: OperationShape) => Responses;
  /** A method a listed path does not take. */
  otherMethods: ExtraAnswers;
  /** A path the document does not list. */
  unknownPaths: ExtraAnswers;
  /** True when OPTIONS needs the path's security (a key checked before anything else). */
  optionsSecured?: boolean;
}

/** `/v1/payments/:id` → `/v1/payments/{id}`. */
export function openApiPath(path: string): string {
  return path.replace(/:(\w+)/g, '{$1}');
}

function parameters(spec: OperationSpec): Array<Record<string, unknown>> {
  return [
    ...(spec.path.match(/:(\w+)/g) ?? []).map((segment) => {
      const name = segment.slice(1);
      const schema = spec.pathParameters?.[name];
      return { name, in: 'path', required: true, schema: schema ? jsonSchema(schema, 'input') : { type: 'string' } };
    }),
    ...Object.entries(spec.query?.shape ?? {}).map(([name, schema]) => ({
      name, in: 'query', required: !(schema as z.ZodType).safeParse(undefined).success, schema: jsonSchema(schema as z.ZodType, 'input'),
    })),
    ...(spec.headers ?? []).map((header) => ({
      name: header.name, in: 'header', required: header.required, description: header.description,
      schema: header.schema ? jsonSchema(header.schema, 'input') : { type: 'string' },
    })),
  ];
}

function requestBody(spec: OperationSpec): Record<string, unknown> | undefined {
  const content: Record<string, unknown> = {};
  if (spec.form) content['application/x-www-form-urlencoded'] = { schema: spec.form };
  if (spec.body) content['application/json'] = { schema: jsonSchema(spec.body, 'input') };
  return Object.keys(content).length > 0 ? { required: true, content } : undefined;
}

function renderResponses(responses: Responses, components: SchemaComponents, withBody = true): Record<string, unknown> {
  return Object.fromEntries(Object.entries(responses).map(([status, response]) => [status, responseObject(Number(status), response, components, withBody)]));
}

function securityMember(security: string | null, documentDefault: string | null): Record<string, unknown> {
  if (security === documentDefault) return {};
  return { security: security ? [{ [security]: [] }] : [] };
}

/** The methods a path answers, as its `Allow` header lists them. */
function allowHeader(methods: DocumentedMethod[]): string {
  return methods.filter((method) => method !== 'options').map((method) => method.toUpperCase()).sort().join(', ');
}

function optionsOperation(path: string, methods: DocumentedMethod[], security: string | null, document: DocumentSpec, components: SchemaComponents): Record<string, unknown> {
  const allow = allowHeader(methods);
  const own: Responses = {
    204: {
      description: 'The methods this path takes, in the Allow header; no body.',
      headers: { Allow: { description: 'the methods this path takes', required: true, schema: z.literal(allow) } },
    },
  };
  const responses = mergeResponses(own, document.sharedResponses({ method: 'options', path, security, takesBody: false, statuses: [204] }));
  return { summary: `The methods ${path} takes (${allow})`, responses: renderResponses(responses, components), ...securityMember(security, document.defaultSecurity ?? null) };
}

export function buildOpenApi(document: DocumentSpec): Record<string, unknown> {
  const documentDefault = document.defaultSecurity ?? null;
  const components = new SchemaComponents(document.schemas);
  const paths: Record<string, Record<string, unknown>> = {};
  const pathSecurity = new Map<string, string | null>();
  for (const spec of document.operations) {
    const path = openApiPath(spec.path);
    const security = spec.security === undefined ? documentDefault : spec.security;
    pathSecurity.set(path, pathSecurity.get(path) ?? security);
    const shape: OperationShape = { method: spec.method, path, security, takesBody: Boolean(spec.body ?? spec.form), statuses: Object.keys(spec.responses).map(Number) };
    const params = parameters(spec);
    const common = {
      ...(spec.description ? { description: spec.description } : {}),
      ...(params.length > 0 ? { parameters: params } : {}),
      ...securityMember(security, documentDefault),
    };
    const responses = mergeResponses(spec.responses, document.sharedResponses(shape));
    const body = requestBody(spec);
    paths[path] = { ...paths[path], [spec.method]: { summary: spec.summary, ...common, ...(body ? { requestBody: body } : {}), responses: renderResponses(responses, components) } };
    if (spec.method === 'get') {
      const headResponses = mergeResponses(spec.responses, document.sharedResponses({ ...shape, method: 'head' }));
      paths[path].head = { summary: `${spec.summary} (the headers of GET, without the body)`, ...common, responses: renderResponses(headResponses, components, false) };
    }
  }
  for (const [path, item] of Object.entries(paths)) {
    const security = document.optionsSecured ? pathSecurity.get(path) ?? null : null;
    item.options = optionsOperation(path, Object.keys(item) as DocumentedMethod[], security, document, components);
  }
  const otherMethods = { description: document.otherMethods.description, responses: renderResponses(document.otherMethods.responses, components) };
  const unknownPaths = { description: document.unknownPaths.description, responses: renderResponses(document.unknownPaths.responses, components) };
  return {
    openapi: '3.1.0',
    info: { title: document.title, description: document.description, version: document.version },
    components: {
      ...(document.securitySchemes ? { securitySchemes: document.securitySchemes } : {}),
      headers: { [REQUEST_ID_HEADER_NAME]: REQUEST_ID_HEADER_COMPONENT },
      schemas: components.schemas,
    },
    ...(documentDefault ? { security: [{ [documentDefault]: [] }] } : {}),
    paths,
    'x-cardlane-other-methods': otherMethods,
    'x-cardlane-unknown-paths': unknownPaths,
  };
}

/**
 * A document builder that builds once per distinct options: a document depends on nothing else,
 * and building one takes tens of milliseconds, which the tests, building hundreds of apps, feel.
 */
export function builtOnce<Options>(build: (options: Options) => Record<string, unknown>): (options: Options) => Record<string, unknown> {
  const built = new Map<string, Record<string, unknown>>();
  return (options) => {
    const key = JSON.stringify(options) ?? '';
    let document = built.get(key);
    if (!document) {
      document = build(options);
      built.set(key, document);
    }
    return document;
  };
}

/** Serves a document built once, at the first request. */
export function openApiHandler(build: () => Record<string, unknown>): RequestHandler {
  let document: string | null = null;
  return (_request, response) => {
    document ??= JSON.stringify(build());
    response.type('application/json').send(document);
  };
}
