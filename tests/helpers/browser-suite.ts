/**
 * Jest scaffolding for tests/browser: the real three processes, one Chromium per test file, a
 * fresh page per test with its complaints recorded, and a screenshot in test-artifacts/ when a
 * test fails. Without Chromium the suite skips with the install command, except on CI, where it
 * fails loudly: a green CI must mean the browser tests ran.
 */
import axios, { type AxiosInstance } from 'axios';
import type { Page } from 'playwright-core';
import { CHROMIUM_INSTALL_HINT, CHROMIUM_PATH, chromiumAvailable, openBrowser, saveFailureScreenshot, watchPage, type OpenBrowser, type PageProblems } from './browser.ts';
import { NETWORK_KEY, PROCESSING_KEY, startSystem, type ServiceName, type System } from './processes.ts';
import { makeTempDir, removeDir } from './temp-dir.ts';

export const ADMIN_USER = 'merchant';
export const ADMIN_PASSWORD = 'browser-test-password';

export interface BrowserSuite {
  system: System;
  browser: OpenBrowser;
  /** The processing API with the processing key (what the UI server uses). */
  processing: AxiosInstance;
  /** The card-network simulator's API with the merchant key. */
  network: AxiosInstance;
}

export interface SuiteOptions {
  env?: Partial<Record<ServiceName, Record<string, string>>>;
}

/**
 * Declares the suite: `body` receives a getter for the running suite and a `browserTest` that
 * wraps each test with a fresh page and the failure screenshot.
 */
/**
 * When Chromium is missing, declares what stands in for the suite `title` (a skip with the install
 * command, or on CI a failing test) and answers true: the caller then declares nothing else.
 */
export function declaredWithoutChromium(title: string): boolean {
  if (chromiumAvailable()) return false;
  if (process.env.CI === 'true') {
    describe(title, () => {
      test('Chromium is installed (required on CI)', () => {
        throw new Error(`${CHROMIUM_PATH} is missing, so the browser tests cannot run. Install it: ${CHROMIUM_INSTALL_HINT}`);
      });
    });
    return true;
  }
  describe.skip(`${title} (skipped: ${CHROMIUM_PATH} is missing; install it with: ${CHROMIUM_INSTALL_HINT})`, () => {
    test.todo('install Chromium to run the browser tests');
  });
  process.stderr.write(`\nBrowser tests skipped: ${CHROMIUM_PATH} is missing. Install it with: ${CHROMIUM_INSTALL_HINT}\n`);
  return true;
}

/** Runs `run` on a fresh page of `browser`, saving a screenshot in test-artifacts/ when it fails. */
export async function onFreshPage(browser: OpenBrowser, name: string, run: (page: Page, problems: PageProblems) => Promise<void>): Promise<void> {
  const page = await browser.context.newPage();
  const problems = await watchPage(page);
  try {
    await run(page, problems);
  } catch (error) {
    const file = await saveFailureScreenshot(page, name);
    if (file && error instanceof Error) error.message += `\n(screenshot: ${file})`;
    throw error;
  } finally {
    await page.close().catch(() => undefined);
  }
}

export function describeInBrowser(
  title: string,
  options: SuiteOptions,
  body: (suite: () => BrowserSuite, browserTest: (name: string, run: (page: Page, problems: PageProblems) => Promise<void>, timeoutMs?: number) => void) => void,
): void {
  if (declaredWithoutChromium(title)) return;

  describe(title, () => {
    let suite: BrowserSuite | undefined;
    const dataDir = makeTempDir('browser');

    beforeAll(async () => {
      const [system, browser] = await Promise.all([
        startSystem(dataDir, { ...options.env, ui: { ADMIN_USER, ADMIN_PASSWORD, ...options.env?.ui } }),
        openBrowser(),
      ]);
      suite = {
        system, browser,
        processing: axios.create({ baseURL: system.processing.url, headers: { Authorization: `Bearer ${PROCESSING_KEY}` }, validateStatus: () => true }),
        network: axios.create({ baseURL: system.network.url, headers: { Authorization: `Bearer ${NETWORK_KEY}` }, validateStatus: () => true }),
      };
    }, 40_000);

    afterAll(async () => {
      await suite?.browser.close();
      await suite?.system.stop();
      removeDir(dataDir);
    });

    const current = (): BrowserSuite => {
      if (!suite) throw new Error('the browser suite did not start');
      return suite;
    };

    const browserTest = (name: string, run: (page: Page, problems: PageProblems) => Promise<void>, timeoutMs = 20_000) => {
      test(name, async () => {
        // One profile per file; each test starts logged out, as a new visitor.
        await current().browser.context.clearCookies();
        await onFreshPage(current().browser, `${title}-${name}`, run);
      }, timeoutMs);
    };

    body(current, browserTest);
  });
}
