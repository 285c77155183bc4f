/**
 * The store port's promise that a store could run behind a worker thread: every argument and
 * every result is plain, structured-clonable data. The storage contract suites run every store
 * through this wrapper.
 */
import type { Store } from '../../processing-server/src/domain/ports/store.ts';

/** Plain data only: primitives, arrays and objects of Object (or no) prototype, all the way down. */
export function assertPlain(value: unknown, where: string): void {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'function' || typeof value === 'symbol') throw new Error(`${where} holds a ${typeof value}`);
    return;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  const kind = prototype === null ? 'Object' : (prototype as { constructor?: { name?: string } }).constructor?.name;
  if (kind !== 'Object' && kind !== 'Array') throw new Error(`${where} holds a ${kind ?? 'strange object'}, not plain data`);
  for (const [key, entry] of Object.entries(value)) assertPlain(entry, `${where}.${key}`);
}

/** A value as it would arrive through a worker thread's message port: plain data, copied. */
function throughMessagePort<Value>(value: Value, where: string): Value {
  assertPlain(value, where);
  return structuredClone(value);
}

/**
 * The store with every argument and every result passed as a worker thread would pass them
 * (checked to be plain data, then copied with structuredClone: no callbacks, no class instances), so that
 * the whole contract suite also checks that a store could run behind a worker thread.
 */
export function asIfBehindAWorker(store: Store): Store {
  const wrap = repositoryBehindAWorker;
  return {
    payments: wrap('payments', store.payments),
    adjustments: wrap('adjustments', store.adjustments),
    idempotency: wrap('idempotency', store.idempotency),
    refunds: wrap('refunds', store.refunds),
    settlements: wrap('settlements', store.settlements),
    leases: wrap('leases', store.leases),
    description: store.description,
    ping: () => store.ping(),
    close: () => store.close(),
  };
}

/** One repository (an object of async methods) with its arguments and results passed as through a worker thread's port. */
export function repositoryBehindAWorker<Repository extends object>(name: string, repository: Repository): Repository {
  return Object.fromEntries(
    Object.entries(repository).map(([method, call]) => [method, async (...args: unknown[]) => {
      const result: unknown = await (call as (...input: unknown[]) => Promise<unknown>)(...throughMessagePort(args, `the arguments of ${name}.${method}`));
      return throughMessagePort(result, `the result of ${name}.${method}`);
    }]),
  ) as Repository;
}
