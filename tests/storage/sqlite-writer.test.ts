/**
 * The SQLite store as the processing server runs it: writes on a writer thread that commits the
 * calls arriving together as one group (one transaction, a savepoint per call, one fsync), reads
 * on a read connection of the calling thread. Each call of a group gets its own answer; nothing
 * answered is lost when the writer (or the process) dies; closing the store finishes every call
 * it was given first.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { DatabaseSync } from 'node:sqlite';
import type { CreatePaymentResult } from '../../processing-server/src/domain/ports/store.ts';
import { openSqliteWriterStore, READ_METHODS, type SqliteWriterStore } from '../../processing-server/src/storage/sqlite/writer.ts';
import { nodeFlags } from '../../scripts/lib/processes.ts';
import { ROOT } from '../helpers/processes.ts';
import { holdWriteLock } from '../helpers/sqlite-lock.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';
import { until } from '../helpers/until.ts';
import { authorizedPayment, createInput, newCardFingerprint, newKey, pendingPayment } from './builders.ts';

jest.setTimeout(30_000);

let directory: string;
let filePath: string;
let store: SqliteWriterStore | null;

beforeEach(async () => {
  directory = makeTempDir('sqlite-writer');
  filePath = path.join(directory, 'processing.sqlite');
  store = await openSqliteWriterStore(filePath);
});

afterEach(async () => {
  await store?.close();
  removeDir(directory);
});

function opened(): SqliteWriterStore {
  if (!store) throw new Error('the store is opened before each test');
  return store;
}

/** Payment ids as another connection to the file finds them: what is committed. */
function committedPaymentIds(): Set<string> {
  const database = new DatabaseSync(filePath, { readOnly: true });
  try {
    return new Set(database.prepare('SELECT id FROM payments').all().map((row) => String(row.id)));
  } finally {
    database.close();
  }
}


describe('group commit on the writer thread', () => {
  test('when calls queue up while the writer waits, then they commit as one group and each gets its own answer', async () => {
    const writer = opened();
    const lock = holdWriteLock(filePath);
    const first = writer.payments.create(createInput(pendingPayment()));
    // The first call reaches the writer, which waits for the lock; the next ones queue behind it.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const instrumentFingerprint = newCardFingerprint();
    const sharedKey = newKey();
    // One group: two payments that reach a 100.00 limit exactly and a third over it, a repeat of
    // one idempotency key, and two calls that fail: an illegal transition and an unknown payment.
    const withinLimit = [pendingPayment({ instrumentFingerprint, amountMinor: 6_000 }), pendingPayment({ instrumentFingerprint, amountMinor: 4_000 })];
    const overLimit = pendingPayment({ instrumentFingerprint, amountMinor: 1 });
    const keyed = pendingPayment({ idempotencyKey: sharedKey });
    const repeat = pendingPayment({ idempotencyKey: sharedKey });
    const calls = [
      ...withinLimit.map((payment) => writer.payments.create(createInput(payment, 10_000))),
      writer.payments.create(createInput(overLimit, 10_000)),
      writer.payments.create(createInput(keyed)),
      writer.payments.create(createInput(repeat)),
      writer.payments.transition({ id: withinLimit[0]!.id, from: ['pending'], to: 'pending' }),
      writer.payments.transition({ id: 'pay_unknown', from: ['pending'], to: 'failed' }),
    ].map((call) => (call as Promise<unknown>).then((value) => ({ ok: true, value }), (error: unknown) => ({ ok: false, error })));
    lock.release();
    const [firstAnswer, ...answers] = await Promise.all([first, ...calls]);

    expect(firstAnswer).toMatchObject({ kind: 'created' });
    expect(writer.groupStatistics().largestGroup).toBeGreaterThanOrEqual(calls.length);
    const kinds = answers.slice(0, 5).map((answer) => (answer as { value: CreatePaymentResult }).value.kind);
    expect(kinds).toEqual(['created', 'created', 'limit_exceeded', 'created', 'existing']);
    expect((answers[4] as { value: CreatePaymentResult }).value).toMatchObject({ idempotency: { paymentId: keyed.id } });
    expect(answers[5]).toEqual({ ok: false, error: expect.objectContaining({ name: 'AssertionError', message: 'illegal payment transition pending → pending' }) });
    expect(answers[6]).toEqual({ ok: true, value: null });
    expect([...committedPaymentIds()].sort()).toEqual([...withinLimit, overLimit, keyed].map((payment) => payment.id).concat(
      (firstAnswer as Extract<CreatePaymentResult, { kind: 'created' }>).payment.id,
    ).sort());
  });

  test('when a call of a group fails after writing, then only its own writes are undone', async () => {
    const writer = opened();
    const payment = await authorizedPayment(writer);
    const lock = holdWriteLock(filePath);
    const blocker = writer.payments.create(createInput(pendingPayment()));
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The capture writes the row, then the check of the payment's invariants fails (more captured than authorized).
    const broken = writer.payments.transition({ id: payment.id, from: ['authorized'], to: 'captured', changes: { capturedMinor: payment.amountMinor + 1 } });
    const other = pendingPayment();
    const kept = writer.payments.create(createInput(other));
    lock.release();

    await expect(broken).rejects.toThrow('captured amount out of range');
    expect(await kept).toMatchObject({ kind: 'created' });
    await blocker;
    expect(await writer.payments.get(payment.id)).toEqual(payment);
    expect(committedPaymentIds().has(other.id)).toBe(true);
  });

  test('when a method is listed as a read, then the store has that method (a renamed or removed one is not silently sent to the writer)', () => {
    const store = opened() as unknown as Record<string, Record<string, unknown> | undefined>;
    const missing = Object.entries(READ_METHODS).flatMap(([repository, methods]) =>
      methods.filter((method) => typeof store[repository]?.[method] !== 'function').map((method) => `${repository}.${method}`));
    expect(missing).toEqual([]);
  });

  test('when a write has been answered, then a read on the read connection sees it at once', async () => {
    const writer = opened();
    const payments = Array.from({ length: 20 }, () => pendingPayment());

    const found = await Promise.all(payments.map(async (payment) => {
      await writer.payments.create(createInput(payment));
      return writer.payments.get(payment.id);
    }));

    expect(found).toEqual(payments);
  });

  test('when the arguments are not plain data, then that call fails and the others of its turn are answered', async () => {
    const writer = opened();
    const payment = pendingPayment();

    const [bad, good] = await Promise.allSettled([
      writer.idempotency.complete({ paymentId: 'pay_x', outcome: 'declined', response: (() => 'not data') as unknown as string }),
      writer.payments.create(createInput(payment)),
    ]);

    expect(bad).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ message: expect.stringMatching(/could not be cloned/) }) });
    expect(good).toMatchObject({ status: 'fulfilled', value: { kind: 'created' } });
  });
});

describe('crashes and shutdown', () => {
  test('when the writer thread dies under load, then every payment answered is committed, no call hangs, and the next call starts a new writer', async () => {
    await opened().close();
    const exits: Error[] = [];
    store = await openSqliteWriterStore(filePath, { onWriterExit: (error) => exits.push(error) });
    const crashing = opened();
    const answered: string[] = [];
    let failed = 0;
    let stopped = false;
    // Ten clients, each making one payment after the other until the crash.
    const client = async (): Promise<void> => {
      while (!stopped) {
        const payment = pendingPayment();
        try {
          await crashing.payments.create(createInput(payment));
          answered.push(payment.id);
        } catch {
          failed += 1;
          return;
        }
      }
    };
    const clients = Array.from({ length: 10 }, client);

    await until(() => answered.length >= 100, '100 payments were answered');
    await crashing.abortWriter();
    stopped = true;
    await Promise.all(clients);
    const committed = committedPaymentIds();

    expect(exits).toHaveLength(1);
    expect(answered.length + failed).toBeGreaterThanOrEqual(100);
    expect(answered.filter((id) => !committed.has(id))).toEqual([]);
    const after = pendingPayment();
    expect(await crashing.payments.create(createInput(after))).toMatchObject({ kind: 'created' });
    expect(committedPaymentIds().has(after.id)).toBe(true);
  });

  test('when the process is killed under load, then every payment it answered is on disk', async () => {
    await opened().close();
    store = null;
    const child = spawn(process.execPath, [...nodeFlags(ROOT), path.join(ROOT, 'tests', 'helpers', 'writer-load.ts'), filePath], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'],
    });
    const answered: string[] = [];
    const exited = new Promise((resolve) => child.once('exit', resolve));
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      answered.push(line);
      if (answered.length === 200) child.kill('SIGKILL');
    });
    await exited;

    expect(answered.length).toBeGreaterThanOrEqual(200);
    const committed = committedPaymentIds();
    expect(answered.filter((id) => !committed.has(id))).toEqual([]);
  });

  test('when the store is closed with calls in flight, then each is committed and answered before the writer ends', async () => {
    const writer = opened();
    const payments = Array.from({ length: 50 }, () => pendingPayment());

    const creations = payments.map((payment) => writer.payments.create(createInput(payment)));
    const closing = writer.close();
    const results = await Promise.all(creations);
    await closing;
    store = null;

    expect(results.map((result) => result.kind)).toEqual(Array(50).fill('created'));
    expect(committedPaymentIds().size).toBe(50);
    await expect(writer.payments.create(createInput(pendingPayment()))).rejects.toThrow('the store is closed');
  });

  test('when the database cannot be opened, then opening the store fails with the reason', async () => {
    await expect(openSqliteWriterStore(directory)).rejects.toThrow(/unable to open|directory/i);
  });

  test('when the store is pinged, then the writer answers', async () => {
    await expect(opened().ping()).resolves.toBeUndefined();
  });
});
