/**
 * The processes a chaos run (or the cluster benchmark) drives: the card-network simulator (with
 * its faults and the run's points accounts), one or more processing servers, each on a port of
 * its own that it comes back to after a SIGKILL, and any number of UI servers in front of all of
 * them. One processing server may keep SQLite in the run's folder; several share a PostgreSQL
 * database (made for the run on a throwaway server, or on the server given), and the vault key.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import axios from 'axios';
import pg from 'pg';
import type { ChaosPointsAccount, CheckoutRecord } from './chaos-driver.ts';
import {
  databaseUrl, ensureDatabase, findPostgresBinDir, POSTGRES_INSTALL_COMMAND, startTemporaryCluster, stopTemporaryCluster,
} from './postgres-server.ts';
import { NETWORK_KEY, PROCESSING_KEY, freePort, startService, stopService, type RunningService } from './processes.ts';

export interface TopologyOptions {
  root: string;
  uiInstances: number;
  processingInstances: number;
  /** SQLite serves one processing instance only; several share a PostgreSQL database. */
  storage: 'sqlite' | 'postgres';
  /** The PostgreSQL server to make the run's database on (else a throwaway one). */
  databaseServerUrl?: string | undefined;
  lostAnswerRate: number;
  errorRate: number;
  latencyMs: string;
  pointsAccounts: ChaosPointsAccount[];
}

/** A processing instance's place: its port, the process serving there now, and those killed before it. */
export interface ProcessingSlot {
  port: number;
  current: RunningService;
  retired: RunningService[];
}

export interface Topology {
  network: RunningService;
  uis: RunningService[];
  slots: ProcessingSlot[];
  dataDir: string;
  storage: string;
  /** SIGKILL the slot's process, then start it again on the same port. */
  killAndRestart(slot: ProcessingSlot): Promise<void>;
  /** Stops every process and throws the run's data away. */
  close(): Promise<void>;
}

interface Database {
  url: string | undefined;
  description: string;
  release(): Promise<void>;
}

/** A database for this run alone: made on the given server (dropped after), or on a throwaway server. */
async function provideDatabase(options: TopologyOptions): Promise<Database> {
  if (options.storage === 'sqlite') {
    if (options.processingInstances !== 1) throw new RangeError('several processing instances need PostgreSQL');
    return { url: undefined, description: 'SQLite', release: async () => undefined };
  }
  const name = `cardlane_chaos_${randomBytes(4).toString('hex')}`;
  if (options.databaseServerUrl) {
    await ensureDatabase(options.databaseServerUrl, name);
    return {
      url: databaseUrl(options.databaseServerUrl, name),
      description: `PostgreSQL (database ${name} on the DATABASE_URL server, dropped after)`,
      release: () => dropDatabase(options.databaseServerUrl!, name),
    };
  }
  const binDir = findPostgresBinDir(process.env.POSTGRES_BIN_DIR, process.env.PATH);
  if (!binDir) throw new Error(`PostgreSQL server binaries were not found: \`${POSTGRES_INSTALL_COMMAND}\`, POSTGRES_BIN_DIR, or DATABASE_URL (a server where the user may create a database)`);
  const server = await startTemporaryCluster(binDir);
  await ensureDatabase(server.adminUrl, name);
  return { url: databaseUrl(server.adminUrl, name), description: 'PostgreSQL (a throwaway server)', release: async () => stopTemporaryCluster(server) };
}

async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 10_000, query_timeout: 60_000 });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Opens the run's points accounts at the points provider (its admin endpoint, outside the injected faults). */
async function openPointsAccounts(networkUrl: string, accounts: ChaosPointsAccount[]): Promise<void> {
  for (const account of accounts) {
    const response = await axios.post(`${networkUrl}/admin/points-accounts`, account, {
      headers: { Authorization: `Bearer ${NETWORK_KEY}` }, validateStatus: () => true, timeout: 10_000,
    });
    if (response.status !== 201) throw new Error(`could not open points account ${account.accountId}: ${response.status} ${JSON.stringify(response.data)}`);
  }
}

export async function startTopology(options: TopologyOptions): Promise<Topology> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cardlane-chaos-'));
  const database = await provideDatabase(options);
  const started: RunningService[] = [];
  const track = (service: RunningService) => { started.push(service); return service; };
  const close = async () => {
    await Promise.all(started.map((service) => stopService(service)));
    await database.release();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const network = track(await startService(options.root, 'network', {
      DATA_DIR: dataDir, NETWORK_PORT: '0', NETWORK_API_KEY: NETWORK_KEY, LOG_LEVEL: 'info',
      NETWORK_FAULT_LOST_ANSWER_RATE: String(options.lostAnswerRate), NETWORK_FAULT_ERROR_RATE: String(options.errorRate),
      NETWORK_FAULT_LATENCY_MS: options.latencyMs,
    }));
    await openPointsAccounts(network.url, options.pointsAccounts);
    // Every instance must hold the same vault key (fingerprints, sealed cards, request hashes), as in production.
    const env = processingEnv(dataDir, network.url, database.url, randomBytes(32).toString('base64'));
    const start = (port: number) => startService(options.root, 'processing', { ...env, PROCESSING_PORT: String(port) }).then(track);
    const ports = await Promise.all(Array.from({ length: options.processingInstances }, () => freePort()));
    const slots = await Promise.all(ports.map(async (port): Promise<ProcessingSlot> => ({ port, current: await start(port), retired: [] })));
    const processingUrls = slots.map((slot) => `http://127.0.0.1:${slot.port}`).join(',');
    const uis = await Promise.all(Array.from({ length: options.uiInstances }, () => startService(options.root, 'ui', {
      UI_PORT: '0', PROCESSING_URLS: processingUrls, PROCESSING_API_KEY: PROCESSING_KEY, UI_RATE_LIMIT_PER_MINUTE: '0',
      PROCESSING_TIMEOUT_MS: '10000', LOG_LEVEL: 'info',
    }).then(track)));
    return {
      network, uis, slots, dataDir, storage: database.description, close,
      async killAndRestart(slot) {
        await stopService(slot.current, 'SIGKILL');
        slot.retired.push(slot.current);
        slot.current = await start(slot.port);
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}

function processingEnv(dataDir: string, networkUrl: string, store: string | undefined, vaultKey: string): Record<string, string> {
  return {
    DATA_DIR: dataDir, NETWORK_URL: networkUrl, NETWORK_API_KEY: NETWORK_KEY, PROCESSING_API_KEY: PROCESSING_KEY, CARD_VAULT_KEY: vaultKey,
    SETTLEMENT_CRON: 'off', CARD_SPEND_LIMIT: '100000000.00', RECOVERY_GRACE_MS: '4000', RECOVERY_INTERVAL_MS: '500', LOG_LEVEL: 'info',
    ...(store ? { DATABASE_URL: store } : {}),
  };
}

/** How many payments each processing slot created or declined, from the access logs of every process that stood there. */
export function paymentsServedPerSlot(topology: Topology): number[] {
  return topology.slots.map((slot) => [...slot.retired, slot.current].reduce((sum, service) => sum + service.lines.filter((line) => {
    if (!line.includes('"url":"/v1/payments"') || !line.includes('"method":"POST"')) return false;
    return /"statusCode":(201|402)\b/.test(line);
  }).length, 0));
}

/** Every process's log lines and every checkout's record, for a run that found a violation. */
export function saveTopologyLogs(topology: Topology, directory: string, records: CheckoutRecord[]): void {
  fs.mkdirSync(directory, { recursive: true });
  topology.slots.forEach((slot, slotIndex) => [...slot.retired, slot.current].forEach((service, index) => {
    fs.writeFileSync(path.join(directory, `processing-${slotIndex + 1}-${index + 1}.log`), service.lines.join('\n'));
  }));
  fs.writeFileSync(path.join(directory, 'network.log'), topology.network.lines.join('\n'));
  topology.uis.forEach((ui, index) => fs.writeFileSync(path.join(directory, `ui-${index + 1}.log`), ui.lines.join('\n')));
  fs.writeFileSync(path.join(directory, 'checkouts.json'), JSON.stringify(records.map((record) => ({ ...record, paymentIds: [...record.paymentIds] })), null, 1));
}
