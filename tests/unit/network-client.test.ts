import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNetworkClient } from '../../processing-server/src/network-client.ts';

/** A scripted card company: each request takes the next behaviour from the script (the last one repeats). */
type Behaviour = { status: number; body?: unknown } | 'hang' | 'reset';

async function scriptedServer(script: Behaviour[]): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server = http.createServer((request, response) => {
    const behaviour = script[Math.min(hits, script.length - 1)];
    hits += 1;
    request.resume();
    if (behaviour === 'hang') return;
    if (behaviour === 'reset' || behaviour === undefined) {
      request.socket.destroy();
      return;
    }
    response.writeHead(behaviour.status, { 'content-type': 'application/json' }).end(JSON.stringify(behaviour.body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: () => hits,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

const APPROVED = { authorizationId: 'auth_1', responseCode: '00', authorizationCode: 'ABC123', message: 'approved' };
const ISSUER_DOWN = { authorizationId: 'auth_1', responseCode: '91', message: 'issuer unavailable' };
const REQUEST = {
  merchantReference: 'pay_1', amount: 100, currency: 'USD' as const,
  card: { number: '4242424242424242', expMonth: 12, expYear: 2030, cvv: '123' },
};

function client(url: string, overrides: Partial<Parameters<typeof createNetworkClient>[0]> = {}) {
  return createNetworkClient({
    baseURL: url, apiKey: 'k', timeoutMs: 200, retryMax: 2, backoffInitialMs: 1, backoffMaxMs: 5, ...overrides,
  });
}

describe('network client', () => {
  test('when the card company answers 503 twice and then approves, then the third attempt is the answer', async () => {
    const server = await scriptedServer([{ status: 503 }, { status: 503 }, { status: 200, body: APPROVED }]);
    const outcome = await client(server.url).authorize(REQUEST, {});
    expect(outcome).toEqual({ kind: 'answered', response: APPROVED });
    expect(server.hits()).toBe(3);
    await server.close();
  });

  test('when the issuer stays unavailable (91), then retries are bounded and the last answer is returned', async () => {
    const server = await scriptedServer([{ status: 200, body: ISSUER_DOWN }]);
    const outcome = await client(server.url).authorize(REQUEST, {});
    expect(outcome).toEqual({ kind: 'answered', response: ISSUER_DOWN });
    expect(server.hits()).toBe(3);
    await server.close();
  });

  test('when the answer never comes, then every attempt times out and the outcome may have been delivered', async () => {
    const server = await scriptedServer(['hang']);
    const outcome = await client(server.url, { timeoutMs: 50 }).authorize(REQUEST, {});
    expect(outcome).toMatchObject({ kind: 'no_answer', delivered: 'maybe' });
    expect(server.hits()).toBe(3);
    await server.close();
  });

  test('when the connection is reset after sending, then the outcome may have been delivered', async () => {
    const server = await scriptedServer(['reset']);
    const outcome = await client(server.url).authorize(REQUEST, {});
    expect(outcome).toMatchObject({ kind: 'no_answer', delivered: 'maybe' });
    await server.close();
  });

  test('when nothing listens, then the request was provably not delivered', async () => {
    const server = await scriptedServer([{ status: 200 }]);
    const { url } = server;
    await server.close();
    const outcome = await client(url).authorize(REQUEST, {});
    expect(outcome).toMatchObject({ kind: 'no_answer', delivered: 'no' });
  });

  test('when the answer has the wrong shape, then it is not believed', async () => {
    const server = await scriptedServer([{ status: 200, body: { responseCode: '00' } }]);
    const outcome = await client(server.url).authorize(REQUEST, {});
    expect(outcome).toMatchObject({ kind: 'no_answer', delivered: 'maybe' });
    await server.close();
  });

  test('when the card company keeps failing, then the breaker opens and fails fast, and closes after a successful half-open probe', async () => {
    const server = await scriptedServer([{ status: 503 }, { status: 503 }, { status: 503 }, { status: 200, body: APPROVED }]);
    // Long enough that the fast-failing call below still finds the breaker open on a busy machine
    // (at 50 ms it once became the half-open probe in a full parallel run).
    const network = client(server.url, { retryMax: 0, breakerThreshold: 3, breakerHalfOpenAfterMs: 400 });
    const states: string[] = [];
    network.breaker.onBreak(() => states.push('open'));
    network.breaker.onReset(() => states.push('closed'));
    for (let attempt = 0; attempt < 3; attempt += 1) await network.authorize(REQUEST, {});
    expect(states).toEqual(['open']);

    const fast = await network.authorize(REQUEST, {});
    expect(fast).toMatchObject({ kind: 'no_answer', delivered: 'no' });
    expect(server.hits()).toBe(3);

    await new Promise((resolve) => setTimeout(resolve, 450));
    const probe = await network.authorize(REQUEST, {});
    expect(probe).toEqual({ kind: 'answered', response: APPROVED });
    expect(states).toEqual(['open', 'closed']);
    await server.close();
  });

  test('when a look-up finds nothing, then not_found; when it cannot ask, then unknown', async () => {
    const server = await scriptedServer([{ status: 404, body: { code: 'not_found' } }]);
    expect(await client(server.url).lookup('pay_1', {})).toEqual({ kind: 'not_found' });
    await server.close();
    expect(await client(server.url).lookup('pay_1', {})).toMatchObject({ kind: 'unknown' });
  });
});
