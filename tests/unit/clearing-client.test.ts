/**
 * Settlement batches through the clearing client: the caller hears when a batch's request has
 * left (the settlement run waits for that before a long database write), a batch call is bounded
 * in time like every other call, also when the caller listens for sending, and card and points
 * items travel as the card company's contract has them.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DomainError } from '../../processing-server/src/domain/errors.ts';
import type { ClearingBatch } from '../../processing-server/src/domain/ports/provider.ts';
import { createCardNetworkClient } from '../../processing-server/src/providers/card-network-client.ts';
import { ExchangeError } from '../../processing-server/src/providers/resilient-exchange.ts';
import type { SettlementBatchRequest } from '../../shared/contracts/network.ts';

const ITEM_COUNT = 5000;
const BATCH: ClearingBatch = {
  batchId: 'set_1-1',
  items: Array.from({ length: ITEM_COUNT }, (_unused, index) => ({
    merchantReference: `pay_${String(index).padStart(32, '0')}`, authorizationCode: 'ABC123', amountMinor: 100 + index,
    currency: 'USD' as const, cardBrand: 'visa', cardLast4: '4242', type: 'sale' as const, paymentMethod: 'card' as const, originalMerchantReference: null,
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
  const received: SettlementBatchRequest[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      events.push('body received');
      if (delayMs === 'never') return;
      const batch = JSON.parse(Buffer.concat(chunks).toString('utf8')) as SettlementBatchRequest;
      received.push(batch);
      setTimeout(() => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answerTo(batch))), delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    events,
    received,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

const clearingAt = (url: string, options: { timeoutMs?: number; batchTimeoutMs?: number } = {}) =>
  createCardNetworkClient({ baseURL: url, apiKey: 'k', timeoutMs: options.timeoutMs ?? 1000, retryMax: 0, batchTimeoutMs: options.batchTimeoutMs }).clearing;

describe('clearing client: settlement batches', () => {
  test('when a batch of 5,000 items is sent, then onRequestSent is called once its request has left, before the answer', async () => {
    const server = await cardCompany(100);
    const client = clearingAt(server.url);
    const order: string[] = [];

    const answer = client.sendBatch(BATCH, { onRequestSent: () => order.push('sent') }).then((result) => {
      order.push('answered');
      return result;
    });

    const report = await answer;
    expect(report.items).toHaveLength(ITEM_COUNT);
    expect(report.items.every((item) => item.status === 'settled' && item.reason === null)).toBe(true);
    expect(report.items[1]).toEqual({ merchantReference: BATCH.items[1]?.merchantReference, type: 'sale', amountMinor: 101, status: 'settled', reason: null });
    expect(order).toEqual(['sent', 'answered']);
    expect(server.events).toEqual(['body received']);
    await server.close();
  });

  test('when the card company never answers, then a batch call listening for sending still ends at its timeout, maybe delivered', async () => {
    const server = await cardCompany('never');
    const client = clearingAt(server.url, { batchTimeoutMs: 300 });
    let sent = 0;
    const startedMs = Date.now();

    const failure = await client.sendBatch(BATCH, { onRequestSent: () => { sent += 1; } }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(DomainError);
    expect(failure).toMatchObject({ code: 'provider_unavailable' });
    expect((failure as DomainError).cause).toBeInstanceOf(ExchangeError);
    expect((failure as DomainError).cause).toMatchObject({ delivered: 'maybe' });
    expect(sent).toBe(1);
    expect(Date.now() - startedMs).toBeLessThan(2000);
    await server.close();
  });

  test('when a batch mixes card and points items, then a card item carries brand and last four, a points item method points and no card', async () => {
    const server = await cardCompany(0);
    const batch: ClearingBatch = {
      batchId: 'set_2-1',
      items: [
        { ...BATCH.items[0]!, merchantReference: 'pay_card' },
        { ...BATCH.items[0]!, merchantReference: 'pay_points', paymentMethod: 'points', cardBrand: null, cardLast4: null, amountMinor: 2500 },
        { ...BATCH.items[0]!, merchantReference: 're_1', type: 'refund', paymentMethod: 'points', cardBrand: null, cardLast4: null, amountMinor: 1000, originalMerchantReference: 'pay_points' },
      ],
    };

    await clearingAt(server.url).sendBatch(batch, {});

    expect(server.received[0]?.items).toEqual([
      { merchantReference: 'pay_card', authorizationCode: 'ABC123', amount: 100, currency: 'USD', type: 'sale', card: { brand: 'visa', last4: '4242' } },
      { merchantReference: 'pay_points', authorizationCode: 'ABC123', amount: 2500, currency: 'USD', type: 'sale', method: 'points' },
      { merchantReference: 're_1', authorizationCode: 'ABC123', amount: 1000, currency: 'USD', type: 'refund', method: 'points', originalMerchantReference: 'pay_points' },
    ]);
    await server.close();
  });

  test('when the card company cannot be reached for a batch report, then provider_unavailable, not a bare transport error', async () => {
    const server = await cardCompany(0);
    const { url } = server;
    await server.close();

    await expect(clearingAt(url).getBatchReport('set_1-1', {})).rejects.toMatchObject({ name: 'DomainError', code: 'provider_unavailable' });
  });
});
