/**
 * The edge of every process: unknown routes, body-parser failures, AppErrors and
 * programmer errors all leave as problem+json. Only the last are logged as errors.
 */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { AppError, PROBLEM_CONTENT_TYPE, isAppError, toProblem } from '../errors.ts';

export function sendProblem(response: Response, error: AppError): void {
  response.status(error.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(toProblem(error)));
}

export const notFoundHandler: RequestHandler = (request, _response, next) => {
  next(new AppError({ code: 'not_found', status: 404, message: `No route for ${request.method} ${request.path}.` }));
};

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
}

/** body-parser and express raise errors with a `type`; map the ones a client can cause. */
function fromBodyParser(error: BodyParserError): AppError | null {
  switch (error.type) {
    case 'entity.too.large':
      return new AppError({ code: 'payload_too_large', status: 413, message: 'The request body is larger than this endpoint accepts.' });
    case 'entity.parse.failed':
      return new AppError({ code: 'malformed_body', status: 400, message: 'The request body is not valid JSON.', errors: [{ field: 'body', message: 'is not valid JSON' }] });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError({ code: 'unsupported_encoding', status: 415, message: 'The request body encoding is not supported.' });
    case 'request.aborted':
      return new AppError({ code: 'request_aborted', status: 400, message: 'The request was aborted by the client.' });
    case 'parameters.too.many':
      return new AppError({ code: 'too_many_parameters', status: 413, message: 'The form has too many fields.' });
    default:
      if (typeof error.status === 'number' && error.status >= 400 && error.status < 500 && error.expose) {
        return new AppError({ code: 'bad_request', status: error.status, message: 'The request could not be read.' });
      }
      return null;
  }
}

export function errorHandler(): ErrorRequestHandler {
  return (error: unknown, request, response, _next) => {
    const known = isAppError(error) ? error : fromBodyParser(error as BodyParserError);
    if (known) {
      if (known.status >= 500) request.log?.warn({ err: error, code: known.code }, known.message);
      sendProblem(response, known);
      return;
    }
    request.log?.error({ err: error }, 'unhandled error');
    if (response.headersSent) {
      response.destroy();
      return;
    }
    sendProblem(response, new AppError({ code: 'internal_error', status: 500, message: 'Something went wrong on our side; nothing was changed by this request.' }));
  };
}
