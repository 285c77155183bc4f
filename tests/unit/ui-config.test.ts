/** The UI server's one config: defaults that make `npm start` work, and refusals that fail fast. */
import { ConfigError } from '../../shared/config.ts';
import { loadUiConfig } from '../../ui-server/src/config.ts';

describe('loadUiConfig', () => {
  test('when nothing is set, then the documented defaults apply', () => {
    expect(loadUiConfig({})).toEqual({
      host: '127.0.0.1',
      port: 3000,
      processingUrls: ['http://127.0.0.1:3001'],
      processingApiKey: 'dev-processing-key',
      rateLimitPerMinute: 120,
      processingTimeoutMs: 15_000,
      trustProxyHops: 0,
      adminUser: 'admin',
      adminPassword: 'admin',
      pointsCurrency: 'USD',
      issuerOrigin: 'http://127.0.0.1:3002',
      logLevel: 'info',
      logFormat: 'auto',
      nodeEnv: 'development',
    });
  });

  test('when NETWORK_PUBLIC_URL, NETWORK_URL or NETWORK_PORT is set, then the issuer\'s origin follows them in that order; a URL that is not http(s) is refused', () => {
    expect(loadUiConfig({ NETWORK_PUBLIC_URL: 'https://acs.example.com/network/', NETWORK_URL: 'http://10.0.0.2:3002' }).issuerOrigin).toBe('https://acs.example.com');
    expect(loadUiConfig({ NETWORK_URL: 'http://10.0.0.2:4002' }).issuerOrigin).toBe('http://10.0.0.2:4002');
    expect(loadUiConfig({ NETWORK_PORT: '4102', HOST: '10.0.0.9' }).issuerOrigin).toBe('http://127.0.0.1:4102');
    expect(() => loadUiConfig({ NETWORK_PUBLIC_URL: 'ftp://acs.example.com' })).toThrow(/NETWORK_PUBLIC_URL/);
  });

  test('when POINTS_CURRENCY is set, then points pay in it; a code that is not a supported currency is refused', () => {
    expect(loadUiConfig({ POINTS_CURRENCY: 'EUR' }).pointsCurrency).toBe('EUR');
    expect(() => loadUiConfig({ POINTS_CURRENCY: 'POINTS' })).toThrow(/POINTS_CURRENCY/);
  });

  test('when PROCESSING_URLS is set, then it wins over PROCESSING_URL, in order, without trailing slashes', () => {
    const config = loadUiConfig({ PROCESSING_URL: 'http://one:1', PROCESSING_URLS: ' http://a:1/ , https://b:2 ,' });

    expect(config.processingUrls).toEqual(['http://a:1', 'https://b:2']);
  });

  test('when HOST is set to 0.0.0.0, then the UI server serves every interface and still finds the processing server on loopback', () => {
    expect(loadUiConfig({ HOST: '0.0.0.0' })).toMatchObject({ host: '0.0.0.0', processingUrls: ['http://127.0.0.1:3001'] });
  });

  test('when only PROCESSING_PORT is set, then the payments go to that port on this machine', () => {
    expect(loadUiConfig({ PROCESSING_PORT: '4101' }).processingUrls).toEqual(['http://127.0.0.1:4101']);
    expect(loadUiConfig({ PROCESSING_PORT: '4101', HOST: '::1' }).processingUrls).toEqual(['http://[::1]:4101']);
    expect(loadUiConfig({ PROCESSING_PORT: '4101', PROCESSING_URL: 'http://elsewhere:9' }).processingUrls).toEqual(['http://elsewhere:9']);
  });

  test('when an empty string is set, then the default applies', () => {
    expect(loadUiConfig({ UI_PORT: '', PROCESSING_URLS: '' }).processingUrls).toEqual(['http://127.0.0.1:3001']);
  });

  test('when NODE_ENV is production with the development key, then start-up is refused', () => {
    expect(() => loadUiConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadUiConfig({ NODE_ENV: 'production' })).toThrow(/PROCESSING_API_KEY/);
    expect(loadUiConfig({ NODE_ENV: 'production', PROCESSING_API_KEY: 'a-real-key', ADMIN_PASSWORD: 'a-real-password' }).nodeEnv).toBe('production');
  });

  test('when NODE_ENV is production with the development back-office password, then start-up is refused', () => {
    expect(() => loadUiConfig({ NODE_ENV: 'production', PROCESSING_API_KEY: 'a-real-key' })).toThrow(/ADMIN_PASSWORD/);
    expect(loadUiConfig({ NODE_ENV: 'production', PROCESSING_API_KEY: 'a-real-key', ADMIN_USER: 'ops', ADMIN_PASSWORD: 's3cret-enough' }))
      .toMatchObject({ adminUser: 'ops', adminPassword: 's3cret-enough' });
  });

  test.each([
    ['UI_PORT', '70000'],
    ['HOST', 'not a host'],
    ['PROCESSING_PORT', 'x'],
    ['PROCESSING_URL', 'ftp://x'],
    ['PROCESSING_URLS', 'not a url'],
    ['UI_RATE_LIMIT_PER_MINUTE', '-1'],
    ['PROCESSING_TIMEOUT_MS', '0'],
    ['LOG_LEVEL', 'loud'],
  ])('when %s is %s, then the error names the setting', (name, value) => {
    expect(() => loadUiConfig({ [name]: value })).toThrow(new RegExp(name));
  });
});
