#!/usr/bin/env node
// `npm start`: the three processes in one terminal with prefixed logs (concurrently); Ctrl-C
// stops all three. Logs are pretty when a person watches this terminal, JSON when piped.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { withDefaultWebhook } from './start-env.mjs';

const root = path.resolve(import.meta.dirname, '..');
// The runtime flags every process starts with (see docs/PERFORMANCE.md, "Memory").
const nodeFlags = JSON.parse(fs.readFileSync(path.join(root, 'bin', 'node-flags.json'), 'utf8')).join(' ');
const env = withDefaultWebhook({ ...process.env, LOG_FORMAT: process.env.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json') });
const child = spawn(process.execPath, [
  path.join(root, 'node_modules', 'concurrently', 'dist', 'bin', 'concurrently.js'),
  '--kill-others', '--names', 'ui,proc,net', '--prefix-colors', 'cyan,magenta,yellow',
  ...['ui', 'processing', 'network'].map((name) => `node ${nodeFlags} bin/run.mjs ${name}`),
], { cwd: root, env, stdio: 'inherit' });

// Ctrl-C reaches every process of the terminal's group; this one only waits for the others.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
