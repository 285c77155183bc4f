/**
 * Changing an authorized amount (POST /v1/payments/:id/adjust), through the domain, on SQLite and
 * on PostgreSQL alike: increases approved and declined at the real card company, the spending
 * limit counting an increase atomically (also under concurrency), decreases, refusals once the
 * payment is captured or batched, settlement of the adjusted amount, and an adjustment whose
 * answer was lost: decided by the look-up, by the recovery worker, and set back when the merchant
 * was told it failed and it landed later.
 */
import request from 'supertest';
import { recoverAdjustments } from '../../processing-server/src/domain/adjustment-recovery.ts';
import { SETTLEMENT_READINESS } from '../../processing-server/src/domain/settlement-outcomes.ts';
import { AUTH_HEADER as NETWORK_AUTH } from '../helpers/network-sim.ts';
import { AUTH_HEADER, createProcessingHarness, freshKey, paymentBody, type ProcessingHarness } from '../helpers/processing.ts';
import { createSettlementSystem, type SettlementSystem } from '../helpers/settlement-system.ts';
import { describeEachStore } from './stores.ts';

jest.setTimeout(30_000);

/** A Luhn-valid number that is not a test card: an account with the simulator's credit limit. */
const ACCOUNT_CARD = '4111111111111111';

describeEachStore('changing an authorized amount', (current) => {
  let system: SettlementSystem | null = null;
  let harness: ProcessingHarness | null = null;

  afterEach(async () => {
    await system?.close();
    await harness?.close();
    system = null;
    harness = null;
  });

  async function settlementSystem(simEnv: Record<string, string> = {}): Promise<SettlementSystem> {
    system = await createSettlementSystem({ store: current().store, simEnv });
    return system;
  }

  const adjust = (app: ProcessingHarness['app'], id: string, amount: number, key = freshKey()) =>
    request(app).post(`/v1/payments/${id}/adjust`).set(AUTH_HEADER).set('Idempotency-Key', key).send({ amount });
  const holdOf = async (target: SettlementSystem, paymentId: string) =>
    (await request(target.sim.app).get('/v1/authorizations').query({ merchantReference: paymentId }).set(NETWORK_AUTH)).body;
  const paymentOf = async (app: ProcessingHarness['app'], id: string) => (await request(app).get(`/v1/payments/${id}`).set(AUTH_HEADER)).body;

  test('when an increase is approved by the card company, then the payment and the hold have the new total, and a repeat replays it', async () => {
    const target = await settlementSystem();
    const paid = await target.pay({ amount: 1000 });
    const key = freshKey();

    const adjusted = await adjust(target.processing.app, paid.body.id, 1500, key);
    const repeated = await adjust(target.processing.app, paid.body.id, 1500, key);

    expect(adjusted.status).toBe(200);
    expect(adjusted.body).toMatchObject({ id: paid.body.id, status: 'authorized', amount: 1500, decline: null });
    expect(repeated.status).toBe(200);
    expect(repeated.headers['idempotent-replayed']).toBe('true');
    expect(repeated.body).toEqual(adjusted.body);
    expect(await holdOf(target, paid.body.id)).toMatchObject({ amount: 1500, heldAmount: 1500, adjustments: [expect.objectContaining({ amount: 1500, responseCode: '00' })] });
    expect(await target.processing.store.payments.get(paid.body.id)).toMatchObject({ amountMinor: 1500, countedMinor: 1500 });
    expect((await adjust(target.processing.app, paid.body.id, 1700, key)).body).toMatchObject({ status: 409, code: 'idempotency_key_reused' });
  });

  test('when the card company declines an increase, then 402 with its decline, and the payment and the hold keep the old amount', async () => {
    const target = await settlementSystem({ NETWORK_CARD_CREDIT_LIMIT: '100.00' });
    const paid = await target.pay({ amount: 8000 }, { number: ACCOUNT_CARD });

    const declined = await adjust(target.processing.app, paid.body.id, 12_000);

    expect(declined.status).toBe(402);
    expect(declined.body).toMatchObject({ id: paid.body.id, status: 'authorized', amount: 8000, decline: { code: 'insufficient_funds', networkCode: '51' } });
    expect(await paymentOf(target.processing.app, paid.body.id)).toMatchObject({ amount: 8000, decline: null });
    expect(await holdOf(target, paid.body.id)).toMatchObject({ amount: 8000, heldAmount: 8000 });
    // Nothing stays reserved: the card's whole limit is free for what it had before.
    expect((await adjust(target.processing.app, paid.body.id, 10_000)).status).toBe(200);
  });

  test('when an increase would pass the spending limit, then 402 limit_exceeded before the card company is asked; up to the limit it is approved', async () => {
    const target = await settlementSystem();
    const paid = await target.pay({ amount: 90_000 });

    const over = await adjust(target.processing.app, paid.body.id, 100_001);
    const atLimit = await adjust(target.processing.app, paid.body.id, 100_000);
    const another = await target.pay({ amount: 1 });

    expect(over.status).toBe(402);
    expect(over.body).toMatchObject({ amount: 90_000, decline: { code: 'limit_exceeded' } });
    expect(atLimit.body).toMatchObject({ status: 'authorized', amount: 100_000 });
    expect((await holdOf(target, paid.body.id)).adjustments).toEqual([expect.objectContaining({ amount: 100_000 })]);
    expect(another.body).toMatchObject({ status: 'declined', decline: { code: 'limit_exceeded' } });
  });

  test('when ten increases of one card race, then the limit lets exactly as many through as fit, and the card never counts more than its limit', async () => {
    const target = await settlementSystem();
    const payments = [];
    for (let index = 0; index < 10; index += 1) payments.push(await target.pay({ amount: 5000 }));

    const answers = await Promise.all(payments.map((paid) => adjust(target.processing.app, paid.body.id, 15_000)));

    // 10 × 50.00 = 500.00 counted; each increase adds 100.00 against a limit of 1,000.00.
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(5);
    const declined = answers.filter((answer) => answer.status === 402);
    expect(declined).toHaveLength(5);
    for (const answer of declined) expect(answer.body.decline.code).toBe('limit_exceeded');
    const stored = await Promise.all(payments.map((paid) => target.processing.store.payments.get(paid.body.id)));
    expect(stored.reduce((sum, payment) => sum + (payment?.countedMinor ?? 0), 0)).toBe(100_000);
  });

  test('when the amount is lowered, then the ledger and the hold change at once, and what is freed counts no more', async () => {
    const target = await settlementSystem();
    const paid = await target.pay({ amount: 100_000 });

    const lowered = await adjust(target.processing.app, paid.body.id, 40_000);
    const next = await target.pay({ amount: 60_000 });

    expect(lowered.status).toBe(200);
    expect(lowered.body).toMatchObject({ status: 'authorized', amount: 40_000 });
    expect(await holdOf(target, paid.body.id)).toMatchObject({ amount: 40_000, heldAmount: 40_000 });
    expect(next.status).toBe(201);
    expect((await target.processing.store.adjustments.listOfPayment(paid.body.id))[0]).toMatchObject({ status: 'approved', resolution: null, fromMinor: 100_000, toMinor: 40_000 });
  });

  test('when the payment is captured, settled, or taken by a settlement run, then its amount is refused 409 invalid_state and nothing is asked', async () => {
    const target = await settlementSystem();
    const manual = await target.pay({ amount: 1000, captureMethod: 'manual' });
    await target.api().post(`/v1/payments/${manual.body.id}/capture`).set(AUTH_HEADER).send({}).expect(200);
    const settled = await target.pay({ amount: 2000 });
    await target.api().post('/v1/settlements').set(AUTH_HEADER).send().expect(201);
    const taken = await target.pay({ amount: 3000 });
    await target.processing.store.settlements.createRun({
      runId: 'set_taken', startedAt: target.clock.now().toISOString(), batchSizeMax: 10, notBefore: '2000-01-01T00:00:00.000Z', ready: SETTLEMENT_READINESS,
    });

    const answers = await Promise.all([manual, settled, taken].map((paid) => adjust(target.processing.app, paid.body.id, 5000)));

    expect(answers.map((answer) => [answer.status, answer.body.code])).toEqual([[409, 'invalid_state'], [409, 'invalid_state'], [409, 'invalid_state']]);
    expect(answers[2]?.body.detail).toContain('settlement batch');
    for (const paid of [manual, settled, taken]) expect((await holdOf(target, paid.body.id)).adjustments).toEqual([]);
  });

  test('when adjusted payments are settled, then the run settles the adjusted amounts and the deposits equal them', async () => {
    const target = await settlementSystem();
    const raised = await target.pay({ amount: 1000 });
    const lowered = await target.pay({ amount: 2000 });
    await adjust(target.processing.app, raised.body.id, 1500).expect(200);
    await adjust(target.processing.app, lowered.body.id, 1250).expect(200);

    const run = await target.api().post('/v1/settlements').set(AUTH_HEADER).send();

    expect(run.body).toMatchObject({ status: 'completed', settledCount: 2, rejectedCount: 0, totals: { USD: { sales: 2750, net: 2750 } } });
    expect(await paymentOf(target.processing.app, raised.body.id)).toMatchObject({ status: 'settled', amount: 1500, capturedAmount: 1500 });
    expect(await paymentOf(target.processing.app, lowered.body.id)).toMatchObject({ status: 'settled', amount: 1250, capturedAmount: 1250 });
    expect((await target.merchantAccount()).balances.USD).toBe(2750);
    const reconciliation = await target.api().get(`/v1/settlements/${run.body.id}/reconciliation`).set(AUTH_HEADER);
    expect(reconciliation.body).toMatchObject({ matched: 2, amountMismatches: [], missingAtNetwork: [], missingInLedger: [] });
  });

  test('when the answer to an increase is lost at the card company, then the look-up finds the approval and the merchant is told so', async () => {
    const target = await settlementSystem();
    const paid = await target.pay({ amount: 1000 });
    await request(target.sim.app).post('/admin/faults').set(NETWORK_AUTH).send({ lostAnswerRate: 1 }).expect(200);

    const adjusted = await adjust(target.processing.app, paid.body.id, 2500);

    expect(adjusted.status).toBe(200);
    expect(adjusted.body).toMatchObject({ amount: 2500 });
    expect(await holdOf(target, paid.body.id)).toMatchObject({ amount: 2500, heldAmount: 2500 });
    expect(target.processing.logs.text().includes('no answer to an increase')).toBe(true);
  });

  describe('with a card company that can be told to lose answers', () => {
    async function fakeHarness(start: Date): Promise<{ target: ProcessingHarness; setNow(date: Date): void }> {
      let now = start;
      harness = await createProcessingHarness({ store: current().store, clock: () => now, env: { RECOVERY_GRACE_MS: '10000' } });
      return { target: harness, setNow: (date) => { now = date; } };
    }
    const pay = async (target: ProcessingHarness, amount: number) =>
      (await request(target.app).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', freshKey()).send(paymentBody({ amount }))).body;

    test('when an increase and its look-up both go unanswered, then 504, the increase stays reserved, and the recovery worker settles it from the record', async () => {
      const start = new Date('2026-03-01T12:00:00.000Z');
      const { target, setNow } = await fakeHarness(start);
      const paid = await pay(target, 1000);
      const key = freshKey();
      target.network.mode = 'lose_everything';

      const unknown = await adjust(target.app, paid.id, 91_000, key);
      const inFlight = await adjust(target.app, paid.id, 91_000, key);
      const squeezed = await request(target.app).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', freshKey())
        .send(paymentBody({ amount: 10_000 }));

      expect(unknown.status).toBe(504);
      expect(unknown.body).toMatchObject({ code: 'adjustment_pending', payment: { amount: 1000 } });
      expect(inFlight.body).toMatchObject({ status: 409, code: 'idempotency_key_in_flight' });
      // 10.00 authorized + 900.00 asked for: another 100.00 does not fit the 1,000.00 limit meanwhile.
      expect(squeezed.body).toMatchObject({ status: 'declined', decline: { code: 'limit_exceeded' } });

      target.network.mode = 'up';
      setNow(new Date(start.getTime() + 5_000));
      expect(await recoverAdjustments(target.deps, { limit: 10 })).toMatchObject({ examined: 0 });
      setNow(new Date(start.getTime() + 11_000));
      expect(await recoverAdjustments(target.deps, { limit: 10 })).toMatchObject({ examined: 1, resolved: 1 });

      const replayed = await adjust(target.app, paid.id, 91_000, key);
      expect(replayed.status).toBe(200);
      expect(replayed.body).toMatchObject({ amount: 91_000 });
      expect(await target.store.payments.get(paid.id)).toMatchObject({ amountMinor: 91_000, countedMinor: 91_000 });
    });

    test('when an increase the merchant was told failed lands later, then the recovery worker sets the hold back to the old amount', async () => {
      const start = new Date('2026-03-01T12:00:00.000Z');
      const { target, setNow } = await fakeHarness(start);
      const paid = await pay(target, 1000);
      target.network.holdAdjustmentsBack = true;

      const failed = await adjust(target.app, paid.id, 3000);
      const meanwhile = await adjust(target.app, paid.id, 2000);

      expect(failed.status).toBe(503);
      expect(failed.body).toMatchObject({ code: 'adjustment_failed', adjusted: false, payment: { amount: 1000 } });
      expect(meanwhile.body).toMatchObject({ status: 409, code: 'adjustment_in_progress' });

      target.network.holdAdjustmentsBack = false;
      target.network.landHeldAdjustments();
      expect(target.network.holds.get(paid.id)).toMatchObject({ amount: 3000 });
      setNow(new Date(start.getTime() + 11_000));
      expect(await recoverAdjustments(target.deps, { limit: 10 })).toMatchObject({ resolved: 1 });

      expect(target.network.holds.get(paid.id)).toMatchObject({ amount: 1000, heldAmount: 1000 });
      expect(target.network.adjustCalls.at(-1)).toMatchObject({ amountMinor: 1000, reference: expect.stringMatching(/\.back$/) });
      const [adjustment] = await target.store.adjustments.listOfPayment(paid.id);
      expect(adjustment).toMatchObject({ status: 'failed', resolution: null, reason: 'timeout_reversal' });
      expect(await target.store.payments.get(paid.id)).toMatchObject({ amountMinor: 1000 });
      expect((await adjust(target.app, paid.id, 2000)).status).toBe(200);
    });

    test('when an increase the merchant was told failed never lands, then the watch ends after ten minutes and nothing is sent', async () => {
      const start = new Date('2026-03-01T12:00:00.000Z');
      const { target, setNow } = await fakeHarness(start);
      const paid = await pay(target, 1000);
      target.network.holdAdjustmentsBack = true;
      await adjust(target.app, paid.id, 3000).expect(503);
      target.network.holdAdjustmentsBack = false;
      target.network.heldBackAdjustments.length = 0;

      setNow(new Date(start.getTime() + 60_000));
      expect(await recoverAdjustments(target.deps, { limit: 10 })).toMatchObject({ examined: 1, unresolved: 1 });
      setNow(new Date(start.getTime() + 11 * 60_000));
      expect(await recoverAdjustments(target.deps, { limit: 10 })).toMatchObject({ examined: 1, resolved: 1 });

      expect(target.network.adjustCalls).toHaveLength(1);
      expect((await target.store.adjustments.listOfPayment(paid.id))[0]).toMatchObject({ status: 'failed', resolution: null, reason: 'network_unavailable' });
    });

    test('when a decrease cannot be sent, then the merchant still gets the lower amount, and the recovery worker sends it once', async () => {
      const start = new Date('2026-03-01T12:00:00.000Z');
      const { target, setNow } = await fakeHarness(start);
      const paid = await pay(target, 5000);
      target.network.mode = 'down';

      const lowered = await adjust(target.app, paid.id, 2000);

      expect(lowered.status).toBe(200);
      expect(lowered.body).toMatchObject({ amount: 2000 });
      expect(target.network.holds.get(paid.id)).toMatchObject({ amount: 5000 });
      expect((await target.store.adjustments.listOfPayment(paid.id))[0]).toMatchObject({ status: 'approved', resolution: 'send' });

      target.network.mode = 'up';
      setNow(new Date(start.getTime() + 11_000));
      expect(await recoverAdjustments(target.deps, { limit: 10 })).toMatchObject({ resolved: 1 });
      expect(await recoverAdjustments(target.deps, { limit: 10 })).toMatchObject({ examined: 0 });

      expect(target.network.holds.get(paid.id)).toMatchObject({ amount: 2000, heldAmount: 2000 });
      expect((await target.store.adjustments.listOfPayment(paid.id))[0]).toMatchObject({ resolution: null });
    });
  });
});
