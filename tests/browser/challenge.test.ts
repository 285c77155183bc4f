/**
 * The card issuer's 3-D Secure challenge page in a real Chromium, served by the real simulator
 * process: the shopper types the code, submits, and lands on the merchant's returnUrl (another
 * origin, so the page's CSP must let the redirect after the post through).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { typeInto } from '../helpers/browser.ts';
import { describeInBrowser } from '../helpers/browser-suite.ts';

/** Stands in for the merchant's site: records the paths it was asked for and answers a small page. */
interface MerchantSite {
  origin: string;
  requestedPaths: string[];
  close(): Promise<void>;
}

async function startMerchantSite(): Promise<MerchantSite> {
  const requestedPaths: string[] = [];
  const server = http.createServer((request, response) => {
    requestedPaths.push(request.url ?? '');
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end('<!doctype html><html lang="en"><title>Shop</title><h1>Back at the shop</h1></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requestedPaths,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

describeInBrowser('3-D Secure challenge page in a browser', {}, (suite, browserTest) => {
  let merchant: MerchantSite | undefined;

  beforeAll(async () => {
    merchant = await startMerchantSite();
  });

  afterAll(async () => {
    await merchant?.close();
  });

  const merchantSite = (): MerchantSite => {
    if (!merchant) throw new Error('the merchant site did not start');
    return merchant;
  };

  async function startAuthentication(paymentId: string) {
    const returnUrl = `${merchantSite().origin}/checkout/3ds-return?paymentId=${paymentId}&step=done`;
    const response = await suite().network.post('/v1/authentications', {
      merchantReference: paymentId, amount: 4999, currency: 'EUR', returnUrl,
      card: { number: '4000000000003220', expMonth: 12, expYear: 2030 },
    });
    expect(response.status).toBe(200);
    expect(response.data.status).toBe('challenge_required');
    return { returnUrl, authenticationId: response.data.authenticationId as string, challengeUrl: response.data.challengeUrl as string };
  }

  async function statusOf(authenticationId: string): Promise<string> {
    return (await suite().network.get(`/v1/authentications/${authenticationId}`)).data.status as string;
  }

  browserTest('when the shopper types 123456 and verifies, then the browser lands on the returnUrl and the authentication passed', async (page, problems) => {
    const paymentId = `pay_${randomUUID().replaceAll('-', '')}`;
    const { returnUrl, authenticationId, challengeUrl } = await startAuthentication(paymentId);
    expect(challengeUrl).toBe(`${suite().system.network.url}/3ds/challenge/${authenticationId}`);

    await page.goto(challengeUrl);
    await expect(page.locator('h1').textContent()).resolves.toBe('Cardlane Test Bank: verify your payment');
    await expect(page.getByText('49.99 EUR').count()).resolves.toBe(1);
    await expect(page.getByLabel('One-time code').getAttribute('autocomplete')).resolves.toBe('one-time-code');
    await typeInto(page, '#code', '123456');
    await page.getByRole('button', { name: 'Verify' }).click();

    await page.waitForURL(returnUrl);
    expect(page.url()).toBe(returnUrl);
    await expect(page.locator('h1').textContent()).resolves.toBe('Back at the shop');
    expect(merchantSite().requestedPaths).toContain(`/checkout/3ds-return?paymentId=${paymentId}&step=done`);
    expect(await statusOf(authenticationId)).toBe('authenticated');
    expect(problems.cspViolations).toEqual([]);
  });

  browserTest('when the shopper cancels, then the browser lands on the returnUrl and the authentication failed', async (page, problems) => {
    const paymentId = `pay_${randomUUID().replaceAll('-', '')}`;
    const { returnUrl, authenticationId, challengeUrl } = await startAuthentication(paymentId);

    await page.goto(challengeUrl);
    await page.getByRole('button', { name: 'Cancel' }).click();

    await page.waitForURL(returnUrl);
    expect(await statusOf(authenticationId)).toBe('failed');
    await page.goto(challengeUrl);
    await expect(page.locator('h1').textContent()).resolves.toBe('Cardlane Test Bank: verification finished');
    await expect(page.getByRole('link', { name: /Return to/ }).getAttribute('href')).resolves.toBe(returnUrl);
    expect(problems.cspViolations).toEqual([]);
  });
});
