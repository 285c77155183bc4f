/** The processing server's settings (SPEC §8): parsed once at start, with working defaults. */
import path from 'node:path';
import { Cron } from 'croner';
import { z } from 'zod';
import { currencySchema } from '../../shared/contracts/common.ts';
import { DEFAULT_SPEND_LIMIT_MAJOR, parseSpendLimits, type SpendLimits } from './domain/spend-limit.ts';
import {
  booleanSchema, hostSchema, loadConfig, localServiceUrl, logFormatSchema, logLevelSchema, nodeEnvSchema, portSchema,
} from '../../shared/config.ts';

export const DEVELOPMENT_API_KEY = 'dev-processing-key';
export const DEVELOPMENT_NETWORK_KEY = 'dev-network-key';

function isScheduleExpression(expression: string): boolean {
  if (expression.trim().toLowerCase() === 'off') return true;
  try {
    new Cron(expression, { paused: true }).stop();
    return true;
  } catch {
    return false;
  }
}

/** CARD_SPEND_LIMIT, parsed once here; domain/spend-limit.ts describes the forms it takes. */
const spendLimitSchema = z.string().default(DEFAULT_SPEND_LIMIT_MAJOR).transform((text, context): SpendLimits => {
  const parsed = parseSpendLimits(text);
  if (parsed.ok) return parsed.limits;
  for (const problem of parsed.problems) context.addIssue({ code: 'custom', message: problem });
  return z.NEVER;
});

export const processingConfigSchema = z.object({
  NODE_ENV: nodeEnvSchema,
  LOG_LEVEL: logLevelSchema.default('info'),
  LOG_FORMAT: logFormatSchema,
  HOST: hostSchema,
  PROCESSING_PORT: portSchema.default(3001),
  PROCESSING_API_KEY: z.string().min(8, 'must be at least 8 characters').default(DEVELOPMENT_API_KEY),
  /** The card company's port on this machine: where NETWORK_URL points unless it is set. */
  NETWORK_PORT: portSchema.default(3002),
  NETWORK_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  NETWORK_API_KEY: z.string().min(1).default(DEVELOPMENT_NETWORK_KEY),
  NETWORK_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(2000),
  /** Retries after the first attempt for a retryable failure (timeouts, resets, 5xx, codes 91/96). */
  NETWORK_RETRY_MAX: z.coerce.number().int().min(0).max(10).default(2),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  /** Connections one processing server may hold to PostgreSQL. */
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  CARD_VAULT_KEY: z.string().optional(),
  CARD_SPEND_LIMIT: spendLimitSchema,
  /** The currency of points payments: one point is one minor unit of it (the points provider's own setting must match). */
  POINTS_CURRENCY: currencySchema.default('USD'),
  AUTH_TTL_HOURS: z.coerce.number().positive().max(24 * 365).default(168),
  /** A payment left `requires_action` (waiting for the shopper's 3-D Secure step) longer than this becomes failed. */
  AUTHENTICATION_TTL_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  SETTLEMENT_CRON: z.string().min(1).default('0 * * * *').refine(isScheduleExpression, 'must be a cron expression such as "0 * * * *", or "off"'),
  SETTLEMENT_BATCH_MAX: z.coerce.number().int().min(1).max(100_000).default(5000),
  /** A pending payment younger than this is left to the request that is still working on it. */
  RECOVERY_GRACE_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  RECOVERY_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(5_000),
  /** Starts the recovery worker and the settlement schedule; tests of the HTTP API switch them off. */
  JOBS_ENABLED: booleanSchema.default(true),
}).superRefine((config, context) => {
  if (config.NODE_ENV !== 'production') return;
  if (config.PROCESSING_API_KEY === DEVELOPMENT_API_KEY) {
    context.addIssue({ code: 'custom', path: ['PROCESSING_API_KEY'], message: 'the development key may not be used in production' });
  }
  if (config.NETWORK_API_KEY === DEVELOPMENT_NETWORK_KEY) {
    context.addIssue({ code: 'custom', path: ['NETWORK_API_KEY'], message: 'the development key may not be used in production' });
  }
  if (!config.CARD_VAULT_KEY) {
    context.addIssue({ code: 'custom', path: ['CARD_VAULT_KEY'], message: 'is required in production (32 bytes, base64)' });
  }
}).transform((config) => ({ ...config, NETWORK_URL: config.NETWORK_URL ?? localServiceUrl(config.HOST, config.NETWORK_PORT) }));

export type ProcessingConfig = z.infer<typeof processingConfigSchema>;

export function loadProcessingConfig(env: Record<string, string | undefined>): ProcessingConfig {
  const config = loadConfig(processingConfigSchema, env);
  return { ...config, DATA_DIR: path.resolve(config.DATA_DIR) };
}
