/**
 * The system Chromium driven by playwright-core, for the browser tests and `npm run screenshot`.
 * No browser is downloaded (never `npx playwright install`): the machine's /usr/bin/chromium is
 * used, or the tests say how to install it. Kept free of __dirname and import.meta so both jest
 * (CommonJS) and Node's own TypeScript (ES modules) can load it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_INSTALL_HINT = 'apt-get update && apt-get install -y chromium';

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export function chromiumAvailable(executablePath = CHROMIUM_PATH): boolean {
  try {
    fs.accessSync(executablePath, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface BrowserOptions {
  javaScriptEnabled?: boolean;
  viewport?: { width: number; height: number };
  deviceScaleFactor?: number;
}

export interface OpenBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * One Chromium with a fresh profile in its own temporary directory (playwright passes it as
 * --user-data-dir; it refuses the flag in `args`), removed again on close.
 */
export async function openBrowser(options: BrowserOptions = {}): Promise<OpenBrowser> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cardlane-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    viewport: options.viewport ?? { width: 1280, height: 900 },
    deviceScaleFactor: options.deviceScaleFactor ?? 1,
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  context.setDefaultTimeout(10_000);
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export interface PageProblems {
  /** Content-Security-Policy violations, from the console and from `securitypolicyviolation`. */
  cspViolations: string[];
  /** Every console error and uncaught page error. */
  errors: string[];
}

/** Records what a page complains about, so a test can assert that nothing was refused. */
export async function watchPage(page: Page): Promise<PageProblems> {
  const problems: PageProblems = { cspViolations: [], errors: [] };
  await page.exposeFunction('__cardlaneReportViolation', (text: string) => {
    problems.cspViolations.push(text);
  }).catch(() => undefined);
  // Init scripts run outside the page's CSP, before any of its own scripts.
  await page.addInitScript(`document.addEventListener('securitypolicyviolation', (event) => {
    window.__cardlaneReportViolation?.(event.violatedDirective + ' blocked ' + (event.blockedURI || 'inline') + ' (' + event.sourceFile + ':' + event.lineNumber + ')');
  });`);
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    problems.errors.push(message.text());
    if (/Content Security Policy/i.test(message.text())) problems.cspViolations.push(message.text());
  });
  page.on('pageerror', (error) => problems.errors.push(`pageerror: ${error.message}`));
  return problems;
}

/** Saves the page as test-artifacts/<name>.png (gitignored) and answers the path. */
export async function saveFailureScreenshot(page: Page, name: string, root = process.cwd()): Promise<string | undefined> {
  const directory = path.join(root, 'test-artifacts');
  fs.mkdirSync(directory, { recursive: true });
  const file = path.join(directory, `${name.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 100)}.png`);
  try {
    await page.screenshot({ path: file, fullPage: true });
    return file;
  } catch {
    return undefined;
  }
}

/** Types like a person: key by key, with a short pause between keys. */
export async function typeInto(page: Page, selector: string, text: string): Promise<void> {
  const input = page.locator(selector);
  await input.click();
  await input.pressSequentially(text, { delay: 5 });
}
