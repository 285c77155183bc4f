/**
 * How the processes are started: every npm script that starts one passes the runtime flags of
 * bin/node-flags.json (which `npm start`, the tests and the benchmarks read), and the launcher
 * refuses an unknown process name.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { nodeFlags } from '../../scripts/lib/processes.ts';
/** bin/start-env.mjs's withDefaultWebhook, run as npm start runs it (a plain ES module). */
function defaultWebhook(env: Record<string, string>): Record<string, string | undefined> {
  const script = `import { withDefaultWebhook } from ${JSON.stringify(path.join(ROOT, 'bin', 'start-env.mjs'))};
    process.stdout.write(JSON.stringify(withDefaultWebhook(JSON.parse(process.argv[1]))));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(env)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as Record<string, string | undefined>;
}

const ROOT = path.resolve(__dirname, '..', '..');
const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

describe('starting the processes', () => {
  it('has runtime flags, each a V8 option', () => {
    expect(nodeFlags(ROOT).length).toBeGreaterThan(0);
    for (const flag of nodeFlags(ROOT)) expect(flag).toMatch(/^--[a-z-]+(=\S+)?$/);
  });

  it.each(['start:ui', 'start:processing', 'start:network', 'settle', 'rotate-vault-key'])('npm run %s starts its process with those flags', (name) => {
    const script = scripts[name] ?? '';
    expect(script).toMatch(/^node .*bin\/run\.mjs [\w-]+$/);
    expect(script).toBe(`node ${nodeFlags(ROOT).join(' ')} bin/run.mjs ${script.split(' ').at(-1)}`);
  });

  it('the launcher accepts the flags and names its processes when given an unknown one', () => {
    const result = spawnSync(process.execPath, [...nodeFlags(ROOT), path.join(ROOT, 'bin', 'run.mjs'), 'nonsense'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('usage: node bin/run.mjs ui|processing|network|settle|rotate-vault-key');
  });

  it.each([
    [{}, 'http://127.0.0.1:3000/webhooks/cardlane'],
    [{ UI_PORT: '4000' }, 'http://127.0.0.1:4000/webhooks/cardlane'],
    [{ HOST: '0.0.0.0', UI_PORT: '4000' }, 'http://127.0.0.1:4000/webhooks/cardlane'],
    [{ HOST: '::1' }, 'http://[::1]:3000/webhooks/cardlane'],
    [{ WEBHOOK_URLS: '' }, ''],
    [{ WEBHOOK_URLS: 'https://hooks.example/cardlane' }, 'https://hooks.example/cardlane'],
  ])('npm start with %p sends the processing server\'s webhooks to %p', (env, expected) => {
    expect(defaultWebhook(env).WEBHOOK_URLS).toBe(expected);
  });
});
