/**
 * A returning shopper in a real Chromium, against the three real processes, with and without
 * JavaScript: the first checkout saves the card ("Save this card for next time"), the shopper
 * comes back in the same browser, pays with the saved card in one click plus Pay, and removes it
 * from the page. The CSP refuses nothing along the way.
 */
import { randomUUID } from 'node:crypto';
import axios, { type AxiosInstance } from 'axios';
import type { Page } from 'playwright-core';
import { openBrowser, typeInto, watchPage, type OpenBrowser } from '../helpers/browser.ts';
import { declaredWithoutChromium, onFreshPage } from '../helpers/browser-suite.ts';
import { PROCESSING_KEY, startSystem, type System } from '../helpers/processes.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';

const TITLE = 'a returning shopper\'s saved card in a browser';

interface Browsers {
  withScript: OpenBrowser;
  withoutScript: OpenBrowser;
}

if (!declaredWithoutChromium(TITLE)) {
  describe(TITLE, () => {
    const dataDir = makeTempDir('saved-cards-browser');
    let system: System;
    let processing: AxiosInstance;
    let browsers: Browsers;

    beforeAll(async () => {
      const [started, withScript, withoutScript] = await Promise.all([
        startSystem(dataDir), openBrowser(), openBrowser({ javaScriptEnabled: false }),
      ]);
      system = started;
      browsers = { withScript, withoutScript };
      processing = axios.create({ baseURL: system.processing.url, headers: { Authorization: `Bearer ${PROCESSING_KEY}` }, validateStatus: () => true });
    }, 60_000);

    afterAll(async () => {
      await Promise.all([browsers?.withScript.close(), browsers?.withoutScript.close()]);
      await system?.stop();
      removeDir(dataDir);
    });

    /** The checkout of a shop that passes the order in the link, as a "Try again" link does. */
    const checkoutUrl = (amount: string) => `${system.ui.url}/payment.html?amount=${amount}&currency=USD`;

    async function pay(page: Page): Promise<string> {
      await page.locator('#pay-button').click();
      await page.waitForURL('**/make-payment');
      return (await page.locator('h1').textContent()) ?? '';
    }

    async function customerOf(page: Page): Promise<string> {
      const cookie = (await page.context().cookies()).find((candidate) => candidate.name === 'cardlane_customer');
      if (!cookie) throw new Error('no customer cookie');
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
      return cookie.value;
    }

    test.each([
      ['with JavaScript', 'withScript' as const],
      ['without JavaScript', 'withoutScript' as const],
    ])('when a shopper saves a card, comes back, pays with it in one click plus Pay, and removes it (%s)', async (_name, which) => {
      const browser = browsers[which];
      await browser.context.clearCookies();
      await onFreshPage(browser, `${TITLE}-${which}`, async (page) => {
        const problems = await watchPage(page);
        const holder = `Returning ${randomUUID().slice(0, 8)}`;

        // First visit: a typed card, saved for next time.
        await page.goto(checkoutUrl('12.00'));
        await expect(page.locator('#saved-card-fields').count()).resolves.toBe(0);
        await typeInto(page, '#cardholderName', holder);
        await typeInto(page, '#cardNumber', '4242424242424242');
        await typeInto(page, '#expiry', which === 'withScript' ? '1230' : '12/30');
        await typeInto(page, '#cvv', '123');
        await page.locator('label[for="saveCard"]').click();
        await expect(pay(page)).resolves.toBe('Payment approved');
        await expect(page.locator('.card-saved').textContent()).resolves.toBe('Payment approved. Your card is saved for your next checkout.');
        const customerId = await customerOf(page);
        const saved = (await processing.get('/v1/cards', { params: { customerId } })).data.data as Array<{ id: string; last4: string; holderName: string }>;
        expect(saved).toEqual([expect.objectContaining({ last4: '4242', holderName: holder })]);

        // Coming back: the saved card is offered; one click on it, then Pay.
        await page.goto(checkoutUrl('34.00'));
        await expect(page.locator('#method-saved_card').isChecked()).resolves.toBe(true);
        await expect(page.locator('#card-fields').isVisible()).resolves.toBe(false);
        await expect(page.locator('#saved-card-fields .saved-card-name').textContent()).resolves.toBe('Visa •••• 4242');
        await page.locator(`label[for="saved-${saved[0]!.id}"]`).click();
        await expect(pay(page)).resolves.toBe('Payment approved');
        await expect(page.locator('dl.details').innerText()).resolves.toContain('Visa •••• 4242');
        const paymentId = /pay_[0-9a-f]{32}/.exec(await page.locator('dl.details').innerText())?.[0];
        const payment = (await processing.get(`/v1/payments/${paymentId}`)).data;
        expect(payment).toMatchObject({ paymentMethod: 'saved_card', cardId: saved[0]!.id, customerId, amount: 3400, status: 'authorized' });

        // Removing it from the page: back at the checkout, the card is gone, here and in the vault.
        await page.goto(checkoutUrl('5.00'));
        await page.locator('.remove-card').click();
        await page.waitForURL('**/payment.html?notice=card_removed&amount=5.00&currency=USD');
        await expect(page.locator('#form-status').textContent()).resolves.toBe('The saved card was removed.');
        await expect(page.locator('#saved-card-fields').count()).resolves.toBe(0);
        await expect(page.locator('#method-card').isChecked()).resolves.toBe(true);
        await expect(page.locator('#amount').inputValue()).resolves.toBe('5.00');
        expect((await processing.get('/v1/cards', { params: { customerId } })).data).toEqual({ data: [] });
        expect((await processing.get(`/v1/payments/${paymentId}`)).data).toMatchObject({ paymentMethod: 'saved_card', card: { last4: '4242' } });

        expect(problems.cspViolations).toEqual([]);
        expect(problems.errors).toEqual([]);
      });
    }, 40_000);

    test('when a saved card is chosen with JavaScript, then only the saved card is sent: the card fields are disabled and the box to save is not posted', async () => {
      const browser = browsers.withScript;
      await browser.context.clearCookies();
      await onFreshPage(browser, `${TITLE}-only-the-saved-card`, async (page) => {
        await page.goto(checkoutUrl('8.00'));
        await page.locator('.use-card[data-number="5555555555554444"]').click();
        await page.locator('label[for="saveCard"]').click();
        await expect(pay(page)).resolves.toBe('Payment approved');

        await page.goto(checkoutUrl('9.00'));
        // A card number typed after choosing the saved card stays in the page; it is not posted.
        await page.locator('label[for="method-card"]').click();
        await typeInto(page, '#cardNumber', '4000000000000002');
        await page.locator('label[for="method-saved_card"]').click();
        await expect(page.evaluate('document.getElementById("card-fields").disabled')).resolves.toBe(true);
        const post = page.waitForRequest((sent) => sent.method() === 'POST' && sent.url().endsWith('/make-payment'));
        await expect(pay(page)).resolves.toBe('Payment approved');

        const posted = new URLSearchParams((await post).postData() ?? '');
        expect(posted.get('paymentMethod')).toBe('saved_card');
        expect(posted.get('savedCardId')).toMatch(/^card_/);
        expect(posted.has('cardNumber')).toBe(false);
        expect(posted.has('saveCard')).toBe(false);
        await expect(page.locator('dl.details').innerText()).resolves.toContain('Mastercard •••• 4444');
      });
    }, 30_000);
  });
}
