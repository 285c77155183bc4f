/**
 * A throwaway PostgreSQL cluster for one test run: initdb into a fresh temp directory, started
 * on a free port of 127.0.0.1 (its socket in the same directory) with fsync off, trust
 * authentication, and everything removed at the end. initdb refuses to run as root, so as root
 * the cluster belongs to the `postgres` user and its commands run through `runuser`.
 */
import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface TemporaryCluster {
  rootDir: string;
  dataDir: string;
  binDir: string;
  port: number;
  /** Connects as the superuser to the `postgres` database: for creating and dropping test databases. */
  adminUrl: string;
  runAsPostgresUser: boolean;
}

/** How the jest global setup tells the test workers (which inherit its environment) what it provided. */
export const POSTGRES_TEST_ENV = {
  adminUrl: 'CARDLANE_TEST_POSTGRES_URL',
  skip: 'CARDLANE_TEST_POSTGRES_SKIP',
  failure: 'CARDLANE_TEST_POSTGRES_FAILURE',
  cluster: 'CARDLANE_TEST_POSTGRES_CLUSTER',
} as const;

const START_ATTEMPTS_MAX = 3;
const COMMAND_TIMEOUT_MS = 60_000;
export const INSTALL_HINT = 'install the server with `apt-get install -y postgresql` (Debian/Ubuntu), put its bin directory in POSTGRES_BIN_DIR, or set TEST_DATABASE_URL to a server where the user may CREATE DATABASE';

/** The newest PostgreSQL server bin directory: POSTGRES_BIN_DIR, Debian's /usr/lib/postgresql/N/bin, or initdb on PATH. */
export function findPostgresBinDir(): string | null {
  const configured = process.env.POSTGRES_BIN_DIR;
  if (configured) return fs.existsSync(path.join(configured, 'initdb')) ? configured : null;
  const debianRoot = '/usr/lib/postgresql';
  if (fs.existsSync(debianRoot)) {
    const versions = fs.readdirSync(debianRoot)
      .filter((version) => /^\d+$/.test(version) && fs.existsSync(path.join(debianRoot, version, 'bin', 'initdb')))
      .sort((left, right) => Number(right) - Number(left));
    if (versions[0]) return path.join(debianRoot, versions[0], 'bin');
  }
  for (const directory of (process.env.PATH ?? '').split(path.delimiter)) {
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

function run(cluster: Pick<TemporaryCluster, 'binDir' | 'runAsPostgresUser'>, program: string, args: string[]): string {
  const executable = path.join(cluster.binDir, program);
  const options: ExecFileSyncOptions = { encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'], cwd: os.tmpdir() };
  const output = cluster.runAsPostgresUser
    ? execFileSync('runuser', ['-u', 'postgres', '--', executable, ...args], options)
    : execFileSync(executable, args, options);
  return String(output);
}

function describeFailure(error: unknown, logFile?: string): string {
  const details = error as { message?: string; stderr?: string | Buffer };
  const stderr = details.stderr ? String(details.stderr).trim() : '';
  const log = logFile && fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-15).join('\n') : '';
  return [details.message ?? String(error), stderr, log && `server log:\n${log}`].filter(Boolean).join('\n');
}

export async function startTemporaryCluster(binDir: string): Promise<TemporaryCluster> {
  const rootDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cardlane-pg-'));
  const runAsPostgresUser = process.getuid?.() === 0;
  const base = { rootDir, dataDir: path.join(rootDir, 'data'), binDir, runAsPostgresUser };
  try {
    if (runAsPostgresUser) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      fs.chownSync(rootDir, uid, gid);
    }
    run(base, 'initdb', ['-D', base.dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
  } catch (error) {
    fs.rmSync(rootDir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${describeFailure(error)}`);
  }
  const logFile = path.join(rootDir, 'server.log');
  let lastError: unknown;
  for (let attempt = 1; attempt <= START_ATTEMPTS_MAX; attempt += 1) {
    // Another process may take the port between our probe and the server's bind: try another.
    const port = await freePort();
    const settings = [
      '-c listen_addresses=127.0.0.1', `-p ${port}`, `-k '${rootDir}'`, '-c fsync=off', '-c synchronous_commit=off',
      '-c full_page_writes=off', '-c max_connections=200',
    ].join(' ');
    try {
      run(base, 'pg_ctl', ['start', '-D', base.dataDir, '-l', logFile, '-w', '-t', '30', '-s', '-o', settings]);
      return { ...base, port, adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres` };
    } catch (error) {
      lastError = error;
    }
  }
  fs.rmSync(rootDir, { recursive: true, force: true });
  throw new Error(`PostgreSQL did not start: ${describeFailure(lastError, logFile)}`);
}

/** Stops the server at once (its data is thrown away) and removes the directory; safe to call twice. */
export function stopTemporaryCluster(cluster: TemporaryCluster): void {
  try {
    if (fs.existsSync(path.join(cluster.dataDir, 'postmaster.pid'))) {
      run(cluster, 'pg_ctl', ['stop', '-D', cluster.dataDir, '-m', 'immediate', '-w', '-s']);
    }
  } finally {
    fs.rmSync(cluster.rootDir, { recursive: true, force: true });
  }
}
