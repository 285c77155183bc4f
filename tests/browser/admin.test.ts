/**
 * The merchant back office in a real Chromium against the three real processes: the login,
 * capture, void and refund from a payment's page, a settlement run started from the page and
 * followed until it completes, its items and its reconciliation, and the activity chart.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { ADMIN_PASSWORD, ADMIN_USER, describeInBrowser } from '../helpers/browser-suite.ts';

/** Long enough that POST /v1/settlements answers 202 (it waits 3 s), short enough for the suite. */
const SLOW_BATCH_MS = 3_500;

describeInBrowser('back office in a browser', {
  // The card company may be slowed past the processing server's 3 s wait for a run, so its
  // per-call timeout must outlast that latency.
  // The limit per card is raised so amounts with thousands separators can be shown.
  env: { processing: { NETWORK_TIMEOUT_MS: '10000', CARD_SPEND_LIMIT: '1000000.00' } },
}, (suite, browserTest) => {
  const url = (path: string) => `${suite().system.ui.url}${path}`;

  async function logIn(page: Page, next = '/admin/payments'): Promise<void> {
    await page.goto(url(`/admin/login?next=${encodeURIComponent(next)}`));
    await page.fill('#user', ADMIN_USER);
    await page.fill('#password', ADMIN_PASSWORD);
    await page.locator('button[type="submit"]').click();
    await page.waitForURL(`**${next}`);
  }

  /** A payment made straight at the processing API (manual capture is not offered to shoppers). */
  async function createPayment(options: { amount: number; captureMethod?: 'automatic' | 'manual'; holderName?: string }): Promise<string> {
    const response = await suite().processing.post('/v1/payments', {
      amount: options.amount, currency: 'USD', captureMethod: options.captureMethod ?? 'automatic',
      card: { number: '4242424242424242', expMonth: 12, expYear: 2034, cvv: '123', holderName: options.holderName ?? 'Back Office Test' },
    }, { headers: { 'Idempotency-Key': randomUUID() } });
    expect(response.status).toBe(201);
    return response.data.id as string;
  }

  async function paymentStatus(paymentId: string): Promise<{ status: string; capturedAmount: number; refundedAmount: number }> {
    const response = await suite().processing.get(`/v1/payments/${paymentId}`);
    return response.data;
  }

  browserTest('when the password is wrong, then the login is refused; with the right one the payments list opens, and logout ends it', async (page, problems) => {
    await page.goto(url('/admin/'));
    await page.waitForURL('**/admin/login');
    await page.fill('#user', ADMIN_USER);
    await page.fill('#password', 'not-the-password');
    const refused = page.waitForResponse((response) => response.url().endsWith('/admin/login') && response.request().method() === 'POST');
    await page.locator('button[type="submit"]').click();
    expect((await refused).status()).toBe(401);
    await expect(page.locator('[role="alert"]').textContent()).resolves.toBe('The user name or password is not right.');
    await page.goto(url('/admin/payments'));
    expect(page.url()).toContain('/admin/login');

    await page.fill('#user', ADMIN_USER);
    await page.fill('#password', ADMIN_PASSWORD);
    await page.locator('button[type="submit"]').click();
    await page.waitForURL('**/admin/payments');
    await expect(page.locator('h1').textContent()).resolves.toBe('Payments');
    const cookies = await page.context().cookies(url('/admin/'));
    expect(cookies.find((cookie) => cookie.name === 'cardlane_admin')).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/admin' });

    await page.locator('.logout button').click();
    await page.waitForURL('**/admin/login');
    await page.goto(url('/admin/payments'));
    expect(page.url()).toContain('/admin/login');
    expect(problems.cspViolations).toEqual([]);
  });

  browserTest('when a manual payment is captured for part of its amount from its page, then it is captured for that amount', async (page) => {
    const paymentId = await createPayment({ amount: 4_000, captureMethod: 'manual' });
    await logIn(page, `/admin/payments/${paymentId}`);

    await page.fill('#capture-amount', '30.00');
    await page.getByRole('button', { name: 'Capture' }).click();

    await page.waitForURL(`**/admin/payments/${paymentId}`);
    await expect(page.locator('.flash-success').textContent()).resolves.toContain('Captured USD 30.00');
    await expect(page.locator('h1 .badge').textContent()).resolves.toBe('captured');
    expect(await paymentStatus(paymentId)).toMatchObject({ status: 'captured', capturedAmount: 3_000 });
  });

  browserTest('when a payment is voided from its page (after confirming), then it is voided, no action is left, and its timeline shows both changes', async (page) => {
    const paymentId = await createPayment({ amount: 1_500 });
    await logIn(page, `/admin/payments/${paymentId}`);
    await expect(page.locator('#events .timeline-type').allInnerTexts()).resolves.toEqual(['payment.authorized']);
    page.once('dialog', (dialog) => void dialog.accept());

    await page.getByRole('button', { name: 'Void payment' }).click();

    await page.waitForURL(`**/admin/payments/${paymentId}`);
    await expect(page.locator('.flash-success').textContent()).resolves.toContain('Payment voided');
    await expect(page.locator('h1 .badge').textContent()).resolves.toBe('voided');
    await expect(page.locator('.actions').count()).resolves.toBe(0);
    expect((await paymentStatus(paymentId)).status).toBe('voided');
    await expect(page.locator('#events .timeline-type').allInnerTexts()).resolves.toEqual(['payment.authorized', 'payment.voided']);
    await expect(page.locator('#events li').last().innerText()).resolves.toMatch(/voided[\s\S]*merchant void/);
  });

  browserTest('when "Run settlement now" is pressed, then the run page follows the run to completion and shows its items and a matched reconciliation', async (page, problems) => {
    const paymentIds = [await createPayment({ amount: 2_100 }), await createPayment({ amount: 2_200 })];
    await logIn(page, '/admin/settlements');
    // Slow the card company so the run outlasts the processing server's wait: a 202 and a running page.
    const slowed = await suite().network.post('/admin/faults', { latencyMs: SLOW_BATCH_MS });
    expect(slowed.status).toBe(200);
    try {
      await page.getByRole('button', { name: 'Run settlement now' }).click();
      await page.waitForURL(/\/admin\/settlements\/[^/?]+$/, { timeout: 15_000 });
      await expect(page.locator('h1 .badge').textContent()).resolves.toBe('running');
      await expect(page.locator('meta[http-equiv="refresh"]').count()).resolves.toBe(1);
    } finally {
      await suite().network.post('/admin/faults', { latencyMs: 0 });
    }

    // The page reloads itself; no click is needed to see it complete.
    await page.locator('h1 .badge', { hasText: 'completed' }).waitFor({ timeout: 15_000 });
    await expect(page.locator('meta[http-equiv="refresh"]').count()).resolves.toBe(0);
    const items = await page.locator('#run-items').innerText();
    for (const paymentId of paymentIds) expect(items).toContain(paymentId);
    expect(items).toMatch(/sale\s+USD 21\.00/);
    expect(items).toMatch(/sale\s+USD 22\.00/);
    await expect(page.locator('#reconciliation-summary').textContent()).resolves.toMatch(/Matched: all \d+ items agree/);
    await expect(page.locator('progress').getAttribute('value')).resolves.toBe(await page.locator('progress').getAttribute('max'));
    expect(problems.cspViolations).toEqual([]);
  }, 40_000);

  browserTest('when a settled payment is partly refunded from its page, then the refund is recorded and the payment is partially refunded', async (page) => {
    const paymentId = await createPayment({ amount: 5_000 });
    const run = await suite().processing.post('/v1/settlements', {});
    expect(run.status).toBe(201);
    await logIn(page, `/admin/payments/${paymentId}`);
    await expect(page.locator('#refund-amount').inputValue()).resolves.toBe('50.00');

    await page.fill('#refund-amount', '12.50');
    await page.getByRole('button', { name: 'Refund' }).click();

    await page.waitForURL(`**/admin/payments/${paymentId}`);
    await expect(page.locator('.flash-success').textContent()).resolves.toContain('Refund of USD 12.50 recorded');
    await expect(page.locator('h1 .badge').textContent()).resolves.toBe('partially refunded');
    expect(await paymentStatus(paymentId)).toMatchObject({ status: 'partially_refunded', refundedAmount: 1_250 });
  });

  browserTest('when the payments list is filtered by status, then only those payments are listed', async (page) => {
    const paymentId = await createPayment({ amount: 1_234, captureMethod: 'manual', holderName: 'Filter Test' });
    await logIn(page);

    await page.selectOption('#status', 'authorized');
    await page.getByRole('button', { name: 'Apply' }).click();

    await page.waitForURL(/status=authorized/);
    const rows = await page.locator('table.data tbody tr').allInnerTexts();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toContain('authorized');
    expect(rows.join('\n')).toContain(paymentId);
  });

  browserTest('when the activity page opens, then chart.js (served by the UI server) draws approvals, declines and settled volume without CSP complaints', async (page, problems) => {
    await logIn(page, '/admin/activity');

    await expect(page.locator('#activity-basis').textContent()).resolves.toContain('reads at most 1,000');
    await page.waitForFunction('window.Chart && window.Chart.getChart(document.getElementById("activity-chart")) !== undefined');
    const datasets = await page.evaluate('window.Chart.getChart(document.getElementById("activity-chart")).data.datasets.map((set) => set.label)');
    expect(datasets).toEqual(['Approved payments', 'Declined payments', 'Money settled (USD)']);
    expect(problems.cspViolations).toEqual([]);
    expect(problems.errors).toEqual([]);
  });

  browserTest('when the payments list is opened on a 375 px wide phone, then each payment\'s status and amount show without sideways scrolling', async (page) => {
    const holder = `Phone ${randomUUID().slice(0, 8)}`;
    await createPayment({ amount: 123_456, holderName: holder });
    await page.setViewportSize({ width: 375, height: 740 });
    await logIn(page);

    const widths = await page.evaluate('({ page: document.documentElement.scrollWidth, viewport: window.innerWidth, scrollers: Array.from(document.querySelectorAll(".table-scroll")).map((box) => box.scrollWidth - box.clientWidth) })') as { page: number; viewport: number; scrollers: number[] };
    expect(widths.page).toBeLessThanOrEqual(widths.viewport);
    expect(widths.scrollers.every((overflow) => overflow <= 0)).toBe(true);
    const row = page.locator('table.data tbody tr', { hasText: holder });
    for (const [cell, text] of [['.cell-status', 'authorized'], ['.cell-amount', 'USD 1,234.56']] as const) {
      const locator = row.locator(cell);
      await expect(locator.innerText()).resolves.toContain(text);
      const box = await locator.boundingBox();
      expect(box).not.toBeNull();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(375);
    }
  });

  browserTest('when the activity page is opened on a 375 px wide phone, then nothing scrolls sideways and each number says what it counts', async (page, problems) => {
    await createPayment({ amount: 2_500 });
    await page.setViewportSize({ width: 375, height: 740 });
    await logIn(page, '/admin/activity');

    const widths = await page.evaluate('({ page: document.documentElement.scrollWidth, viewport: window.innerWidth })') as { page: number; viewport: number };
    expect(widths.page).toBeLessThanOrEqual(widths.viewport);
    const text = await page.locator('main').innerText();
    expect(text).not.toMatch(/\bauth\b|\btxns?\b/i);
    await expect(page.locator('.stat').allInnerTexts()).resolves.toEqual([
      expect.stringMatching(/^Approved payments\s+\d+\s+Payments the card company approved/),
      expect.stringMatching(/^Declined payments\s+\d+\s+Payments turned down/),
      expect.stringMatching(/^Money settled\s+USD [\d,]+\.\d\d\s+Paid into your account/),
    ]);
    expect(problems.errors).toEqual([]);
  });
});
