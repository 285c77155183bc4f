/**
 * The throwaway PostgreSQL of a test run (scripts/lib/postgres-server.ts starts and stops it, as
 * it does for the chaos run and the cluster script), and how the jest global setup tells the test
 * workers about it.
 */
import { POSTGRES_INSTALL_COMMAND, findPostgresBinDir as findBinDir, startTemporaryCluster, stopTemporaryCluster, type TemporaryCluster } from '../../scripts/lib/postgres-server.ts';

export { startTemporaryCluster, stopTemporaryCluster, type TemporaryCluster };

/** How the jest global setup tells the test workers (which inherit its environment) what it provided. */
export const POSTGRES_TEST_ENV = {
  adminUrl: 'CARDLANE_TEST_POSTGRES_URL',
  skip: 'CARDLANE_TEST_POSTGRES_SKIP',
  failure: 'CARDLANE_TEST_POSTGRES_FAILURE',
  cluster: 'CARDLANE_TEST_POSTGRES_CLUSTER',
} as const;

export const INSTALL_HINT = `install the server with \`${POSTGRES_INSTALL_COMMAND}\` (Debian/Ubuntu), put its bin directory in POSTGRES_BIN_DIR, or set TEST_DATABASE_URL to a server where the user may CREATE DATABASE`;

/** The newest PostgreSQL server bin directory: POSTGRES_BIN_DIR, Debian's /usr/lib/postgresql/N/bin, or initdb on PATH. */
export function findPostgresBinDir(): string | null {
  return findBinDir(process.env.POSTGRES_BIN_DIR, process.env.PATH);
}
