#!/usr/bin/env node
// `npm start`: the three processes in one terminal with prefixed logs (concurrently); Ctrl-C
// stops all three. Logs are pretty when a person watches this terminal, JSON when piped.
import { spawn } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const env = { ...process.env, LOG_FORMAT: process.env.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json') };
const child = spawn(process.execPath, [
  path.join(root, 'node_modules', 'concurrently', 'dist', 'bin', 'concurrently.js'),
  '--kill-others', '--names', 'ui,proc,net', '--prefix-colors', 'cyan,magenta,yellow',
  'node bin/run.mjs ui', 'node bin/run.mjs processing', 'node bin/run.mjs network',
], { cwd: root, env, stdio: 'inherit' });

// Ctrl-C reaches every process of the terminal's group; this one only waits for the others.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
