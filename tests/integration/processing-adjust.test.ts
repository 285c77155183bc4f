/**
 * POST /v1/payments/:id/adjust through the processing API with in-memory providers: the
 * request's checks, idempotency, points payments, refusals by status, a provider that cannot be
 * reached, and an increase approved while a settlement run took its payment.
 */
import request from 'supertest';
import { recoverAdjustments } from '../../processing-server/src/domain/adjustment-recovery.ts';
import { SETTLEMENT_READINESS } from '../../processing-server/src/domain/settlement-outcomes.ts';
import { paymentSchema } from '../../shared/contracts/processing.ts';
import { AUTH_HEADER, createProcessingHarness, freshKey, paymentBody, pointsPaymentBody, type ProcessingHarness } from '../helpers/processing.ts';
import { until } from '../helpers/until.ts';

describe('processing server: changing an authorized amount', () => {
  let harness: ProcessingHarness;
  const start = new Date('2026-05-01T10:00:00.000Z');

  beforeEach(async () => {
    harness = await createProcessingHarness({ now: start, env: { RECOVERY_GRACE_MS: '10000' } });
  });

  afterEach(async () => {
    await harness.close();
  });

  const pay = async (body: Record<string, unknown> = paymentBody()) =>
    (await request(harness.app).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', freshKey()).send(body)).body;
  const adjust = (id: string, body: unknown, key: string | null = freshKey()) => {
    const call = request(harness.app).post(`/v1/payments/${id}/adjust`).set(AUTH_HEADER);
    return (key === null ? call : call.set('Idempotency-Key', key)).send(body as object);
  };

  test('when the body or the key is not right, then 400 naming the field, and nothing is asked', async () => {
    const paid = await pay();

    const answers = await Promise.all([
      adjust(paid.id, { amount: 0 }), adjust(paid.id, { amount: 10.5 }), adjust(paid.id, {}), adjust(paid.id, { amount: 2000 }, null),
    ]);

    expect(answers.map((answer) => [answer.status, answer.body.code, answer.body.errors?.[0]?.field])).toEqual([
      [400, 'validation_failed', 'amount'], [400, 'validation_failed', 'amount'], [400, 'validation_failed', 'amount'],
      [400, 'idempotency_key_required', 'Idempotency-Key'],
    ]);
    expect(harness.network.adjustCalls).toEqual([]);
  });

  test('when the payment does not exist, then 404 not_found', async () => {
    const answer = await adjust('pay_does_not_exist', { amount: 2000 });

    expect(answer.status).toBe(404);
    expect(answer.body.code).toBe('not_found');
  });

  test('when an increase is approved, then the provider is asked for the new total by the adjustment\'s reference, and the payment reads it', async () => {
    const paid = await pay();

    const adjusted = await adjust(paid.id, { amount: 1800 });

    expect(adjusted.status).toBe(200);
    expect(paymentSchema.parse(adjusted.body)).toMatchObject({ id: paid.id, amount: 1800, status: 'authorized' });
    expect(harness.network.adjustCalls).toEqual([{ authorizationId: expect.stringMatching(/^auth_/), amountMinor: 1800, reference: expect.stringMatching(/^adj_[0-9a-f]{32}$/) }]);
    expect((await request(harness.app).get(`/v1/payments/${paid.id}`).set(AUTH_HEADER)).body).toMatchObject({ amount: 1800, updatedAt: start.toISOString() });
  });

  test('when the provider declines an increase, then 402 with the decline and the old amount, and a repeat replays it without asking again', async () => {
    const paid = await pay();
    harness.network.declineIncreases = true;
    const key = freshKey();

    const declined = await adjust(paid.id, { amount: 5000 }, key);
    const repeated = await adjust(paid.id, { amount: 5000 }, key);

    expect(declined.status).toBe(402);
    expect(declined.body).toMatchObject({ amount: 1000, status: 'authorized', decline: { code: 'insufficient_funds' } });
    expect(repeated.status).toBe(402);
    expect(repeated.body).toEqual(declined.body);
    expect(harness.network.adjustCalls).toHaveLength(1);
  });

  test('when a points payment changes its amount, then the points provider holds the new number of points', async () => {
    const paid = await pay(pointsPaymentBody());

    const adjusted = await adjust(paid.id, { amount: 3000 });

    expect(adjusted.body).toMatchObject({ paymentMethod: 'points', amount: 3000 });
    expect(harness.points.holds.get(paid.id)).toMatchObject({ amount: 3000, heldAmount: 3000 });
    expect(harness.network.adjustCalls).toEqual([]);
  });

  test('when the payment is declined, voided or still pending, then 409 invalid_state names its status', async () => {
    const declined = await pay(paymentBody({}, { number: '4000000000000002' }));
    const voided = await pay();
    await request(harness.app).post(`/v1/payments/${voided.id}/void`).set(AUTH_HEADER).send().expect(200);

    const answers = await Promise.all([declined, voided].map((payment) => adjust(payment.id, { amount: 500 })));

    expect(answers.map((answer) => [answer.status, answer.body.code])).toEqual([[409, 'invalid_state'], [409, 'invalid_state']]);
    expect(answers.map((answer) => answer.body.detail)).toEqual([expect.stringContaining('declined'), expect.stringContaining('voided')]);
  });

  test('when the provider cannot be reached for an increase, then 503 adjustment_failed with the old amount, and nothing is left to watch', async () => {
    const paid = await pay();
    harness.network.mode = 'down';

    const failed = await adjust(paid.id, { amount: 5000 });

    expect(failed.status).toBe(503);
    expect(failed.body).toMatchObject({ code: 'adjustment_failed', adjusted: false, payment: { amount: 1000 } });
    expect((await harness.store.adjustments.listOfPayment(paid.id))[0]).toMatchObject({ status: 'failed', resolution: null, reason: 'network_unavailable' });
    harness.network.mode = 'up';
    expect((await adjust(paid.id, { amount: 5000 })).status).toBe(200);
  });

  test('when a settlement run takes the payment while an increase is being asked for, then 409 invalid_state, and the recovery worker sets the hold back', async () => {
    const paid = await pay();
    let open: () => void = () => undefined;
    harness.network.gate = new Promise((resolve) => { open = resolve; });

    const asking = adjust(paid.id, { amount: 4000 }).then((answer) => answer);
    // Until the increase waits at the provider: its writes cross to the SQLite writer thread first.
    await until(() => harness.network.adjustCalls.length > 0, 'the increase is asked of the provider');
    expect(harness.network.adjustCalls).toHaveLength(1);
    harness.network.gate = null;
    await harness.store.settlements.createRun({
      runId: 'set_meanwhile', startedAt: start.toISOString(), batchSizeMax: 10, notBefore: '2000-01-01T00:00:00.000Z', ready: SETTLEMENT_READINESS,
    });
    open();
    const answer = await asking;

    expect(answer.status).toBe(409);
    expect(answer.body.code).toBe('invalid_state');
    expect(await harness.store.payments.get(paid.id)).toMatchObject({ status: 'authorized', amountMinor: 1000, settlementId: 'set_meanwhile' });
    expect((await harness.store.adjustments.listOfPayment(paid.id))[0]).toMatchObject({ status: 'failed', reason: 'payment_changed', resolution: 'reverse' });
    expect(harness.network.holds.get(paid.id)).toMatchObject({ amount: 4000 });

    harness.setNow(new Date(start.getTime() + 11_000));
    expect(await recoverAdjustments(harness.deps, { limit: 10 })).toMatchObject({ resolved: 1 });
    expect(harness.network.holds.get(paid.id)).toMatchObject({ amount: 1000, heldAmount: 1000 });
    expect((await harness.store.adjustments.listOfPayment(paid.id))[0]).toMatchObject({ resolution: null, reason: 'timeout_reversal' });
    expect(await recoverAdjustments(harness.deps, { limit: 10 })).toMatchObject({ examined: 0 });
  });
});
