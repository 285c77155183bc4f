/**
 * "Pay with points" in a real Chromium, with and without JavaScript, against the UI server and a
 * fake processing server that decides like the points provider's test accounts (PIN 1234): choose
 * points, pay, see the approved page; a wrong PIN is said plainly and "Try again" keeps the order;
 * the other way to pay is hidden and never sent; the back office shows what paid at 375 px.
 */
import type { Page } from 'playwright-core';
import { openBrowser, typeInto, type OpenBrowser, type PageProblems } from '../helpers/browser.ts';
import { declaredWithoutChromium, onFreshPage } from '../helpers/browser-suite.ts';
import { serveUiWithFakeProcessing, type ServedUi } from '../helpers/ui-served.ts';
import { CHECKOUT_MESSAGES, checkoutMessage } from '../../ui-server/src/checkout-messages.ts';

const TITLE = 'paying with points in a browser';
const ADMIN_USER = 'merchant';
const ADMIN_PASSWORD = 'points-browser-password';

interface SentPayment {
  key: string;
  body: { amount: number; currency: string; card?: unknown; points?: { accountId: string; pin: string } };
}

if (!declaredWithoutChromium(TITLE)) {
  describe(TITLE, () => {
    let served: ServedUi;
    let scripted: OpenBrowser;
    let scriptless: OpenBrowser;

    beforeAll(async () => {
      [served, scripted, scriptless] = await Promise.all([
        serveUiWithFakeProcessing({ env: { ADMIN_USER, ADMIN_PASSWORD } }),
        openBrowser(),
        openBrowser({ javaScriptEnabled: false }),
      ]);
    }, 30_000);

    afterAll(async () => {
      await Promise.all([scripted?.close(), scriptless?.close()]);
      await served?.close();
    });

    const checkoutUrl = () => `${served.url}/payment.html`;

    /** The payments the UI server sent from `from` on, with their keys. */
    const sentSince = (from: number): SentPayment[] => served.processing.requests.slice(from)
      .filter((sent) => sent.method === 'POST' && sent.url === '/v1/payments')
      .map((sent) => ({ key: String(sent.headers['idempotency-key']), body: sent.body as SentPayment['body'] }));

    const withScript = (name: string, run: (page: Page, problems: PageProblems) => Promise<void>) =>
      test(name, () => onFreshPage(scripted, `${TITLE}-${name}`, run), 20_000);
    const withoutScript = (name: string, run: (page: Page, problems: PageProblems) => Promise<void>) =>
      test(name, () => onFreshPage(scriptless, `${TITLE}-${name}`, run), 20_000);

    async function payAndWait(page: Page): Promise<string> {
      await page.locator('#pay-button').click();
      await page.waitForURL('**/make-payment');
      return (await page.locator('h1').textContent()) ?? '';
    }

    async function choosePoints(page: Page, amount: string, account: string, pin: string): Promise<void> {
      await page.locator('label[for="method-points"]').click();
      await typeInto(page, '#amount', amount);
      await typeInto(page, '#pointsAccount', account);
      await typeInto(page, '#pointsPin', pin);
    }

    withScript('when a shopper chooses "Pay with points", types the account and PIN and pays, then the approved page says "Paid with points" and the points spent, and only points were sent', async (page, problems) => {
      const from = served.processing.requests.length;
      await page.goto(checkoutUrl());
      await expect(page.locator('#points-fields').isHidden()).resolves.toBe(true);
      await expect(page.locator('#method-card').isChecked()).resolves.toBe(true);

      await choosePoints(page, '42.50', 'PTS-0000-0001', '1234');

      await expect(page.locator('#card-fields').isHidden()).resolves.toBe(true);
      await expect(page.evaluate('document.getElementById("card-fields").disabled')).resolves.toBe(true);
      await expect(page.locator('#points-note').textContent()).resolves.toBe('Points pay for USD amounts: 1 point = 0.01 USD.');
      const post = page.waitForRequest((sent) => sent.method() === 'POST' && sent.url().endsWith('/make-payment'));
      await expect(payAndWait(page)).resolves.toBe('Payment approved');

      const posted = new URLSearchParams((await post).postData() ?? '');
      expect([...posted.keys()].sort()).toEqual(['amount', 'currency', 'idempotencyKey', 'paymentMethod', 'pointsAccount', 'pointsPin']);
      await expect(page.locator('main').innerText()).resolves.toContain('Paid with points (account PTS-…0001).');
      const details = await page.locator('dl.details').innerText();
      expect(details).toMatch(/Points spent\s+4,250/);
      expect(details).toContain('42.50 USD');
      expect(details).not.toContain('••••');
      const sent = sentSince(from);
      expect(sent).toHaveLength(1);
      expect(sent[0]!.body).toEqual({ amount: 4250, currency: 'USD', points: { accountId: 'PTS-0000-0001', pin: '1234' }, captureMethod: 'automatic' });
      expect(await page.content()).not.toContain('1234</');
      expect(problems.cspViolations).toEqual([]);
      expect(problems.errors).toEqual([]);
    });

    withScript('when the PIN is wrong, then the page says plainly that the PIN is not correct, and "Try again" keeps the amount and points and pays with a new key', async (page) => {
      const from = served.processing.requests.length;
      await page.goto(checkoutUrl());
      await choosePoints(page, '12.00', 'PTS-0000-0001', '9999');

      await expect(payAndWait(page)).resolves.toBe('Payment declined');

      const text = await page.locator('main').innerText();
      expect(text).toContain('The PIN is not correct. Please check it and try again.');
      expect(text).toContain('You have not been charged: no points were taken.');
      await page.getByRole('link', { name: 'Try again' }).click();
      await page.waitForURL('**/payment.html?*');
      await expect(page.locator('#method-points').isChecked()).resolves.toBe(true);
      await expect(page.locator('#card-fields').isHidden()).resolves.toBe(true);
      await expect(page.locator('#amount').inputValue()).resolves.toBe('12.00');
      await expect(page.locator('#pointsPin').inputValue()).resolves.toBe('');
      await typeInto(page, '#pointsAccount', 'PTS-0000-0001');
      await typeInto(page, '#pointsPin', '1234');
      await expect(payAndWait(page)).resolves.toBe('Payment approved');
      const sent = sentSince(from);
      expect(sent.map((payment) => [payment.body.amount, payment.body.points?.pin])).toEqual([[1200, '9999'], [1200, '1234']]);
      expect(new Set(sent.map((payment) => payment.key)).size).toBe(2);
    });

    withScript('when points are chosen for euros, then the currency field says points pay in USD only and nothing is posted; back to the card, the message goes', async (page) => {
      const posts: string[] = [];
      page.on('request', (sent) => {
        if (sent.method() === 'POST') posts.push(sent.url());
      });
      await page.goto(checkoutUrl());
      await page.selectOption('#currency', 'EUR');
      await choosePoints(page, '10.00', 'PTS-0000-0001', '1234');
      await expect(page.locator('#currency-error').textContent()).resolves.toBe('Points pay in USD only.');

      await page.locator('#pay-button').click();

      await expect(page.locator('#form-status').textContent()).resolves.toBe('Please correct 1 field before paying.');
      await expect(page.evaluate('document.activeElement?.id')).resolves.toBe('currency');
      expect(posts).toEqual([]);
      await page.locator('label[for="method-card"]').click();
      await expect(page.locator('#currency-error').textContent()).resolves.toBe('');
      await expect(page.locator('#cardholderName').isVisible()).resolves.toBe(true);
      await expect(page.locator('#points-fields').isHidden()).resolves.toBe(true);
    });

    withScript('when a test points account\'s Use button is pressed, then points are chosen and the form filled, and it pays', async (page) => {
      await page.goto(checkoutUrl());
      await page.selectOption('#currency', 'GBP');

      await page.locator('.use-points[data-account="PTS-0000-0001"]').click();

      await expect(page.locator('#method-points').isChecked()).resolves.toBe(true);
      await expect(page.locator('#currency').inputValue()).resolves.toBe('USD');
      await expect(page.locator('#pointsAccount').inputValue()).resolves.toBe('PTS-0000-0001');
      await expect(page.locator('#form-status').textContent()).resolves.toContain('points account PTS-0000-0001');
      await expect(payAndWait(page)).resolves.toBe('Payment approved');
    });

    withScript('when any message the points fields and the currency can show is in its error line (375, 660 and 1280 px wide), then it fits the line kept for it', async (page) => {
      const samples = { currency: 'KWD' };
      await page.goto(checkoutUrl());
      await page.locator('label[for="method-points"]').click();
      for (const viewport of [{ width: 375, height: 740 }, { width: 660, height: 800 }, { width: 1280, height: 900 }]) {
        await page.setViewportSize(viewport);
        for (const field of ['currency', 'pointsAccount', 'pointsPin'] as const) {
          const slot = page.locator(`#${field}-error`);
          const emptyHeight = (await slot.boundingBox())?.height;
          for (const name of Object.keys(CHECKOUT_MESSAGES[field])) {
            const text = checkoutMessage(field, name as never, samples);
            await slot.evaluate((element, message) => { element.textContent = message; }, text);

            expect({ width: viewport.width, text, height: (await slot.boundingBox())?.height }).toEqual({ width: viewport.width, text, height: emptyHeight });
          }
          await slot.evaluate((element) => { element.textContent = ''; });
        }
      }
    });

    withoutScript('when JavaScript is off, then both ways to pay are in the page, points can be chosen, and paying with points shows the approved page', async (page) => {
      const from = served.processing.requests.length;
      await page.goto(checkoutUrl());
      await expect(page.locator('#card-fields').count()).resolves.toBe(1);
      await expect(page.locator('#points-fields').count()).resolves.toBe(1);
      await expect(page.locator('#points-fields').isVisible()).resolves.toBe(false);

      await page.locator('label[for="method-points"]').click();
      await expect(page.locator('#points-fields').isVisible()).resolves.toBe(true);
      await expect(page.locator('#card-fields').isVisible()).resolves.toBe(false);
      await page.fill('#amount', '9.99');
      await page.fill('#pointsAccount', 'PTS-0000-0001');
      await page.fill('#pointsPin', '1234');

      await expect(payAndWait(page)).resolves.toBe('Payment approved');
      await expect(page.locator('main').innerText()).resolves.toContain('Paid with points (account PTS-…0001).');
      await expect(page.locator('dl.details').innerText()).resolves.toMatch(/Points spent\s+999/);
      expect(sentSince(from).map((payment) => payment.body.points?.accountId)).toEqual(['PTS-0000-0001']);
    });

    withoutScript('when JavaScript is off and the PIN is wrong, then the declined page says the PIN is not correct', async (page) => {
      await page.goto(checkoutUrl());
      await page.locator('label[for="method-points"]').click();
      await page.fill('#amount', '5.00');
      await page.fill('#pointsAccount', 'PTS-0000-0001');
      await page.fill('#pointsPin', '4321');

      await expect(payAndWait(page)).resolves.toBe('Payment declined');
      await expect(page.locator('main').innerText()).resolves.toContain('The PIN is not correct. Please check it and try again.');
    });

    withoutScript('when JavaScript is off and the points form has errors, then it comes back with points chosen, the errors beside their fields, the account kept and the PIN empty', async (page) => {
      const from = served.processing.requests.length;
      await page.goto(checkoutUrl());
      await page.locator('label[for="method-points"]').click();
      await page.fill('#amount', '5.00');
      await page.selectOption('#currency', 'JPY');
      await page.fill('#pointsAccount', 'PTS 0000');
      await page.fill('#pointsPin', '12');

      const [answer] = await Promise.all([page.waitForResponse('**/make-payment'), page.locator('#pay-button').click()]);

      expect(answer.status()).toBe(400);
      await expect(page.locator('#method-points').isChecked()).resolves.toBe(true);
      await expect(page.locator('#card-fields').isVisible()).resolves.toBe(false);
      await expect(page.locator('#pointsAccount-error').textContent()).resolves.toBe('Use only letters, digits and dashes.');
      await expect(page.locator('#pointsPin-error').textContent()).resolves.toBe('The PIN is 4 to 12 digits.');
      await expect(page.locator('#amount-error').textContent()).resolves.toBe('JPY takes whole numbers only.');
      await expect(page.locator('#currency-error').textContent()).resolves.toBe('Points pay in USD only.');
      await expect(page.locator('#pointsAccount').inputValue()).resolves.toBe('PTS 0000');
      await expect(page.locator('#pointsPin').inputValue()).resolves.toBe('');
      expect(sentSince(from)).toEqual([]);
    });

    withScript('when the back office lists a card and a points payment on a 375 px wide phone, then each says what paid it without sideways scrolling, and so does the points payment\'s page', async (page) => {
      for (const [form, key] of [[{ paymentMethod: 'points', pointsAccount: 'PTS-0000-0001', pointsPin: '1234', amount: '987.65' }, 'admin-points'], [{
        cardholderName: 'Phone Shopper', cardNumber: '4242424242424242', expiry: '12/30', cvv: '123', amount: '12.00',
      }, 'admin-card']] as const) {
        const response = await fetch(`${served.url}/make-payment`, {
          method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({ ...form, currency: 'USD', idempotencyKey: key }),
        });
        expect(response.status).toBe(200);
      }
      const pointsPayment = served.model.payments.find((payment) => payment.paymentMethod === 'points' && payment.amount === 98_765);
      await page.setViewportSize({ width: 375, height: 740 });
      await page.goto(`${served.url}/admin/login?next=${encodeURIComponent('/admin/payments')}`);
      await page.fill('#user', ADMIN_USER);
      await page.fill('#password', ADMIN_PASSWORD);
      await page.locator('button[type="submit"]').click();
      await page.waitForURL('**/admin/payments');

      const noSidewaysScroll = async () => {
        const widths = await page.evaluate('({ page: document.documentElement.scrollWidth, viewport: window.innerWidth, scrollers: Array.from(document.querySelectorAll(".table-scroll")).map((box) => box.scrollWidth - box.clientWidth) })') as { page: number; viewport: number; scrollers: number[] };
        expect(widths.page).toBeLessThanOrEqual(widths.viewport);
        expect(widths.scrollers.every((overflow) => overflow <= 0)).toBe(true);
      };
      await noSidewaysScroll();
      for (const [row, text] of [[pointsPayment!.id, 'Points PTS-0000-0001'], ['Phone Shopper', 'Visa •••• 4242']] as const) {
        const cell = page.locator('table.data tbody tr', { hasText: row }).first().locator('.cell-method');
        await expect(cell.innerText()).resolves.toContain(text);
        const box = await cell.boundingBox();
        expect(box!.x).toBeGreaterThanOrEqual(0);
        expect(box!.x + box!.width).toBeLessThanOrEqual(375);
      }

      await page.goto(`${served.url}/admin/payments/${pointsPayment!.id}`);
      await noSidewaysScroll();
      await expect(page.locator('dl.details').innerText()).resolves.toMatch(/Paid with\s+Points PTS-0000-0001/);
    });
  });
}
