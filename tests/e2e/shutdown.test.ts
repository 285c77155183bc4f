import http from 'node:http';
import axios from 'axios';
import { randomUUID } from 'node:crypto';
import { NETWORK_KEY, PROCESSING_KEY, startService, stopService, type RunningService } from '../helpers/processes.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';

describe('graceful shutdown', () => {
  const dataDir = makeTempDir('shutdown');
  let network: RunningService;
  let processing: RunningService;

  beforeAll(async () => {
    // Every call to the card company takes 400-600 ms, so requests are surely in flight at SIGTERM.
    network = await startService('network', { DATA_DIR: dataDir, NETWORK_PORT: '0', NETWORK_API_KEY: NETWORK_KEY, NETWORK_FAULT_LATENCY_MS: '400-600' });
    processing = await startService('processing', {
      DATA_DIR: dataDir, PROCESSING_PORT: '0', NETWORK_URL: network.url, NETWORK_API_KEY: NETWORK_KEY,
      PROCESSING_API_KEY: PROCESSING_KEY, SETTLEMENT_CRON: 'off', CARD_SPEND_LIMIT: '1000000.00',
    });
  }, 60_000);

  afterAll(async () => {
    await stopService(processing);
    await stopService(network);
    removeDir(dataDir);
  });

  test('when SIGTERM arrives under load, then every accepted request is answered in full and the process exits 0', async () => {
    const agent = new http.Agent({ keepAlive: false });
    const pay = () => axios.post(`${processing.url}/v1/payments`, {
      amount: 1500, currency: 'USD',
      card: { number: '4242424242424242', expMonth: 12, expYear: 2034, cvv: '123', holderName: 'Load Test' },
    }, { headers: { Authorization: `Bearer ${PROCESSING_KEY}`, 'Idempotency-Key': randomUUID() }, httpAgent: agent, validateStatus: () => true });

    const inFlight = Array.from({ length: 20 }, pay);
    // SIGTERM once all 20 are inside the card company's added latency: accepted and in flight.
    const deadline = Date.now() + 10_000;
    while (network.lines.filter((line) => line.includes('injected fault: latency')).length < 20) {
      if (Date.now() > deadline) throw new Error('the requests did not reach the card company');
      await new Promise((resolve) => setImmediate(resolve));
    }
    processing.child.kill('SIGTERM');
    const answers = await Promise.all(inFlight);
    const exitCode = await processing.exited;

    expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 20 }, () => 201));
    expect(exitCode).toBe(0);
    expect(processing.lines.some((line) => line.includes('shut down cleanly'))).toBe(true);
  }, 30_000);
});
