/**
 * A shopper told "we are confirming your payment" reloads the page while every processing
 * instance is down, and the load balancer sends the repeat to the other UI server, which has never
 * seen the key: in a real Chromium, with and without JavaScript, the answer is still "we are
 * confirming", never "you have not been charged" (the first request may have created the payment).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { openBrowser, type OpenBrowser } from '../helpers/browser.ts';
import { declaredWithoutChromium } from '../helpers/browser-suite.ts';
import { approvedCard, fillLikeAPerson } from '../helpers/checkout.ts';
import { buildTestUi, type TestUi } from '../helpers/ui-app.ts';
import { refusedUrl, startFakeProcessing, type FakeProcessing } from '../helpers/ui-fake-processing.ts';

interface Listening {
  url: string;
  close(): Promise<void>;
}

async function listen(handler: http.RequestListener): Promise<Listening> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/**
 * A load balancer without sticky sessions: each checkout post goes to the next UI server in turn
 * (so a repeat goes to the other one); everything else to the first.
 */
function loadBalancer(targets: string[]): http.RequestListener {
  let posts = 0;
  return (incoming, outgoing) => {
    const isCheckout = incoming.method === 'POST' && incoming.url === '/make-payment';
    const target = new URL(targets[isCheckout ? posts++ % targets.length : 0]!);
    const forwarded = http.request({ host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    forwarded.on('error', () => outgoing.destroy());
    incoming.pipe(forwarded);
  };
}

const ready = !declaredWithoutChromium('a repeat of the checkout on another UI server during a processing outage');
const describeIfReady = ready ? describe : describe.skip;

describeIfReady('a repeat of the checkout on another UI server during a processing outage', () => {
  let processing: FakeProcessing;
  let uis: TestUi[];
  let servers: Listening[];
  let front: Listening;

  beforeEach(async () => {
    // The payment reaches the instance, which dies before answering: every attempt is reset.
    processing = await startFakeProcessing(() => ({ action: 'reset' }));
    const processingUrls = [processing.url, await refusedUrl()];
    uis = [buildTestUi({ processingUrls }), buildTestUi({ processingUrls })];
    servers = await Promise.all(uis.map((ui) => listen(ui.app)));
    front = await listen(loadBalancer(servers.map((server) => server.url)));
  });

  afterEach(async () => {
    await Promise.all([front.close(), ...servers.map((server) => server.close()), processing.close()]);
  });

  // What each checkout answered, from its access line (the one line of the request that carries the payment's status).
  const answered = (ui: TestUi) => ui.logLines.map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.paymentStatus !== undefined).map((line) => line.paymentStatus);

  test.each([['on', true], ['off', false]] as const)('when JavaScript is %s and the shopper reloads the "we are confirming" page, then the other UI server says "we are confirming" too', async (_state, javaScriptEnabled) => {
    const browser: OpenBrowser = await openBrowser({ javaScriptEnabled });
    const page = await browser.context.newPage();
    try {
      await page.goto(`${front.url}/payment.html`);
      const card = approvedCard(`Reload ${randomUUID().slice(0, 8)}`);
      if (javaScriptEnabled) await fillLikeAPerson(page, card);
      else {
        for (const [selector, value] of [['#cardholderName', card.name], ['#cardNumber', card.number], ['#expiry', '12/34'], ['#cvv', card.cvv], ['#amount', card.amount]] as const) {
          await page.fill(selector, value);
        }
      }
      await page.locator('#pay-button').click();
      await page.waitForURL('**/make-payment');
      await expect(page.locator('h1').textContent()).resolves.toBe('We are confirming your payment');

      await processing.close();
      await page.reload();

      await expect(page.locator('h1').textContent()).resolves.toBe('We are confirming your payment');
      await expect(page.locator('body').innerText()).resolves.not.toContain('not been charged');
      expect(answered(uis[0]!)).toEqual(['pending']);
      expect(answered(uis[1]!)).toEqual(['pending']);
      expect(uis[1]!.logText()).toContain('"failure":"refused"');
    } finally {
      await browser.close();
    }
  }, 60_000);
});
