/**
 * 3-D Secure at the checkout in a real Chromium, with the three real processes, with JavaScript
 * and without: the challenge card goes to the card issuer's page and back to the shop (code
 * 123456 → approved with its authorization code; a wrong code → declined in plain words), the
 * frictionless card is approved without the issuer's page ever showing, and the CSP refuses
 * nothing on the way (form-action lets the post's redirect reach the issuer, and only it).
 */
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { openBrowser, typeInto, watchPage, type OpenBrowser, type PageProblems } from '../helpers/browser.ts';
import { describeInBrowser, onFreshPage } from '../helpers/browser-suite.ts';
import { fillLikeAPerson, paymentsOf } from '../helpers/checkout.ts';

const CHALLENGE_CARD = '4000000000003220';
const FRICTIONLESS_CARD = '4000000000003063';

describeInBrowser('3-D Secure at the checkout in a browser', {}, (suite) => describe('with and without JavaScript', () => {
  let scripted: OpenBrowser | undefined;
  let scriptless: OpenBrowser | undefined;

  // In a describe of their own, so that these browsers close (and let go of their connections)
  // before the suite stops the processes.
  beforeAll(async () => {
    [scripted, scriptless] = await Promise.all([openBrowser(), openBrowser({ javaScriptEnabled: false })]);
  }, 20_000);

  afterAll(async () => {
    await Promise.all([scripted?.close(), scriptless?.close()]);
  });

  const checkoutUrl = () => `${suite().system.ui.url}/payment.html`;
  const issuerOrigin = () => suite().system.network.url;

  /** Fills the checkout as a shopper would: typed key by key with the page's script, plainly without it. */
  async function fill(page: Page, withScript: boolean, holder: string, number: string): Promise<void> {
    if (withScript) {
      await fillLikeAPerson(page, { name: holder, number, expiry: '1234', cvv: '123', amount: '49.99' });
      return;
    }
    await page.fill('#amount', '49.99');
    await page.fill('#cardholderName', holder);
    await page.fill('#cardNumber', number);
    await page.fill('#expiry', '12/34');
    await page.fill('#cvv', '123');
  }

  /** Every address the page's main frame went to, in order. */
  function navigations(page: Page): string[] {
    const urls: string[] = [];
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) urls.push(frame.url());
    });
    return urls;
  }

  /**
   * No CSP refusal, and no console error but the one Chromium logs for a result page's own status
   * (a declined checkout is answered 402, a document it still shows).
   */
  function expectNoProblems(problems: PageProblems, pageStatus?: number): void {
    expect(problems.cspViolations).toEqual([]);
    const ownStatus = `Failed to load resource: the server responded with a status of ${pageStatus}`;
    expect(problems.errors.filter((error) => pageStatus === undefined || !error.startsWith(ownStatus))).toEqual([]);
  }

  for (const withScript of [true, false]) {
    const mode = withScript ? 'with JavaScript' : 'without JavaScript';
    const browserOf = () => {
      const browser = withScript ? scripted : scriptless;
      if (!browser) throw new Error('the browser did not start');
      return browser;
    };
    const inBrowser = (name: string, run: (page: Page, problems: PageProblems) => Promise<void>) =>
      test(`${name} (${mode})`, () => onFreshPage(browserOf(), `3ds-${name}-${mode}`, run), 30_000);

    inBrowser('when the challenge card pays and the shopper types 123456 at the bank, then the shop shows the approval with its authorization code', async (page, problems) => {
      const holder = `Challenge ${randomUUID().slice(0, 8)}`;
      const visited = navigations(page);
      await page.goto(checkoutUrl());
      await fill(page, withScript, holder, CHALLENGE_CARD);

      await page.locator('#pay-button').click();
      await page.waitForURL(`${issuerOrigin()}/3ds/challenge/**`);
      await expect(page.locator('h1').textContent()).resolves.toBe('Cardlane Test Bank: verify your payment');
      await expect(page.getByText('49.99 USD').count()).resolves.toBe(1);
      await typeInto(page, '#code', '123456');
      await page.getByRole('button', { name: 'Verify' }).click();

      await page.waitForURL('**/payments/authentication-return?paymentId=pay_*');
      await expect(page.locator('h1').textContent()).resolves.toBe('Payment approved');
      const details = await page.locator('dl.details').innerText();
      expect(details).toMatch(/Authorization code\s+[A-Z0-9]{6}/);
      expect(details).toContain('49.99 USD');
      expect(details).toContain('•••• 3220');
      const [payment] = await paymentsOf(suite().processing, holder);
      expect(payment).toMatchObject({ status: 'authorized', amount: 4999 });
      expect(visited.some((url) => url.startsWith(`${issuerOrigin()}/3ds/challenge/`))).toBe(true);
      expectNoProblems(problems);
    });

    inBrowser('when the shopper types a wrong code at the bank, then the shop says in plain words that the bank could not confirm it was them', async (page, problems) => {
      const holder = `Wrong code ${randomUUID().slice(0, 8)}`;
      await page.goto(checkoutUrl());
      await fill(page, withScript, holder, CHALLENGE_CARD);

      await page.locator('#pay-button').click();
      await page.waitForURL(`${issuerOrigin()}/3ds/challenge/**`);
      await typeInto(page, '#code', '654321');
      await page.getByRole('button', { name: 'Verify' }).click();

      await page.waitForURL('**/payments/authentication-return?paymentId=pay_*');
      await expect(page.locator('h1').textContent()).resolves.toBe('Payment declined');
      const text = await page.locator('main').innerText();
      expect(text).toContain('Your bank could not confirm it was you. You have not been charged.');
      expect(text.match(/You have not been charged/g)).toHaveLength(1);
      const [payment] = await paymentsOf(suite().processing, holder);
      expect(payment).toMatchObject({ status: 'declined' });
      expectNoProblems(problems, 402);
    });

    inBrowser('when the frictionless card pays, then it is approved without the bank\'s page ever showing', async (page, problems) => {
      const holder = `Frictionless ${randomUUID().slice(0, 8)}`;
      const visited = navigations(page);
      const asked: string[] = [];
      page.on('request', (sent) => asked.push(sent.url()));
      await page.goto(checkoutUrl());
      await fill(page, withScript, holder, FRICTIONLESS_CARD);

      await page.locator('#pay-button').click();

      await page.waitForURL('**/make-payment');
      await expect(page.locator('h1').textContent()).resolves.toBe('Payment approved');
      await expect(page.locator('dl.details').innerText()).resolves.toMatch(/Authorization code\s+[A-Z0-9]{6}/);
      expect(visited.filter((url) => url.startsWith(issuerOrigin()))).toEqual([]);
      expect(asked.filter((url) => url.startsWith(issuerOrigin()))).toEqual([]);
      expectNoProblems(problems);
    });
  }

  test('when a page of the checkout is watched, then a form-action refusal would be seen: a post to another origin is reported', async () => {
    const browser = scripted;
    if (!browser) throw new Error('the browser did not start');
    const page = await browser.context.newPage();
    try {
      const problems = await watchPage(page);
      await page.goto(checkoutUrl());
      // The checkout's own CSP, tried on a form aimed at an origin it does not list.
      await page.evaluate(`(() => { const form = document.createElement('form'); form.method = 'post'; form.action = 'http://127.0.0.9:9/elsewhere'; document.body.append(form); form.submit(); })()`);
      for (let waited = 0; problems.cspViolations.length === 0 && waited < 2_000; waited += 50) await page.waitForTimeout(50);
      expect(problems.cspViolations.join('\n')).toMatch(/form-action/);
    } finally {
      await page.close();
    }
  }, 20_000);
}));
