/**
 * A PostgreSQL server of our own, from the local server binaries: `initdb` into a folder, started
 * with `pg_ctl` on a free port of 127.0.0.1, stopped again. Two kinds:
 * - throwaway (the tests, the chaos run): a fresh temp folder, fsync off, trust authentication,
 *   stopped at once and removed at the end;
 * - kept (`npm run start:cluster`): a folder that outlives the run (DATA_DIR/postgres), durable
 *   settings, a generated password, stopped cleanly and started again on the next run.
 * initdb refuses to run as root, so as root the folder belongs to the `postgres` user and every
 * command runs through `runuser`. The one place that knows how; the test helpers and the scripts
 * call it.
 */
import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface PostgresServer {
  /** The folder that holds the cluster (`data/`), its log and, when kept, its password. */
  rootDir: string;
  dataDir: string;
  binDir: string;
  port: number;
  /** Connects as the superuser to the `postgres` database: for creating and dropping databases. */
  adminUrl: string;
  runAsPostgresUser: boolean;
}

/** The server the test runs start (kept for the name the test helpers know it by). */
export type TemporaryCluster = PostgresServer;

const START_ATTEMPTS_MAX = 3;
const COMMAND_TIMEOUT_MS = 60_000;
const SUPERUSER = 'postgres';
export const POSTGRES_INSTALL_COMMAND = 'apt-get install -y postgresql';

/**
 * The newest PostgreSQL server bin directory: `configured` (POSTGRES_BIN_DIR) when given, else
 * Debian's /usr/lib/postgresql/N/bin, else the directory on `searchPath` holding initdb and pg_ctl.
 */
export function findPostgresBinDir(configured: string | undefined, searchPath: string | undefined): string | null {
  if (configured) return fs.existsSync(path.join(configured, 'initdb')) && fs.existsSync(path.join(configured, 'pg_ctl')) ? configured : null;
  const debianRoot = '/usr/lib/postgresql';
  if (fs.existsSync(debianRoot)) {
    const versions = fs.readdirSync(debianRoot)
      .filter((version) => /^\d+$/.test(version) && fs.existsSync(path.join(debianRoot, version, 'bin', 'initdb')))
      .sort((left, right) => Number(right) - Number(left));
    if (versions[0]) return path.join(debianRoot, versions[0], 'bin');
  }
  for (const directory of (searchPath ?? '').split(path.delimiter)) {
    if (directory && fs.existsSync(path.join(directory, 'initdb')) && fs.existsSync(path.join(directory, 'pg_ctl'))) return directory;
  }
  return null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

type Runner = Pick<PostgresServer, 'binDir' | 'runAsPostgresUser'>;

function run(runner: Runner, program: string, args: string[]): string {
  const executable = path.join(runner.binDir, program);
  const options: ExecFileSyncOptions = { encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'], cwd: os.tmpdir() };
  const output = runner.runAsPostgresUser
    ? execFileSync('runuser', ['-u', SUPERUSER, '--', executable, ...args], options)
    : execFileSync(executable, args, options);
  return String(output);
}

function describeFailure(error: unknown, logFile?: string): string {
  const details = error as { message?: string; stderr?: string | Buffer };
  const stderr = details.stderr ? String(details.stderr).trim() : '';
  const log = logFile && fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-15).join('\n') : '';
  return [details.message ?? String(error), stderr, log && `server log:\n${log}`].filter(Boolean).join('\n');
}

/** As root, hands `directory` (and what is in it) to the postgres user, and checks that it can reach it. */
function giveToPostgresUser(directory: string): void {
  const uid = Number(execFileSync('id', ['-u', SUPERUSER], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', SUPERUSER], { encoding: 'utf8' }).trim());
  for (const entry of [directory, ...fs.readdirSync(directory).map((name) => path.join(directory, name))]) fs.chownSync(entry, uid, gid);
  try {
    execFileSync('runuser', ['-u', SUPERUSER, '--', 'test', '-w', directory], { stdio: 'ignore', timeout: COMMAND_TIMEOUT_MS });
  } catch {
    throw new Error(`the ${SUPERUSER} user cannot write ${directory} (a folder above it is closed to other users); choose a DATA_DIR it can reach`);
  }
}

interface StartSettings {
  /** Server options besides the port and the listen address. */
  options: string[];
  logFile: string;
}

/** pg_ctl start on a free port; another process may take the port between probe and bind, so a few tries. */
async function startOnFreePort(runner: Runner, dataDir: string, settings: StartSettings): Promise<number> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= START_ATTEMPTS_MAX; attempt += 1) {
    const port = await freePort();
    const options = ['-c listen_addresses=127.0.0.1', `-p ${port}`, ...settings.options].join(' ');
    try {
      run(runner, 'pg_ctl', ['start', '-D', dataDir, '-l', settings.logFile, '-w', '-t', '30', '-s', '-o', options]);
      return port;
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(`PostgreSQL did not start: ${describeFailure(lastError, settings.logFile)}`);
}

/** A fresh cluster in a temp folder, fast and forgetful (fsync off, trust): for one test or chaos run. */
export async function startTemporaryCluster(binDir: string): Promise<PostgresServer> {
  const rootDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cardlane-pg-'));
  const runner = { binDir, runAsPostgresUser: process.getuid?.() === 0 };
  const dataDir = path.join(rootDir, 'data');
  try {
    if (runner.runAsPostgresUser) giveToPostgresUser(rootDir);
    run(runner, 'initdb', ['-D', dataDir, '-A', 'trust', '-U', SUPERUSER, '-E', 'UTF8', '--locale=C', '--no-sync']);
  } catch (error) {
    fs.rmSync(rootDir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${describeFailure(error)}`);
  }
  try {
    const port = await startOnFreePort(runner, dataDir, {
      logFile: path.join(rootDir, 'server.log'),
      options: [`-k '${rootDir}'`, '-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off', '-c max_connections=200'],
    });
    return { ...runner, rootDir, dataDir, port, adminUrl: `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres` };
  } catch (error) {
    fs.rmSync(rootDir, { recursive: true, force: true });
    throw error;
  }
}

/** Stops a throwaway server at once (its data is thrown away) and removes its folder; safe to call twice. */
export function stopTemporaryCluster(cluster: PostgresServer): void {
  try {
    if (fs.existsSync(path.join(cluster.dataDir, 'postmaster.pid'))) {
      run(cluster, 'pg_ctl', ['stop', '-D', cluster.dataDir, '-m', 'immediate', '-w', '-s']);
    }
  } finally {
    fs.rmSync(cluster.rootDir, { recursive: true, force: true });
  }
}

export interface KeptServer extends PostgresServer {
  /** True when this start made the cluster (initdb); false when it found one from an earlier run. */
  created: boolean;
}

/**
 * The cluster kept in `rootDir`: made on first use (initdb with a generated superuser password
 * in `rootDir/password`, readable by its owner only), started on a free port of 127.0.0.1 with
 * durable settings (fsync on, password authentication, no Unix socket), reused by the next start.
 */
export async function startKeptServer(rootDir: string, binDir: string): Promise<KeptServer> {
  const runner = { binDir, runAsPostgresUser: process.getuid?.() === 0 };
  const dataDir = path.join(rootDir, 'data');
  const passwordFile = path.join(rootDir, 'password');
  const created = !fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  if (created) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    // The folders above keep their usual modes: as root, the postgres user must get through them.
    fs.mkdirSync(path.dirname(rootDir), { recursive: true });
    fs.mkdirSync(rootDir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(passwordFile, randomBytes(24).toString('hex'), { mode: 0o600 });
    if (runner.runAsPostgresUser) giveToPostgresUser(rootDir);
    try {
      run(runner, 'initdb', ['-D', dataDir, '-A', 'scram-sha-256', '-U', SUPERUSER, `--pwfile=${passwordFile}`, '-E', 'UTF8', '--locale=C']);
    } catch (error) {
      fs.rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`initdb failed in ${dataDir}: ${describeFailure(error)}`);
    }
  }
  const running = runningPostmaster(dataDir);
  if (running) {
    throw new Error(`a PostgreSQL server (pid ${running}) is already running in ${dataDir}: an earlier start that was killed, `
      + `or another one using this DATA_DIR. Stop it (${path.join(binDir, 'pg_ctl')} stop -D ${dataDir}) or choose another DATA_DIR`);
  }
  const password = fs.readFileSync(passwordFile, 'utf8').trim();
  const port = await startOnFreePort(runner, dataDir, {
    logFile: path.join(rootDir, 'server.log'), options: ["-c unix_socket_directories=''", '-c max_connections=200'],
  });
  return { ...runner, rootDir, dataDir, port, created, adminUrl: `postgres://${SUPERUSER}:${password}@127.0.0.1:${port}/postgres` };
}

/** The pid of the server running in `dataDir`, from its lock file; null when none is (a stale lock file included). */
function runningPostmaster(dataDir: string): number | null {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    // EPERM: it exists, as another user's process.
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}

/** Stops a kept server cleanly (a checkpoint, nothing lost): the next start finds everything. */
export function stopKeptServer(server: PostgresServer): void {
  if (fs.existsSync(path.join(server.dataDir, 'postmaster.pid'))) run(server, 'pg_ctl', ['stop', '-D', server.dataDir, '-m', 'fast', '-w', '-s']);
}

/** The URL of `database` on the server `serverUrl` points to. */
export function databaseUrl(serverUrl: string, database: string): string {
  const parsed = new URL(serverUrl);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Creates `database` on the server unless it exists (the first start of a kept server). */
export async function ensureDatabase(adminUrl: string, database: string): Promise<boolean> {
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new RangeError(`not a plain database name: ${database}`);
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000, query_timeout: 60_000 });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount) return false;
    await client.query(`CREATE DATABASE ${database}`);
    return true;
  } finally {
    await client.end();
  }
}

/** The URL without its password, for logs. */
export function withoutPassword(url: string): string {
  const parsed = new URL(url);
  parsed.password = '';
  parsed.search = '';
  return parsed.toString();
}
