/**
 * The access log of every process: one line per request with its path, and never the query
 * string, where a careless client (or an attacker probing) may put a card number and a CVV.
 */
import request from 'supertest';
import { AUTH_HEADER as NETWORK_AUTH, createTestNetwork } from '../helpers/network-sim.ts';
import { AUTH_HEADER, createProcessingHarness } from '../helpers/processing.ts';
import { buildTestUi } from '../helpers/ui-app.ts';

const CARD_QUERY = 'cardNumber=4242424242424242&cvv=987&holder=Ada%20Lovelace';

function expectNoQueryIn(lines: string[], path: string): void {
  const text = lines.join('\n');
  expect(text).not.toContain('4242424242424242');
  expect(text).not.toContain('cvv=');
  expect(text).not.toContain('cardNumber');
  expect(text).not.toContain('Lovelace');
  const access = lines.map((line) => JSON.parse(line) as { req?: { url?: string } }).filter((line) => line.req);
  expect(access.map((line) => line.req?.url)).toEqual([path]);
}

describe('request logging', () => {
  test('when the UI server gets a query string with card data, then its log line names the path only', async () => {
    const ui = buildTestUi({ processingUrls: ['http://127.0.0.1:9'] });

    await request(ui.app).get(`/make-payment?${CARD_QUERY}`);

    expectNoQueryIn(ui.logLines, '/make-payment');
  });

  test('when the processing server gets a query string with card data, then its log line names the path only', async () => {
    const harness = await createProcessingHarness();
    try {
      const response = await request(harness.app).get(`/v1/payments?${CARD_QUERY}`).set(AUTH_HEADER);

      expect(response.status).toBe(200);
      expectNoQueryIn(harness.logs.lines, '/v1/payments');
    } finally {
      await harness.close();
    }
  });

  test('when the simulator gets a query string with card data, then its log line names the path only', async () => {
    const network = createTestNetwork();
    try {
      await request(network.app).get(`/v1/authorizations?merchantReference=pay_x&${CARD_QUERY}`).set(NETWORK_AUTH);

      expectNoQueryIn(network.logLines, '/v1/authorizations');
    } finally {
      network.close();
    }
  });

  test('when a request without a key carries card data in its query, then the refused request is logged by its path only', async () => {
    const harness = await createProcessingHarness();
    try {
      const response = await request(harness.app).get(`/v1/payments/pay_1/refunds?${CARD_QUERY}`);

      expect(response.status).toBe(401);
      expectNoQueryIn(harness.logs.lines, '/v1/payments/pay_1/refunds');
    } finally {
      await harness.close();
    }
  });
});
