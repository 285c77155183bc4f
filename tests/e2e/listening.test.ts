/**
 * Where the three real processes listen: loopback unless HOST opens them on purpose, and a port
 * already taken ends the process with one readable line instead of a stack trace.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { nodeFlags } from '../../scripts/lib/processes.ts';
import { ROOT, startService, stopService, type RunningService, type ServiceName } from '../helpers/processes.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';

// Each test starts real processes; parallel test files share two CPUs.
jest.setTimeout(60_000);

const PORT_SETTINGS: Record<ServiceName, string> = { ui: 'UI_PORT', processing: 'PROCESSING_PORT', network: 'NETWORK_PORT' };
const SERVICES: ServiceName[] = ['ui', 'processing', 'network'];

interface Ended {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a process to its end (it must end on its own) and keeps what it printed. */
function runToEnd(name: ServiceName, env: Record<string, string>): Promise<Ended> {
  const child = spawn(process.execPath, [...nodeFlags(ROOT), path.join(ROOT, 'bin', 'run.mjs'), name], {
    cwd: ROOT, env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) => {
    child.once('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

function listeningLine(service: RunningService): Record<string, unknown> {
  const line = service.lines.find((text) => text.includes('"msg":"listening"'));
  if (!line) throw new Error(`no listening line in:\n${service.lines.join('\n')}`);
  return JSON.parse(line) as Record<string, unknown>;
}

describe('listening address and port', () => {
  const dataDir = makeTempDir('listening');

  afterAll(() => {
    removeDir(dataDir);
  });

  test.each(SERVICES)('when the %s process starts without HOST, then it listens on 127.0.0.1 only', async (name) => {
    const service = await startService(name, { DATA_DIR: path.join(dataDir, `default-${name}`), [PORT_SETTINGS[name]]: '0', SETTLEMENT_CRON: 'off' });
    try {
      expect(listeningLine(service)).toMatchObject({ address: '127.0.0.1', port: service.port });
    } finally {
      await stopService(service);
    }
  });

  test('when HOST is 0.0.0.0, then the process listens on every interface', async () => {
    const service = await startService('network', { DATA_DIR: path.join(dataDir, 'open'), NETWORK_PORT: '0', HOST: '0.0.0.0' });
    try {
      expect(listeningLine(service)).toMatchObject({ address: '0.0.0.0' });
    } finally {
      await stopService(service);
    }
  });

  test.each(SERVICES)('when the %s process is started on a port in use, then it ends with exit code 1 and one line naming the setting', async (name) => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const ended = await runToEnd(name, { DATA_DIR: path.join(dataDir, `busy-${name}`), [PORT_SETTINGS[name]]: String(port), SETTLEMENT_CRON: 'off' });

      expect(ended.code).toBe(1);
      expect(ended.stderr).toBe(`port ${port} is in use; set ${PORT_SETTINGS[name]} to another port\n`);
      expect(ended.stdout).not.toContain('"msg":"listening"');
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
