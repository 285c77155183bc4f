#!/usr/bin/env node
// Launcher for the TypeScript entry points. Plain JavaScript on purpose: it must run on any
// Node.js and explain, instead of crashing, when the Node.js in use cannot run cardlane.
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const ENTRY_POINTS = {
  ui: 'ui-server/src/main.ts',
  processing: 'processing-server/src/main.ts',
  network: 'card-network-sim/src/main.ts',
  settle: 'processing-server/src/cli/settle.ts',
  'rotate-vault-key': 'processing-server/src/cli/rotate-vault-key.ts',
  cluster: 'scripts/start-cluster.ts',
};

const [major, minor] = process.versions.node.split('.').map(Number);
const supported = major > 22 || (major === 22 && minor >= 13);
if (!supported || !process.features?.typescript) {
  process.stderr.write(
    `cardlane needs Node.js 22.13 or newer with TypeScript type stripping; this is Node.js ${process.versions.node}.\n` +
    'Run it through npm, which uses the Node.js 24 that the project installs: npm install && npm start\n' +
    '(or npm run start:ui / start:processing / start:network).\n',
  );
  process.exit(1);
}

const name = process.argv[2];
const entry = ENTRY_POINTS[name];
if (!entry) {
  process.stderr.write(`usage: node bin/run.mjs ${Object.keys(ENTRY_POINTS).join('|')}\n`);
  process.exit(2);
}
const root = path.resolve(import.meta.dirname, '..');
await import(pathToFileURL(path.join(root, entry)).href);
