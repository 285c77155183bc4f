/**
 * A process that makes payments through the SQLite writer store until it is killed, for the
 * crash test in tests/storage/sqlite-writer.test.ts: ten clients, each creating one payment after
 * the other; the id of every payment whose creation was answered is printed on its own line
 * (stdout to a pipe is synchronous on Linux, so a printed id was answered).
 *
 *   node tests/helpers/writer-load.ts /path/to/processing.sqlite
 */
import { openSqliteWriterStore } from '../../processing-server/src/storage/sqlite/writer.ts';
import { createInput, pendingPayment } from '../storage/builders.ts';

const CLIENTS = 10;
/** A bound on the loop: the test kills the process long before. */
const PAYMENTS_MAX = 100_000;

const filePath = process.argv[2];
if (!filePath) throw new Error('usage: node tests/helpers/writer-load.ts FILE');
const store = await openSqliteWriterStore(filePath);
let made = 0;

async function client(): Promise<void> {
  while (made < PAYMENTS_MAX) {
    made += 1;
    const payment = pendingPayment();
    await store.payments.create(createInput(payment));
    process.stdout.write(`${payment.id}\n`);
  }
}

await Promise.all(Array.from({ length: CLIENTS }, client));
await store.close();
