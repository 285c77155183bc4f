/**
 * The checkout form's own behaviour in a real Chromium: the first click on Pay always does
 * something (no error line moves the button away from the pointer), a form with errors comes back
 * without JavaScript as the same form in the same words as the inline validation, and holder
 * names with hidden characters are refused on the page as on the server.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { openBrowser, typeInto } from '../helpers/browser.ts';
import { describeInBrowser } from '../helpers/browser-suite.ts';
import { approvedCard, fillLikeAPerson, paymentsOf as paymentsAt } from '../helpers/checkout.ts';
import { CHECKOUT_MESSAGES, checkoutMessage } from '../../ui-server/src/checkout-messages.ts';

const FIELDS = ['amount', 'currency', 'cardholderName', 'cardNumber', 'expiry', 'cvv'] as const;

/** Every field's error line, by field. */
async function fieldErrors(page: Page): Promise<Record<string, string>> {
  const errors: Record<string, string> = {};
  for (const field of FIELDS) errors[field] = ((await page.locator(`#${field}-error`).textContent()) ?? '').trim();
  return errors;
}

/** The centre of the Pay button, where a person's pointer is when they click it. */
async function payButtonCentre(page: Page): Promise<{ x: number; y: number }> {
  const box = await page.locator('#pay-button').boundingBox();
  if (!box) throw new Error('the Pay button is not on the page');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Where the Pay button's top is on the page (not on the screen: focusing a field may scroll). */
async function payButtonTop(page: Page): Promise<number> {
  return Number(await page.evaluate("document.getElementById('pay-button').getBoundingClientRect().top + window.scrollY"));
}

describeInBrowser('the checkout form', {}, (suite, browserTest) => {
  const checkoutUrl = () => `${suite().system.ui.url}/payment.html`;
  const paymentsOf = (holderName: string) => paymentsAt(suite().processing, holderName);

  for (const viewport of [{ width: 1280, height: 900 }, { width: 375, height: 740 }]) {
    browserTest(`when a bad CVV is typed and Pay is clicked once with the mouse (${viewport.width} px wide), then the form shows the error and moves focus to it`, async (page) => {
      const holder = `Click ${randomUUID().slice(0, 8)}`;
      await page.setViewportSize(viewport);
      await page.goto(checkoutUrl());
      await fillLikeAPerson(page, { ...approvedCard(holder), cvv: '12' });
      await page.locator('#pay-button').scrollIntoViewIfNeeded();
      const target = await payButtonCentre(page);

      // One real click where the button is: mouse down (the CVV field loses focus), then up.
      // While the button is held, the field being left shows nothing yet: the click checks it.
      await page.mouse.move(target.x, target.y);
      await page.mouse.down();
      await expect(page.locator('#cvv-error').textContent()).resolves.toBe('');
      await page.mouse.up();

      await expect(page.locator('#cvv-error').textContent()).resolves.toBe('The security code is 3 digits.');
      await expect(page.locator('#form-status').textContent()).resolves.toBe('Please correct 1 field before paying.');
      await expect(page.evaluate('document.activeElement?.id')).resolves.toBe('cvv');
      expect(await paymentsOf(holder)).toEqual([]);
    });
  }

  browserTest('when an error appears as the shopper leaves a field, then the Pay button does not move (each error line has its room)', async (page) => {
    const mistakes: Array<[string, string, string]> = [
      ['#cardholderName', 'Ada\u202eecalevoL', 'The name has hidden characters.'],
      ['#cardNumber', '4242 4242 4242 4241', 'Check the card number: it is not valid.'],
      ['#expiry', '13/30', 'The month must be 01 to 12.'],
      ['#cvv', '12', 'The security code is 3 digits.'],
    ];
    for (const viewport of [{ width: 1280, height: 900 }, { width: 375, height: 740 }]) {
      await page.setViewportSize(viewport);
      await page.goto(checkoutUrl());
      for (const [selector, value, error] of mistakes) {
        await page.fill(selector, value);
        const before = await payButtonTop(page);

        await page.keyboard.press('Tab');

        await expect(page.locator(`${selector}-error`).textContent()).resolves.toBe(error);
        expect({ width: viewport.width, selector, top: await payButtonTop(page) }).toEqual({ width: viewport.width, selector, top: before });
      }
    }
  });

  browserTest('when any message a field can show is in its error line (375, 660 and 1280 px wide), then it fits the line kept for it and nothing moves', async (page) => {
    const samples = { currency: 'KWD', decimals: 3, length: 4 };
    const fieldsWithMessages = ['amount', 'cardholderName', 'cardNumber', 'expiry', 'cvv'] as const;
    for (const viewport of [{ width: 375, height: 740 }, { width: 660, height: 800 }, { width: 1280, height: 900 }]) {
      await page.setViewportSize(viewport);
      await page.goto(checkoutUrl());
      const buttonTop = await payButtonTop(page);
      for (const field of fieldsWithMessages) {
        const slot = page.locator(`#${field}-error`);
        const emptyHeight = (await slot.boundingBox())?.height;
        for (const name of Object.keys(CHECKOUT_MESSAGES[field])) {
          const text = checkoutMessage(field, name as never, samples);
          await slot.evaluate((element, message) => { element.textContent = message; }, text);

          const shown = { width: viewport.width, text, height: (await slot.boundingBox())?.height, buttonTop: await payButtonTop(page) };
          expect(shown).toEqual({ width: viewport.width, text, height: emptyHeight, buttonTop });
        }
        await slot.evaluate((element) => { element.textContent = ''; });
      }
    }
  });

  browserTest('when the holder name holds a right-to-left override or only invisible characters, then the page refuses it and posts nothing', async (page) => {
    const posts: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') posts.push(request.url());
    });
    await page.goto(checkoutUrl());
    await fillLikeAPerson(page, approvedCard('Ada'));
    await page.fill('#cardholderName', 'Ada\u202eecalevoL');
    await page.locator('#pay-button').click();
    await expect(page.locator('#cardholderName-error').textContent()).resolves.toBe('The name has hidden characters.');

    await page.fill('#cardholderName', '\u2066\u200b\u2069');
    await page.locator('#pay-button').click();
    await expect(page.locator('#cardholderName-error').textContent()).resolves.toBe('Enter the name as it appears on the card.');
    expect(posts).toEqual([]);
  });

  test('when a form with errors is posted without JavaScript, then the same form comes back with each error beside its field, in the words of the inline checks, and the typed values kept except number and CVV', async () => {
    const typed = { amount: '12.345', cardholderName: 'Ada\u0007Lovelace', cardNumber: '4242 4242 4242 4241', expiry: '13/30', cvv: '12' };
    const fillTyped = async (page: Page) => {
      for (const [field, value] of Object.entries(typed)) await page.fill(`#${field}`, value);
    };
    const withScript = await openBrowser();
    const withoutScript = await openBrowser({ javaScriptEnabled: false });
    try {
      const scripted = await withScript.context.newPage();
      await scripted.goto(checkoutUrl());
      await fillTyped(scripted);
      await scripted.locator('#pay-button').click();
      const inlineErrors = await fieldErrors(scripted);
      const inlineStatus = await scripted.locator('#form-status').textContent();

      const page = await withoutScript.context.newPage();
      await page.goto(checkoutUrl());
      await fillTyped(page);
      const firstKey = await page.locator('#idempotencyKey').inputValue();
      const [answer] = await Promise.all([page.waitForResponse('**/make-payment'), page.locator('#pay-button').click()]);

      expect(answer.status()).toBe(400);
      await expect(page.locator('form#payment-form').count()).resolves.toBe(1);
      const serverErrors = await fieldErrors(page);
      expect(serverErrors).toEqual(inlineErrors);
      expect(Object.values(serverErrors).filter((text) => text !== '')).toHaveLength(5);
      await expect(page.locator('#form-status').textContent()).resolves.toBe(inlineStatus);
      for (const field of ['amount', 'cardholderName', 'cardNumber', 'expiry', 'cvv']) {
        await expect(page.locator(`#${field}`).getAttribute('aria-invalid')).resolves.toBe('true');
      }
      await expect(page.locator('#amount').inputValue()).resolves.toBe('12.345');
      await expect(page.locator('#cardholderName').inputValue()).resolves.toBe('Ada\u0007Lovelace');
      await expect(page.locator('#expiry').inputValue()).resolves.toBe('13/30');
      await expect(page.locator('#currency').inputValue()).resolves.toBe('USD');
      await expect(page.locator('#cardNumber').inputValue()).resolves.toBe('');
      await expect(page.locator('#cvv').inputValue()).resolves.toBe('');
      expect(await page.content()).not.toContain('4242 4242 4242 4241');

      // Corrected, the same page pays.
      const holder = `NoScript form ${randomUUID().slice(0, 8)}`;
      await page.fill('#amount', '12.34');
      await page.fill('#cardholderName', holder);
      await page.fill('#cardNumber', '4242 4242 4242 4242');
      await page.fill('#expiry', '12/30');
      await page.fill('#cvv', '123');
      expect(await page.locator('#idempotencyKey').inputValue()).not.toBe(firstKey);
      await page.locator('#pay-button').click();
      await page.waitForURL('**/make-payment');
      await expect(page.locator('h1').textContent()).resolves.toBe('Payment approved');
      expect(await paymentsOf(holder)).toHaveLength(1);
    } finally {
      await withScript.close();
      await withoutScript.close();
    }
  }, 30_000);
});
