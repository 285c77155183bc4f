/**
 * The simulator's one validated configuration. Parsed once at start-up from the
 * environment; nothing else in the simulator reads `process.env`.
 */
import path from 'node:path';
import { z } from 'zod';
import { booleanSchema, hostSchema, loadConfig, logFormatSchema, logLevelSchema, nodeEnvSchema, portSchema } from '../../shared/config.ts';
import { currencySchema } from '../../shared/contracts/common.ts';

export const DEVELOPMENT_API_KEY = 'dev-network-key';
export const DATABASE_FILE_NAME = 'card-network.sqlite';

/** Bytes a settlement item may take in JSON, with room to spare; sizes the body limit. */
const BATCH_ITEM_BYTES_MAX = 600;
const BODY_OVERHEAD_BYTES = 64 * 1024;

const rateSchema = z.coerce.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');

export interface LatencyRange {
  min: number;
  max: number;
}

/** "0", "250" or "100-400" (milliseconds) → a range; null when the text has neither form. */
export function parseLatencyText(text: string): LatencyRange | null {
  const match = /^\s*(\d{1,6})\s*(?:-\s*(\d{1,6})\s*)?$/.exec(text);
  if (!match) return null;
  const min = Number(match[1]);
  const max = match[2] === undefined ? min : Number(match[2]);
  return max >= min ? { min, max } : null;
}

const latencySchema = z.string().transform((text, context) => {
  const range = parseLatencyText(text);
  if (range) return range;
  context.addIssue({ code: 'custom', message: 'must be N or MIN-MAX milliseconds, with MIN ≤ MAX' });
  return z.NEVER;
});

/**
 * An absolute http(s) base URL, e.g. `https://acs.example.com` or, behind a proxy that mounts
 * the simulator under a path, `https://example.com/network`; kept without a trailing slash.
 */
const publicUrlSchema = z.string().transform((text, context) => {
  const url = URL.canParse(text) ? new URL(text) : null;
  if (url && /^https?:$/.test(url.protocol) && !url.search && !url.hash && !url.username && !url.password) {
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  }
  context.addIssue({ code: 'custom', message: 'must be an absolute http(s) URL without query or credentials, such as http://127.0.0.1:3002' });
  return z.NEVER;
});

const environmentSchema = z.object({
  HOST: hostSchema,
  NETWORK_PORT: portSchema.default(3002),
  NETWORK_API_KEY: z.string().min(1).default(DEVELOPMENT_API_KEY),
  DATA_DIR: z.string().min(1).default('./data'),
  SETTLEMENT_BATCH_MAX: z.coerce.number().int().min(1).max(100_000).default(5000),
  AUTH_TTL_HOURS: z.coerce.number().positive().max(24 * 366).default(168),
  NETWORK_CARD_CREDIT_LIMIT: z.string().regex(/^\d{1,12}(\.\d{1,3})?$/, 'must be a decimal amount such as 5000.00').default('5000.00'),
  NETWORK_PUBLIC_URL: publicUrlSchema.optional(),
  POINTS_CURRENCY: currencySchema.default('USD'),
  NETWORK_FAULT_LATENCY_MS: latencySchema.default({ min: 0, max: 0 }),
  NETWORK_FAULT_ERROR_RATE: rateSchema.default(0),
  NETWORK_FAULT_LOST_ANSWER_RATE: rateSchema.default(0),
  NETWORK_ADMIN_ENABLED: booleanSchema.optional(),
  NODE_ENV: nodeEnvSchema,
  LOG_LEVEL: logLevelSchema.default('info'),
  LOG_FORMAT: logFormatSchema,
}).superRefine((env, context) => {
  if (env.NODE_ENV === 'production' && env.NETWORK_API_KEY === DEVELOPMENT_API_KEY) {
    context.addIssue({
      code: 'custom',
      path: ['NETWORK_API_KEY'],
      message: `the development key "${DEVELOPMENT_API_KEY}" is refused when NODE_ENV=production; set a secret key`,
    });
  }
});

const networkConfigSchema = environmentSchema.transform((env) => ({
  host: env.HOST,
  port: env.NETWORK_PORT,
  apiKey: env.NETWORK_API_KEY,
  dataDir: env.DATA_DIR,
  databasePath: path.join(env.DATA_DIR, DATABASE_FILE_NAME),
  settlementBatchMax: env.SETTLEMENT_BATCH_MAX,
  jsonBodyLimitBytes: BATCH_ITEM_BYTES_MAX * env.SETTLEMENT_BATCH_MAX + BODY_OVERHEAD_BYTES,
  authorizationTtlMs: env.AUTH_TTL_HOURS * 3_600_000,
  cardCreditLimit: env.NETWORK_CARD_CREDIT_LIMIT,
  /** Where a shopper's browser reaches this process (the 3-D Secure challenge page). */
  publicUrl: env.NETWORK_PUBLIC_URL ?? `http://127.0.0.1:${env.NETWORK_PORT}`,
  /** True when NETWORK_PUBLIC_URL is unset: the URL follows the port actually listened on (NETWORK_PORT=0 picks one). */
  publicUrlFollowsPort: env.NETWORK_PUBLIC_URL === undefined,
  pointsCurrency: env.POINTS_CURRENCY,
  faults: {
    latencyMs: env.NETWORK_FAULT_LATENCY_MS,
    errorRate: env.NETWORK_FAULT_ERROR_RATE,
    lostAnswerRate: env.NETWORK_FAULT_LOST_ANSWER_RATE,
  },
  adminEnabled: env.NETWORK_ADMIN_ENABLED ?? env.NODE_ENV !== 'production',
  nodeEnv: env.NODE_ENV,
  logLevel: env.LOG_LEVEL,
  logFormat: env.LOG_FORMAT,
}));

export type NetworkConfig = z.infer<typeof networkConfigSchema>;

/** Throws ConfigError with one line per bad variable. */
export function loadNetworkConfig(env: Record<string, string | undefined>): NetworkConfig {
  return loadConfig(networkConfigSchema, env);
}
