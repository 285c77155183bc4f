/**
 * A processing server for tests, built by the composition root like the real one: a temp SQLite
 * file (or a store of the test's own), in-memory card company and points provider that can be
 * told to misbehave, an injected clock and captured logs. Settings are environment variables, as
 * the server reads them.
 */
import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import { createProcessing, type ProcessingServer } from '../../processing-server/src/composition.ts';
import { loadProcessingConfig } from '../../processing-server/src/config.ts';
import type { DomainDeps } from '../../processing-server/src/domain/deps.ts';
import type { ClearingPort, PaymentProvider } from '../../processing-server/src/domain/ports/provider.ts';
import type { Store } from '../../processing-server/src/domain/ports/store.ts';
import type { CardVault } from '../../processing-server/src/domain/ports/vault.ts';
import type { VaultService } from '../../processing-server/src/vault/service.ts';
import type { VaultStore } from '../../processing-server/src/vault/store.ts';
import { captureLogs, type CapturedLogger } from './log-capture.ts';
import { createFakeClearing, createFakeNetwork, type FakeNetwork } from './fake-network.ts';
import { makeTempDir, removeDir } from './temp-dir.ts';

export const TEST_API_KEY = 'test-processing-key';
export const AUTH_HEADER = { Authorization: `Bearer ${TEST_API_KEY}` };

export interface ProcessingHarness {
  app: Express;
  deps: DomainDeps;
  store: Store;
  /** The card vault (saved cards) and its store. */
  vault: VaultService;
  vaultStore: VaultStore;
  processing: ProcessingServer;
  /** The in-memory card company (unless the test gave a card provider of its own). */
  network: FakeNetwork;
  /** The in-memory points provider (unless the test gave one of its own). */
  points: FakeNetwork;
  logs: CapturedLogger;
  dataDir: string;
  /** Moves the injected clock. */
  setNow(date: Date): void;
  /** Closes the store, and removes the data folder when the harness made it. */
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Settings as the server reads them, such as `{ CARD_SPEND_LIMIT: 'USD:1000.00' }`. */
  env?: Record<string, string>;
  /** A card provider of the test's own (the real client, against the simulator). */
  cardProvider?: PaymentProvider;
  pointsProvider?: PaymentProvider;
  clearing?: ClearingPort;
  now?: Date;
  /** A clock shared with something else (the simulator); wins over `now`. */
  clock?: () => Date;
  dataDir?: string;
  store?: Store;
  /** A card vault store of the test's own (on PostgreSQL, say); by default the vault's file in the data folder. */
  vaultStore?: VaultStore;
  /** A vault of the test's own: a second server on the same data must recognize the same cards. */
  vault?: CardVault;
  /** How long POST /v1/settlements waits for another instance's run to show. */
  settlementBusyWaitMs?: number;
}

export async function createProcessingHarness(options: HarnessOptions = {}): Promise<ProcessingHarness> {
  const dataDir = options.dataDir ?? makeTempDir('processing');
  const config = loadProcessingConfig({
    DATA_DIR: dataDir, PROCESSING_API_KEY: TEST_API_KEY, CARD_VAULT_KEY: randomBytes(32).toString('base64'),
    JOBS_ENABLED: 'false', SETTLEMENT_CRON: 'off', ...options.env,
  });
  const network = createFakeNetwork('card');
  const points = createFakeNetwork('points');
  const logs = captureLogs('processing-server');
  let now = options.now ?? null;
  const processing = await createProcessing(config, {
    ...(options.store ? { store: options.store } : {}),
    ...(options.vaultStore ? { vaultStore: options.vaultStore } : {}),
    ...(options.vault ? { vault: options.vault } : {}),
    providers: { card: options.cardProvider ?? network, points: options.pointsProvider ?? points },
    clearing: options.clearing ?? createFakeClearing(network),
    clock: options.clock ?? (() => now ?? new Date()),
    logger: logs.logger,
    ...(options.settlementBusyWaitMs === undefined ? {} : { settlementBusyWaitMs: options.settlementBusyWaitMs }),
    collectDefaultMetrics: false,
  });
  return {
    app: processing.app, deps: processing.deps, store: processing.deps.store, vault: processing.vault, vaultStore: processing.vaultStore,
    processing, network, points, logs, dataDir,
    setNow: (date) => { now = date; },
    close: async () => {
      await processing.close();
      if (!options.dataDir) removeDir(dataDir);
    },
  };
}

let keySequence = 0;
export function freshKey(): string {
  keySequence += 1;
  return `test-key-${Date.now()}-${keySequence}-${randomBytes(4).toString('hex')}`;
}

export function paymentBody(overrides: Record<string, unknown> = {}, card: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    amount: 1000,
    currency: 'USD',
    card: { number: '4242 4242 4242 4242', expMonth: 12, expYear: new Date().getUTCFullYear() + 2, cvv: '123', holderName: 'Ada Lovelace', ...card },
    ...overrides,
  };
}

/** A points payment of 25.00 USD (2,500 points) from PTS-0000-0001 with its PIN, as the simulator seeds it. */
export function pointsPaymentBody(overrides: Record<string, unknown> = {}, points: Record<string, unknown> = {}): Record<string, unknown> {
  return { amount: 2500, currency: 'USD', points: { accountId: 'PTS-0000-0001', pin: '1234', ...points }, ...overrides };
}
