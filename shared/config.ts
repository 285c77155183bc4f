/**
 * Config loading: each process declares one zod schema with defaults and coercion and
 * parses the environment once at start-up. Nothing else reads `process.env`.
 */
import { z } from 'zod';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig<Schema extends z.ZodType>(schema: Schema, env: Record<string, string | undefined>): z.infer<Schema> {
  // Empty strings in an env file mean "not set", so defaults apply.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

export const portSchema = z.coerce.number().int().min(0).max(65535);

/** Booleans written in env files: true/false, 1/0, yes/no. */
export const booleanSchema = z
  .union([z.boolean(), z.string()])
  .transform((value, context) => {
    if (typeof value === 'boolean') return value;
    const normalized = value.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(normalized)) return true;
    if (['false', '0', 'no', 'off'].includes(normalized)) return false;
    context.addIssue({ code: 'custom', message: 'must be true or false' });
    return z.NEVER;
  });

export const logLevelSchema = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** LOG_FORMAT: `auto` is pretty when stdout is a terminal, JSON otherwise; `npm start` asks for pretty. */
export const logFormatSchema = z.enum(['auto', 'pretty', 'json']).default('auto');

export const nodeEnvSchema = z.enum(['development', 'production', 'test']).default('development');

/**
 * HOST: the address a process listens on. Loopback by default, so that development keys, the
 * back office's default login and the simulator's fault injection never face a network unless
 * someone opens it on purpose (`0.0.0.0` or `::` for every interface).
 */
export const hostSchema = z
  .string()
  .trim()
  .pipe(z.union([z.ipv4(), z.ipv6(), z.hostname()], { error: 'must be an IP address or a host name, such as 127.0.0.1 or 0.0.0.0' }))
  .default('127.0.0.1');

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]']);

/**
 * Where a process of this machine that listens on `host` and `port` is reached: the host itself,
 * or loopback when it listens on every interface. The default of the URL settings
 * (PROCESSING_URL, NETWORK_URL), so that setting a port alone is enough.
 */
export function localServiceUrl(host: string, port: number): string {
  if (WILDCARD_HOSTS.has(host)) return `http://127.0.0.1:${port}`;
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}
