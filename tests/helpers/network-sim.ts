/**
 * Builds a card-network simulator for one test: its own temporary DATA_DIR, a clock the test
 * moves by hand, injected randomness and a logger whose lines the test can read.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { createLogger } from '../../shared/logger.ts';
import type { AuthorizationRequest, PointsAuthorizationRequest, SettlementBatchItem } from '../../shared/contracts/network.ts';
import { createApp } from '../../card-network-sim/src/app.ts';
import { loadNetworkConfig, type NetworkConfig } from '../../card-network-sim/src/config.ts';
import type { PinHashCost } from '../../card-network-sim/src/pin-hash.ts';
import { openStore, type NetworkStore } from '../../card-network-sim/src/storage/store.ts';

export const NETWORK_TEST_KEY = 'test-network-key';
export const AUTH_HEADER = { Authorization: `Bearer ${NETWORK_TEST_KEY}` };
export const START_TIME = new Date('2026-03-01T12:00:00.000Z');

export const TEST_CARDS = {
  visa: '4242424242424242',
  mastercard: '5555555555554444',
  amex: '378282246310005',
  doNotHonor: '4000000000000002',
  insufficientFunds: '4000000000009995',
  expired: '4000000000000069',
  cvvMismatch: '4000000000000127',
  issuerUnavailable: '4000000000000119',
  lost: '4000000000009987',
  stolen: '4000000000009979',
  challenge: '4000000000003220',
  frictionless: '4000000000003063',
} as const;

/** Luhn-valid numbers that are not test cards: credit-limit accounts (5,000.00 by default). */
export const ACCOUNT_CARDS = ['4111111111111111', '4012888888881881', '6011111111111117'] as const;

/**
 * The seeded points accounts' PIN hashes at the lowest scrypt cost: every test opens a new
 * database, and at the real cost the three hashes take a tenth of a second each time. The
 * verification path is the same (the cost is read from the stored hash).
 */
export const TEST_PIN_HASH_COST: PinHashCost = { log2N: 4, blockSize: 8, parallelization: 1 };

/** The seeded points accounts (PIN 1234). */
export const POINTS_ACCOUNTS = { rich: 'PTS-0000-0001', small: 'PTS-0000-0002', blocked: 'PTS-0000-0003' } as const;
export const POINTS_PIN = '1234';

/** A store for one test, with cheap PIN hashes. */
export function openTestStore(databasePath: string): NetworkStore {
  return openStore(databasePath, { pinHashCost: TEST_PIN_HASH_COST });
}

export class ManualClock {
  #nowMs: number;

  constructor(start: Date = START_TIME) {
    this.#nowMs = start.getTime();
  }

  now = (): Date => new Date(this.#nowMs);

  advanceMs(ms: number): void {
    this.#nowMs += ms;
  }

  advanceHours(hours: number): void {
    this.advanceMs(hours * 3_600_000);
  }
}

export interface TestNetwork {
  app: Express;
  store: NetworkStore;
  config: NetworkConfig;
  clock: ManualClock;
  dataDir: string;
  logLines: string[];
  /** Parsed log lines. */
  logs(): Array<Record<string, unknown>>;
  /** Closes the database and removes the temporary DATA_DIR. */
  close(): void;
}

export interface TestNetworkOptions {
  env?: Record<string, string>;
  random?: () => number;
  clock?: ManualClock;
  dataDir?: string;
  /** The seeded accounts' PIN hash cost; the cheapest by default. */
  pinHashCost?: PinHashCost;
}

export function createTestNetwork(options: TestNetworkOptions = {}): TestNetwork {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cardlane-network-'));
  const config = loadNetworkConfig({ NETWORK_API_KEY: NETWORK_TEST_KEY, DATA_DIR: dataDir, NODE_ENV: 'test', ...options.env });
  const logLines: string[] = [];
  const logger = createLogger({ service: 'card-network-sim', level: 'debug', destination: { write: (line: string) => { logLines.push(line); } } });
  const pinHashCost = options.pinHashCost ?? TEST_PIN_HASH_COST;
  const store = openStore(config.databasePath, { pinHashCost });
  const clock = options.clock ?? new ManualClock();
  const app = createApp({ config, logger, store, clock: clock.now, random: options.random ?? Math.random, pinHashCost });
  return {
    app, store, config, clock, dataDir, logLines,
    logs: () => logLines.map((line) => JSON.parse(line) as Record<string, unknown>),
    close: () => {
      store.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

let referenceCounter = 0;

/** A merchant reference no other test uses. */
export function uniqueReference(prefix = 'pay'): string {
  referenceCounter += 1;
  return `${prefix}_${process.pid}_${referenceCounter}`;
}

export function authorizationBody(overrides: Partial<AuthorizationRequest> & { cardNumber?: string } = {}): AuthorizationRequest {
  const { cardNumber, ...rest } = overrides;
  const number = cardNumber ?? TEST_CARDS.visa;
  return {
    merchantReference: uniqueReference(),
    amount: 1000,
    currency: 'USD',
    card: { number, expMonth: 12, expYear: 2030, cvv: number.startsWith('37') ? '1234' : '123' },
    ...rest,
  };
}

export function postAuthorization(app: Express, body: unknown) {
  return request(app).post('/v1/authorizations').set(AUTH_HEADER).send(body as object);
}

export function lookUpAuthorization(app: Express, merchantReference: string) {
  return request(app).get('/v1/authorizations').query({ merchantReference }).set(AUTH_HEADER);
}

export function reverseAuthorization(app: Express, authorizationId: string, body: object = {}) {
  return request(app).post(`/v1/authorizations/${authorizationId}/reversal`).set(AUTH_HEADER).send(body);
}

export function postAdjustment(app: Express, authorizationId: string, body: object) {
  return request(app).post(`/v1/authorizations/${authorizationId}/adjustment`).set(AUTH_HEADER).send(body);
}

export function pointsAuthorizationBody(overrides: Partial<PointsAuthorizationRequest> = {}): PointsAuthorizationRequest {
  return { merchantReference: uniqueReference('pts'), accountId: POINTS_ACCOUNTS.rich, pin: POINTS_PIN, points: 1000, ...overrides };
}

export function postPointsAuthorization(app: Express, body: unknown) {
  return request(app).post('/v1/points/authorizations').set(AUTH_HEADER).send(body as object);
}

export function getPointsAccount(app: Express, accountId: string) {
  return request(app).get(`/v1/points/accounts/${accountId}`).set(AUTH_HEADER);
}

export function postBatch(app: Express, batchId: string, items: unknown[]) {
  return request(app).post('/v1/settlement-batches').set(AUTH_HEADER).send({ batchId, items });
}

/** Authorizes and returns the settlement sale item for the approval. */
export async function approvedSale(app: Express, overrides: Partial<AuthorizationRequest> & { cardNumber?: string } = {}): Promise<SettlementBatchItem> {
  const body = authorizationBody(overrides);
  const response = await postAuthorization(app, body);
  if (response.body.responseCode !== '00') throw new Error(`expected an approval, got ${JSON.stringify(response.body)}`);
  return {
    merchantReference: body.merchantReference,
    authorizationCode: response.body.authorizationCode as string,
    amount: body.amount,
    currency: body.currency,
    card: { brand: 'visa', last4: body.card.number.slice(-4) },
    type: 'sale',
  };
}

export function refundItem(sale: SettlementBatchItem, amount: number, merchantReference = uniqueReference('ref')): SettlementBatchItem {
  return { ...sale, merchantReference, originalMerchantReference: sale.merchantReference, amount, type: 'refund' };
}

/**
 * Arranges many approved USD authorizations straight in the store (thousands through HTTP would
 * slow the suite down) and returns the settlement sale item of each.
 */
export function seedApprovedAuthorizations(network: TestNetwork, count: number): SettlementBatchItem[] {
  const createdAtMs = network.clock.now().getTime();
  const items: SettlementBatchItem[] = [];
  network.store.transaction(() => {
    for (let index = 0; index < count; index += 1) {
      const merchantReference = uniqueReference('seed');
      const authorizationCode = `S${String(index).padStart(5, '0')}`;
      const amount = 100 + index;
      network.store.insertAuthorization({
        id: `auth_seed_${merchantReference}`, merchantReference, cardFingerprint: `seed-card-${index % 50}`, cardLast4: '4242',
        amount, currency: 'USD', responseCode: '00', authorizationCode, message: 'approved', status: 'approved',
        heldAmount: amount, createdAtMs,
      });
      items.push({ merchantReference, authorizationCode, amount, currency: 'USD', card: { brand: 'visa', last4: '4242' }, type: 'sale' });
    }
  });
  return items;
}

/** Every byte of every file under `dir` (the database, its WAL and shared-memory files). */
export function readAllFiles(dir: string): Buffer {
  const buffers = fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => fs.readFileSync(path.join(entry.parentPath, entry.name)));
  return Buffer.concat(buffers);
}
