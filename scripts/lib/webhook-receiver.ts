/**
 * A webhook endpoint for the chaos run and the tests: a real HTTP server on a free port of
 * 127.0.0.1 that keeps every delivery it gets (raw body, signature, attempt) and answers each as
 * the caller's `reply` decides: a status, no answer at all, or a dropped connection. The raw
 * body is kept as received, so that its signature can be checked as any receiver would.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WEBHOOK_ATTEMPT_HEADER, WEBHOOK_SIGNATURE_HEADER, verifyWebhookSignature } from '../../shared/webhook-signature.ts';

export interface ReceivedDelivery {
  path: string;
  rawBody: Buffer;
  signature: string | undefined;
  attempt: number;
  /** The event id in the body, when it parses. */
  eventId: string | undefined;
  /** Each delivery's position among all received, from 0. */
  index: number;
  /** How it was answered. */
  reply?: WebhookReply;
}

/** A status to answer, `hang` (never answer), or `reset` (drop the connection). */
export type WebhookReply = number | 'hang' | 'reset';

export interface WebhookReceiver {
  url: string;
  deliveries: ReceivedDelivery[];
  /** How to answer from now on. */
  answer(reply: (delivery: ReceivedDelivery) => WebhookReply): void;
  /** True when the delivery's signature is good for `secret` at `nowSeconds` (the wall clock by default). */
  signedWith(delivery: ReceivedDelivery, secret: string, nowSeconds?: number): boolean;
  close(): Promise<void>;
}

/** A bound on what one delivery may send: an event is a few kilobytes. */
const BODY_BYTES_MAX = 1024 * 1024;

export async function startWebhookReceiver(reply: (delivery: ReceivedDelivery) => WebhookReply = () => 200): Promise<WebhookReceiver> {
  const deliveries: ReceivedDelivery[] = [];
  let current = reply;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_BYTES_MAX) request.socket.destroy();
      else chunks.push(chunk);
    });
    request.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      let eventId: string | undefined;
      try {
        eventId = (JSON.parse(rawBody.toString('utf8')) as { id?: string }).id;
      } catch {
        eventId = undefined;
      }
      const delivery: ReceivedDelivery = {
        path: request.url ?? '/', rawBody, signature: request.headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()] as string | undefined,
        attempt: Number(request.headers[WEBHOOK_ATTEMPT_HEADER.toLowerCase()]), eventId, index: deliveries.length,
      };
      deliveries.push(delivery);
      const answer = current(delivery);
      delivery.reply = answer;
      if (answer === 'hang') return;
      if (answer === 'reset') {
        request.socket.destroy();
        return;
      }
      response.writeHead(answer, { 'Content-Type': 'application/json' }).end('{"received":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`,
    deliveries,
    answer: (next) => { current = next; },
    signedWith: (delivery, secret, nowSeconds = Math.floor(Date.now() / 1000)) =>
      verifyWebhookSignature({ secret, header: delivery.signature, rawBody: delivery.rawBody, nowSeconds }).ok,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
