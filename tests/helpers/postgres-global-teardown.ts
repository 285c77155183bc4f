/** Jest global teardown: stops the temporary PostgreSQL cluster and removes its directory (after failing tests too). */
import { POSTGRES_TEST_ENV, stopTemporaryCluster, type TemporaryCluster } from './postgres-cluster.ts';

export default async function globalTeardown(): Promise<void> {
  const described = process.env[POSTGRES_TEST_ENV.cluster];
  if (!described) return;
  delete process.env[POSTGRES_TEST_ENV.cluster];
  // Safe if the setup's exit handler also runs later: stopping a removed cluster does nothing.
  stopTemporaryCluster(JSON.parse(described) as TemporaryCluster);
}
