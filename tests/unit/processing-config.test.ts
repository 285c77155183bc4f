import { loadProcessingConfig } from '../../processing-server/src/config.ts';
import { ConfigError } from '../../shared/config.ts';

describe('processing server config', () => {
  test('when nothing is set, then every setting has its working default', () => {
    const config = loadProcessingConfig({});
    expect(config).toMatchObject({
      HOST: '127.0.0.1', PROCESSING_PORT: 3001, NETWORK_URL: 'http://127.0.0.1:3002', CARD_SPEND_LIMIT: { byCurrency: new Map(), otherwiseMajor: '1000.00' }, AUTH_TTL_HOURS: 168,
      SETTLEMENT_CRON: '0 * * * *', SETTLEMENT_BATCH_MAX: 5000, NETWORK_TIMEOUT_MS: 2000, PROCESSING_API_KEY: 'dev-processing-key',
    });
  });

  test.each([
    [{ SETTLEMENT_CRON: 'every hour' }, 'SETTLEMENT_CRON'],
    [{ CARD_SPEND_LIMIT: '1,000' }, 'CARD_SPEND_LIMIT'],
    [{ PROCESSING_PORT: '70000' }, 'PROCESSING_PORT'],
    [{ HOST: 'two words' }, 'HOST'],
    [{ NETWORK_PORT: '-1' }, 'NETWORK_PORT'],
    [{ NETWORK_URL: 'ftp://card-company' }, 'NETWORK_URL'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ NODE_ENV: 'production' }, 'PROCESSING_API_KEY'],
    [{ NODE_ENV: 'production', PROCESSING_API_KEY: 'a-long-secret-key', NETWORK_API_KEY: 'another-secret', CARD_VAULT_KEY: Buffer.alloc(32, 1).toString('base64') }, 'WEBHOOK_SECRET: the development secret may not be used in production'],
    [{ WEBHOOK_URLS: 'http://127.0.0.1:3000/webhooks/cardlane, ftp://elsewhere' }, 'WEBHOOK_URLS: "ftp://elsewhere" is not an http:// or https:// URL'],
    [{ WEBHOOK_URLS: Array.from({ length: 11 }, (_unused, index) => `http://127.0.0.1:${4000 + index}/hooks`).join(',') }, 'WEBHOOK_URLS: must list at most 10 URLs'],
    [{ WEBHOOK_SECRET: 'short' }, 'WEBHOOK_SECRET'],
  ])('when %p, then start-up fails naming %s', (env, name) => {
    expect(() => loadProcessingConfig(env)).toThrow(ConfigError);
    expect(() => loadProcessingConfig(env)).toThrow(name);
  });

  test('when WEBHOOK_URLS lists endpoints with spaces and one twice, then each endpoint is kept once, in order; unset, there are none', () => {
    expect(loadProcessingConfig({ WEBHOOK_URLS: ' http://127.0.0.1:3000/webhooks/cardlane ,https://hooks.example/x,http://127.0.0.1:3000/webhooks/cardlane,' }).WEBHOOK_URLS)
      .toEqual(['http://127.0.0.1:3000/webhooks/cardlane', 'https://hooks.example/x']);
    expect(loadProcessingConfig({}).WEBHOOK_URLS).toEqual([]);
    expect(loadProcessingConfig({}).WEBHOOK_SECRET).toBe('dev-webhook-secret');
  });

  test('when HOST is 0.0.0.0, then the server serves every interface and finds the card company on loopback', () => {
    expect(loadProcessingConfig({ HOST: '0.0.0.0' })).toMatchObject({ HOST: '0.0.0.0', NETWORK_URL: 'http://127.0.0.1:3002' });
  });

  test('when only NETWORK_PORT is set, then the card company is found at that port on this machine', () => {
    expect(loadProcessingConfig({ NETWORK_PORT: '4102' }).NETWORK_URL).toBe('http://127.0.0.1:4102');
    expect(loadProcessingConfig({ NETWORK_PORT: '4102', HOST: 'localhost' }).NETWORK_URL).toBe('http://localhost:4102');
    expect(loadProcessingConfig({ NETWORK_PORT: '4102', NETWORK_URL: 'https://network.example' }).NETWORK_URL).toBe('https://network.example');
  });

  test('when production has real keys and a vault key, then it starts', () => {
    expect(() => loadProcessingConfig({
      NODE_ENV: 'production', PROCESSING_API_KEY: 'a-long-secret-key', NETWORK_API_KEY: 'another-secret', CARD_VAULT_KEY: Buffer.alloc(32, 1).toString('base64'),
      WEBHOOK_SECRET: 'a-webhook-secret',
    })).not.toThrow();
    expect(loadProcessingConfig({ SETTLEMENT_CRON: 'off' }).SETTLEMENT_CRON).toBe('off');
  });
});
