import request from 'supertest';
import { createProcessingHarness } from '../helpers/processing.ts';
import { createTestNetwork } from '../helpers/network-sim.ts';
import { removeDir } from '../helpers/temp-dir.ts';
import { buildTestUi } from '../helpers/ui-app.ts';

describe('/openapi.json', () => {
  test('when the processing server and the simulator are asked without a key, then each describes its API', async () => {
    const processing = createProcessingHarness();
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
      expect(create.requestBody.content['application/json'].schema.required).toEqual(expect.arrayContaining(['amount', 'currency']));
      expect(create.requestBody.content['application/json'].schema.oneOf).toEqual([{ required: ['card'] }, { required: ['points'] }]);

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
});
