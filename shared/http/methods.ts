/**
 * 405 Method Not Allowed, with the `Allow` header (RFC 9110 §15.5.6), for a method an app does
 * not serve on a path it does serve; a path it does not serve stays 404. The methods come from
 * the app's own routes, read when a request needs them, so a route added anywhere in the app is
 * covered without code of its own. OPTIONS is answered 204 with the same `Allow` header.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Express, RequestHandler } from 'express';
import { AppError } from '../errors.ts';

/** What this module reads of the router's layers (express 5, router 2). */
interface RouteShape {
  _handlesMethod(method: string): boolean;
  _methods(): string[];
}

interface LayerShape {
  route?: RouteShape;
  handle?: { stack?: unknown };
  match(path: string): false | { path: string };
}

/** Mounted routers nest; a real app is a few levels deep. */
const NESTING_MAX = 8;

interface MethodsFound {
  allowed: Set<string>;
  /** True when a route on the path takes the request's method. */
  handled: boolean;
}

function matchOf(layer: LayerShape, requestPath: string): false | { path: string } {
  try {
    return layer.match(requestPath);
  } catch {
    // A path that cannot be decoded matches nothing here; the router answers it as it always does.
    return false;
  }
}

function collect(stack: unknown, requestPath: string, method: string, found: MethodsFound, depth: number): void {
  if (!Array.isArray(stack) || depth > NESTING_MAX) return;
  for (const layer of stack as LayerShape[]) {
    const match = typeof layer.match === 'function' ? matchOf(layer, requestPath) : false;
    if (!match) continue;
    if (layer.route) {
      for (const allowed of layer.route._methods()) found.allowed.add(allowed);
      found.handled ||= layer.route._handlesMethod(method);
    } else if (Array.isArray(layer.handle?.stack)) {
      // A mounted router sees the rest of the path, as the router itself would hand it on.
      const rest = requestPath.slice(match.path.length);
      collect(layer.handle.stack, rest.startsWith('/') ? rest : `/${rest}`, method, found, depth + 1);
    }
  }
}

export interface MethodGuardOptions {
  /** Methods served on a path by something other than a route (static files). */
  otherMethods?: (requestPath: string) => readonly string[];
}

/** Mount once, anywhere before the 404 handler; it reads the app's routes at request time. */
export function methodNotAllowed(app: Express, options: MethodGuardOptions = {}): RequestHandler {
  return (request, response, next) => {
    const found: MethodsFound = { allowed: new Set(options.otherMethods?.(request.path)), handled: false };
    collect((app as unknown as { router?: { stack?: unknown } }).router?.stack, request.path, request.method, found, 0);
    if (found.handled || found.allowed.size === 0 || found.allowed.has(request.method)) {
      next();
      return;
    }
    const allow = [...found.allowed].sort().join(', ');
    response.setHeader('Allow', allow);
    if (request.method === 'OPTIONS') {
      response.status(204).end();
      return;
    }
    next(new AppError({
      code: 'method_not_allowed', status: 405,
      message: `${request.method} is not allowed here; this path accepts ${allow}.`,
      errors: [{ field: 'method', message: `must be one of ${allow}` }],
    }));
  };
}

/** The URL paths of every file under `directory` as express.static serves them at `mountPath`. */
export function listStaticFiles(directory: string, mountPath = '/'): string[] {
  const prefix = mountPath.endsWith('/') ? mountPath : `${mountPath}/`;
  try {
    return fs.readdirSync(directory, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => `${prefix}${path.relative(directory, path.join(entry.parentPath, entry.name)).split(path.sep).join('/')}`)
      .sort();
  } catch {
    return [];
  }
}

/** GET and HEAD for every file under `directory`, served at `mountPath` (express.static's paths). */
export function staticFileMethods(directory: string, mountPath = '/'): (requestPath: string) => readonly string[] {
  const files = new Set(listStaticFiles(directory, mountPath));
  return (requestPath) => (files.has(requestPath) ? ['GET', 'HEAD'] : []);
}
