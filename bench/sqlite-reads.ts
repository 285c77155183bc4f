/**
 * Where the SQLite store's reads should run (not part of npm test): on a read connection of the
 * main thread, or on the writer thread with the writes. Both modes get the same load on a fresh
 * file: writing clients creating payments one after the other, reading clients getting payments
 * by id, for a bounded time. Reported per mode: creates/s, reads/s, read latency p50/p99, and the
 * main thread's event-loop delay p99 (what every other request of the process would wait).
 *
 *   npm run bench:sqlite-reads -- [--writers 16] [--readers 16] [--duration 5] [--repeat 3]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { openSqliteWriterStore } from '../processing-server/src/storage/sqlite/writer.ts';
import { createInput, pendingPayment } from '../tests/storage/builders.ts';
import { machineDescription, median, parseFlags } from './lib/measure.ts';

const flags = parseFlags(process.argv.slice(2), { writers: '16', readers: '16', duration: '5', repeat: '3' });
const writers = Number(flags.writers);
const readers = Number(flags.readers);
const durationMs = Number(flags.duration) * 1000;
const repeat = Number(flags.repeat);
if (![writers, readers].every((count) => Number.isInteger(count) && count >= 0 && count <= 200) || !(durationMs >= 1000 && durationMs <= 60_000)
  || !(Number.isInteger(repeat) && repeat >= 1 && repeat <= 10)) {
  throw new Error('usage: --writers 0..200 --readers 0..200 --duration 1..60 --repeat 1..10');
}
const SEED_PAYMENTS = 2_000;

/**
 * Each client's next call waits for the next turn of the event loop, as the next request of a
 * server arrives in one: a read that answers at once must not starve everything else.
 */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface Outcome { creates: number; reads: number; readP50Ms: number; readP99Ms: number; loopDelayP99Ms: number }

function percentile(sorted: number[], share: number): number {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))]!;
}

async function measure(readsHere: boolean): Promise<Outcome> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'cardlane-bench-reads-'));
  const store = await openSqliteWriterStore(path.join(directory, 'processing.sqlite'), { readsHere });
  try {
    const ids: string[] = [];
    for (let index = 0; index < SEED_PAYMENTS; index += 1) {
      const payment = pendingPayment();
      await store.payments.create(createInput(payment));
      ids.push(payment.id);
    }
    const delay = monitorEventLoopDelay({ resolution: 1 });
    const endAt = Date.now() + durationMs;
    let creates = 0;
    const readTimes: number[] = [];
    delay.enable();
    await Promise.all([
      ...Array.from({ length: writers }, async () => {
        while (Date.now() < endAt) {
          await store.payments.create(createInput(pendingPayment()));
          creates += 1;
          await nextTurn();
        }
      }),
      ...Array.from({ length: readers }, async () => {
        while (Date.now() < endAt) {
          const started = performance.now();
          await store.payments.get(ids[Math.floor(Math.random() * ids.length)]!);
          readTimes.push(performance.now() - started);
          await nextTurn();
        }
      }),
    ]);
    delay.disable();
    readTimes.sort((a, b) => a - b);
    return {
      creates: creates / (durationMs / 1000), reads: readTimes.length / (durationMs / 1000),
      readP50Ms: percentile(readTimes, 0.5), readP99Ms: percentile(readTimes, 0.99), loopDelayP99Ms: delay.percentile(99) / 1e6,
    };
  } finally {
    await store.close();
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

process.stdout.write(`machine: ${machineDescription()}\n${writers} writing and ${readers} reading clients, ${durationMs / 1000} s per mode, load average ${os.loadavg().map((value) => value.toFixed(2)).join(' ')}\n\n`);
process.stdout.write('| reads on | creates/s | reads/s | read p50 ms | read p99 ms | event-loop delay p99 ms |\n|---|---:|---:|---:|---:|---:|\n');
const results: Record<string, Outcome[]> = { 'read connection here': [], 'writer thread': [] };
for (let attempt = 0; attempt < repeat; attempt += 1) {
  // Alternating the modes, so that a change in the machine's load falls on both.
  for (const readsHere of [true, false]) {
    const outcome = await measure(readsHere);
    results[readsHere ? 'read connection here' : 'writer thread']!.push(outcome);
    process.stdout.write(`| ${readsHere ? 'read connection here' : 'writer thread'} | ${outcome.creates.toFixed(0)} | ${outcome.reads.toFixed(0)} | `
      + `${outcome.readP50Ms.toFixed(2)} | ${outcome.readP99Ms.toFixed(2)} | ${outcome.loopDelayP99Ms.toFixed(2)} |\n`);
  }
}
if (repeat > 1) {
  for (const [mode, outcomes] of Object.entries(results)) {
    const of = (field: keyof Outcome) => median(outcomes.map((outcome) => outcome[field])).toFixed(field === 'creates' || field === 'reads' ? 0 : 2);
    process.stdout.write(`| ${mode} (median) | ${of('creates')} | ${of('reads')} | ${of('readP50Ms')} | ${of('readP99Ms')} | ${of('loopDelayP99Ms')} |\n`);
  }
}
