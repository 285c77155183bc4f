/**
 * `npm run screenshot:terminal`: a picture of a terminal running `npm start` while shoppers pay,
 * then `npm run settle`, for docs/screenshots/terminal.png. It runs both commands for real (the
 * three processes on free ports, a temporary DATA_DIR), keeps their colored output, and lets
 * Chromium draw it as a terminal would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AnsiToHtml from 'ansi-to-html';
import { CHROMIUM_INSTALL_HINT, CHROMIUM_PATH, chromiumAvailable, openBrowser } from '../tests/helpers/browser.ts';
import { freePort } from './lib/processes.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUTPUT = path.join(ROOT, 'docs', 'screenshots', 'terminal.png');
const READY_TIMEOUT_MS = 30_000;
/** The terminal shows at most this many lines of each command (the start-up is the long part). */
const LINES_MAX = 30;

const PAYMENTS = [
  ['Ada Lovelace', '4242 4242 4242 4242', '25.00'],
  ['Grace Hopper', '5555 5555 5555 4444', '120.50'],
  ['Barbara Liskov', '4000 0000 0000 0002', '42.00'],
] as const;

function progress(message: string): void {
  process.stdout.write(`screenshot: ${message}\n`);
}

/** Runs `node <args>` in the repository, its stdout and stderr collected into `output`. */
function run(args: string[], env: NodeJS.ProcessEnv, output: string[]): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  return child;
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

async function waitUntilReady(url: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const ready = await fetch(url, { signal: AbortSignal.timeout(1_000) }).then((response) => response.ok, () => false);
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} was not ready within ${READY_TIMEOUT_MS} ms`);
}

async function pay(uiUrl: string): Promise<void> {
  for (const [cardholderName, cardNumber, amount] of PAYMENTS) {
    const response = await fetch(`${uiUrl}/make-payment`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ cardholderName, cardNumber, expiry: '12/34', cvv: '123', amount, currency: 'USD', idempotencyKey: randomUUID() }),
      signal: AbortSignal.timeout(15_000),
    });
    progress(`payment ${amount} USD by ${cardholderName}: ${response.status}`);
  }
}

/** The first `LINES_MAX` lines of a command's output, under its prompt line. */
function transcript(command: string, output: string): string {
  const lines = output.split('\n').filter((line) => line.trim() !== '');
  const shown = lines.length > LINES_MAX ? [...lines.slice(0, LINES_MAX), '…'] : lines;
  return [`\u001b[32m$\u001b[0m ${command}`, ...shown].join('\n');
}

function page(text: string): string {
  const html = new AnsiToHtml({ escapeXML: true, fg: '#d8dee9', bg: '#1e222a' }).toHtml(text);
  return `<!doctype html><html><head><meta charset="utf-8"><style>
    body { margin: 0; background: #1e222a; }
    pre { margin: 0; padding: 18px 22px; color: #d8dee9; font: 13px/1.45 "DejaVu Sans Mono", monospace; white-space: pre-wrap; }
  </style></head><body><pre>${html}</pre></body></html>`;
}

async function main(): Promise<void> {
  if (!chromiumAvailable()) {
    process.stderr.write(`screenshot: ${CHROMIUM_PATH} is missing. Install it with: ${CHROMIUM_INSTALL_HINT}\n`);
    process.exit(1);
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cardlane-terminal-'));
  const [uiPort, processingPort, networkPort] = [await freePort(), await freePort(), await freePort()];
  const env = {
    ...process.env, DATA_DIR: dataDir, LOG_FORMAT: 'pretty', FORCE_COLOR: '1',
    UI_PORT: String(uiPort), PROCESSING_PORT: String(processingPort), NETWORK_PORT: String(networkPort),
  };
  const startOutput: string[] = [];
  const settleOutput: string[] = [];
  const shop = run([path.join('bin', 'start.mjs')], env, startOutput);
  let shopOutput = '';
  try {
    progress('npm start: the three processes');
    await waitUntilReady(`http://127.0.0.1:${uiPort}/readyz`);
    await waitUntilReady(`http://127.0.0.1:${processingPort}/readyz`);
    await pay(`http://127.0.0.1:${uiPort}`);
    progress('npm run settle');
    const settleCode = await exited(run([path.join('bin', 'run.mjs'), 'settle'], env, settleOutput));
    if (settleCode !== 0) throw new Error(`npm run settle exited with ${settleCode}:\n${settleOutput.join('')}`);
    // What the shop's terminal showed until now (its shutdown lines are left out).
    await new Promise((resolve) => setTimeout(resolve, 300));
    shopOutput = startOutput.join('');
  } finally {
    shop.kill('SIGINT');
    await exited(shop);
  }
  const text = `${transcript('npm start', shopOutput)}\n\n\u001b[2m(another terminal)\u001b[0m\n${transcript('npm run settle', settleOutput.join(''))}`;
  const browser = await openBrowser({ deviceScaleFactor: 1 });
  try {
    const tab = await browser.context.newPage();
    await tab.setViewportSize({ width: 1100, height: 400 });
    await tab.setContent(page(text));
    await tab.screenshot({ path: OUTPUT, fullPage: true });
    progress(`wrote ${path.relative(ROOT, OUTPUT)}`);
  } finally {
    await browser.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
