/**
 * Never charge without a record: a payment's `pending` row is committed to the database file
 * before the card company is asked, also when many payments share one group commit of the SQLite
 * writer. The card company here looks the payment up in the processing database file through a
 * connection of its own, as anything outside the processing server would see it.
 */
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import request from 'supertest';
import type { AuthorizeCommand } from '../../processing-server/src/domain/ports/provider.ts';
import type { SqliteWriterStore } from '../../processing-server/src/storage/sqlite/writer.ts';
import { createFakeNetwork } from '../helpers/fake-network.ts';
import { holdWriteLock } from '../helpers/sqlite-lock.ts';
import { AUTH_HEADER, createProcessingHarness, freshKey, paymentBody, type ProcessingHarness } from '../helpers/processing.ts';

jest.setTimeout(30_000);

/** The status of a payment as another connection to the file finds it, or null when it finds no row. */
function statusInFile(filePath: string, paymentId: string): string | null {
  const database = new DatabaseSync(filePath, { readOnly: true });
  try {
    const row = database.prepare('SELECT status FROM payments WHERE id = ?').get(paymentId) as { status: string } | undefined;
    return row?.status ?? null;
  } finally {
    database.close();
  }
}

/** A card company that, before deciding, records what the processing database file holds for the payment. */
function inspectingCardCompany(filePath: () => string) {
  const network = createFakeNetwork('card');
  const seen = new Map<string, string | null>();
  const authorize = network.authorize.bind(network);
  network.authorize = async (command: AuthorizeCommand, context) => {
    seen.set(command.merchantReference, statusInFile(filePath(), command.merchantReference));
    return authorize(command, context);
  };
  return { network, seen };
}

describe('the pending record is durable before the card company is called', () => {
  let harness: ProcessingHarness;
  let cardCompany: ReturnType<typeof inspectingCardCompany>;
  const databaseFile = () => path.join(harness.dataDir, 'processing.sqlite');

  beforeEach(async () => {
    cardCompany = inspectingCardCompany(databaseFile);
    harness = await createProcessingHarness({ cardProvider: cardCompany.network });
  });

  afterEach(async () => {
    await harness.close();
  });

  test('when one payment is made, then the card company finds it pending in the database file', async () => {
    const response = await request(harness.app).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', freshKey()).send(paymentBody());

    expect(response.status).toBe(201);
    expect(cardCompany.seen.get(response.body.id)).toBe('pending');
    expect(statusInFile(databaseFile(), response.body.id)).toBe('authorized');
  });

  test('when 20 payments are created in one group commit, then the card company finds each pending in the file before it decides', async () => {
    const store = harness.store as SqliteWriterStore;
    const lock = holdWriteLock(databaseFile());
    const answers = Array.from({ length: 20 }, () => request(harness.app).post('/v1/payments').set(AUTH_HEADER)
      .set('Idempotency-Key', freshKey()).send(paymentBody()).then((response) => response));
    // Every creation reaches the writer, which waits for the lock; then they commit together.
    for (let attempt = 0; attempt < 2_000 && store.groupStatistics().waiting < 20; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    lock.release();
    const responses = await Promise.all(answers);

    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(201));
    expect(store.groupStatistics().largestGroup).toBeGreaterThanOrEqual(20);
    expect(responses.map((response) => cardCompany.seen.get(response.body.id))).toEqual(Array(20).fill('pending'));
  });
});
