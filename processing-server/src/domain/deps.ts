/** What the domain functions are given: storage, the card company, the vault, a clock and a logger. */
import type { Logger } from '../../../shared/logger.ts';
import type { NetworkClient } from '../network-client.ts';
import type { PaymentRepository } from '../storage/repository.ts';
import type { SpendLimits } from './spend-limit.ts';
import type { CardVault } from './vault.ts';

export interface DomainSettings {
  /** CARD_SPEND_LIMIT, per currency. */
  spendLimits: SpendLimits;
  authTtlHours: number;
  /** How long a pending payment is left to the request working on it before recovery takes it. */
  recoveryGraceMs: number;
}

export interface DomainDeps {
  repository: PaymentRepository;
  network: NetworkClient;
  vault: CardVault;
  clock: () => Date;
  logger: Logger;
  settings: DomainSettings;
}
