/**
 * A stand-in for the processing server: a real HTTP server on port 0 whose answer each test
 * decides, and which records every request it receives (headers and parsed body) so the test
 * can check exactly what the UI server sent.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payment } from '../../shared/contracts/processing.ts';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export type FakeReply =
  | { status: number; body?: unknown; contentType?: string }
  /** Accept the request and never answer (the UI server's timeout fires). */
  | { action: 'hang' }
  /** Drop the connection after the request arrived (a reset, outcome unknown). */
  | { action: 'reset' };

export type FakeHandler = (request: RecordedRequest, index: number) => FakeReply;

export interface FakeProcessing {
  url: string;
  requests: RecordedRequest[];
  reply(handler: FakeHandler): void;
  close(): Promise<void>;
}

export async function startFakeProcessing(handler?: FakeHandler): Promise<FakeProcessing> {
  const requests: RecordedRequest[] = [];
  let current: FakeHandler = handler ?? (() => ({ status: 500, body: { code: 'no_handler' } }));
  const server = http.createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedRequest = {
        method: incoming.method ?? '',
        url: incoming.url ?? '',
        headers: incoming.headers,
        body: text === '' ? undefined : (JSON.parse(text) as unknown),
      };
      requests.push(recorded);
      const reply = current(recorded, requests.length - 1);
      if ('action' in reply) {
        if (reply.action === 'reset') incoming.socket.destroy();
        return;
      }
      const contentType = reply.contentType ?? (reply.status >= 400 && reply.status !== 402 ? 'application/problem+json' : 'application/json');
      outgoing.writeHead(reply.status, { 'Content-Type': contentType });
      outgoing.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reply(next) {
      current = next;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** A URL where nothing listens: a port that was just free. */
export async function refusedUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

export function paymentFixture(overrides: Partial<Payment> = {}): Payment {
  return {
    id: 'pay_0001',
    status: 'authorized',
    amount: 1234,
    currency: 'USD',
    captureMethod: 'automatic',
    paymentMethod: 'card',
    card: { brand: 'visa', last4: '4242', expMonth: 12, expYear: 2030 },
    holderName: 'Ada Lovelace',
    authorizationCode: 'A1B2C3',
    decline: null,
    reason: null,
    capturedAmount: 0,
    refundedAmount: 0,
    settlementId: null,
    merchantReference: 'mr_0001',
    description: null,
    orderId: null,
    createdAt: '2026-01-15T10:00:00.000Z',
    updatedAt: '2026-01-15T10:00:00.000Z',
    ...overrides,
  };
}

export function declinedFixture(code: string, networkCode?: string): Payment {
  return paymentFixture({
    status: 'declined',
    authorizationCode: null,
    decline: { code, message: code.replaceAll('_', ' '), ...(networkCode ? { networkCode } : {}) },
  });
}

export function problem(status: number, code: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: `https://cardlane.dev/problems/${code}`, title: 'Problem', status, detail: `${code} happened`, code, ...extra };
}
