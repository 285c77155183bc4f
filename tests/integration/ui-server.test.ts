/**
 * The UI server's HTTP surface: the checkout page and its fresh key, static files, probes,
 * security headers, cross-site refusals, body and rate limits (SPEC §6.7, §7).
 */
import request from 'supertest';
import { paymentFixture, startFakeProcessing, type FakeProcessing } from '../helpers/ui-fake-processing.ts';
import { BROWSER_ACCEPT, VALID_FORM, buildTestUi } from '../helpers/ui-app.ts';
import { CHECKOUT_MESSAGES } from '../../ui-server/src/checkout-messages.ts';

let processing: FakeProcessing;

beforeEach(async () => {
  processing = await startFakeProcessing(() => ({ status: 201, body: paymentFixture() }));
});

afterEach(async () => {
  await processing.close();
});

function ui(env: Record<string, string> = {}) {
  return buildTestUi({ processingUrls: [processing.url], env });
}

const KEY_INPUT = /<input type="hidden" id="idempotencyKey" name="idempotencyKey" value="([^"]*)">/;

describe('the checkout page', () => {
  test('when / is requested, then it redirects to /payment.html', async () => {
    const response = await request(ui().app).get('/');

    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('/payment.html');
  });

  test('when payment.html is loaded twice, then each load carries a fresh idempotency key', async () => {
    const app = ui().app;

    const first = await request(app).get('/payment.html');
    const second = await request(app).get('/payment.html');

    expect(first.status).toBe(200);
    expect(first.type).toBe('text/html');
    // Never stored: Back and every later visit fetch a new page, so an ended attempt's key is not reused.
    expect(first.headers['cache-control']).toBe('no-store');
    const firstKey = KEY_INPUT.exec(first.text)?.[1];
    const secondKey = KEY_INPUT.exec(second.text)?.[1];
    expect(firstKey).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(secondKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(secondKey).not.toBe(firstKey);
  });

  test('when payment.html is asked with an amount and currency (a "Try again"), then they are filled in with a fresh key', async () => {
    const app = ui().app;

    const kept = await request(app).get('/payment.html?amount=4500&currency=JPY');
    const hostile = await request(app).get('/payment.html').query({ amount: '"><script>x</script>', currency: 'XYZ' });

    expect(kept.status).toBe(200);
    expect(kept.text).toMatch(/<input id="amount" value="4500" /);
    expect(kept.text).toContain('<option value="JPY" selected');
    expect(kept.text).not.toContain('aria-invalid');
    expect(kept.text).toContain('aria-atomic="true"></div>');
    expect(KEY_INPUT.exec(kept.text)?.[1]).toMatch(/^[0-9a-f-]{36}$/);
    expect(hostile.status).toBe(200);
    expect(hostile.text).not.toContain('<input id="amount" value=');
    expect(hostile.text).not.toContain('selected');
    expect(hostile.text).not.toContain('<script>x');
  });

  test('when /checkout-messages.js is asked, then it is a module holding exactly the server\'s messages', async () => {
    const response = await request(ui().app).get('/checkout-messages.js');

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toContain('javascript');
    const body = response.text.replace(/^\/\/.*$/gm, '').replace('export const MESSAGES =', 'return').trim();
    expect(new Function(body)()).toEqual(CHECKOUT_MESSAGES);
  });

  test('when payment.html is served, then it is a plain accessible form with no inline script or style', async () => {
    const { text } = await request(ui().app).get('/payment.html');

    expect(text).toContain('<form id="payment-form" method="post" action="/make-payment"');
    for (const name of ['cardholderName', 'cardNumber', 'expiry', 'cvv', 'amount', 'currency', 'idempotencyKey']) {
      expect(text).toContain(`name="${name}"`);
    }
    for (const [id, token] of [['cardholderName', 'cc-name'], ['cardNumber', 'cc-number'], ['expiry', 'cc-exp'], ['cvv', 'cc-csc']]) {
      expect(text).toMatch(new RegExp(`id="${id}"[^>]*autocomplete="${token}"`));
      expect(text).toContain(`<label for="${id}">`);
      expect(text).toMatch(new RegExp(`id="${id}"[^>]*aria-describedby="[^"]*${id}-error`));
    }
    expect(text).toMatch(/id="cardNumber"[^>]*inputmode="numeric"/);
    expect(text).toContain('aria-live="polite"');
    expect(text).toContain('<script type="module" src="/payment.js"></script>');
    expect(text).not.toMatch(/<script(?![^>]*\ssrc=)/);
    expect(text).not.toMatch(/\sstyle=|<style|\son[a-z]+=/i);
    expect(text).not.toMatch(/(src|href)="(https?:)?\/\//);
    for (const currency of ['USD', 'EUR', 'GBP', 'JPY', 'CAD', 'AUD', 'CHF', 'KWD']) {
      expect(text).toContain(`<option value="${currency}"`);
    }
    for (const testCard of ['4242 4242 4242 4242', '5555 5555 5555 4444', '3782 822463 10005', '4000 0000 0000 0002', '4000 0000 0000 9979']) {
      expect(text).toContain(testCard);
    }
  });

  test.each([
    ['/payment.js', 'javascript'],
    ['/card-rules.js', 'javascript'],
    ['/base.css', 'text/css'],
    ['/payment.css', 'text/css'],
  ])('when %s is requested, then it is served statically', async (path, type) => {
    const response = await request(ui().app).get(path);

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toContain(type);
  });
});

describe('probes and metrics', () => {
  test('when /healthz and /readyz are asked, then both answer 200', async () => {
    const app = ui().app;

    expect((await request(app).get('/healthz')).status).toBe(200);
    expect((await request(app).get('/readyz')).status).toBe(200);
  });

  test('when shutdown has started, then /readyz answers 503 while /healthz stays 200', async () => {
    const app = ui().app;

    app.markShuttingDown();

    expect((await request(app).get('/readyz')).status).toBe(503);
    expect((await request(app).get('/healthz')).status).toBe(200);
  });

  test('when a payment was answered, then /metrics counts it by status', async () => {
    const app = ui().app;
    await request(app).post('/make-payment').send(VALID_FORM);

    const response = await request(app).get('/metrics');

    expect(response.status).toBe(200);
    expect(response.text).toMatch(/ui_payment_results_total\{status="approved",service="ui-server"\} 1/);
    expect(response.text).toContain('http_request_duration_seconds');
  });

  test('when an unknown route is asked, then 404 problem+json, and a page for a browser', async () => {
    const app = ui().app;

    const json = await request(app).get('/nope');
    const page = await request(app).get('/nope').set('Accept', BROWSER_ACCEPT);

    expect(json.status).toBe(404);
    expect(json.type).toBe('application/problem+json');
    expect(JSON.parse(json.text)).toMatchObject({ status: 404, code: 'not_found' });
    expect(page.status).toBe(404);
    expect(page.type).toBe('text/html');
    expect(page.text).toContain('Page not found');
  });
});

describe('security headers', () => {
  test('when any page is served, then the CSP allows no inline script and nothing from elsewhere', async () => {
    const response = await request(ui().app).get('/payment.html');

    const csp = String(response.headers['content-security-policy']);
    const directives = new Map(csp.split(';').map((part) => {
      const [name = '', ...values] = part.trim().split(/\s+/);
      return [name, values.join(' ')] as const;
    }));
    expect(directives.get('default-src')).toBe("'self'");
    expect(directives.get('script-src')).toBe("'self'");
    expect(directives.get('style-src')).toBe("'self'");
    expect(directives.get('img-src')).toBe("'self' data:");
    // A form post may be redirected to the card issuer's 3-D Secure page, and nowhere else.
    expect(directives.get('form-action')).toBe("'self' http://127.0.0.1:3002");
    expect(directives.get('frame-ancestors')).toBe("'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(response.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-powered-by']).toBeUndefined();
  });

  test('when a result page is served, then it has the same CSP', async () => {
    const response = await request(ui().app).post('/make-payment').type('form').set('Accept', BROWSER_ACCEPT).send(VALID_FORM);

    expect(response.status).toBe(200);
    expect(String(response.headers['content-security-policy'])).toContain("script-src 'self'");
  });
});

describe('cross-site posts', () => {
  test.each([
    { name: 'Sec-Fetch-Site is cross-site', headers: { 'Sec-Fetch-Site': 'cross-site' } },
    { name: 'the Origin is another site', headers: { Origin: 'https://evil.example' } },
    { name: 'the Origin is another port of this host', headers: { Origin: 'http://shop.example:8080' } },
    { name: 'the Origin is null (an opaque origin)', headers: { Origin: 'null' } },
    { name: 'the Origin is malformed', headers: { Origin: 'not a url' } },
    { name: 'the Origin is https while this request came over http', headers: { Origin: 'https://shop.example' } },
    { name: 'the Origin is https with a client-sent X-Forwarded-Proto and no trusted proxy', headers: { Origin: 'https://shop.example', 'X-Forwarded-Proto': 'https' } },
    { name: 'the Origin is this host under a client-sent X-Forwarded-Host and no trusted proxy', headers: { Origin: 'http://evil.example', 'X-Forwarded-Host': 'evil.example' } },
  ])('when $name, then 403 cross_site_request and nothing is sent', async ({ headers }) => {
    const response = await request(ui().app).post('/make-payment').set('Host', 'shop.example').set(headers).type('form').send(VALID_FORM);

    expect(response.status).toBe(403);
    expect(JSON.parse(response.text)).toMatchObject({ code: 'cross_site_request', status: 403 });
    expect(processing.requests).toHaveLength(0);
  });

  test.each([
    { name: 'https, while the request came over http', origin: 'https://localhost:3000' },
    { name: 'another port', origin: 'http://localhost:4000' },
    { name: 'the default port of another scheme', origin: 'https://localhost' },
  ])('when the Origin differs from http://localhost:3000 only by $name, then it is another origin: 403', async ({ origin }) => {
    const response = await request(ui().app).post('/make-payment').set('Host', 'localhost:3000').set('Origin', origin).type('form').send(VALID_FORM);

    expect(response.status).toBe(403);
    expect(processing.requests).toHaveLength(0);
  });

  test('when a trusted proxy (UI_TRUST_PROXY_HOPS=1) says the shopper came over https, then an https Origin is this site and an http one is not', async () => {
    const app = ui({ UI_TRUST_PROXY_HOPS: '1' }).app;
    const post = (origin: string, headers: Record<string, string>) => request(app).post('/make-payment').set('Host', '127.0.0.1:3000')
      .set(headers).set('Origin', origin).type('form').send(VALID_FORM);

    const https = await post('https://shop.example', { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'shop.example' });
    const http = await post('http://shop.example', { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'shop.example' });
    const defaultPort = await post('https://shop.example', { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'shop.example:443' });

    expect(https.status).toBe(200);
    expect(http.status).toBe(403);
    expect(defaultPort.status).toBe(200);
    expect(processing.requests).toHaveLength(2);
  });

  test.each([
    { name: 'neither header is sent (curl)', headers: {} },
    { name: 'the Origin is this site', headers: { Origin: 'http://shop.example' } },
    { name: 'the Origin is this site with its default port spelled out', headers: { Origin: 'http://SHOP.example:80' } },
    { name: 'Sec-Fetch-Site is same-origin with this Origin', headers: { 'Sec-Fetch-Site': 'same-origin', Origin: 'http://shop.example' } },
    { name: 'Sec-Fetch-Site is none (typed by the user)', headers: { 'Sec-Fetch-Site': 'none' } },
  ])('when $name, then the payment goes through', async ({ headers }) => {
    const response = await request(ui().app).post('/make-payment').set('Host', 'shop.example').set(headers).type('form').send(VALID_FORM);

    expect(response.status).toBe(200);
    expect(processing.requests).toHaveLength(1);
  });
});

describe('body and rate limits', () => {
  test('when a form body is larger than 16 KB, then 413 problem and nothing is sent', async () => {
    const response = await request(ui().app).post('/make-payment').type('form').send({ ...VALID_FORM, cardholderName: 'x'.repeat(17 * 1024) });

    expect(response.status).toBe(413);
    expect(JSON.parse(response.text)).toMatchObject({ code: 'payload_too_large' });
    expect(processing.requests).toHaveLength(0);
  });

  test('when a JSON body is larger than 16 KB, then 413', async () => {
    const response = await request(ui().app).post('/make-payment').send({ ...VALID_FORM, padding: 'x'.repeat(17 * 1024) });

    expect(response.status).toBe(413);
  });

  test('when the body is neither a form nor JSON, then 415', async () => {
    const response = await request(ui().app).post('/make-payment').set('Content-Type', 'text/plain').send('cardNumber=4242424242424242');

    expect(response.status).toBe(415);
    expect(JSON.parse(response.text)).toMatchObject({ code: 'unsupported_media_type' });
  });

  test('when a client posts more than the limit in a minute, then 429 problem with Retry-After', async () => {
    const app = ui({ UI_RATE_LIMIT_PER_MINUTE: '2' }).app;

    const statuses = [];
    for (let index = 0; index < 3; index += 1) {
      statuses.push((await request(app).post('/make-payment').send(VALID_FORM)).status);
    }
    const limited = await request(app).post('/make-payment').send(VALID_FORM);

    expect(statuses).toEqual([200, 200, 429]);
    expect(limited.status).toBe(429);
    expect(JSON.parse(limited.text)).toMatchObject({ code: 'rate_limited', status: 429 });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(processing.requests).toHaveLength(2);
  });

  test('when the limit is 0, then it is off', async () => {
    const app = ui({ UI_RATE_LIMIT_PER_MINUTE: '0' }).app;

    for (let index = 0; index < 5; index += 1) {
      expect((await request(app).post('/make-payment').send(VALID_FORM)).status).toBe(200);
    }
  });

  test('when the rate limit applies, then pages and static files are not counted', async () => {
    const app = ui({ UI_RATE_LIMIT_PER_MINUTE: '1' }).app;

    for (let index = 0; index < 3; index += 1) {
      expect((await request(app).get('/payment.html')).status).toBe(200);
    }
    expect((await request(app).post('/make-payment').send(VALID_FORM)).status).toBe(200);
  });
});
