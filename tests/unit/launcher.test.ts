/**
 * How the processes are started: every npm script that starts one passes the runtime flags of
 * bin/node-flags.json (which `npm start`, the tests and the benchmarks read), and the launcher
 * refuses an unknown process name.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { nodeFlags } from '../../scripts/lib/processes.ts';

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
});
