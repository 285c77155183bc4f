/**
 * The adjustments repository's contract, on every store: an adjustment's atomic start (key,
 * payment lock, one open adjustment per payment, an increase decided against the payer's spend),
 * its finish through the payment's compare-and-set (all or nothing), and the recovery worker's
 * reads. Concurrency runs on one instance and across two instances on the same data.
 */
import { randomBytes } from 'node:crypto';
import { amountChange, newAdjustmentId } from '../../processing-server/src/domain/adjustment.ts';
import type { BeginAdjustmentCommand, Store } from '../../processing-server/src/domain/ports/store.ts';
import { LIMIT_MINOR, WINDOW_START, at, authorizedPayment, createInput, createRun, newCardFingerprint, newKey, pendingPayment } from './builders.ts';
import { describeEachStore } from './stores.ts';

jest.setTimeout(30_000);

const LIMIT_DECLINE = { code: 'limit_exceeded', message: 'This card has reached its spending limit.' };

function beginCommand(paymentId: string, toMinor: number, overrides: Partial<BeginAdjustmentCommand['adjustment']> = {}): BeginAdjustmentCommand {
  const key = overrides.idempotencyKey ?? newKey();
  return {
    adjustment: { id: newAdjustmentId(), paymentId, idempotencyKey: key, requestHash: `hash-of-${key}`, toMinor, createdAt: at(30), ...overrides },
    spend: { limitMinor: LIMIT_MINOR, windowStart: WINDOW_START, decline: LIMIT_DECLINE },
  };
}

describeEachStore('adjustments repository', (current) => {
  test('when an increase starts, then it is stored pending with the payment unchanged, and it counts against the payer\'s next payment', async () => {
    const { store } = current();
    const fingerprint = newCardFingerprint();
    const payment = await authorizedPayment(store, { amountMinor: 60_000, instrumentFingerprint: fingerprint });

    const begun = await store.adjustments.begin(beginCommand(payment.id, 90_000));
    const next = await store.payments.create(createInput(pendingPayment({ amountMinor: 20_000, instrumentFingerprint: fingerprint })));

    expect(begun).toMatchObject({ kind: 'increase', adjustment: { status: 'pending', fromMinor: 60_000, toMinor: 90_000, instrumentFingerprint: fingerprint, currency: 'USD' } });
    expect(await store.payments.get(payment.id)).toMatchObject({ amountMinor: 60_000, countedMinor: 60_000 });
    // 600.00 + the 300.00 asked for + 200.00 > 1,000.00.
    expect(next.kind).toBe('limit_exceeded');
  });

  test('when an increase is declined or fails, then its reservation is released with its status', async () => {
    const { store } = current();
    const fingerprint = newCardFingerprint();
    const payment = await authorizedPayment(store, { amountMinor: 60_000, instrumentFingerprint: fingerprint });
    const begun = await store.adjustments.begin(beginCommand(payment.id, 90_000));
    if (begun.kind !== 'increase') throw new Error('an increase started');

    const finished = await store.adjustments.finish({
      id: begun.adjustment.id, to: 'declined', changes: { decline: { code: 'insufficient_funds', message: 'no funds' }, updatedAt: at(40) },
      answer: { outcome: 'declined', response: '{"amount":60000}' },
    });
    const next = await store.payments.create(createInput(pendingPayment({ amountMinor: 40_000, instrumentFingerprint: fingerprint })));

    expect(finished).toMatchObject({ kind: 'finished', adjustment: { status: 'declined', decline: { code: 'insufficient_funds' }, outcome: 'declined', response: '{"amount":60000}' }, payment: null });
    expect(next.kind).toBe('created');
  });

  test('when an increase does not fit the limit, then it is stored declined limit_exceeded and the payment is left as it was', async () => {
    const { store } = current();
    const payment = await authorizedPayment(store, { amountMinor: 90_000 });

    const begun = await store.adjustments.begin(beginCommand(payment.id, LIMIT_MINOR + 1));
    const atLimit = await store.adjustments.begin(beginCommand(payment.id, LIMIT_MINOR));

    expect(begun).toMatchObject({ kind: 'limit_exceeded', adjustment: { status: 'declined', decline: LIMIT_DECLINE, resolution: null } });
    expect(atLimit.kind).toBe('increase');
    expect(await store.payments.get(payment.id)).toMatchObject({ amountMinor: 90_000 });
  });

  test('when a decrease starts, then the payment takes the new amount at once and the adjustment waits to be sent', async () => {
    const { store } = current();
    const payment = await authorizedPayment(store, { amountMinor: 50_000 });

    const begun = await store.adjustments.begin(beginCommand(payment.id, 20_000));
    const same = await store.adjustments.begin(beginCommand(payment.id, 20_000));

    expect(begun).toMatchObject({ kind: 'decrease', adjustment: { status: 'approved', resolution: 'send' }, payment: { amountMinor: 20_000, countedMinor: 20_000, status: 'authorized' } });
    expect(same.kind).toBe('in_progress');
    if (begun.kind !== 'decrease') throw new Error('a decrease started');
    expect(await store.adjustments.resolved({ id: begun.adjustment.id, resolution: 'send', updatedAt: at(50) })).toBe(true);
    expect(await store.adjustments.resolved({ id: begun.adjustment.id, resolution: 'send', updatedAt: at(50) })).toBe(false);
    expect(await store.adjustments.begin(beginCommand(payment.id, 20_000))).toMatchObject({ kind: 'decrease', adjustment: { resolution: null } });
  });

  test('when a key is used again, then its adjustment comes back and nothing new is stored', async () => {
    const { store } = current();
    const payment = await authorizedPayment(store);
    const command = beginCommand(payment.id, 20_000);
    const first = await store.adjustments.begin(command);

    const again = await store.adjustments.begin({ ...command, adjustment: { ...command.adjustment, id: newAdjustmentId(), toMinor: 5000 } });

    expect(again).toMatchObject({ kind: 'existing', adjustment: { id: first.kind === 'increase' ? first.adjustment.id : expect.any(String), toMinor: 20_000 } });
    expect(await store.adjustments.listOfPayment(payment.id)).toHaveLength(1);
  });

  test('when the payment is not authorized, is taken by a run, or does not exist, then nothing starts', async () => {
    const { store } = current();
    const pending = pendingPayment();
    await store.payments.create(createInput(pending));
    const taken = await authorizedPayment(store);
    await createRun(store, `set_${randomBytes(4).toString('hex')}`);

    expect(await store.adjustments.begin(beginCommand(pending.id, 500))).toEqual({ kind: 'not_adjustable', status: 'pending', taken: false });
    expect(await store.adjustments.begin(beginCommand(taken.id, 500))).toEqual({ kind: 'not_adjustable', status: 'authorized', taken: true });
    expect(await store.adjustments.begin(beginCommand('pay_missing', 500))).toEqual({ kind: 'payment_not_found' });
    expect(await store.adjustments.listOfPayment(taken.id)).toEqual([]);
  });

  test('when an approved increase finds its payment voided meanwhile, then nothing of the finish is written', async () => {
    const { store } = current();
    const payment = await authorizedPayment(store, { amountMinor: 10_000 });
    const begun = await store.adjustments.begin(beginCommand(payment.id, 15_000));
    if (begun.kind !== 'increase') throw new Error('an increase started');
    await store.payments.transition({ id: payment.id, from: ['authorized'], to: 'voided', changes: { reason: 'merchant_void' } });

    const finished = await store.adjustments.finish({
      id: begun.adjustment.id, to: 'approved', changes: { updatedAt: at(40) }, payment: amountChange(payment.id, 15_000, at(40)),
      answer: { outcome: 'adjusted', response: '{}' },
    });

    expect(finished).toEqual({ kind: 'payment_changed' });
    expect(await store.adjustments.get(begun.adjustment.id)).toMatchObject({ status: 'pending', outcome: null });
    expect(await store.payments.get(payment.id)).toMatchObject({ status: 'voided', amountMinor: 10_000 });
  });

  test('when two callers finish one adjustment, then the first one decides it and the second is told it is no longer pending', async () => {
    const { store } = current();
    const other = await current().openAnother();
    const payment = await authorizedPayment(store, { amountMinor: 10_000 });
    const begun = await store.adjustments.begin(beginCommand(payment.id, 15_000));
    if (begun.kind !== 'increase') throw new Error('an increase started');
    const approve = (target: Store) => target.adjustments.finish({
      id: begun.adjustment.id, to: 'approved', changes: { updatedAt: at(40) }, payment: amountChange(payment.id, 15_000, at(40)),
      answer: { outcome: 'adjusted', response: '{}' },
    });

    const results = await Promise.all([approve(store), approve(other)]);

    expect(results.map((result) => result.kind).sort()).toEqual(['finished', 'not_pending']);
    expect(await store.payments.get(payment.id)).toMatchObject({ amountMinor: 15_000, countedMinor: 15_000, status: 'authorized' });
    await expect(store.adjustments.finish({ id: begun.adjustment.id, to: 'failed', changes: {} })).resolves.toMatchObject({ kind: 'not_pending' });
  });

  test('when increases of one payer race on two instances, then exactly as many as fit the limit start, one per payment at most', async () => {
    const { store } = current();
    const other = await current().openAnother();
    const fingerprint = newCardFingerprint();
    const payments = [];
    for (let index = 0; index < 8; index += 1) payments.push(await authorizedPayment(store, { amountMinor: 10_000, instrumentFingerprint: fingerprint }));

    // Two increases of +40.00 asked for each payment, one on each instance: 800.00 counted leaves
    // room for five. A payment whose increase is open refuses the second; the others do not fit.
    const begun = await Promise.all(payments.flatMap((payment, index) => [
      (index % 2 === 0 ? store : other).adjustments.begin(beginCommand(payment.id, 14_000)),
      (index % 2 === 0 ? other : store).adjustments.begin(beginCommand(payment.id, 14_000)),
    ]));

    const count = (kind: string) => begun.filter((result) => result.kind === kind).length;
    expect([count('increase'), count('in_progress'), count('limit_exceeded')]).toEqual([5, 5, 6]);
    const open = await store.adjustments.listUnresolved({ before: at(3600), limit: 100 });
    expect(open).toHaveLength(5);
    expect(new Set(open.map((adjustment) => adjustment.paymentId)).size).toBe(5);
  });

  test('when the recovery worker reads, then it gets pending adjustments and those with work left, oldest first, and not the settled ones', async () => {
    const { store } = current();
    const raised = await authorizedPayment(store);
    const lowered = await authorizedPayment(store);
    const done = await authorizedPayment(store);
    await store.adjustments.begin(beginCommand(raised.id, 20_000, { createdAt: at(10) }));
    await store.adjustments.begin(beginCommand(lowered.id, 5000, { createdAt: at(5) }));
    const finished = await store.adjustments.begin(beginCommand(done.id, 10_000, { createdAt: at(1) }));
    expect(finished.kind).toBe('decrease');

    const unresolved = await store.adjustments.listUnresolved({ before: at(60), limit: 10 });
    const early = await store.adjustments.listUnresolved({ before: at(6), limit: 10 });

    expect(unresolved.map((adjustment) => adjustment.paymentId)).toEqual([lowered.id, raised.id]);
    expect(early.map((adjustment) => adjustment.paymentId)).toEqual([lowered.id]);
  });
});
