/**
 * The settings of `npm run start:cluster`, parsed once: where PostgreSQL comes from, how many
 * processing instances, and every port. The processes it starts read their own settings from the
 * same environment; this only decides what differs between them (ports, URLs, DATABASE_URL).
 */
import path from 'node:path';
import { z } from 'zod';
import { hostSchema, loadConfig, localServiceUrl, logFormatSchema, portSchema } from '../../shared/config.ts';

export const CLUSTER_PROCESSING_INSTANCES_MAX = 16;

const environmentSchema = z.object({
  HOST: hostSchema,
  UI_PORT: portSchema.default(3000),
  PROCESSING_PORT: portSchema.default(3001),
  NETWORK_PORT: portSchema.optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  CLUSTER_PROCESSING_INSTANCES: z.coerce.number().int().min(1).max(CLUSTER_PROCESSING_INSTANCES_MAX).default(2),
  POSTGRES_BIN_DIR: z.string().min(1).optional(),
  PATH: z.string().optional(),
  LOG_FORMAT: logFormatSchema,
}).superRefine((env, context) => {
  const { processingPorts, networkPort } = portPlan(env);
  if (processingPorts.some((port) => port > 65_535)) {
    context.addIssue({ code: 'custom', path: ['PROCESSING_PORT'], message: `PROCESSING_PORT + ${env.CLUSTER_PROCESSING_INSTANCES - 1} is above 65535` });
  }
  const taken = (port: number) => port !== 0 && processingPorts.includes(port);
  if (taken(env.UI_PORT)) {
    context.addIssue({ code: 'custom', path: ['UI_PORT'], message: `${env.UI_PORT} is one of the processing instances' ports (${processingPorts.join(', ')})` });
  }
  if (taken(networkPort) || (networkPort !== 0 && networkPort === env.UI_PORT)) {
    context.addIssue({ code: 'custom', path: ['NETWORK_PORT'], message: `${networkPort} is taken by the UI server or a processing instance (${processingPorts.join(', ')})` });
  }
});

type Environment = z.infer<typeof environmentSchema>;

/**
 * PROCESSING_PORT, PROCESSING_PORT + 1, …; port 0 gives each instance a free port of its own.
 * The simulator keeps NETWORK_PORT when it is set; otherwise it takes the first port after the
 * processing instances (3003 with the defaults: its usual 3002 is the second instance's).
 */
function portPlan(env: Pick<Environment, 'UI_PORT' | 'PROCESSING_PORT' | 'NETWORK_PORT' | 'CLUSTER_PROCESSING_INSTANCES'>): { processingPorts: number[]; networkPort: number } {
  const base = env.PROCESSING_PORT;
  const processingPorts = Array.from({ length: env.CLUSTER_PROCESSING_INSTANCES }, (_unused, index) => (base === 0 ? 0 : base + index));
  if (env.NETWORK_PORT !== undefined) return { processingPorts, networkPort: env.NETWORK_PORT };
  if (base === 0) return { processingPorts, networkPort: 0 };
  let networkPort = base + env.CLUSTER_PROCESSING_INSTANCES;
  if (networkPort === env.UI_PORT) networkPort += 1;
  return { processingPorts, networkPort };
}

export interface ClusterConfig {
  host: string;
  uiPort: number;
  processingPorts: number[];
  networkPort: number;
  dataDir: string;
  /** A server of the user's; unset: a local PostgreSQL kept in `postgresDir`. */
  databaseUrl: string | undefined;
  postgresDir: string;
  postgresBinDir: string | undefined;
  searchPath: string | undefined;
  pretty: boolean;
  /** Where a process of this machine reaches another that listens on `port`. */
  urlOf(port: number): string;
}

export function loadClusterConfig(env: Record<string, string | undefined>, stdoutIsTty: boolean): ClusterConfig {
  const parsed = loadConfig(environmentSchema, env);
  const dataDir = path.resolve(parsed.DATA_DIR);
  return {
    host: parsed.HOST,
    uiPort: parsed.UI_PORT,
    ...portPlan(parsed),
    dataDir,
    databaseUrl: parsed.DATABASE_URL,
    postgresDir: path.join(dataDir, 'postgres'),
    postgresBinDir: parsed.POSTGRES_BIN_DIR,
    searchPath: parsed.PATH,
    pretty: parsed.LOG_FORMAT === 'pretty' || (parsed.LOG_FORMAT === 'auto' && stdoutIsTty),
    urlOf: (port) => localServiceUrl(parsed.HOST, port),
  };
}
