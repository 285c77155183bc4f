/** The simulator's /openapi.json describes every route it serves, with the statuses each can answer. */
import request from 'supertest';
import { createTestNetwork, type TestNetwork } from '../helpers/network-sim.ts';

interface Operation {
  responses: Record<string, { content?: Record<string, unknown> }>;
  requestBody?: { content: Record<string, { schema: { required?: string[]; properties?: Record<string, unknown> } }> };
  security?: unknown[];
  parameters?: Array<{ name: string; in: string }>;
}
type Paths = Record<string, Record<string, Operation>>;

let network: TestNetwork;
let paths: Paths;

beforeAll(async () => {
  network = createTestNetwork();
  const response = await request(network.app).get('/openapi.json');
  expect(response.status).toBe(200);
  paths = response.body.paths as Paths;
});

afterAll(() => {
  network.close();
});

function operation(path: string, method: string): Operation {
  const found = paths[path]?.[method];
  if (!found) throw new Error(`${method.toUpperCase()} ${path} is not described`);
  return found;
}

describe('/openapi.json of the card-network simulator', () => {
  test.each([
    ['post', '/v1/authorizations', ['200', '400', '401', '409', '413', '503']],
    ['get', '/v1/authorizations', ['200', '400', '401', '404', '503']],
    ['post', '/v1/authorizations/{id}/reversal', ['200', '400', '401', '404', '409', '503']],
    ['post', '/v1/authorizations/{id}/adjustment', ['200', '400', '401', '404', '409', '413', '503']],
    ['post', '/v1/authentications', ['200', '400', '401', '409', '503']],
    ['get', '/v1/authentications/{id}', ['200', '401', '404', '503']],
    ['get', '/3ds/challenge/{authenticationId}', ['200', '404']],
    ['post', '/3ds/challenge/{authenticationId}', ['303', '403', '404', '413']],
    ['get', '/v1/points/accounts/{accountId}', ['200', '400', '401', '404', '503']],
    ['post', '/v1/points/authorizations', ['200', '400', '401', '409', '503']],
    ['get', '/v1/points/authorizations', ['200', '400', '401', '404', '503']],
    ['post', '/v1/points/authorizations/{id}/reversal', ['200', '400', '401', '404', '409', '503']],
    ['post', '/v1/points/authorizations/{id}/adjustment', ['200', '400', '401', '404', '409', '503']],
    ['post', '/v1/settlement-batches', ['200', '400', '401', '409', '503']],
  ])('when %s %s is looked up, then it answers %j at least', (method, path, statuses) => {
    expect(Object.keys(operation(path, method).responses)).toEqual(expect.arrayContaining(statuses));
  });

  test('when the challenge page is described, then it needs no key, answers HTML and takes a form', () => {
    const page = operation('/3ds/challenge/{authenticationId}', 'get');
    const form = operation('/3ds/challenge/{authenticationId}', 'post');

    expect(page.security).toEqual([]);
    expect(form.security).toEqual([]);
    expect(Object.keys(page.responses['200']?.content ?? {})).toEqual(['text/html']);
    expect(Object.keys(page.responses['404']?.content ?? {})).toEqual(['text/html']);
    expect(form.responses['303']?.content).toBeUndefined();
    expect(Object.keys(form.requestBody?.content['application/x-www-form-urlencoded']?.schema.properties ?? {})).toEqual(['code', 'action']);
  });

  test('when the request bodies are described, then they carry the fields the routes require', () => {
    const requiredOf = (path: string) => operation(path, 'post').requestBody?.content['application/json']?.schema.required;

    expect(requiredOf('/v1/authorizations')).toEqual(expect.arrayContaining(['merchantReference', 'amount', 'currency', 'card']));
    expect(requiredOf('/v1/authorizations')).not.toContain('authenticationId');
    expect(requiredOf('/v1/authorizations/{id}/adjustment')).toEqual(['amount', 'reference']);
    expect(requiredOf('/v1/authentications')).toEqual(expect.arrayContaining(['merchantReference', 'amount', 'currency', 'card', 'returnUrl']));
    expect(requiredOf('/v1/points/authorizations')).toEqual(['merchantReference', 'accountId', 'pin', 'points']);
  });
});
