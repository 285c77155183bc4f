/**
 * Settlement throughput of the simulator, end to end over real HTTP: JSON parsing, zod
 * validation, the batch transaction and the answer. Not a test; run it by hand:
 *
 *   npm run bench:network-batch -- [items] [rounds]
 *
 * Each round seeds `items` approved authorizations straight into a fresh store, then times
 * one POST /v1/settlement-batches that settles them all.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../shared/logger.ts';
import type { SettlementBatchItem } from '../shared/contracts/network.ts';
import { createApp } from '../card-network-sim/src/app.ts';
import { loadNetworkConfig } from '../card-network-sim/src/config.ts';
import { openStore, type NetworkStore } from '../card-network-sim/src/storage/store.ts';

const itemCount = Number(process.argv[2] ?? 5000);
const rounds = Number(process.argv[3] ?? 5);
const API_KEY = 'bench-network-key';

function seed(store: NetworkStore, count: number, round: number): SettlementBatchItem[] {
  const createdAtMs = Date.now();
  const items: SettlementBatchItem[] = [];
  store.transaction(() => {
    for (let index = 0; index < count; index += 1) {
      const merchantReference = `bench_${round}_${index}_${'x'.repeat(20)}`;
      const authorizationCode = `B${String(index).padStart(5, '0')}`;
      store.insertAuthorization({
        id: `auth_bench_${round}_${index}`, merchantReference, cardFingerprint: `card-${index % 500}`, cardLast4: '4242',
        amount: 1000 + index, currency: index % 3 === 0 ? 'EUR' : 'USD', responseCode: '00', authorizationCode,
        message: 'approved', status: 'approved', heldAmount: 1000 + index, createdAtMs,
      });
      items.push({
        merchantReference, authorizationCode, amount: 1000 + index, currency: index % 3 === 0 ? 'EUR' : 'USD',
        card: { brand: 'visa', last4: '4242' }, type: 'sale',
      });
    }
  });
  return items;
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cardlane-bench-'));
  const config = loadNetworkConfig({ DATA_DIR: dataDir, NETWORK_API_KEY: API_KEY, SETTLEMENT_BATCH_MAX: String(itemCount), LOG_LEVEL: 'silent' });
  const store = openStore(config.databasePath);
  const app = createApp({ config, logger: createLogger({ service: 'bench', level: 'silent' }), store, clock: () => new Date(), random: Math.random });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  const results: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const body = JSON.stringify({ batchId: `bench-${round}`, items: seed(store, itemCount, round) });
    const startedMs = performance.now();
    const response = await fetch(`http://127.0.0.1:${port}/v1/settlement-batches`, {
      method: 'POST', headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' }, body,
    });
    const report = await response.json() as { settledCount: number };
    const elapsedMs = performance.now() - startedMs;
    if (response.status !== 200 || report.settledCount !== itemCount) throw new Error(`round ${round}: ${response.status} ${JSON.stringify(report).slice(0, 200)}`);
    results.push(elapsedMs);
    process.stdout.write(`round ${round}: ${itemCount} items, ${(body.length / 1024).toFixed(0)} KB, ${elapsedMs.toFixed(1)} ms, ${Math.round(itemCount / (elapsedMs / 1000))} items/s\n`);
  }
  const best = Math.min(...results);
  const median = [...results].sort((a, b) => a - b)[Math.floor(results.length / 2)] ?? best;
  process.stdout.write(`best ${best.toFixed(1)} ms (${Math.round(itemCount / (best / 1000))} items/s), median ${median.toFixed(1)} ms (${Math.round(itemCount / (median / 1000))} items/s)\n`);
  server.close();
  store.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

await main();
