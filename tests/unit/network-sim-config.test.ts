/** The simulator's configuration and fault settings. */
import { ConfigError } from '../../shared/config.ts';
import { loadNetworkConfig, parseLatencyText } from '../../card-network-sim/src/config.ts';
import { FaultInjector, faultPatchSchema } from '../../card-network-sim/src/faults.ts';

describe('loadNetworkConfig', () => {
  test('when nothing is set, then the documented defaults apply', () => {
    const config = loadNetworkConfig({});

    expect(config).toMatchObject({
      host: '127.0.0.1', port: 3002, apiKey: 'dev-network-key', dataDir: './data', settlementBatchMax: 5000, authorizationTtlMs: 168 * 3_600_000,
      cardCreditLimit: '5000.00', adminEnabled: true, nodeEnv: 'development', logLevel: 'info',
      faults: { latencyMs: { min: 0, max: 0 }, errorRate: 0, lostAnswerRate: 0 },
    });
    expect(config.databasePath).toMatch(/data[/\\]card-network\.sqlite$/);
    expect(config.jsonBodyLimitBytes).toBe(600 * 5000 + 64 * 1024);
  });

  test('when NODE_ENV is production with the development key, then it refuses to start naming NETWORK_API_KEY', () => {
    expect(() => loadNetworkConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadNetworkConfig({ NODE_ENV: 'production', NETWORK_API_KEY: 'dev-network-key' })).toThrow(/NETWORK_API_KEY/);
  });

  test('when NODE_ENV is production with a real key, then it starts with admin off unless asked for', () => {
    expect(loadNetworkConfig({ NODE_ENV: 'production', NETWORK_API_KEY: 'a-real-secret' }).adminEnabled).toBe(false);
    expect(loadNetworkConfig({ NODE_ENV: 'production', NETWORK_API_KEY: 'a-real-secret', NETWORK_ADMIN_ENABLED: 'yes' }).adminEnabled).toBe(true);
  });

  test('when HOST is set to 0.0.0.0 or ::, then the simulator listens on every interface', () => {
    expect(loadNetworkConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadNetworkConfig({ HOST: '::' }).host).toBe('::');
  });

  test('when fault settings are set, then they are parsed', () => {
    expect(loadNetworkConfig({ NETWORK_FAULT_LATENCY_MS: '100-250', NETWORK_FAULT_ERROR_RATE: '0.1', NETWORK_FAULT_LOST_ANSWER_RATE: '1' }).faults)
      .toEqual({ latencyMs: { min: 100, max: 250 }, errorRate: 0.1, lostAnswerRate: 1 });
  });

  test.each([
    ['NETWORK_FAULT_LATENCY_MS', 'slow'],
    ['NETWORK_FAULT_LATENCY_MS', '250-100'],
    ['NETWORK_FAULT_ERROR_RATE', '1.5'],
    ['NETWORK_FAULT_LOST_ANSWER_RATE', '-1'],
    ['NETWORK_CARD_CREDIT_LIMIT', '5,000'],
    ['SETTLEMENT_BATCH_MAX', '0'],
    ['AUTH_TTL_HOURS', '-1'],
    ['NETWORK_PORT', '70000'],
    ['HOST', 'http://0.0.0.0'],
    ['NETWORK_ADMIN_ENABLED', 'maybe'],
    ['NETWORK_PUBLIC_URL', 'acs.example.com'],
    ['NETWORK_PUBLIC_URL', 'ftp://acs.example.com'],
    ['NETWORK_PUBLIC_URL', 'https://acs.example.com/?x=1'],
    ['NETWORK_PUBLIC_URL', 'https://user:secret@acs.example.com'],
    ['POINTS_CURRENCY', 'POINTS'],
  ])('when %s is %s, then it refuses to start naming it', (name, value) => {
    expect(() => loadNetworkConfig({ [name]: value })).toThrow(new RegExp(name));
  });

  test('when NETWORK_PUBLIC_URL and POINTS_CURRENCY are not set, then the browser URL follows NETWORK_PORT and points are USD', () => {
    expect(loadNetworkConfig({ NETWORK_PORT: '4100' })).toMatchObject({ publicUrl: 'http://127.0.0.1:4100', pointsCurrency: 'USD' });
  });

  test.each([
    ['https://acs.example.com', 'https://acs.example.com'],
    ['https://acs.example.com/', 'https://acs.example.com'],
    ['https://example.com/network/', 'https://example.com/network'],
    ['HTTP://Localhost:3002', 'http://localhost:3002'],
  ])('when NETWORK_PUBLIC_URL is %s, then the public URL is %s', (value, expected) => {
    expect(loadNetworkConfig({ NETWORK_PUBLIC_URL: value, POINTS_CURRENCY: 'JPY' })).toMatchObject({ publicUrl: expected, pointsCurrency: 'JPY' });
  });
});

describe('parseLatencyText', () => {
  test.each([
    ['0', { min: 0, max: 0 }],
    ['250', { min: 250, max: 250 }],
    ['100-400', { min: 100, max: 400 }],
    [' 5 - 9 ', { min: 5, max: 9 }],
    ['9-5', null],
    ['-5', null],
    ['fast', null],
  ])('when the text is %j, then the range is %j', (text, expected) => {
    expect(parseLatencyText(text)).toEqual(expected);
  });
});

describe('FaultInjector', () => {
  const initial = { latencyMs: { min: 0, max: 0 }, errorRate: 0, lostAnswerRate: 0 };

  test('when a patch names some settings, then only those change', () => {
    const faults = new FaultInjector({ initial, random: Math.random });
    faults.update(faultPatchSchema.parse({ latencyMs: '5-10' }));

    expect(faults.update(faultPatchSchema.parse({ errorRate: 0.3 }))).toEqual({ latencyMs: { min: 5, max: 10 }, errorRate: 0.3, lostAnswerRate: 0 });
  });

  test('when the settings are read and changed by the reader, then the injector keeps its own', () => {
    const faults = new FaultInjector({ initial, random: Math.random });
    faults.settings.latencyMs.max = 999;

    expect(faults.settings.latencyMs.max).toBe(0);
  });
});
