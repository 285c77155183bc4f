/**
 * Trying again after a decline, in a real Chromium against the three real processes: Back from
 * the declined page and another card, "Try again" keeping the amount, and the same without
 * JavaScript. Every retry is a new attempt with a new idempotency key.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { openBrowser, typeInto } from '../helpers/browser.ts';
import { describeInBrowser } from '../helpers/browser-suite.ts';
import { approvedCard, fillLikeAPerson, paymentsOf as paymentsAt } from '../helpers/checkout.ts';

const DECLINED_NUMBER = '4000000000000002';

describeInBrowser('trying again after a decline', {}, (suite, browserTest) => {
  const checkoutUrl = () => `${suite().system.ui.url}/payment.html`;
  const paymentsOf = (holderName: string) => paymentsAt(suite().processing, holderName);

  async function payAndWait(page: Page): Promise<string> {
    await page.locator('#pay-button').click();
    await page.waitForURL('**/make-payment');
    return (await page.locator('h1').textContent()) ?? '';
  }

  /** Types a value only where the field came back empty (Back may or may not restore what was typed). */
  async function fillIfEmpty(page: Page, selector: string, text: string): Promise<void> {
    if ((await page.locator(selector).inputValue()) === '') await typeInto(page, selector, text);
  }

  browserTest('when a card is declined and the shopper goes Back and pays with 4242…, then the new attempt is approved', async (page) => {
    const holder = `Back ${randomUUID().slice(0, 8)}`;
    await page.goto(checkoutUrl());
    await fillLikeAPerson(page, { ...approvedCard(holder), number: DECLINED_NUMBER, amount: '31.00' });
    await expect(payAndWait(page)).resolves.toBe('Payment declined');

    await page.goBack();
    await page.waitForURL('**/payment.html');
    await page.locator('#cardNumber').fill('');
    await typeInto(page, '#cardNumber', '4242424242424242');
    await fillIfEmpty(page, '#amount', '31.00');
    await fillIfEmpty(page, '#cardholderName', holder);
    await fillIfEmpty(page, '#expiry', '1234');
    await fillIfEmpty(page, '#cvv', '123');

    await expect(payAndWait(page)).resolves.toBe('Payment approved');
    await expect(page.locator('dl.details').innerText()).resolves.toContain('31.00 USD');
    const payments = await paymentsOf(holder);
    expect(payments.map((payment) => payment.status)).toEqual(['authorized', 'declined']);
  });

  browserTest('when the declined page\'s "Try again" is followed, then the checkout keeps amount and currency and the next card is approved', async (page) => {
    const holder = `Again ${randomUUID().slice(0, 8)}`;
    await page.goto(checkoutUrl());
    await page.selectOption('#currency', 'JPY');
    await fillLikeAPerson(page, { ...approvedCard(holder), number: DECLINED_NUMBER, amount: '900' });
    await expect(payAndWait(page)).resolves.toBe('Payment declined');

    await page.getByRole('link', { name: 'Try again' }).click();

    await page.waitForURL('**/payment.html?*');
    await expect(page.locator('#amount').inputValue()).resolves.toBe('900');
    await expect(page.locator('#currency').inputValue()).resolves.toBe('JPY');
    await expect(page.locator('#cardNumber').inputValue()).resolves.toBe('');
    await typeInto(page, '#cardholderName', holder);
    await typeInto(page, '#cardNumber', '5555555555554444');
    await typeInto(page, '#expiry', '1234');
    await typeInto(page, '#cvv', '123');
    await expect(payAndWait(page)).resolves.toBe('Payment approved');
    await expect(page.locator('dl.details').innerText()).resolves.toContain('900 JPY');
    const payments = await paymentsOf(holder);
    expect(payments.map((payment) => [payment.status, payment.amount, payment.currency])).toEqual([['authorized', 900, 'JPY'], ['declined', 900, 'JPY']]);
  });

  test('when JavaScript is off and a declined checkout is tried again (the link, then Back), then each retry has a fresh key and the amount kept', async () => {
    const browser = await openBrowser({ javaScriptEnabled: false });
    const page = await browser.context.newPage();
    try {
      const holder = `NoScript retry ${randomUUID().slice(0, 8)}`;
      const fill = async (number: string) => {
        await page.fill('#cardholderName', holder);
        await page.fill('#cardNumber', number);
        await page.fill('#expiry', '11/33');
        await page.fill('#cvv', '321');
      };
      await page.goto(checkoutUrl());
      await page.fill('#amount', '17.25');
      await fill(DECLINED_NUMBER);
      const firstKey = await page.locator('#idempotencyKey').inputValue();
      await expect(payAndWait(page)).resolves.toBe('Payment declined');

      await page.getByRole('link', { name: 'Try again' }).click();

      await expect(page.locator('#amount').inputValue()).resolves.toBe('17.25');
      const retryKey = await page.locator('#idempotencyKey').inputValue();
      expect(retryKey).toMatch(/^[0-9a-f-]{36}$/);
      expect(retryKey).not.toBe(firstKey);
      await fill(DECLINED_NUMBER);
      await expect(payAndWait(page)).resolves.toBe('Payment declined');

      await page.goBack();
      await page.waitForURL('**/payment.html?*');
      const backKey = await page.locator('#idempotencyKey').inputValue();
      expect([firstKey, retryKey]).not.toContain(backKey);
      await page.fill('#amount', '17.25');
      await fill('4242424242424242');
      await expect(payAndWait(page)).resolves.toBe('Payment approved');
      expect((await paymentsOf(holder)).map((payment) => payment.status)).toEqual(['authorized', 'declined', 'declined']);
    } finally {
      await browser.close();
    }
  }, 30_000);
});
