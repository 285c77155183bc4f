/** The settings of npm run start:cluster: the ports of every process, and the mistakes refused before anything starts. */
import { loadClusterConfig } from '../../scripts/lib/cluster-config.ts';

describe('start:cluster settings', () => {
  test('when nothing is set, then two processing instances on 3001 and 3002, the simulator after them on 3003, the UI on 3000, a local PostgreSQL', () => {
    const config = loadClusterConfig({}, false);

    expect(config.processingPorts).toEqual([3001, 3002]);
    expect(config.networkPort).toBe(3003);
    expect(config.uiPort).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.postgresDir).toMatch(/[/\\]data[/\\]postgres$/);
    expect(config.urlOf(3001)).toBe('http://127.0.0.1:3001');
  });

  test('when CLUSTER_PROCESSING_INSTANCES and PROCESSING_PORT are set, then the instances take consecutive ports from it', () => {
    const config = loadClusterConfig({ CLUSTER_PROCESSING_INSTANCES: '3', PROCESSING_PORT: '4000', NETWORK_PORT: '5000' }, false);

    expect(config.processingPorts).toEqual([4000, 4001, 4002]);
    expect(config.networkPort).toBe(5000);
  });

  test('when the port after the instances is the UI port, then the simulator takes the next one', () => {
    expect(loadClusterConfig({ PROCESSING_PORT: '2998', UI_PORT: '3000' }, false).networkPort).toBe(3001);
  });

  test('when PROCESSING_PORT is 0, then every instance and the simulator take a free port of their own', () => {
    const config = loadClusterConfig({ PROCESSING_PORT: '0' }, false);

    expect(config.processingPorts).toEqual([0, 0]);
    expect(config.networkPort).toBe(0);
  });

  test.each([
    [{ UI_PORT: '3002' }, 'UI_PORT'],
    [{ NETWORK_PORT: '3001' }, 'NETWORK_PORT'],
    [{ NETWORK_PORT: '3000' }, 'NETWORK_PORT'],
    [{ PROCESSING_PORT: '65535' }, 'PROCESSING_PORT'],
    [{ CLUSTER_PROCESSING_INSTANCES: '0' }, 'CLUSTER_PROCESSING_INSTANCES'],
    [{ CLUSTER_PROCESSING_INSTANCES: '17' }, 'CLUSTER_PROCESSING_INSTANCES'],
    [{ DATABASE_URL: 'mysql://nope' }, 'DATABASE_URL'],
  ])('when %j, then the setting %s is refused', (env, setting) => {
    expect(() => loadClusterConfig(env, false)).toThrow(new RegExp(`${setting}:`));
  });

  test('when LOG_FORMAT is auto, then the logs are pretty only on a terminal', () => {
    expect(loadClusterConfig({}, true).pretty).toBe(true);
    expect(loadClusterConfig({}, false).pretty).toBe(false);
    expect(loadClusterConfig({ LOG_FORMAT: 'json' }, true).pretty).toBe(false);
  });
});
