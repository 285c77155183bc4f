/** Builds a processing-server app on a temp SQLite file with a fake card company and captured logs. */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Express } from 'express';
import { createApp } from '../../processing-server/src/app.ts';
import type { DomainDeps, DomainSettings } from '../../processing-server/src/domain/deps.ts';
import { DEFAULT_SPEND_LIMITS } from '../../processing-server/src/domain/spend-limit.ts';
import { createCardVault } from '../../processing-server/src/domain/vault.ts';
import type { Store } from '../../processing-server/src/domain/ports/store.ts';
import { openSqliteStore } from '../../processing-server/src/storage/index.ts';
import type { NetworkClient } from '../../processing-server/src/network-client.ts';
import { captureLogs, type CapturedLogger } from './log-capture.ts';
import { createFakeNetwork, type FakeNetwork } from './fake-network.ts';
import { makeTempDir, removeDir } from './temp-dir.ts';

export const TEST_API_KEY = 'test-processing-key';
export const AUTH_HEADER = { Authorization: `Bearer ${TEST_API_KEY}` };

export interface ProcessingHarness {
  app: Express;
  deps: DomainDeps;
  store: Store;
  network: FakeNetwork;
  logs: CapturedLogger;
  dataDir: string;
  /** Moves the injected clock. */
  setNow(date: Date): void;
  /** Closes the store, and removes the data folder when the harness made it. */
  close(): Promise<void>;
}

export interface HarnessOptions {
  network?: NetworkClient;
  settings?: Partial<DomainSettings>;
  now?: Date;
  /** A clock shared with something else (the simulator); wins over `now`. */
  clock?: () => Date;
  dataDir?: string;
  store?: Store;
  batchSizeMax?: number;
  /** How long POST /v1/settlements waits for another instance's run to show. */
  settlementBusyWaitMs?: number;
}

export function createProcessingHarness(options: HarnessOptions = {}): ProcessingHarness {
  const dataDir = options.dataDir ?? makeTempDir('processing');
  const store = options.store ?? openSqliteStore(path.join(dataDir, 'processing.sqlite'));
  const network = createFakeNetwork();
  const logs = captureLogs('processing-server');
  let now = options.now ?? null;
  const deps: DomainDeps = {
    store,
    network: options.network ?? network,
    vault: createCardVault(randomBytes(32)),
    clock: options.clock ?? (() => now ?? new Date()),
    logger: logs.logger,
    settings: {
      spendLimits: DEFAULT_SPEND_LIMITS, authTtlHours: 168, recoveryGraceMs: 30_000, batchSizeMax: options.batchSizeMax ?? 5000,
      busyWaitMs: options.settlementBusyWaitMs, ...options.settings,
    },
  };
  const app = createApp(deps, { apiKey: TEST_API_KEY });
  return {
    app, deps, store, network, logs, dataDir,
    setNow: (date) => { now = date; },
    close: async () => {
      await store.close();
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
