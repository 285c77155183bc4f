/**
 * Settlement batches through the network client: the caller hears when a batch's request has
 * left (the settlement run waits for that before a long database write), and a batch call is
 * bounded in time like every other call, also when the caller listens for sending.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNetworkClient, NetworkCallError } from '../../processing-server/src/network-client.ts';
import type { SettlementBatchRequest } from '../../shared/contracts/network.ts';

const ITEM_COUNT = 5000;
const BATCH: SettlementBatchRequest = {
  batchId: 'set_1-1',
  items: Array.from({ length: ITEM_COUNT }, (_unused, index) => ({
    merchantReference: `pay_${String(index).padStart(32, '0')}`, authorizationCode: 'ABC123', amount: 100 + index,
    currency: 'USD' as const, card: { brand: 'visa', last4: '4242' }, type: 'sale' as const,
  })),
};

function answerTo(batch: SettlementBatchRequest) {
  const total = batch.items.reduce((sum, item) => sum + item.amount, 0);
  return {
    batchId: batch.batchId, receivedAt: '2026-03-01T12:00:00.000Z', itemCount: batch.items.length, settledCount: batch.items.length,
    rejectedCount: 0, totals: { USD: { sales: total, refunds: 0, net: total } },
    items: batch.items.map(({ merchantReference, type, amount, currency }) => ({ merchantReference, type, amount, currency, status: 'settled' })),
  };
}

/** A card company that reads the whole body, notes when it had it, then answers after `delayMs` (or never). */
async function cardCompany(delayMs: number | 'never') {
  const events: string[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      events.push('body received');
      if (delayMs === 'never') return;
      const batch = JSON.parse(Buffer.concat(chunks).toString('utf8')) as SettlementBatchRequest;
      setTimeout(() => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answerTo(batch))), delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    events,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

describe('network client: settlement batches', () => {
  test('when a batch of 5,000 items is sent, then onRequestSent is called once its request has left, before the answer', async () => {
    const server = await cardCompany(100);
    const client = createNetworkClient({ baseURL: server.url, apiKey: 'k', timeoutMs: 1000, retryMax: 0 });
    const order: string[] = [];

    const answer = client.sendBatch(BATCH, { onRequestSent: () => order.push('sent') }).then((result) => {
      order.push('answered');
      return result;
    });

    expect((await answer).settledCount).toBe(ITEM_COUNT);
    expect(order).toEqual(['sent', 'answered']);
    expect(server.events).toEqual(['body received']);
    await server.close();
  });

  test('when the card company never answers, then a batch call listening for sending still ends at its timeout, maybe delivered', async () => {
    const server = await cardCompany('never');
    const client = createNetworkClient({ baseURL: server.url, apiKey: 'k', timeoutMs: 1000, retryMax: 0, batchTimeoutMs: 300 });
    let sent = 0;
    const startedMs = Date.now();

    const failure = await client.sendBatch(BATCH, { onRequestSent: () => { sent += 1; } }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(NetworkCallError);
    expect(failure).toMatchObject({ delivered: 'maybe' });
    expect(sent).toBe(1);
    expect(Date.now() - startedMs).toBeLessThan(2000);
    await server.close();
  });
});
