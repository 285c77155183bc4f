/**
 * OpenAPI 3.1 documents built from the same zod contracts the code validates with, so the
 * published description cannot drift from what the server accepts. Served at /openapi.json.
 */
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { problemSchema } from '../contracts/common.ts';

export interface OperationSpec {
  method: 'get' | 'post';
  path: string;
  summary: string;
  /** Request body schema (JSON). */
  body?: z.ZodType;
  /** Query parameters, from an object schema. */
  query?: z.ZodObject;
  headers?: Array<{ name: string; required: boolean; description: string }>;
  /** Status → schema of the JSON answer, or a description for problem+json / non-JSON answers. */
  responses: Record<number, z.ZodType | string>;
  /** False for the probes, which need no key. */
  secured?: boolean;
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { unrepresentable: 'any', io }) as Record<string, unknown>;
  return rest;
}

function operation(spec: OperationSpec): Record<string, unknown> {
  const parameters = [
    ...Object.entries(spec.query?.shape ?? {}).map(([name, schema]) => ({
      name, in: 'query', required: !(schema as z.ZodType).safeParse(undefined).success, schema: jsonSchema(schema as z.ZodType, 'input'),
    })),
    ...(spec.path.match(/:(\w+)/g) ?? []).map((segment) => ({ name: segment.slice(1), in: 'path', required: true, schema: { type: 'string' } })),
    ...(spec.headers ?? []).map((header) => ({ name: header.name, in: 'header', required: header.required, description: header.description, schema: { type: 'string' } })),
  ];
  const responses = Object.fromEntries(Object.entries(spec.responses).map(([status, answer]) => [status, typeof answer === 'string'
    ? { description: answer, content: Number(status) >= 400 ? { 'application/problem+json': { schema: jsonSchema(problemSchema, 'output') } } : undefined }
    : { description: `HTTP ${status}`, content: { 'application/json': { schema: jsonSchema(answer, 'output') } } }]));
  return {
    summary: spec.summary,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } } } } : {}),
    responses,
    ...(spec.secured === false ? { security: [] } : {}),
  };
}

export function buildOpenApi(options: { title: string; description: string; version: string; operations: OperationSpec[] }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of options.operations) {
    const path = spec.path.replace(/:(\w+)/g, '{$1}');
    paths[path] = { ...paths[path], [spec.method]: operation(spec) };
  }
  return {
    openapi: '3.1.0',
    info: { title: options.title, description: options.description, version: options.version },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths,
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
