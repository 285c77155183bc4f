import request from 'supertest';
import { AUTH_HEADER as NETWORK_AUTH } from '../helpers/network-sim.ts';
import { SETTLE_WAIT_MS } from '../../processing-server/src/http/settlement-routes.ts';
import { AUTH_HEADER, freshKey } from '../helpers/processing.ts';
import { createSettlementSystem, type SettlementSystem } from '../helpers/settlement-system.ts';
import type { SettlementRepository } from '../../processing-server/src/domain/ports/store.ts';
import { settle } from '../../processing-server/src/domain/settle.ts';
import {
  reconciliationSchema, refundListSchema, settlementItemListSchema, settlementNothingReadySchema, settlementRunListSchema, settlementRunSchema,
} from '../../shared/contracts/processing.ts';

describe('settlement: runs, capture, void, refund, expiry and reconciliation', () => {
  let system: SettlementSystem;

  afterEach(async () => {
    await system.close();
  });

  const settleNow = () => system.api().post('/v1/settlements').set(AUTH_HEADER).send();

  test('when a run settles a mixed day, then exactly the four ready items settle, deposits equal the net, and reconciliation matches', async () => {
    system = await createSettlementSystem();
    const expiring = await system.pay({ amount: 900 });
    system.clock.advanceHours(169);
    const automatic = [
      await system.pay({ amount: 1000 }),
      await system.pay({ amount: 2000 }, { number: '5555555555554444' }),
      await system.pay({ amount: 3000 }, { number: '378282246310005', cvv: '1234' }),
    ];
    const manual = await system.pay({ amount: 5000, captureMethod: 'manual' }, { number: '6011111111111117' });
    const voided = await system.pay({ amount: 700 });
    const declined = await system.pay({}, { number: '4000000000000002' });
    expect(automatic.map((response) => response.status)).toEqual([201, 201, 201]);
    expect(declined.status).toBe(402);

    const captured = await system.api().post(`/v1/payments/${manual.body.id}/capture`).set(AUTH_HEADER).send({ amount: 3000 });
    expect(captured.body).toMatchObject({ status: 'captured', capturedAmount: 3000 });
    const voidResponse = await system.api().post(`/v1/payments/${voided.body.id}/void`).set(AUTH_HEADER).send();
    expect(voidResponse.body).toMatchObject({ status: 'voided' });

    const run = await settleNow();
    expect(run.status).toBe(201);
    expect(run.body).toMatchObject({ status: 'completed', itemCount: 4, settledCount: 4, rejectedCount: 0, totals: { USD: { sales: 9000, refunds: 0, net: 9000 } } });
    expect(run.body.batchIds).toEqual([`${run.body.id}-1`]);

    const statusOf = async (id: string) => (await system.api().get(`/v1/payments/${id}`).set(AUTH_HEADER)).body;
    for (const response of automatic) expect(await statusOf(response.body.id)).toMatchObject({ status: 'settled', settlementId: run.body.id });
    expect(await statusOf(manual.body.id)).toMatchObject({ status: 'settled', capturedAmount: 3000 });
    expect((await statusOf(voided.body.id)).status).toBe('voided');
    expect((await statusOf(declined.body.id)).status).toBe('declined');
    expect((await statusOf(expiring.body.id)).status).toBe('expired');

    const account = await system.merchantAccount();
    expect(account.deposits.reduce((sum, deposit) => sum + deposit.amount, 0)).toBe(9000);
    expect(account.balances.USD).toBe(9000);
    const reconciliation = await system.api().get(`/v1/settlements/${run.body.id}/reconciliation`).set(AUTH_HEADER);
    expect(reconciliation.body).toMatchObject({ matched: 4, missingAtNetwork: [], missingInLedger: [], amountMismatches: [] });
    const items = await system.api().get(`/v1/settlements/${run.body.id}/items?limit=3`).set(AUTH_HEADER);
    expect(items.body.hasMore).toBe(true);
    expect(items.body.data[0]).toMatchObject({ type: 'sale', status: 'settled', batchId: `${run.body.id}-1`, currency: 'USD' });
    const rest = await system.api().get(`/v1/settlements/${run.body.id}/items?startingAfter=${items.body.data[2].id}`).set(AUTH_HEADER);
    expect(rest.body).toMatchObject({ hasMore: false });
    expect(rest.body.data).toHaveLength(1);

    const again = await settleNow();
    expect(again.status).toBe(200);
    expect(again.body.itemCount).toBe(0);
    const runs = await system.api().get('/v1/settlements').set(AUTH_HEADER);
    expect(runs.body.data).toHaveLength(1);
  });

  test('when recording fails after a batch was sent, then the resumed run resends the same batch ids and money is deposited once', async () => {
    system = await createSettlementSystem({ batchSizeMax: 2 });
    for (let index = 0; index < 5; index += 1) await system.pay({ amount: 100 * (index + 1) }, { number: ['4242424242424242', '5555555555554444'][index % 2] });
    const { store } = system.processing;
    let failures = 0;
    const flaky: SettlementRepository = {
      ...store.settlements,
      async recordBatchResults(command) {
        if (failures === 0 && command.batchNo === 2) {
          failures += 1;
          throw new Error('injected: crash between sending batch 2 and recording its results');
        }
        return store.settlements.recordBatchResults(command);
      },
    };
    const deps = { ...system.processing.deps, store: { ...store, settlements: flaky } };

    const first = await settle(deps);
    expect(first.kind).toBe('interrupted');
    const resumed = await settle(deps);
    expect(resumed.kind).toBe('completed');
    if (resumed.kind !== 'completed') return;
    expect(resumed.run.id).toBe(first.kind === 'interrupted' ? first.run.id : '');
    expect(resumed.run).toMatchObject({ itemCount: 5, settledCount: 5, totals: { USD: { net: 1500 } } });

    const account = await system.merchantAccount();
    expect(account.deposits.map((deposit) => deposit.batchId)).toEqual(resumed.run.batchIds);
    expect(account.balances.USD).toBe(1500);
  });

  test('when the process shuts down during a run, then the run stops between batches and the next start resumes it', async () => {
    system = await createSettlementSystem({ batchSizeMax: 1 });
    for (let index = 0; index < 3; index += 1) await system.pay({ amount: 100 });
    const stopping = new AbortController();
    const tracked: Array<Promise<unknown>> = [];
    const base = system.processing.deps;
    const lifecycle = { signal: stopping.signal, track: (work: Promise<unknown>) => { tracked.push(work); } };

    const stopped = await settle({ ...base, lifecycle }, { onProgress: () => stopping.abort() });
    expect(stopped.kind).toBe('interrupted');
    expect(tracked).toHaveLength(1);
    if (stopped.kind !== 'interrupted') return;
    expect(stopped.run).toMatchObject({ status: 'running', itemCount: 3 });

    const resumed = await settle(base);
    expect(resumed).toMatchObject({ kind: 'completed', run: { id: stopped.run.id, settledCount: 3 } });
    expect((await system.merchantAccount()).balances.USD).toBe(300);
  });

  test('when a settled payment is refunded, then the next run carries the credit and the balance drops by exactly that amount', async () => {
    system = await createSettlementSystem();
    const payment = await system.pay({ amount: 5000 });
    await settleNow();
    const before = (await system.merchantAccount()).balances.USD ?? 0;

    const key = freshKey();
    const refund = await system.api().post(`/v1/payments/${payment.body.id}/refunds`).set(AUTH_HEADER).set('Idempotency-Key', key).send({ amount: 2000 });
    expect(refund.status).toBe(201);
    expect(refund.body).toMatchObject({ paymentId: payment.body.id, amount: 2000, currency: 'USD', status: 'pending' });
    const repeat = await system.api().post(`/v1/payments/${payment.body.id}/refunds`).set(AUTH_HEADER).set('Idempotency-Key', key).send({ amount: 2000 });
    expect(repeat.body.id).toBe(refund.body.id);

    const tooMuch = await system.api().post(`/v1/payments/${payment.body.id}/refunds`).set(AUTH_HEADER).set('Idempotency-Key', freshKey()).send({ amount: 3001 });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body).toMatchObject({ code: 'amount_exceeds_refundable', errors: [{ field: 'amount' }] });
    const noKey = await system.api().post(`/v1/payments/${payment.body.id}/refunds`).set(AUTH_HEADER).send({ amount: 10 });
    expect(noKey.body.code).toBe('idempotency_key_required');

    const run = await settleNow();
    expect(run.body).toMatchObject({ itemCount: 1, totals: { USD: { sales: 0, refunds: 2000, net: -2000 } } });
    expect((await system.merchantAccount()).balances.USD).toBe(before - 2000);
    const after = await system.api().get(`/v1/payments/${payment.body.id}`).set(AUTH_HEADER);
    expect(after.body).toMatchObject({ status: 'partially_refunded', refundedAmount: 2000 });
  });

  test('when a run is going, then another POST /v1/settlements gets 409 settlement_running with the run under run, and the problem keeps its own status', async () => {
    system = await createSettlementSystem();
    await system.pay({ amount: 100 });
    // The batch waits at the card company, so the first run is still going when the second trigger comes.
    await request(system.sim.app).post('/admin/faults').set(NETWORK_AUTH).send({ latencyMs: 1000 }).expect(200);
    const first = settleNow().then((response) => response);
    let runs = await system.api().get('/v1/settlements').set(AUTH_HEADER);
    for (let attempt = 0; runs.body.data.length === 0 && attempt < 200; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      runs = await system.api().get('/v1/settlements').set(AUTH_HEADER);
    }

    const second = await settleNow();

    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ status: 409, code: 'settlement_running', run: { id: runs.body.data[0].id, status: 'running' } });
    expect(second.body).not.toHaveProperty('id');
    expect(second.body).not.toHaveProperty('itemCount');
    // 201, or 202 if the machine is so busy that the run outlasts the answer's wait.
    expect([201, 202]).toContain((await first).status);
  });

  test('when creating the run outlasts the answer\'s wait, then 202 with the run once it exists (not a 500)', async () => {
    system = await createSettlementSystem();
    await system.pay({ amount: 100 });
    await request(system.sim.app).post('/admin/faults').set(NETWORK_AUTH).send({ latencyMs: 300 }).expect(200);
    const { store } = system.processing;
    const { settlements } = store;
    // A run of a million items takes seconds to create; here the store is made that slow.
    const slowSettlements: SettlementRepository = {
      ...settlements,
      createRun: async (command) => {
        await new Promise((resolve) => setTimeout(resolve, SETTLE_WAIT_MS + 500));
        return settlements.createRun(command);
      },
    };
    const slow = await system.secondServer({ ...store, settlements: slowSettlements });

    const response = await request(slow.app).post('/v1/settlements').set(AUTH_HEADER).send();

    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ status: 'running', itemCount: 1 });
    expect(response.headers.location).toBe(`/v1/settlements/${response.body.id}`);
    let run = await settlements.get(response.body.id);
    for (let attempt = 0; run?.status === 'running' && attempt < 500; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      run = await settlements.get(response.body.id);
    }
    expect(run?.status).toBe('completed');
  }, 20_000);

  test('when a payment\'s refunds are listed, then 200 {data} oldest first in the contract\'s shape; none is an empty list; an unknown payment is 404', async () => {
    system = await createSettlementSystem();
    const payment = await system.pay({ amount: 5000 });
    const other = await system.pay({ amount: 700 });
    await settleNow();
    const refund = (amount: number) => system.api().post(`/v1/payments/${payment.body.id}/refunds`).set(AUTH_HEADER)
      .set('Idempotency-Key', freshKey()).send({ amount });
    const first = await refund(1000);
    const second = await refund(500);
    expect([first.status, second.status]).toEqual([201, 201]);

    const listed = await system.api().get(`/v1/payments/${payment.body.id}/refunds`).set(AUTH_HEADER);

    expect(listed.status).toBe(200);
    expect(refundListSchema.parse(listed.body)).toEqual(listed.body);
    expect(listed.body).toEqual({ data: [first.body, second.body] });
    expect(listed.body.data.map((item: { amount: number; status: string }) => [item.amount, item.status])).toEqual([[1000, 'pending'], [500, 'pending']]);
    const none = await system.api().get(`/v1/payments/${other.body.id}/refunds`).set(AUTH_HEADER);
    expect(none.status).toBe(200);
    expect(none.body).toEqual({ data: [] });
    const unknown = await system.api().get('/v1/payments/pay_unknown/refunds').set(AUTH_HEADER);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'not_found' });

    const run = await settleNow();
    const afterRun = await system.api().get(`/v1/payments/${payment.body.id}/refunds`).set(AUTH_HEADER);
    expect(afterRun.body.data.map((item: { status: string; settlementId: string }) => [item.status, item.settlementId]))
      .toEqual([['settled', run.body.id], ['settled', run.body.id]]);
  });

  test('when two triggers arrive at once, then one run is made and the other is told it is busy', async () => {
    system = await createSettlementSystem();
    await system.pay({ amount: 100 });
    const { deps } = system.processing;
    const results = await Promise.all([settle(deps), settle(deps)]);
    expect(results.map((result) => result.kind).sort()).toEqual(['busy', 'completed']);
    const runs = await system.api().get('/v1/settlements').set(AUTH_HEADER);
    expect(runs.body.data).toHaveLength(1);
  });

  test('when capture, void and refund are asked at the wrong time, then a clear 4xx and nothing changes', async () => {
    system = await createSettlementSystem();
    const automatic = await system.pay({ amount: 1000 });
    const manual = await system.pay({ amount: 1000, captureMethod: 'manual' });
    const post = (path: string, body: object = {}) => system.api().post(path).set(AUTH_HEADER).send(body);

    expect((await post(`/v1/payments/${automatic.body.id}/capture`)).body.code).toBe('capture_not_allowed');
    const over = await post(`/v1/payments/${manual.body.id}/capture`, { amount: 1001 });
    expect(over.status).toBe(400);
    expect(over.body.errors[0].field).toBe('amount');
    expect((await post(`/v1/payments/${manual.body.id}/refunds`, { amount: 1 }).set('Idempotency-Key', freshKey())).status).toBe(409);
    expect((await post('/v1/payments/pay_missing/void')).status).toBe(404);

    await settleNow();
    const lateVoid = await post(`/v1/payments/${automatic.body.id}/void`);
    expect(lateVoid.status).toBe(409);
    expect((await system.api().get(`/v1/payments/${automatic.body.id}`).set(AUTH_HEADER)).body.status).toBe('settled');
  });

  test('when a payment is voided, then the hold at the card company is released', async () => {
    system = await createSettlementSystem();
    const payment = await system.pay({ amount: 1000 });
    await system.api().post(`/v1/payments/${payment.body.id}/void`).set(AUTH_HEADER).send();
    const lookup = await request(system.sim.app).get(`/v1/authorizations?merchantReference=${payment.body.merchantReference}`).set(NETWORK_AUTH);
    expect(lookup.body).toMatchObject({ status: 'reversed', heldAmount: 0 });
  });

  test('when the card company cannot be reached for a run\'s reports, then the reconciliation answers 503 provider_unavailable, not 500', async () => {
    system = await createSettlementSystem();
    await system.pay({ amount: 1000 });
    const run = await settleNow();
    expect(run.status).toBe(201);
    await request(system.sim.app).post('/admin/faults').set(NETWORK_AUTH).send({ errorRate: 1 }).expect(200);

    const reconciliation = await system.api().get(`/v1/settlements/${run.body.id}/reconciliation`).set(AUTH_HEADER);

    expect(reconciliation.status).toBe(503);
    expect(reconciliation.headers['content-type']).toContain('application/problem+json');
    expect(reconciliation.body).toMatchObject({ status: 503, code: 'provider_unavailable', detail: expect.stringContaining('the card company') });
    await request(system.sim.app).post('/admin/faults').set(NETWORK_AUTH).send({ errorRate: 0 }).expect(200);
    const recovered = await system.api().get(`/v1/settlements/${run.body.id}/reconciliation`).set(AUTH_HEADER);
    expect(recovered.body).toMatchObject({ matched: 1, missingAtNetwork: [], missingInLedger: [], amountMismatches: [] });
  });

  test('when runs, items and a reconciliation are read, then each answer is the shared contract\'s shape; a bad item cursor is 400 and an unknown run 404', async () => {
    system = await createSettlementSystem();
    await system.pay({ amount: 1000 });
    await system.payPoints({ amount: 700 });
    const run = await settleNow();

    const runs = await system.api().get('/v1/settlements').set(AUTH_HEADER);
    const items = await system.api().get(`/v1/settlements/${run.body.id}/items`).set(AUTH_HEADER);
    const reconciliation = await system.api().get(`/v1/settlements/${run.body.id}/reconciliation`).set(AUTH_HEADER);
    const nothing = await settleNow();

    expect(settlementRunSchema.parse(run.body)).toEqual(run.body);
    expect(settlementRunListSchema.parse(runs.body)).toEqual(runs.body);
    expect(settlementItemListSchema.parse(items.body)).toEqual(items.body);
    expect(items.body.data.map((item: { paymentMethod: string }) => item.paymentMethod).sort()).toEqual(['card', 'points']);
    expect(reconciliationSchema.parse(reconciliation.body)).toEqual(reconciliation.body);
    expect(settlementNothingReadySchema.parse(nothing.body)).toEqual(nothing.body);
    const badCursor = await system.api().get(`/v1/settlements/${run.body.id}/items?startingAfter=pay_1`).set(AUTH_HEADER);
    expect(badCursor.status).toBe(400);
    expect(badCursor.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'query.startingAfter', message: 'must be an item id such as item_42' }] });
    for (const path of ['/v1/settlements/set_unknown', '/v1/settlements/set_unknown/items', '/v1/settlements/set_unknown/reconciliation']) {
      const unknown = await system.api().get(path).set(AUTH_HEADER);
      expect([unknown.status, unknown.body.code]).toEqual([404, 'not_found']);
    }
  });
});
