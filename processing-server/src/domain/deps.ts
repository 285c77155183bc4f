/** What the domain's operations are given: the ports it owns, a clock, a logger and its settings. */
import type { Logger } from '../../../shared/logger.ts';
import type { Currency } from '../../../shared/money.ts';
import type { ClearingPort, Providers } from './ports/provider.ts';
import type { Store } from './ports/store.ts';
import type { SpendLimits } from './spend-limit.ts';
import type { SavedCards } from './ports/saved-cards.ts';
import type { CardVault } from './ports/vault.ts';

export interface DomainSettings {
  /** CARD_SPEND_LIMIT, per currency. */
  spendLimits: SpendLimits;
  /** POINTS_CURRENCY: a points payment is in this currency, one point per minor unit. */
  pointsCurrency: Currency;
  authTtlHours: number;
  /** How long a pending payment is left to the request working on it before recovery takes it. */
  recoveryGraceMs: number;
  /** AUTHENTICATION_TTL_MINUTES: how long a payment waits for the shopper's 3-D Secure step before it fails. */
  authenticationTtlMinutes: number;
  /** SETTLEMENT_BATCH_MAX: items per batch to the card company. */
  batchSizeMax: number;
  /** How long a settlement trigger waits for another holder's run to show (BUSY_WAIT_MS by default). */
  busyWaitMs?: number | undefined;
}

/**
 * The process's lifecycle: settlement runs stop between two batches once `signal` aborts (a
 * shutdown), and register with `track` so that the shutdown can wait for them.
 */
export interface ProcessLifecycle {
  signal: AbortSignal;
  track(work: Promise<unknown>): void;
}

export interface DomainDeps {
  store: Store;
  /** Who holds the money of each way to pay: the card company, the points provider. */
  providers: Providers;
  /** The card company's clearing house: settlement batches of card and points items. */
  clearing: ClearingPort;
  vault: CardVault;
  /** The card vault's saved cards, opened to pay with one. */
  savedCards: SavedCards;
  clock: () => Date;
  logger: Logger;
  settings: DomainSettings;
  lifecycle?: ProcessLifecycle | undefined;
}
