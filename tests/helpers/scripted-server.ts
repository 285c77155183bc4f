/**
 * A scripted provider for client tests: each request takes the next behaviour from the script
 * (the last one repeats), and every request is recorded with its parsed body.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Behaviour = { status: number; body?: unknown } | 'hang' | 'reset';

export interface Scripted {
  url: string;
  hits: () => number;
  requests: Array<{ method: string; url: string; body: unknown }>;
  close: () => Promise<void>;
}

export async function scriptedServer(script: Behaviour[]): Promise<Scripted> {
  let hits = 0;
  const requests: Scripted['requests'] = [];
  const server = http.createServer((request, response) => {
    const behaviour = script[Math.min(hits, script.length - 1)];
    hits += 1;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: request.method ?? '', url: request.url ?? '', body: text ? JSON.parse(text) as unknown : undefined });
      if (behaviour === 'hang') return;
      if (behaviour === 'reset' || behaviour === undefined) {
        request.socket.destroy();
        return;
      }
      response.writeHead(behaviour.status, { 'content-type': 'application/json' }).end(JSON.stringify(behaviour.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: () => hits,
    requests,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

