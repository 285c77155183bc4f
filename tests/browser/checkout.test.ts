/**
 * The shopper's checkout in a real Chromium against the three real processes: typing like a
 * person, the result pages, inline errors, a double click, the page without JavaScript, and a
 * CSP that refuses nothing the pages need.
 */
import { randomUUID } from 'node:crypto';
import { openBrowser, watchPage } from '../helpers/browser.ts';
import { describeInBrowser } from '../helpers/browser-suite.ts';
import { approvedCard, fillLikeAPerson, paymentsOf as paymentsAt } from '../helpers/checkout.ts';

describeInBrowser('checkout in a browser', {}, (suite, browserTest) => {
  const checkoutUrl = () => `${suite().system.ui.url}/payment.html`;

  const paymentsOf = (holderName: string) => paymentsAt(suite().processing, holderName);

  browserTest('when a shopper types a good card and pays, then the approved page shows amount, masked card, authorization code and payment id', async (page, problems) => {
    await page.goto(checkoutUrl());
    await fillLikeAPerson(page, approvedCard('Ada Lovelace'));
    await expect(page.locator('#cardNumber').inputValue()).resolves.toBe('4242 4242 4242 4242');
    await expect(page.locator('#expiry').inputValue()).resolves.toBe('12/34');
    await expect(page.locator('#cardNumber-brand').textContent()).resolves.toBe('Visa');

    await page.locator('#pay-button').click();

    await page.waitForURL('**/make-payment');
    await expect(page.locator('h1').textContent()).resolves.toBe('Payment approved');
    const details = await page.locator('dl.details').innerText();
    expect(details).toContain('25.00 USD');
    expect(details).toContain('Visa •••• 4242');
    expect(details).toMatch(/Authorization code\s+[A-Z0-9]{6}/);
    expect(details).toMatch(/Payment reference\s+pay_/);
    expect(await page.content()).not.toContain('4242424242424242');
    expect(problems.cspViolations).toEqual([]);
  });

  browserTest('when the card is declined (4000 0000 0000 0002), then the page gives the human reason and says nothing was charged', async (page) => {
    await page.goto(checkoutUrl());
    await fillLikeAPerson(page, { ...approvedCard('Grace Hopper'), number: '4000000000000002' });

    await page.locator('#pay-button').click();

    await page.waitForURL('**/make-payment');
    await expect(page.locator('h1').textContent()).resolves.toBe('Payment declined');
    const text = await page.locator('main').innerText();
    expect(text).toContain('Your bank declined the payment. Please contact your bank or use another card.');
    expect(text).toContain('You have not been charged.');
  });

  browserTest('when the card number fails the Luhn check, then the inline error is shown and announced, and nothing is posted', async (page) => {
    const posts: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') posts.push(request.url());
    });
    await page.goto(checkoutUrl());
    await fillLikeAPerson(page, { ...approvedCard('Typo Shopper'), number: '4242424242424241' });

    await page.locator('#pay-button').click();

    await expect(page.locator('#cardNumber-error').textContent()).resolves.toBe('Check the card number: it is not valid.');
    await expect(page.locator('#cardNumber').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator('#form-status').getAttribute('aria-live')).resolves.toBe('polite');
    await expect(page.locator('#form-status').textContent()).resolves.toBe('Please correct 1 field before paying.');
    await expect(page.evaluate('document.activeElement?.id')).resolves.toBe('cardNumber');
    expect(page.url()).toBe(checkoutUrl());
    expect(posts).toEqual([]);
    expect(await paymentsOf('Typo Shopper')).toEqual([]);
  });

  browserTest('when the shopper double-clicks Pay, then exactly one payment and one hold at the card company exist', async (page) => {
    const holder = `Double ${randomUUID().slice(0, 8)}`;
    await page.goto(checkoutUrl());
    await fillLikeAPerson(page, { ...approvedCard(holder), amount: '13.37' });

    await page.locator('#pay-button').dblclick();

    await page.waitForURL('**/make-payment');
    await expect(page.locator('h1').textContent()).resolves.toBe('Payment approved');
    const payments = await paymentsOf(holder);
    expect(payments).toHaveLength(1);
    // The card company's own records: one hold for the amount only this test uses, and it is this payment's.
    const all = await suite().network.get('/v1/authorizations', { params: { limit: 1000 } });
    expect(all.status).toBe(200);
    const holds = (all.data.data as Array<{ merchantReference: string; amount: number }>).filter((record) => record.amount === 1337);
    expect(holds.map((record) => record.merchantReference)).toEqual([payments[0]!.id]);
  });

  browserTest('when the status of a payment is looked up, then the page shows its current state escaped', async (page) => {
    const holder = `Lookup ${randomUUID().slice(0, 8)}`;
    await page.goto(checkoutUrl());
    await fillLikeAPerson(page, { ...approvedCard(holder), amount: '7.00' });
    await page.locator('#pay-button').click();
    await page.waitForURL('**/make-payment');
    const [payment] = await paymentsOf(holder);

    await page.goto(`${suite().system.ui.url}/payments/${payment!.id}`);

    await expect(page.locator('h1').textContent()).resolves.toBe('Payment approved');
    await expect(page.locator('dl.details').innerText()).resolves.toContain('7.00 USD');
    const missing = await page.goto(`${suite().system.ui.url}/payments/${encodeURIComponent('<script>alert(1)</script>')}`);
    expect(missing?.status()).toBe(404);
    expect(await page.content()).not.toContain('<script>alert(1)</script>');
  });

  test('when JavaScript is off, then the plain form still pays and shows the approved page', async () => {
    const browser = await openBrowser({ javaScriptEnabled: false });
    const page = await browser.context.newPage();
    try {
      const holder = `NoScript ${randomUUID().slice(0, 8)}`;
      await page.goto(checkoutUrl());
      await page.fill('#amount', '9.99');
      await page.fill('#cardholderName', holder);
      await page.fill('#cardNumber', '5555 5555 5555 4444');
      await page.fill('#expiry', '11/33');
      await page.fill('#cvv', '321');
      await expect(page.locator('#idempotencyKey').inputValue()).resolves.toMatch(/^[0-9a-f-]{36}$/);

      await page.locator('#pay-button').click();

      await page.waitForURL('**/make-payment');
      await expect(page.locator('h1').textContent()).resolves.toBe('Payment approved');
      await expect(page.locator('dl.details').innerText()).resolves.toContain('Mastercard •••• 4444');
      expect(await paymentsOf(holder)).toHaveLength(1);
    } finally {
      await browser.close();
    }
  }, 20_000);

  browserTest('when the checkout, a test card and a result page are used, then the CSP refuses nothing and no script fails', async (page, problems) => {
    const fresh = await page.context().newPage();
    const freshProblems = await watchPage(fresh);
    await fresh.goto(checkoutUrl());
    await fresh.locator('.use-card[data-number="378282246310005"]').click();
    await expect(fresh.locator('#form-status').textContent()).resolves.toContain('American Express card ending 0005');
    await fresh.locator('#pay-button').click();
    await fresh.waitForURL('**/make-payment');
    await expect(fresh.locator('h1').textContent()).resolves.toBe('Payment approved');
    await fresh.close();

    await page.goto(checkoutUrl());
    expect(problems.cspViolations).toEqual([]);
    expect(problems.errors).toEqual([]);
    expect(freshProblems.cspViolations).toEqual([]);
    expect(freshProblems.errors).toEqual([]);

    // The watch itself works: an inline script added to the page is refused, and seen.
    await page.evaluate(`(() => { const script = document.createElement('script'); script.textContent = 'window.injected = true'; document.body.append(script); })()`);
    for (let waited = 0; problems.cspViolations.length === 0 && waited < 2_000; waited += 50) await page.waitForTimeout(50);
    expect(problems.cspViolations.join('\n')).toMatch(/script-src/);
    await expect(page.evaluate('window.injected === true')).resolves.toBe(false);
  });
});
