/** The process launcher of scripts/lib, bound to this repository, for the end-to-end and browser tests. */
import path from 'node:path';
import {
  NETWORK_KEY, PROCESSING_KEY, freePort, startService as startServiceIn, startSystem as startSystemIn, stopService,
  type RunningService, type ServiceName, type System,
} from '../../scripts/lib/processes.ts';

export const ROOT = path.resolve(__dirname, '..', '..');
export { NETWORK_KEY, PROCESSING_KEY, freePort, stopService, type RunningService, type ServiceName, type System };

export function startService(name: ServiceName, env: Record<string, string>): Promise<RunningService> {
  return startServiceIn(ROOT, name, env);
}

export function startSystem(dataDir: string, extraEnv: Parameters<typeof startSystemIn>[2] = {}): Promise<System> {
  return startSystemIn(ROOT, dataDir, extraEnv);
}
