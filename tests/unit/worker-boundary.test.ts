/** The check the storage suites run every store through: plain data passes, anything else is caught. */
import type { Store } from '../../processing-server/src/domain/ports/store.ts';
import { asIfBehindAWorker } from '../helpers/worker-boundary.ts';

function storeWhose(payments: Partial<Store['payments']>): Store {
  return asIfBehindAWorker({ payments, adjustments: {}, idempotency: {}, refunds: {}, settlements: {}, leases: {}, description: 'fake', ping: async () => undefined, close: async () => undefined } as unknown as Store);
}

describe('the worker-thread boundary of the store port', () => {
  test('when a method takes and returns plain data, then it passes, as a copy', async () => {
    const record = { id: 'pay_1', decline: null, nested: [{ amountMinor: 1 }] };
    const store = storeWhose({ get: async () => record as never });

    const result = await store.payments.get('pay_1');

    expect(result).toEqual(record);
    expect(result).not.toBe(record);
  });

  test('when a method returns a class instance or a Date, or is given a callback, then the boundary refuses it', async () => {
    class Payment { id = 'pay_1'; }
    const returnsInstance = storeWhose({ get: async () => new Payment() as never });
    const returnsDate = storeWhose({ list: async () => ({ data: [], hasMore: false, at: new Date() }) as never });
    const takesCallback = storeWhose({ listUnresolved: async () => [] });

    await expect(returnsInstance.payments.get('pay_1')).rejects.toThrow('the result of payments.get holds a Payment, not plain data');
    await expect(returnsDate.payments.list({ limit: 1 })).rejects.toThrow('holds a Date, not plain data');
    await expect(takesCallback.payments.listUnresolved({ before: 'x', limit: 1, onRow: () => undefined } as never)).rejects.toThrow('holds a function');
  });
});
