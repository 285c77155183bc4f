/**
 * `npm run start:cluster`: the shop on PostgreSQL with several processing servers, in one
 * terminal. PostgreSQL is DATABASE_URL when set, otherwise a local server kept in
 * DATA_DIR/postgres (made on first use, reused after). Then the card-network simulator,
 * CLUSTER_PROCESSING_INSTANCES processing servers (PROCESSING_PORT, PROCESSING_PORT + 1, …) on
 * that database, and a UI server whose PROCESSING_URLS lists them all. A processing server that
 * dies leaves the others serving; the UI server or the simulator ending stops everything.
 * Ctrl-C (or SIGTERM) stops the UI server, then the processing servers, then the simulator, and
 * PostgreSQL last.
 */
import path from 'node:path';
import { ConfigError } from '../shared/config.ts';
import { loadClusterConfig, type ClusterConfig } from './lib/cluster-config.ts';
import {
  POSTGRES_INSTALL_COMMAND, databaseUrl, ensureDatabase, findPostgresBinDir, startKeptServer, stopKeptServer, withoutPassword, type KeptServer,
} from './lib/postgres-server.ts';
import { createSupervisor, type Supervised } from './lib/supervisor.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const DATABASE_NAME = 'cardlane';

function readConfig(): ClusterConfig {
  try {
    return loadClusterConfig(process.env, Boolean(process.stdout.isTTY));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`start:cluster: ${error.message}\n`);
    process.exit(1);
  }
}

const config = readConfig();
const supervisor = createSupervisor({ root: ROOT, pretty: config.pretty, baseEnv: process.env, write: (text) => process.stdout.write(text) });
const running: { network?: Supervised; processing: Supervised[]; ui?: Supervised; postgres?: KeptServer } = { processing: [] };
let stopping: Promise<void> | null = null;

/** Ctrl-C came while the cluster was starting: what starts after it is stopped again at once. */
class StartInterrupted extends Error {}

async function keepUnlessStopping<Started>(started: Started, stop: (started: Started) => Promise<void> | void): Promise<Started> {
  if (!stopping) return started;
  await stop(started);
  throw new StartInterrupted('stopped while starting');
}

const keepProcess = (started: Supervised) => keepUnlessStopping(started, (process) => supervisor.stop(process));

/** DATABASE_URL, or the local server in DATA_DIR/postgres with its `cardlane` database. */
async function provideDatabase(): Promise<string> {
  if (config.databaseUrl) {
    supervisor.say({ store: withoutPassword(config.databaseUrl) }, 'PostgreSQL from DATABASE_URL');
    return config.databaseUrl;
  }
  const binDir = findPostgresBinDir(config.postgresBinDir, config.searchPath);
  if (!binDir) {
    throw new Error('PostgreSQL server binaries (initdb, pg_ctl) were not found: install them with '
      + `\`${POSTGRES_INSTALL_COMMAND}\` (Debian/Ubuntu), or set POSTGRES_BIN_DIR to their folder, or set DATABASE_URL to a PostgreSQL server`);
  }
  running.postgres = await keepUnlessStopping(await startKeptServer(config.postgresDir, binDir), stopKeptServer);
  await ensureDatabase(running.postgres.adminUrl, DATABASE_NAME);
  const url = databaseUrl(running.postgres.adminUrl, DATABASE_NAME);
  supervisor.say(
    { store: withoutPassword(url), dataDir: running.postgres.dataDir, binDir },
    running.postgres.created ? 'local PostgreSQL made (initdb) and started' : 'local PostgreSQL started again (its data kept from the last run)',
  );
  return url;
}

async function startAll(): Promise<void> {
  const store = await provideDatabase();
  const common = { DATA_DIR: config.dataDir, HOST: config.host };
  const network = await supervisor.start('net', 'network', { ...common, NETWORK_PORT: String(config.networkPort) }).then(keepProcess);
  running.network = network;
  const networkUrl = config.urlOf(network.port);
  // Started together: their migrations and the development vault key are safe to race for.
  const starts = config.processingPorts.map((port, index) => supervisor.start(`proc${index + 1}`, 'processing', {
    ...common, PROCESSING_PORT: String(port), DATABASE_URL: store, NETWORK_URL: networkUrl,
  }).then(keepProcess).then((started) => { running.processing.push(started); return started; }));
  // Every start is waited for, so that none is left running unseen when another fails.
  const settled = await Promise.allSettled(starts);
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  const processing = settled.map((result) => (result as PromiseFulfilledResult<Supervised>).value);
  const processingUrls = processing.map((instance) => config.urlOf(instance.port));
  for (const instance of processing) {
    supervisor.say({ instance: instance.name, pid: instance.child.pid, url: config.urlOf(instance.port) }, 'processing instance listening');
  }
  const ui = await supervisor.start('ui', 'ui', { ...common, UI_PORT: String(config.uiPort), PROCESSING_URLS: processingUrls.join(',') }).then(keepProcess);
  running.ui = ui;
  watchProcesses();
  supervisor.say(
    { checkout: `${config.urlOf(ui.port)}/payment.html`, processingUrls, network: networkUrl, store: withoutPassword(store) },
    'cluster ready; Ctrl-C stops everything, PostgreSQL last',
  );
}

/** A processing instance may die (the others serve); without the UI server or the simulator there is no shop. */
function watchProcesses(): void {
  for (const instance of running.processing) {
    void instance.exited.then(({ code, signal }) => {
      if (stopping) return;
      const alive = running.processing.filter((other) => other.child.exitCode === null && other.child.signalCode === null);
      supervisor.say({ instance: instance.name, code, signal, instancesLeft: alive.length }, 'processing instance ended; the others go on serving');
      if (alive.length === 0) void shutDown('every processing instance ended', 1);
    });
  }
  for (const essential of [running.ui, running.network]) {
    void essential?.exited.then(({ code, signal }) => {
      if (!stopping) void shutDown(`${essential.name} ended (${signal ?? `exit code ${code}`})`, 1);
    });
  }
}

/** The UI server first (no new shoppers), the processing servers, the simulator, PostgreSQL last. */
function shutDown(reason: string, exitCode: number): Promise<void> {
  stopping ??= (async () => {
    process.exitCode = exitCode;
    if (!running.postgres && !running.network) return;
    supervisor.say({ reason }, 'stopping the cluster');
    if (running.ui) await supervisor.stop(running.ui);
    await Promise.all(running.processing.map((instance) => supervisor.stop(instance)));
    if (running.network) await supervisor.stop(running.network);
    if (running.postgres) {
      stopKeptServer(running.postgres);
      supervisor.say({ dataDir: running.postgres.dataDir }, 'local PostgreSQL stopped');
    }
    supervisor.say({}, 'cluster stopped');
  })();
  return stopping;
}

let signals = 0;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    signals += 1;
    // A second Ctrl-C does not wait for requests to finish; PostgreSQL is still stopped cleanly.
    if (signals > 1) for (const started of [running.ui, ...running.processing, running.network]) started?.child.kill('SIGKILL');
    void shutDown(`${signal} received`, 0);
  });
}

try {
  await startAll();
} catch (error) {
  // After Ctrl-C, what failed failed because it was being stopped: nothing to report.
  if (!(error instanceof StartInterrupted) && !stopping) {
    const [first, ...details] = (error instanceof Error ? error.message : String(error)).split('\n');
    process.stderr.write(`start:cluster: ${first}\n${details.length > 0 ? `${details.join('\n')}\n` : ''}`);
  }
  await shutDown('start-up failed', 1);
}
