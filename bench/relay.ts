/**
 * One bare relay of the authorization benchmark's ceilings (bench/authorize.ts): the same three
 * hops as cardlane (client → relay 1 → relay 2 → relay 3, which answers), with nothing else, so
 * that cardlane is measured against what its own stack can carry on the same machine in the
 * same run.
 *
 *   node bench/relay.ts --kind express|raw [--next http://127.0.0.1:PORT]
 *
 * - `express`: Express 5 parses the JSON body and calls the next relay with axios (one client,
 *   keep-alive agent), then answers the next relay's JSON: what cardlane's processes do at the
 *   least, with no rules, no storage and no logging.
 * - `raw`: node:http pipes the request to the next relay and its answer back, body unread.
 * Without `--next` the relay answers: it reads the body and sends a fixed approval the size of
 * cardlane's. It prints `listening <port>` once it listens on 127.0.0.1 (a free port).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import express from 'express';
import { parseFlags } from './lib/measure.ts';

const flags = parseFlags(process.argv.slice(2), { kind: '', next: '' });
const CALL_TIMEOUT_MS = 10_000;
const SOCKETS_MAX = 64;
const BODY_BYTES_MAX = 16 * 1024;
/** What the last relay answers: cardlane's JSON approval, in shape and size. */
const APPROVAL = JSON.stringify({
  status: 'approved', paymentId: 'pay_0190f7d2-7a1c-7cc3-9a4e-3c1f0b1e2d3c', authorizationCode: 'A1B2C3',
  message: 'Payment approved.', card: { brand: 'visa', last4: '4242' }, amount: '10.00', currency: 'USD',
});

function expressRelay(next: string): http.RequestListener {
  const app = express();
  app.use(express.json({ limit: BODY_BYTES_MAX }));
  const client = axios.create({
    baseURL: next, timeout: CALL_TIMEOUT_MS, validateStatus: () => true,
    httpAgent: new http.Agent({ keepAlive: true, maxSockets: SOCKETS_MAX }),
  });
  app.use((request, response, done) => {
    if (!next) {
      response.status(200).type('application/json').send(APPROVAL);
      return;
    }
    client.post(request.path, request.body as unknown).then(
      (answer) => { response.status(answer.status).json(answer.data); },
      (error: unknown) => done(error),
    );
  });
  return app;
}

function rawRelay(next: string): http.RequestListener {
  const agent = new http.Agent({ keepAlive: true, maxSockets: SOCKETS_MAX });
  return (request, response) => {
    if (!next) {
      request.resume();
      request.on('end', () => {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(APPROVAL) });
        response.end(APPROVAL);
      });
      return;
    }
    const outbound = http.request(`${next}${request.url ?? '/'}`, {
      method: request.method, headers: request.headers, agent, timeout: CALL_TIMEOUT_MS,
    }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    outbound.on('timeout', () => outbound.destroy(new Error('the next relay did not answer in time')));
    outbound.on('error', () => {
      if (!response.headersSent) response.writeHead(502);
      response.end();
    });
    request.pipe(outbound);
  };
}

if (flags.kind !== 'express' && flags.kind !== 'raw') throw new Error('usage: --kind express|raw [--next URL]');
const listener = flags.kind === 'express' ? expressRelay(flags.next!) : rawRelay(flags.next!);
const server = http.createServer({ keepAliveTimeout: 5_000 }, listener);
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
