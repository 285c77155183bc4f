/**
 * Answers the three processes share, described once: they come from the shared edge (the
 * bearer-key check, the body parsers, the 405 guard, the error handler) and from Express itself
 * (conditional GETs).
 */
import { z } from 'zod';
import type { OperationShape } from './openapi.ts';
import type { Responses } from './openapi-responses.ts';

export const INTERNAL_ERROR: Responses = {
  500: { description: 'Something unexpected failed on the server (internal_error); the request changed nothing.', problems: ['internal_error'] },
};

export const UNAUTHORIZED: Responses = {
  401: { description: 'No bearer key, or a wrong one (unauthorized).', problems: ['unauthorized'] },
};

/** What reading a JSON body can answer, before the route sees it. */
export function jsonBodyAnswers(limit: string): Responses {
  return {
    400: {
      description: 'The body is not valid JSON (malformed_body), or could not be read (request_aborted, bad_request).',
      problems: ['malformed_body', 'request_aborted', 'bad_request'],
    },
    413: { description: `The body is larger than ${limit} (payload_too_large).`, problems: ['payload_too_large'] },
    415: { description: 'The body\'s Content-Encoding or charset is not supported (unsupported_encoding).', problems: ['unsupported_encoding'] },
  };
}

/** Express answers a GET whose validator (If-None-Match) still matches with 304 and no body. */
export const NOT_MODIFIED: Responses = {
  304: { description: 'Not modified: the If-None-Match or If-Modified-Since the request sent still matches; no body.' },
};

/** A GET or HEAD whose 200 Express sends (res.send, res.json, a file) can be answered 304; a redirect never is. */
export function isConditional(operation: OperationShape): boolean {
  return (operation.method === 'get' || operation.method === 'head') && operation.statuses.includes(200);
}

export const NOT_FOUND: Responses = {
  404: { description: 'No such path (not_found).', problems: ['not_found'] },
};

export const METHOD_NOT_ALLOWED: Responses = {
  405: {
    description: 'The path does not take this method (method_not_allowed); Allow lists the methods it takes (the methods the path lists here, OPTIONS aside).',
    problems: ['method_not_allowed'],
    headers: { Allow: { description: 'the methods the path takes, such as `GET, HEAD, POST`', required: true, schema: z.string().regex(/^[A-Z]+(, [A-Z]+)*$/) } },
  },
};

export const BEARER_SECURITY_SCHEMES = { bearer: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <key>' } };

export const OPTIONS_AND_405_TEXT = 'A method a path does not take is answered 405 method_not_allowed with an Allow header; OPTIONS answers 204 with the same Allow header. '
  + 'HEAD answers what GET answers, without the body. Every answer carries X-Request-Id.';
