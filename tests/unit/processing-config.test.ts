import { loadProcessingConfig } from '../../processing-server/src/config.ts';
import { ConfigError } from '../../shared/config.ts';

describe('processing server config', () => {
  test('when nothing is set, then every setting has its working default', () => {
    const config = loadProcessingConfig({});
    expect(config).toMatchObject({
      PROCESSING_PORT: 3001, NETWORK_URL: 'http://127.0.0.1:3002', CARD_SPEND_LIMIT: '1000.00', AUTH_TTL_HOURS: 168,
      SETTLEMENT_CRON: '0 * * * *', SETTLEMENT_BATCH_MAX: 5000, NETWORK_TIMEOUT_MS: 2000, PROCESSING_API_KEY: 'dev-processing-key',
    });
  });

  test.each([
    [{ SETTLEMENT_CRON: 'every hour' }, 'SETTLEMENT_CRON'],
    [{ CARD_SPEND_LIMIT: '1,000' }, 'CARD_SPEND_LIMIT'],
    [{ PROCESSING_PORT: '70000' }, 'PROCESSING_PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ NODE_ENV: 'production' }, 'PROCESSING_API_KEY'],
  ])('when %p, then start-up fails naming %s', (env, name) => {
    expect(() => loadProcessingConfig(env)).toThrow(ConfigError);
    expect(() => loadProcessingConfig(env)).toThrow(name);
  });

  test('when production has real keys and a vault key, then it starts', () => {
    expect(() => loadProcessingConfig({
      NODE_ENV: 'production', PROCESSING_API_KEY: 'a-long-secret-key', NETWORK_API_KEY: 'another-secret', CARD_VAULT_KEY: Buffer.alloc(32, 1).toString('base64'),
    })).not.toThrow();
    expect(loadProcessingConfig({ SETTLEMENT_CRON: 'off' }).SETTLEMENT_CRON).toBe('off');
  });
});
