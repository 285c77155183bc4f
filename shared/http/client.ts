/**
 * The HTTP client factory for service-to-service calls: axios with a keep-alive agent,
 * a timeout on every call, the bearer key, and the caller's request id passed along.
 */
import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance } from 'axios';

export interface ServiceClientOptions {
  baseURL: string;
  apiKey: string;
  timeoutMs: number;
  /** Upper bound on open sockets to the service. */
  socketsMax?: number;
}

export function createServiceClient(options: ServiceClientOptions): AxiosInstance {
  const socketsMax = options.socketsMax ?? 64;
  // Every socket may stay open while idle: with fewer, a burst above that closes the rest, and
  // the next burst pays for new connections.
  const agentOptions = { keepAlive: true, maxSockets: socketsMax, maxFreeSockets: socketsMax };
  return axios.create({
    baseURL: options.baseURL,
    timeout: options.timeoutMs,
    headers: { Authorization: `Bearer ${options.apiKey}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    httpAgent: new http.Agent(agentOptions),
    httpsAgent: new https.Agent(agentOptions),
    // Every status is a result for the caller to interpret; only transport failures throw.
    validateStatus: () => true,
    // Answers are parsed and validated by the caller's zod schema, not trusted as-is.
    responseType: 'json',
    maxContentLength: 64 * 1024 * 1024,
    maxRedirects: 0,
    // Calls between the services never go through an HTTP proxy of the environment (HTTP_PROXY),
    // and so no request reads the environment to find one.
    proxy: false,
  });
}

/** Headers that carry the request id to the next hop. */
export function requestIdHeaders(requestId: string | undefined): Record<string, string> {
  return requestId ? { 'x-request-id': requestId } : {};
}

/** True for failures after which the request may or may not have reached the server. */
export function isAmbiguousTransportError(error: unknown): boolean {
  if (!axios.isAxiosError(error)) return false;
  return error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT' || error.code === 'ECONNRESET'
    || error.code === 'EPIPE' || error.code === 'ERR_BAD_RESPONSE' || error.message.includes('socket hang up');
}

/** True for failures that prove the request never reached the server (nothing listening). */
export function isConnectionRefused(error: unknown): boolean {
  return axios.isAxiosError(error) && (error.code === 'ECONNREFUSED' || error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN');
}
