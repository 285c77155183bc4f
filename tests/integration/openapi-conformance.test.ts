/**
 * The check every integration test's answers go through (tests/helpers/openapi/): it must catch
 * what the documents do not allow, on real documents and real answers, or it would pass
 * vacuously; and every app a test builds must be recording.
 */
import express from 'express';
import request from 'supertest';
import { DocumentChecker, describeFailure, matchTemplate, type Exchange } from '../helpers/openapi/conformance.ts';
import { recordAnswers } from '../helpers/openapi/recorder.ts';
import { CHECKED_PER_APP_MIN, emptyCounts, sumTally } from '../helpers/openapi/tally.ts';
import { createTestNetwork } from '../helpers/network-sim.ts';
import { AUTH_HEADER, createProcessingHarness, freshKey, paymentBody, type ProcessingHarness } from '../helpers/processing.ts';
import { buildTestUi } from '../helpers/ui-app.ts';

let harness: ProcessingHarness;
let checker: DocumentChecker;

beforeAll(async () => {
  harness = await createProcessingHarness();
  const document = await request(harness.app).get('/openapi.json');
  checker = new DocumentChecker(document.body as Record<string, unknown>);
});

afterAll(async () => {
  await harness.close();
});

/** A real answer of the processing server, as the recorder would keep it. */
async function answerOf(send: () => request.Test): Promise<Exchange> {
  const response = await send();
  const path = new URL(response.request.url).pathname;
  return {
    app: 'processing-server', method: response.request.method, path, status: response.status,
    contentType: response.headers['content-type'], headers: response.headers, body: Buffer.from(response.text ?? ''), truncated: false, test: undefined,
  };
}

function withJson(exchange: Exchange, change: (body: Record<string, unknown>) => Record<string, unknown>): Exchange {
  return { ...exchange, body: Buffer.from(JSON.stringify(change(JSON.parse(exchange.body.toString('utf8')) as Record<string, unknown>))) };
}

const createPayment = () => request(harness.app).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', freshKey()).send(paymentBody());

describe('the OpenAPI conformance check', () => {
  test('when real answers are as documented, then the check finds nothing', async () => {
    const created = await answerOf(createPayment);
    const optionsWithoutKey = await answerOf(() => request(harness.app).options('/v1/payments'));
    const headOfHealth = await answerOf(() => request(harness.app).head('/healthz'));

    expect([created.status, optionsWithoutKey.status, headOfHealth.status]).toEqual([201, 401, 200]);
    expect(checker.check(created)).toEqual({ template: '/v1/payments', problems: [] });
    expect(checker.check(optionsWithoutKey)).toEqual({ template: '/v1/payments', problems: [] });
    expect(checker.check(headOfHealth)).toEqual({ template: '/healthz', problems: [] });
  });

  test('when the status is not documented for the route, then the check names the route, the status and the documented ones', async () => {
    const created = await answerOf(createPayment);

    const { problems } = checker.check({ ...created, status: 418 });

    expect(problems).toEqual([expect.stringMatching(/^status 418 is not documented for POST \/v1\/payments \(documented: 201, 202, 400, 401, 402, 404, 409, 413, 415, 500, 503, 504\)$/)]);
  });

  test('when the body has a field the schema does not have, or lacks one it requires, then the check names them', async () => {
    const created = await answerOf(createPayment);

    const extra = checker.check(withJson(created, (body) => ({ ...body, cvv: '123' })));
    const missing = checker.check(withJson(created, ({ status: _status, ...rest }) => rest));

    // A payment is one of two shapes (card or points), so the validator reports against both; the
    // field at fault is named either way.
    expect(extra.problems).toEqual([expect.stringMatching(/^body \(root\) must NOT have additional properties \(cvv\)/)]);
    expect(missing.problems).toEqual([expect.stringMatching(/^body \(root\) must have required property 'status'/)]);
  });

  test('when a problem carries a code its status does not document, or drops a documented extension, then the check fails it', async () => {
    const first = await answerOf(createPayment);
    const key = freshKey();
    await request(harness.app).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', key).send(paymentBody());
    const reused = await answerOf(() => request(harness.app).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', key).send(paymentBody({ amount: 999 })));

    expect(reused.status).toBe(409);
    expect(checker.check(reused).problems).toEqual([]);
    expect(checker.check(withJson(reused, (body) => ({ ...body, code: 'settlement_running' }))).problems).not.toEqual([]);
    expect(checker.check({ ...first, status: 503, contentType: 'application/problem+json', body: Buffer.from(JSON.stringify({
      type: 'https://cardlane.dev/problems/network_unavailable', title: 'Service Unavailable', status: 503, detail: 'down', code: 'network_unavailable',
    })) }).problems).toEqual([expect.stringContaining("must have required property 'paymentStatus'")]);
  });

  test('when the content type is not documented for the status, then the check names it', async () => {
    const created = await answerOf(createPayment);

    expect(checker.check({ ...created, contentType: 'text/html; charset=utf-8' }).problems)
      .toEqual(['content type text/html is not documented (documented: application/json)']);
  });

  test('when a 405 lists other methods than the document gives the path, then the check says which', async () => {
    const refused = await answerOf(() => request(harness.app).put('/v1/payments').set(AUTH_HEADER));

    expect(refused.status).toBe(405);
    expect(checker.check(refused).problems).toEqual([]);
    expect(checker.check({ ...refused, headers: { ...refused.headers, allow: 'GET, POST' } }).problems)
      .toEqual(['Allow is "GET, POST", but the document lists GET, HEAD, POST for this path']);
  });

  test('when a required header is missing, then the check names it', async () => {
    const options = await answerOf(() => request(harness.app).options('/v1/payments').set(AUTH_HEADER));
    const { allow: _allow, ...withoutAllow } = options.headers;

    expect(options.status).toBe(204);
    expect(checker.check(options).problems).toEqual([]);
    expect(checker.check({ ...options, headers: withoutAllow }).problems).toEqual(['the required header Allow is missing']);
  });

  test('when a path the document does not list answers anything but its documented statuses, then the check fails it', async () => {
    const unknown = await answerOf(() => request(harness.app).get('/v1/nothing-here').set(AUTH_HEADER));

    expect(unknown.status).toBe(404);
    expect(checker.check(unknown)).toEqual({ template: '(unlisted)', problems: [] });
    expect(checker.check({ ...unknown, status: 200 }).problems).toEqual([expect.stringMatching(/^status 200 is not documented for a path the document does not list/)]);
  });

  test('when a failure is described, then it names the app, the request, the template, the status and the test', () => {
    const exchange: Exchange = {
      app: 'ui-server', method: 'GET', path: '/payments/pay_1', status: 418, contentType: 'text/plain', headers: {}, body: Buffer.alloc(0), truncated: false, test: 'when X, then Y',
    };

    expect(describeFailure(exchange, { template: '/payments/{paymentId}', problems: ['status 418 is not documented'] }))
      .toBe('- ui-server: GET /payments/pay_1 [/payments/{paymentId}] → 418 text/plain (in "when X, then Y")\n    status 418 is not documented');
  });
});

describe('the UI server\'s document', () => {
  test('when a chart library file two folders deep is served, then its template documents the 200; a 200 on a path not listed is still caught', async () => {
    const ui = buildTestUi({ processingUrls: ['http://127.0.0.1:9'] });
    const uiChecker = new DocumentChecker((await request(ui.app).get('/openapi.json')).body as Record<string, unknown>);
    const response = await request(ui.app).get('/admin/vendor/chart.js/plugins/plugin.filler/index.d.ts');
    const nested: Exchange = {
      app: 'ui-server', method: 'GET', path: '/admin/vendor/chart.js/plugins/plugin.filler/index.d.ts', status: response.status,
      contentType: response.headers['content-type'], headers: response.headers, body: Buffer.from(response.text ?? ''), truncated: false, test: undefined,
    };

    expect(response.status).toBe(200);
    expect(uiChecker.check(nested)).toEqual({ template: '/admin/vendor/chart.js/{folder1}/{folder2}/{file}', problems: [] });
    expect(uiChecker.check({ ...nested, path: '/somewhere/else' }).problems).toEqual([expect.stringMatching(/^status 200 is not documented for a path the document does not list/)]);
  });
});

describe('matching a request path to a template', () => {
  test.each([
    ['/v1/payments/pay_1', '/v1/payments/{id}'],
    ['/v1/payments/pay_1/', '/v1/payments/{id}'],
    ['/V1/Payments', '/v1/payments'],
    ['/v1/payments/pay_1/refunds', '/v1/payments/{id}/refunds'],
    ['/v1/payments//refunds', undefined],
    ['/v1/payments/a/b', undefined],
  ])('when the path is %s, then it matches %s', (requestPath, template) => {
    expect(matchTemplate(['/v1/payments', '/v1/payments/{id}', '/v1/payments/{id}/refunds'], requestPath)).toBe(template);
  });

  test('when a literal template and a parameter both match, then the literal one wins', () => {
    expect(matchTemplate(['/admin/{page}', '/admin/login'], '/admin/login')).toBe('/admin/login');
  });
});

describe('recording answers', () => {
  test('when an app answers, then method, path without the query, status, content type and body are recorded; HEAD has no body', async () => {
    const recorded: Exchange[] = [];
    const app = express();
    app.get('/thing', (_request, response) => { response.json({ ok: true }); });
    recordAnswers(app, 'ui-server', (exchange) => recorded.push(exchange), () => 'this test');

    await request(app).get('/thing?cardNumber=4242').expect(200);
    await request(app).head('/thing').expect(200);

    expect(recorded.map(({ method, path, status, contentType, body, test }) => ({ method, path, status, contentType, body: body.toString('utf8'), test }))).toEqual([
      { method: 'GET', path: '/thing', status: 200, contentType: 'application/json; charset=utf-8', body: '{"ok":true}', test: 'this test' },
      { method: 'HEAD', path: '/thing', status: 200, contentType: 'application/json; charset=utf-8', body: '', test: 'this test' },
    ]);
  });

  test('when the connection is dropped before the answer finishes, then nothing is recorded', async () => {
    const recorded: Exchange[] = [];
    const app = express();
    app.get('/lost', (_request, response) => { response.socket?.destroy(); });
    recordAnswers(app, 'card-network-sim', (exchange) => recorded.push(exchange), () => undefined);

    await expect(request(app).get('/lost')).rejects.toThrow();
    expect(recorded).toEqual([]);
  });

  test('when a test builds any of the three apps, then its answers are recorded for the check', async () => {
    const network = createTestNetwork();
    const ui = buildTestUi({ processingUrls: ['http://127.0.0.1:9'] });
    try {
      const handles = [harness.app, network.app, ui.app].map((app) => (app as unknown as { handle: { name: string } }).handle.name);
      expect(handles).toEqual(['recordedHandle', 'recordedHandle', 'recordedHandle']);
    } finally {
      network.close();
    }
  });
});

describe('counting the checked answers of a run', () => {
  const files = ['/repo/tests/integration/a.test.ts', '/repo/tests/integration/b.test.ts'];
  const enough = { 'processing-server': CHECKED_PER_APP_MIN, 'card-network-sim': CHECKED_PER_APP_MIN, 'ui-server': CHECKED_PER_APP_MIN };

  test('when every integration test reported and one app had too few answers checked, then that app is short', () => {
    const result = sumTally([
      { testPath: files[0] as string, counts: { ...enough, 'ui-server': 3 } },
      { testPath: files[1] as string, counts: emptyCounts() },
    ], files);

    expect(result).toEqual({ totals: { ...enough, 'ui-server': 3 }, complete: true, short: ['ui-server'] });
  });

  test('when only some integration tests ran, then no minimum applies', () => {
    const result = sumTally([{ testPath: files[0] as string, counts: emptyCounts() }], files);

    expect(result.complete).toBe(false);
    expect(result.short).toEqual([]);
  });
});
