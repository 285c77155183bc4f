/**
 * Expiry releases the hold: when a settlement run expires authorizations older than
 * AUTH_TTL_HOURS, each hold is reversed at the card company at once, or, when the card company
 * cannot be reached, by the recovery worker later. The card company here keeps an authorization
 * longer (336 h) than the merchant does (168 h), so only the reversal can release it.
 */
import request from 'supertest';
import { recoverPayments } from '../../processing-server/src/domain/recover.ts';
import { AUTH_HEADER as NETWORK_AUTH } from '../helpers/network-sim.ts';
import { AUTH_HEADER } from '../helpers/processing.ts';
import { createSettlementSystem, type SettlementSystem } from '../helpers/settlement-system.ts';

describe('expiry releases the hold at the card company', () => {
  let system: SettlementSystem;

  beforeEach(async () => {
    system = await createSettlementSystem({ simEnv: { AUTH_TTL_HOURS: '336' } });
  });

  afterEach(async () => {
    await system.close();
  });

  const networkRecord = async (merchantReference: string) =>
    (await request(system.sim.app).get(`/v1/authorizations?merchantReference=${merchantReference}`).set(NETWORK_AUTH)).body;
  const settleNow = () => system.api().post('/v1/settlements').set(AUTH_HEADER).send();
  const setFaults = (faults: Record<string, unknown>) => request(system.sim.app).post('/admin/faults').set(NETWORK_AUTH).send(faults).expect(200);

  test('when settlement expires an authorization, then its hold is reversed and the card company shows nothing held', async () => {
    const manual = await system.pay({ amount: 2500, captureMethod: 'manual' });
    const automatic = await system.pay({ amount: 1500 }, { number: '5555555555554444' });
    expect((await networkRecord(manual.body.id)).heldAmount).toBe(2500);
    system.clock.advanceHours(169);

    const run = await settleNow();

    expect(run.status).toBe(200);
    for (const payment of [manual, automatic]) {
      expect((await system.api().get(`/v1/payments/${payment.body.id}`).set(AUTH_HEADER)).body.status).toBe('expired');
      expect(await networkRecord(payment.body.id)).toMatchObject({ status: 'reversed', heldAmount: 0 });
      expect((await system.processing.store.payments.get(payment.body.id))?.resolution).toBeNull();
    }
  });

  test('when the card company cannot be reached at expiry, then the payment is marked and the recovery worker releases the hold later', async () => {
    const payment = await system.pay({ amount: 2500, captureMethod: 'manual' });
    system.clock.advanceHours(169);
    await setFaults({ errorRate: 1 });

    const run = await settleNow();

    expect(run.status).toBe(200);
    expect((await system.api().get(`/v1/payments/${payment.body.id}`).set(AUTH_HEADER)).body.status).toBe('expired');
    expect((await system.processing.store.payments.get(payment.body.id))?.resolution).toBe('reverse');
    await setFaults({ errorRate: 0 });
    expect((await networkRecord(payment.body.id)).heldAmount).toBe(2500);

    system.clock.advanceMs(60_000);
    const report = await recoverPayments(system.processing.deps, { limit: 10 });

    expect(report).toMatchObject({ examined: 1, reversed: 1 });
    expect(await networkRecord(payment.body.id)).toMatchObject({ status: 'reversed', heldAmount: 0 });
    expect((await system.processing.store.payments.get(payment.body.id))?.resolution).toBeNull();
    expect((await recoverPayments(system.processing.deps, { limit: 10 })).examined).toBe(0);
  });
});
