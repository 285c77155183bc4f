import request from 'supertest';
import { createProcessingHarness } from '../helpers/processing.ts';
import { createTestNetwork } from '../helpers/network-sim.ts';
import { removeDir } from '../helpers/temp-dir.ts';
import { buildTestUi } from '../helpers/ui-app.ts';

describe('/openapi.json', () => {
  test('when the processing server and the simulator are asked without a key, then each describes its API', async () => {
    const processing = await createProcessingHarness();
    const network = createTestNetwork();
    try {
      const processingDoc = await request(processing.app).get('/openapi.json');
      expect(processingDoc.status).toBe(200);
      expect(processingDoc.body.openapi).toBe('3.1.0');
      expect(Object.keys(processingDoc.body.paths)).toEqual(expect.arrayContaining([
        '/v1/payments', '/v1/payments/{id}', '/v1/payments/{id}/capture', '/v1/payments/{id}/void', '/v1/payments/{id}/refunds',
        '/v1/settlements', '/v1/settlements/{id}', '/v1/settlements/{id}/items', '/v1/settlements/{id}/reconciliation',
      ]));
      expect(Object.keys(processingDoc.body.paths['/v1/payments/{id}/refunds'])).toEqual(expect.arrayContaining(['get', 'post']));
      expect(processingDoc.body.paths['/v1/payments/{id}/refunds'].get.responses['200'].content['application/json'].schema.required).toEqual(['data']);
      const create = processingDoc.body.paths['/v1/payments'].post;
      const createBody = create.requestBody.content['application/json'].schema;
      expect(createBody.required).toEqual(expect.arrayContaining(['amount', 'currency']));
      // Exactly one way to pay: a card, a saved card or points, never none or two.
      expect(createBody.oneOf).toEqual([{ required: ['card'] }, { required: ['cardId'] }, { required: ['points'] }]);
      expect(Object.keys(createBody.properties)).toEqual(expect.arrayContaining(['card', 'cardId', 'points', 'customerId']));

      const networkDoc = await request(network.app).get('/openapi.json');
      expect(networkDoc.status).toBe(200);
      expect(Object.keys(networkDoc.body.paths)).toEqual(expect.arrayContaining(['/v1/authorizations', '/v1/settlement-batches', '/v1/merchant-account']));

      const uiDoc = await request(buildTestUi({ processingUrls: ['http://127.0.0.1:9'] }).app).get('/openapi.json');
      expect(uiDoc.status).toBe(200);
      expect(uiDoc.body.paths['/make-payment'].post.requestBody.content['application/json'].schema.required)
        .toEqual(expect.arrayContaining(['cardNumber', 'expiry', 'cvv', 'amount', 'currency', 'idempotencyKey']));
    } finally {
      await processing.close();
      network.close();
      removeDir(network.dataDir);
    }
  });

  describe('what the documents state', () => {
    let processing: Awaited<ReturnType<typeof createProcessingHarness>>;
    let processingDoc: Record<string, any>;
    let networkDoc: Record<string, any>;
    let uiDoc: Record<string, any>;

    beforeAll(async () => {
      processing = await createProcessingHarness();
      const network = createTestNetwork();
      try {
        processingDoc = (await request(processing.app).get('/openapi.json')).body;
        networkDoc = (await request(network.app).get('/openapi.json')).body;
        uiDoc = (await request(buildTestUi({ processingUrls: ['http://127.0.0.1:9'] }).app).get('/openapi.json')).body;
      } finally {
        network.close();
      }
    });

    afterAll(async () => {
      await processing.close();
    });

    /** The problem body of one answer, each variant (a component of the document) by its code. */
    function problemVariants(response: Record<string, any>): Record<string, any> {
      const schema = response.content['application/problem+json'].schema;
      const references: Array<{ $ref: string }> = schema.oneOf ?? [schema];
      const variants = references.map((reference) => processingDoc.components.schemas[reference.$ref.replace('#/components/schemas/', '')]);
      return Object.fromEntries(variants.map((variant) => [variant.properties.code.const, variant]));
    }

    test('when Idempotency-Key is looked up, then it is required with 1 to 255 printable ASCII characters without spaces', () => {
      for (const path of ['/v1/payments', '/v1/payments/{id}/refunds']) {
        const header = processingDoc.paths[path].post.parameters.find((parameter: { name: string }) => parameter.name === 'Idempotency-Key');
        expect(header).toMatchObject({ in: 'header', required: true, schema: { type: 'string', minLength: 1, maxLength: 255 } });
        expect(new RegExp(header.schema.pattern).test('key-1')).toBe(true);
        expect(new RegExp(header.schema.pattern).test('a key')).toBe(false);
      }
    });

    test('when POST /v1/payments is looked up, then every status is there and the 503 problem carries the payment, its status and charged', () => {
      const create = processingDoc.paths['/v1/payments'].post;
      expect(Object.keys(create.responses)).toEqual(['201', '202', '400', '401', '402', '404', '409', '413', '415', '500', '503', '504']);

      const unavailable = problemVariants(create.responses['503']).network_unavailable;
      expect(unavailable.required).toEqual(expect.arrayContaining(['payment', 'paymentStatus', 'charged', 'type', 'code']));
      expect(unavailable.properties.charged).toMatchObject({ const: false });
      expect(unavailable.additionalProperties).toBe(false);
      expect(Object.keys(problemVariants(create.responses['409']))).toEqual(['idempotency_key_reused', 'idempotency_key_in_flight']);
    });

    test('when POST /v1/settlements is looked up, then a running run is under run in the 409, and 201 and 202 give its Location', () => {
      const settle = processingDoc.paths['/v1/settlements'].post;
      expect(Object.keys(settle.responses)).toEqual(['200', '201', '202', '401', '400', '409', '413', '415', '500', '502', '503'].sort());
      expect(problemVariants(settle.responses['409']).settlement_running.required).toContain('run');
      expect(settle.responses['201'].headers.Location.required).toBe(true);
      expect(settle.responses['202'].headers.Location.required).toBe(true);
    });

    test('when any path is looked up, then it has OPTIONS with the exact Allow, HEAD beside GET, and the 405 of other methods is described', () => {
      for (const document of [processingDoc, networkDoc, uiDoc]) {
        for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, any>>)) {
          const methods = Object.keys(item).filter((method) => method !== 'options').map((method) => method.toUpperCase()).sort().join(', ');
          expect({ path, allow: item.options.responses['204'].headers.Allow.schema.const }).toEqual({ path, allow: methods });
          if (item.get) expect({ path, head: Object.keys(item.head.responses) }).toEqual({ path, head: Object.keys(item.get.responses) });
        }
        expect(document['x-cardlane-other-methods'].responses['405'].headers.Allow.required).toBe(true);
        expect(Object.keys(document['x-cardlane-unknown-paths'].responses)).toContain('404');
      }
    });

    test('when the UI server\'s pages are looked up, then browsers get text/html and JSON clients JSON or problem+json', () => {
      const pay = uiDoc.paths['/make-payment'].post;
      expect(Object.keys(pay.responses['200'].content)).toEqual(['application/json', 'text/html']);
      expect(Object.keys(pay.responses['400'].content)).toEqual(['application/json', 'application/problem+json', 'text/html']);
      expect(Object.keys(pay.responses['403'].content)).toEqual(['application/problem+json', 'text/html']);
      expect(Object.keys(pay.requestBody.content)).toEqual(['application/x-www-form-urlencoded', 'application/json']);
      expect(Object.keys(uiDoc.paths['/admin/payments'].get.responses['200'].content)).toEqual(['text/html']);
      expect(uiDoc.paths['/admin/payments'].get.security).toEqual([{ adminSession: [] }]);
    });
  });
});
