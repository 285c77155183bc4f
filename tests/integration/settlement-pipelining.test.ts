/**
 * The settlement run sends its batches one ahead (docs/PERFORMANCE.md): batch n+1 leaves before
 * batch n's answer is recorded. These tests pin down what that may and may not change: answers
 * are recorded in batch order, an answer is checked before the next batch leaves, and a batch
 * sent but not recorded is resent with the same batchId, moving money once.
 */
import { settle, type SettlementDeps } from '../../processing-server/src/domain/settle.ts';
import type { ClearingPort } from '../../processing-server/src/domain/ports/provider.ts';
import type { SettlementRepository } from '../../processing-server/src/domain/ports/store.ts';
import { createSettlementSystem, type SettlementSystem } from '../helpers/settlement-system.ts';

describe('settlement: batches sent one ahead', () => {
  let system: SettlementSystem;

  afterEach(async () => {
    await system.close();
  });

  /** A clearing house and a store that write down, in order, every batch sent and every batch recorded. */
  function observed(events: string[], changes: { clearing?: Partial<ClearingPort>; settlements?: Partial<SettlementRepository> } = {}): SettlementDeps {
    const { clearing, store } = system.processing.deps;
    const sendBatch = changes.clearing?.sendBatch ?? clearing.sendBatch;
    const recordBatchResults = changes.settlements?.recordBatchResults ?? store.settlements.recordBatchResults;
    return {
      ...system.processing.deps,
      clearing: {
        ...clearing,
        sendBatch: async (batch, context) => {
          events.push(`send ${batch.batchId.split('-').at(-1)}`);
          return sendBatch(batch, context);
        },
      },
      store: {
        ...store,
        settlements: {
          ...store.settlements,
          recordBatchResults: async (command) => {
            await recordBatchResults(command);
            events.push(`record ${command.batchNo}`);
          },
        },
      },
    };
  }

  async function payments(count: number): Promise<void> {
    for (let index = 0; index < count; index += 1) await system.pay({ amount: 100 * (index + 1) });
  }

  test('when a run has several batches, then each leaves before the previous answer is recorded, and answers are recorded in order', async () => {
    system = await createSettlementSystem({ batchSizeMax: 2 });
    await payments(7);
    const events: string[] = [];

    const result = await settle(observed(events));

    expect(result).toMatchObject({ kind: 'completed', run: { itemCount: 7, settledCount: 7, totals: { USD: { net: 2800 } } } });
    expect(events).toEqual(['send 1', 'send 2', 'record 1', 'send 3', 'record 2', 'send 4', 'record 3', 'record 4']);
    expect((await system.merchantAccount()).balances.USD).toBe(2800);
  });

  test('when an answer does not match the batch sent, then the next batch never leaves and the run fails', async () => {
    system = await createSettlementSystem({ batchSizeMax: 2 });
    await payments(5);
    const events: string[] = [];
    const { clearing } = system.processing.deps;
    const truncating: Partial<ClearingPort> = {
      sendBatch: async (batch, context) => {
        const answer = await clearing.sendBatch(batch, context);
        return { ...answer, items: answer.items.slice(1) };
      },
    };

    const result = await settle(observed(events, { clearing: truncating }));

    expect(result).toMatchObject({ kind: 'failed', run: { status: 'failed' } });
    expect(events).toEqual(['send 1']);
    expect((await system.merchantAccount()).deposits.map((deposit) => deposit.batchId)).toHaveLength(1);
  });

  test('when recording fails while the next batch is on its way, then the run stops, and on resume both are resent and money moves once', async () => {
    system = await createSettlementSystem({ batchSizeMax: 2 });
    await payments(6);
    const events: string[] = [];
    const { settlements } = system.processing.store;
    let failures = 0;
    const failingOnce: Partial<SettlementRepository> = {
      recordBatchResults: async (command) => {
        if (failures === 0 && command.batchNo === 2) {
          failures += 1;
          throw new Error('injected: the database refused the write');
        }
        return settlements.recordBatchResults(command);
      },
    };
    const deps = observed(events, { settlements: failingOnce });

    const first = await settle(deps);
    expect(first.kind).toBe('interrupted');
    expect(events).toEqual(['send 1', 'send 2', 'record 1', 'send 3']);
    const resumed = await settle(deps);

    expect(resumed).toMatchObject({ kind: 'completed', run: { settledCount: 6, totals: { USD: { net: 2100 } } } });
    expect(events.slice(4)).toEqual(['send 2', 'send 3', 'record 2', 'record 3']);
    const account = await system.merchantAccount();
    expect(account.deposits.map((deposit) => deposit.batchId)).toEqual(resumed.kind === 'completed' ? resumed.run.batchIds : []);
    expect(account.balances.USD).toBe(2100);
  });

  test('when the clearing client reports nothing about sending, then the run still completes, recording after the next answer', async () => {
    system = await createSettlementSystem({ batchSizeMax: 2 });
    await payments(4);
    const events: string[] = [];
    const { clearing } = system.processing.deps;
    const silent: Partial<ClearingPort> = {
      sendBatch: async (batch, context) => clearing.sendBatch(batch, { requestId: context.requestId }),
    };

    const result = await settle(observed(events, { clearing: silent }));

    expect(result).toMatchObject({ kind: 'completed', run: { settledCount: 4 } });
    expect(events).toEqual(['send 1', 'send 2', 'record 1', 'record 2']);
  });
});
