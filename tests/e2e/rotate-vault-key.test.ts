/**
 * `npm run rotate-vault-key` as an operator runs it, beside a processing server on the same
 * data: stopped after one batch it says so (exit 2) and run again it finishes (exit 0), with a
 * line per batch; the cards stay readable throughout, and nothing it prints holds a card number.
 */
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { runCommand, type CommandRun } from '../helpers/processes.ts';
import { AUTH_HEADER, createProcessingHarness, freshKey, type ProcessingHarness } from '../helpers/processing.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';

jest.setTimeout(60_000);

const NUMBERS = ['4242424242424242', '5555555555554444', '4111111111111111', '6011111111111117', '4012888888881881'];

/** The command, as npm runs it, on `dataDir` with `vaultKey`. */
function rotate(dataDir: string, vaultKey: string, args: string[]): Promise<CommandRun> {
  return runCommand('rotate-vault-key', args, { DATA_DIR: dataDir, CARD_VAULT_KEY: vaultKey });
}

describe('npm run rotate-vault-key', () => {
  const dataDir = makeTempDir('rotate');
  const vaultKey = randomBytes(32).toString('base64');
  let harness: ProcessingHarness;
  const saved = new Map<string, string>();

  beforeAll(async () => {
    harness = await createProcessingHarness({ dataDir, env: { CARD_VAULT_KEY: vaultKey } });
    for (const number of NUMBERS) {
      const response = await request(harness.app).post('/v1/cards').set(AUTH_HEADER).set('Idempotency-Key', freshKey())
        .send({ card: { number, expMonth: 12, expYear: 2031, cvv: '123', holderName: 'Ada Lovelace' }, customerId: 'cus_rotation' });
      expect(response.status).toBe(201);
      saved.set(response.body.id as string, number);
    }
  });

  afterAll(async () => {
    await harness?.close();
    removeDir(dataDir);
  });

  test('when it is stopped after one batch and run again, then it goes on where it stopped, and every card stays readable', async () => {
    const [oldKey] = await harness.vaultStore.keys.list();

    const first = await rotate(dataDir, vaultKey, ['--batch-size', '2', '--batches-max', '1']);

    expect(first.status).toBe(2);
    const newKey = /new data key (vk_[0-9a-f]{32}) is active; 5 cards to seal again under it/.exec(first.output)?.[1];
    expect(newKey).toBeDefined();
    expect(first.output).toContain(`rotate-vault-key: batch 1: 2 of 5 cards sealed again under ${newKey} (40%)`);
    expect(first.output).toContain('rotate-vault-key: stopped: 2 cards sealed again this run');
    for (const [id, number] of saved) expect((await harness.vault.open(id))?.number).toBe(number);

    const second = await rotate(dataDir, vaultKey, ['--batch-size', '2']);

    expect(second.status).toBe(0);
    expect(second.output).toContain(`rotate-vault-key: a rotation is under way: data key ${newKey} is active; 3 cards still to seal again under it`);
    expect(second.output).toContain(`rotate-vault-key: batch 2: 3 of 3 cards sealed again under ${newKey} (100%)`);
    expect(second.output).toContain(`rotate-vault-key: done: every card is sealed under ${newKey}; destroyed ${oldKey!.id}`);
    for (const [id, number] of saved) expect((await harness.vault.open(id))?.number).toBe(number);
    expect(await harness.vaultStore.cards.countByKey()).toEqual({ [newKey!]: NUMBERS.length });
    // A card saved by the server now is sealed under the new key.
    const later = await request(harness.app).post('/v1/cards').set(AUTH_HEADER).set('Idempotency-Key', freshKey())
      .send({ card: { number: '4444333322221111', expMonth: 1, expYear: 2032, cvv: '321', holderName: 'Ada Lovelace' } });
    expect(later.status).toBe(201);
    expect(await harness.vaultStore.cards.countByKey()).toEqual({ [newKey!]: NUMBERS.length + 1 });

    for (const number of NUMBERS) expect(first.output + second.output).not.toContain(number);
  });

  test('when an option is not a whole number in range, then it refuses with exit 64 and changes nothing', async () => {
    const before = await harness.vaultStore.keys.list();

    const run = await rotate(dataDir, vaultKey, ['--batch-size', '0']);

    expect(run.status).toBe(64);
    expect(run.output).toContain('--batch-size must be a whole number from 1 to 10000');
    expect(await harness.vaultStore.keys.list()).toEqual(before);
  });
});
