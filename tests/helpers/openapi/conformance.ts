/**
 * Checks one recorded answer against the OpenAPI 3.1 document the app itself serves: the path
 * template it matches, that its status is documented for the method (or, for a method the path
 * does not take or a path not listed, in the document's `x-cardlane-*` answers), its content type,
 * its body against the JSON Schema (Ajv's draft 2020-12 validator with ajv-formats), and the
 * headers the document requires. Each distinct schema is compiled once per document, on first use.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';

export type AppName = 'processing-server' | 'card-network-sim' | 'ui-server';

export interface Exchange {
  app: AppName;
  method: string;
  /** The request path as sent, without the query. */
  path: string;
  status: number;
  contentType: string | undefined;
  headers: Record<string, unknown>;
  body: Buffer;
  /** Set when the body was larger than the recorder keeps. */
  truncated: boolean;
  /** The test that was running when the answer finished. */
  test: string | undefined;
}

type JsonObject = Record<string, unknown>;

interface ResponseObject {
  description?: string;
  headers?: Record<string, JsonObject>;
  content?: Record<string, { schema?: JsonObject }>;
}

/** What the check found: the template matched, and every way the answer differs from the document. */
export interface Verdict {
  template: string;
  problems: string[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** The documents' references are one level deep; more means a mistake. */
const REFERENCE_DEPTH_MAX = 8;

function segments(path: string): string[] {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.split('/');
}

/**
 * The path template a request path matches, as Express would route it: literal segments compare
 * without regard to case, `{name}` takes one non-empty segment, a trailing slash is ignored, and
 * the template with the most literal segments wins.
 */
export function matchTemplate(templates: string[], requestPath: string): string | undefined {
  const actual = segments(requestPath);
  let best: { template: string; literals: number } | undefined;
  for (const template of templates) {
    const expected = segments(template);
    if (expected.length !== actual.length) continue;
    let literals = 0;
    const matches = expected.every((segment, index) => {
      const given = actual[index] ?? '';
      if (/^\{\w+\}$/.test(segment)) return given !== '';
      literals += 1;
      return segment.toLowerCase() === given.toLowerCase();
    });
    if (matches && (!best || literals > best.literals)) best = { template, literals };
  }
  return best?.template;
}

function mediaTypeOf(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0]?.trim().toLowerCase() || undefined;
}

function contentFor(content: Record<string, unknown>, mediaType: string): string | undefined {
  if (mediaType in content) return mediaType;
  const [kind] = mediaType.split('/');
  if (`${kind}/*` in content) return `${kind}/*`;
  return '*/*' in content ? '*/*' : undefined;
}

function isJson(mediaType: string): boolean {
  return mediaType === 'application/json' || mediaType.endsWith('+json');
}

function headerValue(headers: Record<string, unknown>, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

export class DocumentChecker {
  readonly #document: JsonObject;
  readonly #paths: Record<string, Record<string, JsonObject>>;
  readonly #ajv: Ajv2020;
  /** By the schema's text: the same schema under many routes (a problem, a payment) is compiled once. */
  readonly #compiled = new Map<string, ValidateFunction>();
  readonly #keys = new WeakMap<object, string>();

  constructor(document: JsonObject) {
    this.#document = document;
    this.#paths = (document.paths ?? {}) as Record<string, Record<string, JsonObject>>;
    // strict: false because OpenAPI keeps its own members (description, examples) beside the schema keywords.
    this.#ajv = new Ajv2020({ allErrors: true, strict: false });
    formats.default(this.#ajv);
  }

  /** How many schemas were compiled so far (each once). */
  get compiledCount(): number {
    return this.#compiled.size;
  }

  check(exchange: Exchange): Verdict {
    const template = matchTemplate(Object.keys(this.#paths), exchange.path);
    const method = exchange.method.toLowerCase();
    const item = template ? this.#paths[template] : undefined;
    const operation = item?.[method];
    const problems: string[] = [];
    let responses: Record<string, ResponseObject>;
    let where: string;
    if (!template || !item) {
      responses = this.#extension('x-cardlane-unknown-paths');
      where = 'a path the document does not list (x-cardlane-unknown-paths)';
    } else if (!operation) {
      responses = this.#extension('x-cardlane-other-methods');
      where = `${exchange.method} on ${template}, a method the path does not take (x-cardlane-other-methods)`;
      problems.push(...this.#checkOtherMethod(exchange, item));
    } else {
      responses = (operation.responses ?? {}) as Record<string, ResponseObject>;
      where = `${exchange.method} ${template}`;
    }
    const response = responses[String(exchange.status)] ?? responses[`${String(exchange.status)[0]}XX`] ?? responses.default;
    if (!response) {
      problems.push(`status ${exchange.status} is not documented for ${where} (documented: ${Object.keys(responses).join(', ')})`);
      return { template: template ?? '(unlisted)', problems };
    }
    problems.push(...this.#checkHeaders(exchange, response), ...this.#checkBody(exchange, response));
    return { template: template ?? '(unlisted)', problems };
  }

  #extension(name: string): Record<string, ResponseObject> {
    const extension = this.#document[name] as { responses?: Record<string, ResponseObject> } | undefined;
    return extension?.responses ?? {};
  }

  /** A 405's Allow lists exactly the methods the document gives the path; only a keyed path answers 401 first. */
  #checkOtherMethod(exchange: Exchange, item: Record<string, JsonObject>): string[] {
    const documented = Object.keys(item).filter((method) => METHODS.includes(method));
    const problems: string[] = [];
    if (exchange.status === 405) {
      const expected = documented.filter((method) => method !== 'options').map((method) => method.toUpperCase()).sort().join(', ');
      const allow = headerValue(exchange.headers, 'Allow');
      if (allow !== expected) problems.push(`Allow is "${allow ?? ''}", but the document lists ${expected} for this path`);
    }
    if (exchange.status === 401) {
      const keyed = documented.some((method) => {
        const security = item[method]?.security ?? this.#document.security;
        return Array.isArray(security) && security.length > 0;
      });
      if (!keyed) problems.push('401 on a path whose operations need no key');
    }
    return problems;
  }

  #checkHeaders(exchange: Exchange, response: ResponseObject): string[] {
    const problems: string[] = [];
    for (const [name, declared] of Object.entries(response.headers ?? {})) {
      const header = this.#resolve(declared);
      const value = headerValue(exchange.headers, name);
      if (value === undefined) {
        if (header.required === true) problems.push(`the required header ${name} is missing`);
        continue;
      }
      const schema = header.schema as JsonObject | undefined;
      if (schema && !this.#validator(schema)(value)) problems.push(`header ${name}: "${value}" ${this.#errors(schema)}`);
    }
    return problems;
  }

  #checkBody(exchange: Exchange, response: ResponseObject): string[] {
    const content = response.content;
    const mediaType = mediaTypeOf(exchange.contentType);
    if (!content) {
      return exchange.body.length > 0 ? [`a body of ${exchange.body.length} bytes (${mediaType ?? 'no content type'}) where the document describes none`] : [];
    }
    if (exchange.method === 'HEAD') return [];
    if (!mediaType) return [`no Content-Type, but the document describes ${Object.keys(content).join(', ')}`];
    const key = contentFor(content, mediaType);
    if (!key) return [`content type ${mediaType} is not documented (documented: ${Object.keys(content).join(', ')})`];
    const schema = content[key]?.schema;
    if (!schema || exchange.truncated) return [];
    let body: unknown = exchange.body.toString('utf8');
    if (isJson(mediaType)) {
      try {
        body = JSON.parse(body as string);
      } catch {
        return [`the ${mediaType} body is not JSON`];
      }
    }
    return this.#validator(schema)(body) ? [] : [`body ${this.#errors(schema)}`];
  }

  #resolve(value: JsonObject): JsonObject {
    const reference = value.$ref;
    if (typeof reference !== 'string' || !reference.startsWith('#/')) return value;
    let found: unknown = this.#document;
    for (const part of reference.slice(2).split('/')) found = (found as JsonObject | undefined)?.[part.replaceAll('~1', '/').replaceAll('~0', '~')];
    if (!found || typeof found !== 'object') throw new Error(`${reference} does not resolve in the document`);
    return found as JsonObject;
  }

  #validator(schema: JsonObject): ValidateFunction {
    let key = this.#keys.get(schema);
    if (key === undefined) {
      key = JSON.stringify(schema);
      this.#keys.set(schema, key);
    }
    let validate = this.#compiled.get(key);
    if (!validate) {
      validate = this.#ajv.compile(this.#inline(schema) as JsonObject);
      this.#compiled.set(key, validate);
    }
    return validate;
  }

  /** The schema with its references to the document's components replaced by what they name. */
  #inline(value: unknown, depth = 0): unknown {
    if (depth > REFERENCE_DEPTH_MAX) throw new Error('the schema\'s references nest too deep (a cycle?)');
    if (Array.isArray(value)) return value.map((member) => this.#inline(member, depth));
    if (value === null || typeof value !== 'object') return value;
    const object = value as JsonObject;
    if (typeof object.$ref === 'string' && object.$ref.startsWith('#/')) return this.#inline(this.#resolve(object), depth + 1);
    return Object.fromEntries(Object.entries(object).map(([name, member]) => [name, this.#inline(member, depth)]));
  }

  #errors(schema: JsonObject): string {
    const validate = this.#validator(schema);
    return (validate.errors ?? []).map((error) => `${error.instancePath || '(root)'} ${error.message ?? 'is invalid'}${error.params && 'additionalProperty' in error.params ? ` (${String(error.params.additionalProperty)})` : ''}`).join('; ');
  }
}

/** One failing answer, for the test's error: the app, the request, the template it matched, the status, the test, what differs. */
export function describeFailure(exchange: Exchange, verdict: Verdict): string {
  const test = exchange.test ? ` (in "${exchange.test}")` : '';
  return `- ${exchange.app}: ${exchange.method} ${exchange.path} [${verdict.template}] → ${exchange.status} ${exchange.contentType ?? '(no content type)'}${test}\n`
    + verdict.problems.map((problem) => `    ${problem}`).join('\n');
}
