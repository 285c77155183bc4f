/**
 * The processing server's app wired to a real card-network simulator (in this process, over
 * real HTTP on a free port), sharing one hand-moved clock: for settlement, refunds and voids.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createCardNetworkClient } from '../../processing-server/src/providers/card-network-client.ts';
import { createPointsClient } from '../../processing-server/src/providers/points-client.ts';
import type { Store } from '../../processing-server/src/domain/ports/store.ts';
import type { VaultStore } from '../../processing-server/src/vault/store.ts';
import { AUTH_HEADER as NETWORK_AUTH, ManualClock, NETWORK_TEST_KEY, POINTS_PIN, createTestNetwork, type TestNetwork } from './network-sim.ts';
import { AUTH_HEADER, createProcessingHarness, freshKey, paymentBody, pointsPaymentBody, type ProcessingHarness } from './processing.ts';
import { removeDir } from './temp-dir.ts';

export interface SettlementSystem {
  clock: ManualClock;
  sim: TestNetwork;
  processing: ProcessingHarness;
  /** Another processing server on the same card company, vault and clock, with a store of its own (on the same data). */
  secondServer(store: Store): Promise<ProcessingHarness>;
  /** POST /v1/payments on the processing server. */
  pay(overrides?: Record<string, unknown>, card?: Record<string, unknown>): Promise<request.Response>;
  /** POST /v1/payments paid with points (PTS-0000-0001 and its PIN unless told otherwise). */
  payPoints(overrides?: Record<string, unknown>, points?: Record<string, unknown>): Promise<request.Response>;
  /** Opens a points account at the simulator (its admin endpoint). */
  openPointsAccount(accountId: string, balance: number, pin?: string): Promise<void>;
  /** The simulator's view of a points account. */
  pointsAccount(accountId: string): Promise<{ accountId: string; balance: number; held: number }>;
  api(): ReturnType<typeof request>;
  merchantAccount(): Promise<{ balances: Record<string, number>; deposits: Array<{ batchId: string; currency: string; amount: number }> }>;
  close(): Promise<void>;
}

export interface SettlementSystemOptions {
  batchSizeMax?: number;
  store?: Store;
  /** The card vault's store (saved cards); by default its own file in the processing server's data folder. */
  vaultStore?: VaultStore;
  simEnv?: Record<string, string>;
  /** The simulator's randomness (authorization codes, injected faults); Math.random by default. */
  simRandom?: () => number;
}

export async function createSettlementSystem(options: SettlementSystemOptions = {}): Promise<SettlementSystem> {
  const clock = new ManualClock(new Date('2026-03-01T12:00:00.000Z'));
  const sim = createTestNetwork({
    clock, env: { SETTLEMENT_BATCH_MAX: String(options.batchSizeMax ?? 5000), ...options.simEnv },
    ...(options.simRandom ? { random: options.simRandom } : {}),
  });
  const server = http.createServer(sim.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const providerOptions = {
    baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, apiKey: NETWORK_TEST_KEY,
    timeoutMs: 2000, retryMax: 2, backoffInitialMs: 1, backoffMaxMs: 5,
  };
  const network = createCardNetworkClient(providerOptions);
  const processing = await createProcessingHarness({
    cardProvider: network.cards, pointsProvider: createPointsClient(providerOptions), clearing: network.clearing, clock: clock.now,
    env: { SETTLEMENT_BATCH_MAX: String(options.batchSizeMax ?? 5000) }, ...(options.store ? { store: options.store } : {}),
    ...(options.vaultStore ? { vaultStore: options.vaultStore } : {}),
  });
  const others: ProcessingHarness[] = [];
  return {
    clock, sim, processing,
    async secondServer(store) {
      const other = await createProcessingHarness({
        store, vault: processing.deps.vault, cardProvider: network.cards, pointsProvider: processing.deps.providers.points,
        clearing: network.clearing, clock: clock.now, env: { SETTLEMENT_BATCH_MAX: String(options.batchSizeMax ?? 5000) },
      });
      others.push(other);
      return other;
    },
    pay: (overrides = {}, card = {}) => request(processing.app).post('/v1/payments').set(AUTH_HEADER)
      .set('Idempotency-Key', freshKey()).send(paymentBody(overrides, card)),
    payPoints: (overrides = {}, points = {}) => request(processing.app).post('/v1/payments').set(AUTH_HEADER)
      .set('Idempotency-Key', freshKey()).send(pointsPaymentBody(overrides, points)),
    async openPointsAccount(accountId, balance, pin = POINTS_PIN) {
      await request(sim.app).post('/admin/points-accounts').set(NETWORK_AUTH).send({ accountId, pin, balance }).expect(201);
    },
    pointsAccount: async (accountId) => (await request(sim.app).get(`/v1/points/accounts/${accountId}`).set(NETWORK_AUTH).expect(200)).body,
    api: () => request(processing.app),
    merchantAccount: async () => (await request(sim.app).get('/v1/merchant-account').set(NETWORK_AUTH)).body,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(others.map((other) => other.close()));
      await processing.close();
      sim.close();
      removeDir(sim.dataDir);
    },
  };
}
