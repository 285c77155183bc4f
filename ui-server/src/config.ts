/**
 * The UI server's settings: one zod schema, parsed once at start-up. Nothing else in the
 * UI server reads `process.env`.
 *
 * # Settings (.env style)
 * # Address to listen on: loopback unless opened on purpose (0.0.0.0 serves other machines).
 * HOST=127.0.0.1
 * # Port the shopper's browser talks to.
 * UI_PORT=3000
 * # Where payments go. PROCESSING_URLS (comma-separated) wins over PROCESSING_URL when set;
 * # payments take the URLs in turn (round robin), moving on to the next only when a connection
 * # is refused; an instance that refused rests for a second and gets payments again once its
 * # /readyz answers ready. Unset, it is this machine at PROCESSING_PORT (3001).
 * PROCESSING_URL=http://127.0.0.1:3001
 * # PROCESSING_URLS=http://10.0.0.1:3001,http://10.0.0.2:3001
 * # Bearer key sent to the processing server; the development key is refused in production.
 * PROCESSING_API_KEY=dev-processing-key
 * # Posts to /make-payment per client IP per minute; 0 turns the limit off.
 * UI_RATE_LIMIT_PER_MINUTE=120
 * # How long one call to the processing server may take. The processing server itself gives
 * # the card company NETWORK_TIMEOUT_MS (2 s) per call and may retry, so 15 s leaves it room to
 * # answer with a final result, while staying under the 30 s a browser user will wait.
 * PROCESSING_TIMEOUT_MS=15000
 * # Reverse proxies in front of the UI server whose X-Forwarded-For is believed (0 = none), so
 * # the rate limit counts the shopper's address and not the proxy's.
 * UI_TRUST_PROXY_HOPS=0
 * # The merchant back office (/admin/) login. The default password is for development only:
 * # with NODE_ENV=production the UI server refuses to start on it.
 * ADMIN_USER=admin
 * ADMIN_PASSWORD=admin
 * # Where a shopper's browser reaches the card issuer's 3-D Secure page. The checkout's CSP lets
 * # a form post be redirected there (form-action), and the UI server sends shoppers only there.
 * # Unset, it is NETWORK_URL, and that unset, http://127.0.0.1:<NETWORK_PORT> (3002), as the
 * # card company's own NETWORK_PUBLIC_URL defaults.
 * NETWORK_PUBLIC_URL=http://127.0.0.1:3002
 * # The currency loyalty points pay in (one point is one minor unit of it): the checkout offers
 * # points for amounts in this currency only. The same setting as the card-network simulator's.
 * POINTS_CURRENCY=USD
 * LOG_LEVEL=info
 * NODE_ENV=development
 */
import { z } from 'zod';
import {
  hostSchema, loadConfig, localServiceUrl, logFormatSchema, logLevelSchema, nodeEnvSchema, portSchema,
} from '../../shared/config.ts';
import { currencySchema } from '../../shared/contracts/common.ts';

export const DEVELOPMENT_PROCESSING_API_KEY = 'dev-processing-key';
export const DEVELOPMENT_ADMIN_PASSWORD = 'admin';

const httpUrlSchema = z
  .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
  .transform((url) => url.replace(/\/+$/, ''));

const urlListSchema = z
  .string()
  .transform((text) => text.split(',').map((part) => part.trim()).filter((part) => part.length > 0))
  .pipe(z.array(httpUrlSchema).min(1, 'must list at least one URL').max(10, 'must list at most 10 URLs'));

const environmentSchema = z
  .object({
    HOST: hostSchema,
    UI_PORT: portSchema.default(3000),
    /** The processing server's port on this machine: where PROCESSING_URL points unless it is set. */
    PROCESSING_PORT: portSchema.default(3001),
    PROCESSING_URL: httpUrlSchema.optional(),
    PROCESSING_URLS: urlListSchema.optional(),
    PROCESSING_API_KEY: z.string().min(1).default(DEVELOPMENT_PROCESSING_API_KEY),
    UI_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(120),
    PROCESSING_TIMEOUT_MS: z.coerce.number().int().min(1).max(120_000).default(15_000),
    UI_TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
    ADMIN_USER: z.string().trim().min(1).max(100).default('admin'),
    // Bounded so the constant-time comparison hashes a bounded input.
    ADMIN_PASSWORD: z.string().min(1).max(1000).default(DEVELOPMENT_ADMIN_PASSWORD),
    POINTS_CURRENCY: currencySchema.default('USD'),
    /** The card company's port on this machine: where NETWORK_PUBLIC_URL points unless it (or NETWORK_URL) is set. */
    NETWORK_PORT: portSchema.default(3002),
    NETWORK_URL: httpUrlSchema.optional(),
    NETWORK_PUBLIC_URL: httpUrlSchema.optional(),
    LOG_LEVEL: logLevelSchema.default('info'),
    LOG_FORMAT: logFormatSchema,
    NODE_ENV: nodeEnvSchema,
  })
  .superRefine((env, context) => {
    if (env.NODE_ENV === 'production' && env.PROCESSING_API_KEY === DEVELOPMENT_PROCESSING_API_KEY) {
      context.addIssue({
        code: 'custom',
        path: ['PROCESSING_API_KEY'],
        message: 'the development key is refused with NODE_ENV=production; set a real key',
      });
    }
    if (env.NODE_ENV === 'production' && env.ADMIN_PASSWORD === DEVELOPMENT_ADMIN_PASSWORD) {
      context.addIssue({
        code: 'custom',
        path: ['ADMIN_PASSWORD'],
        message: 'the development back-office password is refused with NODE_ENV=production; set a real one',
      });
    }
  })
  .transform((env) => ({
    host: env.HOST,
    port: env.UI_PORT,
    processingUrls: env.PROCESSING_URLS ?? [env.PROCESSING_URL ?? localServiceUrl(env.HOST, env.PROCESSING_PORT)],
    processingApiKey: env.PROCESSING_API_KEY,
    rateLimitPerMinute: env.UI_RATE_LIMIT_PER_MINUTE,
    processingTimeoutMs: env.PROCESSING_TIMEOUT_MS,
    trustProxyHops: env.UI_TRUST_PROXY_HOPS,
    adminUser: env.ADMIN_USER,
    adminPassword: env.ADMIN_PASSWORD,
    pointsCurrency: env.POINTS_CURRENCY,
    /** The card issuer's public origin (scheme, host, port): the one place besides this server a checkout may go. */
    // Unset, the card company's own default: this machine's loopback at NETWORK_PORT, whatever HOST says.
    issuerOrigin: new URL(env.NETWORK_PUBLIC_URL ?? env.NETWORK_URL ?? `http://127.0.0.1:${env.NETWORK_PORT}`).origin,
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT,
    nodeEnv: env.NODE_ENV,
  }));

export type UiConfig = z.infer<typeof environmentSchema>;

/** Parses the environment (by default the process's) or throws a ConfigError naming each bad setting. */
export function loadUiConfig(env: Record<string, string | undefined> = process.env): UiConfig {
  return loadConfig(environmentSchema, env);
}
