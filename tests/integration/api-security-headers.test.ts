/**
 * Security headers of the machine-to-machine APIs (the processing server, the card network
 * simulator's API) against those of a page a browser shows (the simulator's challenge page).
 */
import request from 'supertest';
import { AUTH_HEADER, TEST_CARDS, authorizationBody, createTestNetwork, postAuthorization, uniqueReference, type TestNetwork } from '../helpers/network-sim.ts';
import { AUTH_HEADER as PROCESSING_AUTH_HEADER, createProcessingHarness, freshKey, paymentBody, type ProcessingHarness } from '../helpers/processing.ts';

/** Headers that only steer how a browser treats a document it shows. */
const DOCUMENT_ONLY_HEADERS = [
  'cross-origin-opener-policy', 'origin-agent-cluster', 'referrer-policy', 'x-dns-prefetch-control', 'x-download-options',
  'x-permitted-cross-domain-policies', 'x-xss-protection',
];

function expectApiHeaders(headers: Record<string, string>): void {
  expect(headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['cross-origin-resource-policy']).toBe('same-origin');
  expect(headers['strict-transport-security']).toMatch(/^max-age=\d+/);
  expect(headers['x-powered-by']).toBeUndefined();
  for (const name of DOCUMENT_ONLY_HEADERS) expect(headers[name]).toBeUndefined();
}

describe('processing server', () => {
  let harness: ProcessingHarness;

  beforeEach(async () => {
    harness = await createProcessingHarness();
  });

  afterEach(async () => {
    await harness.close();
  });

  test('when a payment is answered, then the answer carries the API security headers and none of a shown document', async () => {
    const response = await request(harness.app).post('/v1/payments').set(PROCESSING_AUTH_HEADER).set('Idempotency-Key', freshKey()).send(paymentBody());

    expect(response.status).toBe(201);
    expectApiHeaders(response.headers);
  });

  test('when a request is refused for its key, then the problem carries the API security headers too', async () => {
    const response = await request(harness.app).get('/v1/payments/pay_unknown');

    expect(response.status).toBe(401);
    expectApiHeaders(response.headers);
  });
});

describe('card network simulator', () => {
  let network: TestNetwork;

  beforeEach(() => {
    network = createTestNetwork();
  });

  afterEach(() => {
    network.close();
  });

  test('when an authorization is answered, then the answer carries the API security headers and none of a shown document', async () => {
    const response = await postAuthorization(network.app, authorizationBody());

    expect(response.status).toBe(200);
    expectApiHeaders(response.headers);
  });

  test('when the shopper opens the challenge page, then it carries every header of a shown document', async () => {
    const created = await request(network.app).post('/v1/authentications').set(AUTH_HEADER).send({
      merchantReference: uniqueReference('pay'), amount: 1234, currency: 'USD',
      card: { number: TEST_CARDS.challenge, expMonth: 12, expYear: 2030 }, returnUrl: 'http://127.0.0.1:3000/checkout/return',
    });
    expect(created.status).toBe(200);
    const response = await request(network.app).get(`/3ds/challenge/${created.body.authenticationId as string}`);

    expect(response.status).toBe(200);
    for (const name of DOCUMENT_ONLY_HEADERS) expect(response.headers[name]).toBeDefined();
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
  });
});
