import request from 'supertest';
import { recoverPayments } from '../../processing-server/src/domain/recover.ts';
import { AUTH_HEADER, createProcessingHarness, freshKey, paymentBody, type ProcessingHarness } from '../helpers/processing.ts';

describe('recovery worker: payments left pending or with a hold to release', () => {
  let harness: ProcessingHarness;
  const start = new Date('2026-05-01T10:00:00.000Z');

  beforeEach(async () => {
    harness = await createProcessingHarness({ now: start, env: { RECOVERY_GRACE_MS: '10000' } });
  });

  afterEach(async () => {
    await harness.close();
  });

  const pay = (key: string, card: Record<string, unknown> = {}) =>
    request(harness.app).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', key).send(paymentBody({}, card));
  const later = (ms: number) => harness.setNow(new Date(start.getTime() + ms));
  const recover = () => recoverPayments(harness.deps, { limit: 100 });

  test('when a payment was left pending but the card company approved it, then recovery authorizes it and the key replays the final answer', async () => {
    harness.network.mode = 'lose_everything';
    const key = freshKey();
    const first = await pay(key);
    expect(first.status).toBe(504);
    harness.network.mode = 'up';

    later(5_000);
    expect((await recover()).examined).toBe(0);
    later(11_000);
    const report = await recover();

    expect(report).toMatchObject({ examined: 1, authorized: 1 });
    const repeat = await pay(key);
    expect(repeat.status).toBe(201);
    expect(repeat.body).toMatchObject({ id: first.body.payment.id, status: 'authorized' });
    expect(harness.network.authorizeCalls).toHaveLength(1);
  });

  /**
   * A payment left pending, unknown to the card company when recovery asks, so recovery fails it;
   * its authorization is handed back to be put in place later, as a slow request would land.
   */
  async function failedWithLateHold() {
    harness.network.mode = 'lose_everything';
    const first = await pay(freshKey());
    const { id } = first.body.payment as { id: string };
    const hold = harness.network.holds.get(id);
    if (!hold) throw new Error('the card company recorded the authorization');
    harness.network.holds.delete(id);
    harness.network.mode = 'up';
    later(11_000);
    expect(await recover()).toMatchObject({ failed: 1 });
    return { id, land: () => harness.network.holds.set(id, hold) };
  }

  test('when a pending payment is unknown to the card company, then it fails, and a hold that lands later is reversed', async () => {
    const { id, land } = await failedWithLateHold();
    expect((await request(harness.app).get(`/v1/payments/${id}`).set(AUTH_HEADER)).body.status).toBe('failed');

    // The authorization arrives at the card company after all (a slow request).
    land();
    later(25_000);
    expect(await recover()).toMatchObject({ reversed: 1 });
    const after = await request(harness.app).get(`/v1/payments/${id}`).set(AUTH_HEADER);
    expect(after.body).toMatchObject({ status: 'voided', reason: 'timeout_reversal' });
    expect(harness.network.holds.get(id)).toMatchObject({ status: 'reversed', heldAmount: 0 });
    later(40_000);
    expect((await recover()).examined).toBe(0);
  });

  test('when a late hold is found but its reversal cannot be sent yet, then the payment stays failed and a later pass releases it', async () => {
    const { id, land } = await failedWithLateHold();
    land();
    harness.network.reversalFailure = 'card company unreachable';
    later(25_000);
    expect(await recover()).toMatchObject({ unresolved: 1 });
    expect((await request(harness.app).get(`/v1/payments/${id}`).set(AUTH_HEADER)).body.status).toBe('failed');

    harness.network.reversalFailure = null;
    later(40_000);
    expect(await recover()).toMatchObject({ reversed: 1 });
    expect((await request(harness.app).get(`/v1/payments/${id}`).set(AUTH_HEADER)).body).toMatchObject({ status: 'voided', reason: 'timeout_reversal' });
    expect(harness.network.holds.get(id)).toMatchObject({ status: 'reversed', heldAmount: 0 });
  });

  test('when a void could not reach the card company, then the payment is voided at once and recovery releases the hold', async () => {
    const payment = await pay(freshKey());
    harness.network.mode = 'down';
    const voided = await request(harness.app).post(`/v1/payments/${payment.body.id}/void`).set(AUTH_HEADER).send();
    expect(voided.body.status).toBe('voided');
    expect(harness.network.holds.get(payment.body.id)?.heldAmount).toBe(1000);

    harness.network.mode = 'up';
    later(11_000);
    expect(await recover()).toMatchObject({ reversed: 1 });
    expect(harness.network.holds.get(payment.body.id)).toMatchObject({ status: 'reversed' });
  });

  test('when the card company still cannot be asked, then the payment stays pending and is tried again on the next pass', async () => {
    harness.network.mode = 'lose_everything';
    await pay(freshKey());
    later(11_000);
    expect(await recover()).toMatchObject({ examined: 1, unresolved: 1 });
    harness.network.mode = 'up';
    expect(await recover()).toMatchObject({ authorized: 1 });
  });
});
