/**
 * The processing API on PostgreSQL, end to end with the real card-network simulator: a day of
 * payments settled and refunded, and two processing servers on one database keeping the card
 * limit and running one settlement at a time.
 */
import request from 'supertest';
import { settle } from '../../processing-server/src/domain/settle.ts';
import type { Store } from '../../processing-server/src/domain/ports/store.ts';
import { createPostgresTestStores, describeWithPostgres, type PostgresTestStores } from '../helpers/postgres.ts';
import { AUTH_HEADER, freshKey, paymentBody } from '../helpers/processing.ts';
import { createSettlementSystem, type SettlementSystem } from '../helpers/settlement-system.ts';

// Each test opens a fresh database and, on PostgreSQL, several pools; parallel test files share two CPUs.
jest.setTimeout(20_000);

describeWithPostgres('processing API on PostgreSQL', (adminUrl) => {
  let stores: PostgresTestStores;
  let system: SettlementSystem;

  beforeEach(async () => {
    stores = await createPostgresTestStores(adminUrl);
    system = await createSettlementSystem({ store: await stores.open() });
  });

  afterEach(async () => {
    await system.close();
    await stores.close();
  });


  test('when a day of payments is settled and one refunded, then deposits equal the net, to the minor unit, and reconciliation matches', async () => {
    const automatic = [await system.pay({ amount: 1000 }), await system.pay({ amount: 2000 }, { number: '5555555555554444' })];
    const manual = await system.pay({ amount: 5000, captureMethod: 'manual' }, { number: '6011111111111117' });
    const voided = await system.pay({ amount: 700 });
    const declined = await system.pay({}, { number: '4000000000000002' });
    expect(automatic.map((response) => response.status)).toEqual([201, 201]);
    expect(declined.status).toBe(402);
    await system.api().post(`/v1/payments/${manual.body.id}/capture`).set(AUTH_HEADER).send({ amount: 3000 }).expect(200);
    await system.api().post(`/v1/payments/${voided.body.id}/void`).set(AUTH_HEADER).send().expect(200);

    const run = await system.api().post('/v1/settlements').set(AUTH_HEADER).send();

    expect(run.status).toBe(201);
    expect(run.body).toMatchObject({ status: 'completed', itemCount: 3, settledCount: 3, totals: { USD: { sales: 6000, refunds: 0, net: 6000 } } });
    const reconciliation = await system.api().get(`/v1/settlements/${run.body.id}/reconciliation`).set(AUTH_HEADER);
    expect(reconciliation.body).toMatchObject({ matched: 3, missingAtNetwork: [], missingInLedger: [], amountMismatches: [] });
    const payment = async (id: string) => (await system.api().get(`/v1/payments/${id}`).set(AUTH_HEADER)).body;
    expect(await payment(manual.body.id)).toMatchObject({ status: 'settled', capturedAmount: 3000, settlementId: run.body.id });
    expect((await payment(voided.body.id)).status).toBe('voided');

    const refund = await system.api().post(`/v1/payments/${automatic[1]?.body.id}/refunds`).set(AUTH_HEADER)
      .set('Idempotency-Key', freshKey()).send({ amount: 500 });
    expect(refund.status).toBe(201);
    const refundRun = await system.api().post('/v1/settlements').set(AUTH_HEADER).send();
    expect(refundRun.body).toMatchObject({ itemCount: 1, totals: { USD: { sales: 0, refunds: 500, net: -500 } } });

    const account = await system.merchantAccount();
    expect(account.balances.USD).toBe(5500);
    expect(account.deposits.reduce((sum, deposit) => sum + deposit.amount, 0)).toBe(5500);
    expect(await payment(automatic[1]?.body.id)).toMatchObject({ status: 'partially_refunded', refundedAmount: 500 });
  });

  test('when two processing servers take 15 payments of 100.00 on one card at once, then exactly 10 are authorized', async () => {
    // A second processing server: same card vault and card company, its own pool on the same database.
    const second = (await system.secondServer(await stores.open())).app;

    const responses = await Promise.all(Array.from({ length: 15 }, (_unused, index) =>
      request(index % 2 === 0 ? system.processing.app : second).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', freshKey()).send(paymentBody({ amount: 10_000 }))));

    expect(responses.filter((response) => response.status === 201)).toHaveLength(10);
    const declined = responses.filter((response) => response.status === 402);
    expect(declined).toHaveLength(5);
    for (const response of declined) expect(response.body.decline.code).toBe('limit_exceeded');
  });

  test('when both servers trigger settlement at once, then one run settles everything and the other makes none', async () => {
    const other = await stores.open();
    for (let index = 0; index < 3; index += 1) await system.pay({ amount: 100 * (index + 1) });
    const results = await Promise.all([settle(system.processing.deps), settle({ ...system.processing.deps, store: other })]);

    // The other is refused the lease while the run holds it (or, if it came only after the run, finds nothing left).
    expect(results.filter((result) => result.kind === 'completed')).toHaveLength(1);
    expect(results.filter((result) => result.kind === 'busy' || result.kind === 'nothing_ready')).toHaveLength(1);
    expect((await other.settlements.list({ limit: 10 })).data).toHaveLength(1);
    expect((await system.merchantAccount()).balances.USD).toBe(600);
  });
});
