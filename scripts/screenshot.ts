/**
 * `npm run screenshot [-- --ui http://127.0.0.1:3000 --admin-user U --admin-password P]`:
 * pictures of the checkout (by card, with a saved card and with points), an approved result and
 * the back office for docs/screenshots/.
 * Without --ui it starts the three real processes on free ports with a temporary DATA_DIR and
 * stops them afterwards; with --ui it uses that running UI server (it makes a few test
 * payments there and runs a settlement, so point it at a development system only).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { CHROMIUM_INSTALL_HINT, CHROMIUM_PATH, chromiumAvailable, openBrowser, typeInto } from '../tests/helpers/browser.ts';
import { startSystem, type System } from './lib/processes.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUTPUT_DIR = path.join(ROOT, 'docs', 'screenshots');

const { values } = parseArgs({
  options: {
    ui: { type: 'string' },
    'admin-user': { type: 'string', default: 'admin' },
    'admin-password': { type: 'string', default: 'screenshot-password' },
  },
});

function progress(message: string): void {
  process.stdout.write(`screenshot: ${message}\n`);
}

type Order = [holder: string, cardNumber: string, amount: string, currency: string];

const FIRST_PAYMENTS: Order[] = [
  ['Ada Lovelace', '4242 4242 4242 4242', '25.00', 'USD'],
  ['Grace Hopper', '5555 5555 5555 4444', '120.50', 'USD'],
  ['Alan Turing', '3782 822463 10005', '64.99', 'USD'],
  ['Katherine Johnson', '4242 4242 4242 4242', '18.75', 'USD'],
  ['Edsger Dijkstra', '5555 5555 5555 4444', '310.00', 'USD'],
  ['Barbara Liskov', '4000 0000 0000 0002', '42.00', 'USD'],
  ['Donald Knuth', '4000 0000 0000 9995', '999.00', 'USD'],
  ['Margaret Hamilton', '4242 4242 4242 4242', '89.90', 'USD'],
];

const LATER_PAYMENTS: Order[] = [
  ['Frances Allen', '5555 5555 5555 4444', '54.20', 'USD'],
  ['John Backus', '4000 0000 0000 0127', '15.00', 'USD'],
  ['Radia Perlman', '4242 4242 4242 4242', '230.00', 'USD'],
];

/** Shoppers' payments through the UI server's JSON answer, approved and declined. */
async function makePayments(uiUrl: string, payments: Order[]): Promise<void> {
  for (const [cardholderName, cardNumber, amount, currency] of payments) {
    const cvv = cardNumber.startsWith('37') ? '1234' : '123';
    const response = await fetch(`${uiUrl}/make-payment`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ cardholderName, cardNumber, expiry: '12/34', cvv, amount, currency, idempotencyKey: randomUUID() }),
    });
    const result = await response.json() as { status: string };
    progress(`payment ${amount} ${currency} by ${cardholderName}: ${result.status}`);
  }
}

async function shoot(page: Page, name: string): Promise<void> {
  const file = path.join(OUTPUT_DIR, name);
  await page.screenshot({ path: file, fullPage: true });
  progress(`wrote ${path.relative(ROOT, file)}`);
}

async function shopperPictures(page: Page, uiUrl: string): Promise<void> {
  await page.setViewportSize({ width: 900, height: 900 });
  await page.goto(`${uiUrl}/payment.html`);
  await typeInto(page, '#amount', '49.90');
  await typeInto(page, '#cardholderName', 'Ada Lovelace');
  await typeInto(page, '#cardNumber', '4242424242424242');
  await typeInto(page, '#expiry', '1234');
  await typeInto(page, '#cvv', '123');
  await page.locator('label[for="saveCard"]').click();
  await shoot(page, 'checkout.png');
  await page.locator('#pay-button').click();
  await page.waitForURL('**/make-payment');
  await shoot(page, 'approved.png');

  // Coming back: the saved card is offered, chosen, one click from Pay.
  await page.goto(`${uiUrl}/payment.html?amount=32.00&currency=USD`);
  await shoot(page, 'checkout-saved-card.png');

  // Paying with points, as the shopper sees it before paying (the PIN shows as dots).
  await page.goto(`${uiUrl}/payment.html`);
  await page.locator('label[for="method-points"]').click();
  await typeInto(page, '#amount', '18.50');
  await typeInto(page, '#pointsAccount', 'PTS-0000-0001');
  await typeInto(page, '#pointsPin', '1234');
  await page.locator('#pointsPin').blur();
  await shoot(page, 'checkout-points.png');
}

async function backOfficePictures(page: Page, uiUrl: string): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${uiUrl}/admin/login?next=${encodeURIComponent('/admin/payments')}`);
  await page.fill('#user', values['admin-user'] ?? 'admin');
  await page.fill('#password', values['admin-password'] ?? '');
  await page.locator('button[type="submit"]').click();
  await page.waitForURL('**/admin/payments');

  await page.goto(`${uiUrl}/admin/settlements`);
  await page.getByRole('button', { name: 'Run settlement now' }).click();
  await page.waitForURL(/\/admin\/settlements\/[^/?]+$/, { timeout: 30_000 });
  await page.locator('h1 .badge', { hasText: 'completed' }).waitFor({ timeout: 60_000 });
  await shoot(page, 'admin-settlement.png');

  // A few payments after the run, so the list shows settled, authorized and declined ones.
  await makePayments(uiUrl, LATER_PAYMENTS);
  await page.goto(`${uiUrl}/admin/payments`);
  await shoot(page, 'admin-payments.png');

  await page.goto(`${uiUrl}/admin/activity`);
  await page.waitForFunction('window.Chart && window.Chart.getChart(document.getElementById("activity-chart")) !== undefined');
  await shoot(page, 'admin-activity.png');
}

async function main(): Promise<void> {
  if (!chromiumAvailable()) {
    process.stderr.write(`screenshot: ${CHROMIUM_PATH} is missing. Install it with: ${CHROMIUM_INSTALL_HINT}\n`);
    process.exit(1);
  }
  fs.mkdirSync(OUTPUT_DIR, { recursive: true });
  let system: System | undefined;
  const dataDir = values.ui ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'cardlane-screenshot-'));
  const browser = await openBrowser({ deviceScaleFactor: 1 });
  try {
    if (dataDir) {
      progress('starting the card-network simulator, the processing server and the UI server');
      system = await startSystem(ROOT, dataDir, {
        ui: { ADMIN_USER: values['admin-user'] ?? 'admin', ADMIN_PASSWORD: values['admin-password'] ?? '' },
      });
    }
    const uiUrl = (values.ui ?? system?.ui.url ?? '').replace(/\/+$/, '');
    await makePayments(uiUrl, FIRST_PAYMENTS);
    const page = await browser.context.newPage();
    await shopperPictures(page, uiUrl);
    await backOfficePictures(page, uiUrl);
  } finally {
    await browser.close();
    await system?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
