/**
 * Every lifecycle path writes exactly its events, in order, on SQLite and on PostgreSQL alike: one
 * row per path below. Each row drives the processing API (and its jobs) as a client and the
 * providers would, then reads GET /v1/payments/:id/events. A new kind of change is one more row.
 */
import request from 'supertest';
import type { EventType } from '../../shared/contracts/events.ts';
import { JOB_CAUSES } from '../../processing-server/src/domain/events.ts';
import { startRecoveryWorker } from '../../processing-server/src/jobs/recovery-worker.ts';
import { THREE_DS_CARDS } from '../helpers/fake-network.ts';
import { AUTH_HEADER as NETWORK_AUTH } from '../helpers/network-sim.ts';
import { AUTH_HEADER, createProcessingHarness, freshKey, paymentBody, type ProcessingHarness } from '../helpers/processing.ts';
import { createSettlementSystem, type SettlementSystem } from '../helpers/settlement-system.ts';
import { describeEachStore } from './stores.ts';

jest.setTimeout(30_000);

interface EventView { id: string; type: EventType; paymentId?: string; refundId?: string; cardId?: string; settlementId?: string; cause?: string; data: Record<string, unknown> }

/** The real simulator behind the processing API, for the paths that settle. */
interface SimulatorWorld { kind: 'simulator'; system: SettlementSystem }
/** The in-memory card company, which loses answers on demand, for the paths of recovery. */
interface FakeWorld { kind: 'fake'; harness: ProcessingHarness; later(ms: number): void; recover(): Promise<void> }

interface LifecyclePath<World> {
  path: string;
  /** Drives the path; returns the payment's id. */
  act(world: World): Promise<string>;
  events: EventType[];
  /** What caused the last event, when it is not the request that made the payment. */
  lastCause?: RegExp;
}

const settleNow = (system: SettlementSystem) => system.api().post('/v1/settlements').set(AUTH_HEADER).send();

const SIMULATOR_PATHS: LifecyclePath<SimulatorWorld>[] = [
  { path: 'authorize', events: ['payment.authorized'], act: async ({ system }) => (await system.pay()).body.id },
  { path: 'decline by the card company', events: ['payment.declined'], act: async ({ system }) => (await system.pay({}, { number: '4000000000000002' })).body.id },
  { path: 'decline over the spending limit', events: ['payment.declined'], act: async ({ system }) => (await system.pay({ amount: 100_001 })).body.id },
  {
    path: 'capture', events: ['payment.authorized', 'payment.captured'],
    act: async ({ system }) => {
      const payment = await system.pay({ captureMethod: 'manual' });
      await system.api().post(`/v1/payments/${payment.body.id}/capture`).set(AUTH_HEADER).send({ amount: 600 }).expect(200);
      return payment.body.id;
    },
  },
  {
    path: 'void', events: ['payment.authorized', 'payment.voided'],
    act: async ({ system }) => {
      const payment = await system.pay();
      await system.api().post(`/v1/payments/${payment.body.id}/void`).set(AUTH_HEADER).send().expect(200);
      return payment.body.id;
    },
  },
  {
    path: 'expiry', events: ['payment.authorized', 'payment.expired'], lastCause: /^request:/,
    act: async ({ system }) => {
      const payment = await system.pay({ captureMethod: 'manual' });
      system.clock.advanceHours(169);
      await settleNow(system).expect(200);
      return payment.body.id;
    },
  },
  {
    path: 'settle', events: ['payment.authorized', 'payment.settled'],
    act: async ({ system }) => {
      const payment = await system.pay();
      await settleNow(system).expect(201);
      return payment.body.id;
    },
  },
  {
    path: 'settlement rejected', events: ['payment.authorized', 'payment.settlement_rejected'],
    act: async ({ system }) => {
      const payment = await system.pay();
      // Released at the card company behind our back: the run's item for it is rejected.
      const hold = await request(system.sim.app).get(`/v1/authorizations?merchantReference=${payment.body.id}`).set(NETWORK_AUTH);
      await request(system.sim.app).post(`/v1/authorizations/${hold.body.authorizationId}/reversal`).set(NETWORK_AUTH).send({}).expect(200);
      await settleNow(system).expect(201);
      return payment.body.id;
    },
  },
  {
    path: 'refund, credited by the next run', events: ['payment.authorized', 'payment.settled', 'refund.created', 'payment.refunded', 'refund.settled'],
    act: async ({ system }) => {
      const payment = await system.pay({ amount: 5000 });
      await settleNow(system).expect(201);
      await system.api().post(`/v1/payments/${payment.body.id}/refunds`).set(AUTH_HEADER).set('Idempotency-Key', freshKey()).send({ amount: 2000 }).expect(201);
      await settleNow(system).expect(201);
      return payment.body.id;
    },
  },
  {
    path: 'points, authorized and settled', events: ['payment.authorized', 'payment.settled'],
    act: async ({ system }) => {
      const payment = await system.payPoints({ amount: 2500 });
      await settleNow(system).expect(201);
      return payment.body.id;
    },
  },
];

const pay = (harness: ProcessingHarness, overrides: Record<string, unknown> = {}, card: Record<string, unknown> = {}) =>
  request(harness.app).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', freshKey()).send(paymentBody(overrides, card));
const payWithChallenge = (harness: ProcessingHarness) => pay(harness, { returnUrl: 'https://shop.example/return' }, { number: THREE_DS_CARDS.challenge }).expect(202);
const confirm = (harness: ProcessingHarness, id: string) => request(harness.app).post(`/v1/payments/${id}/confirm`).set(AUTH_HEADER).send();
const adjust = (harness: ProcessingHarness, id: string, amount: number) =>
  request(harness.app).post(`/v1/payments/${id}/adjust`).set(AUTH_HEADER).set('Idempotency-Key', freshKey()).send({ amount });
/** The shopper's answer on the issuer's page for the payment's authentication. */
function decideChallenge(harness: ProcessingHarness, paymentId: string, status: 'authenticated' | 'failed'): void {
  const authentication = [...harness.network.authentications.values()].find((candidate) => candidate.merchantReference === paymentId);
  if (!authentication) throw new Error(`no authentication for ${paymentId}`);
  harness.network.decideChallenge(authentication.authenticationId, status);
}

const FAKE_PATHS: LifecyclePath<FakeWorld>[] = [
  {
    path: 'the card company unreachable: failed, not charged', events: ['payment.failed'],
    act: async ({ harness }) => {
      harness.network.mode = 'down';
      return (await pay(harness).expect(503)).body.payment.id;
    },
  },
  {
    path: 'recovery of a pending payment the card company approved', events: ['payment.authorized'], lastCause: /^job:recovery$/,
    act: async (world) => {
      world.harness.network.mode = 'lose_everything';
      const pending = await pay(world.harness).expect(504);
      world.harness.network.mode = 'up';
      world.later(31_000);
      await world.recover();
      return pending.body.payment.id;
    },
  },
  {
    path: 'recovery of a pending payment unknown to the card company', events: ['payment.failed'], lastCause: /^job:recovery$/,
    act: async (world) => {
      world.harness.network.mode = 'lose_everything';
      const pending = await pay(world.harness).expect(504);
      world.harness.network.holds.delete(pending.body.payment.id);
      world.harness.network.mode = 'up';
      world.later(31_000);
      await world.recover();
      return pending.body.payment.id;
    },
  },
  {
    path: 'timeout reversal of a hold that landed after the payment failed', events: ['payment.failed', 'payment.voided'], lastCause: /^job:recovery$/,
    act: async (world) => {
      world.harness.network.mode = 'lose_everything';
      const pending = await pay(world.harness).expect(504);
      const { id } = pending.body.payment as { id: string };
      const hold = world.harness.network.holds.get(id);
      world.harness.network.holds.delete(id);
      world.harness.network.mode = 'up';
      world.later(31_000);
      await world.recover();
      if (!hold) throw new Error('the card company recorded the authorization');
      world.harness.network.holds.set(id, hold);
      world.later(62_000);
      await world.recover();
      return id;
    },
  },
  {
    path: '3-D Secure: challenged, then confirmed', events: ['payment.requires_action', 'payment.authorized'],
    act: async ({ harness }) => {
      const waiting = await payWithChallenge(harness);
      decideChallenge(harness, waiting.body.id, 'authenticated');
      await confirm(harness, waiting.body.id).expect(201);
      return waiting.body.id;
    },
  },
  {
    path: '3-D Secure: challenged, the shopper failed it', events: ['payment.requires_action', 'payment.declined'],
    act: async ({ harness }) => {
      const waiting = await payWithChallenge(harness);
      decideChallenge(harness, waiting.body.id, 'failed');
      await confirm(harness, waiting.body.id).expect(402);
      return waiting.body.id;
    },
  },
  {
    path: '3-D Secure: abandoned at the issuer\'s page', events: ['payment.requires_action', 'payment.failed'], lastCause: /^job:recovery$/,
    act: async (world) => {
      const waiting = await payWithChallenge(world.harness);
      world.later(16 * 60_000);
      await world.recover();
      return waiting.body.id;
    },
  },
  {
    path: 'amount decreased', events: ['payment.authorized', 'payment.amount_changed'],
    act: async ({ harness }) => {
      const paid = await pay(harness).expect(201);
      await adjust(harness, paid.body.id, 400).expect(200);
      return paid.body.id;
    },
  },
  {
    path: 'amount increased', events: ['payment.authorized', 'payment.amount_changed'],
    act: async ({ harness }) => {
      const paid = await pay(harness).expect(201);
      await adjust(harness, paid.body.id, 1800).expect(200);
      return paid.body.id;
    },
  },
  {
    path: 'amount increase declined: no change, no event', events: ['payment.authorized'],
    act: async ({ harness }) => {
      const paid = await pay(harness).expect(201);
      harness.network.declineIncreases = true;
      await adjust(harness, paid.body.id, 1800).expect(402);
      return paid.body.id;
    },
  },
  {
    path: 'amount increase whose answer was lost, approved by the recovery worker', events: ['payment.authorized', 'payment.amount_changed'], lastCause: /^job:recovery$/,
    act: async (world) => {
      const paid = await pay(world.harness).expect(201);
      world.harness.network.mode = 'lose_everything';
      await adjust(world.harness, paid.body.id, 1800);
      world.harness.network.mode = 'up';
      world.later(31_000);
      await world.recover();
      return paid.body.id;
    },
  },
];

const CARD = { number: '4242 4242 4242 4242', expMonth: 12, expYear: new Date().getUTCFullYear() + 2, cvv: '123', holderName: 'Ada Lovelace' };
const saveCard = (harness: ProcessingHarness, card: Record<string, unknown> = {}, customerId = 'cus_ada') =>
  request(harness.app).post('/v1/cards').set(AUTH_HEADER).set('Idempotency-Key', freshKey()).send({ card: { ...CARD, ...card }, customerId });

/** A saved card's path: returns the ids of the cards it made (or tried to make), whose events are read. */
interface CardPath {
  path: string;
  act(harness: ProcessingHarness): Promise<string[]>;
  events: EventType[];
}

const CARD_PATHS: CardPath[] = [
  { path: 'saved', events: ['card.saved'], act: async (harness) => [(await saveCard(harness).expect(201)).body.id] },
  {
    path: 'saved, then deleted', events: ['card.saved', 'card.deleted'],
    act: async (harness) => {
      const saved = await saveCard(harness).expect(201);
      await request(harness.app).delete(`/v1/cards/${saved.body.id}`).set(AUTH_HEADER).expect(204);
      return [saved.body.id];
    },
  },
  {
    path: 'saved again by the same customer: the card kept already, no second event', events: ['card.saved'],
    act: async (harness) => {
      const first = await saveCard(harness).expect(201);
      const second = await saveCard(harness, { cvv: '456' }).expect(201);
      expect(second.body.id).toBe(first.body.id);
      return [first.body.id];
    },
  },
  { path: 'declined at verification: nothing saved, no event', events: [], act: async (harness) => [(await saveCard(harness, { number: '4000000000000002' }).expect(402)).body.cardId ?? 'none'] },
  {
    path: 'a saved card pays: the payment\'s events only', events: ['card.saved'],
    act: async (harness) => {
      const saved = await saveCard(harness).expect(201);
      await request(harness.app).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', freshKey())
        .send({ amount: 1000, currency: 'USD', cardId: saved.body.id, customerId: 'cus_ada' }).expect(201);
      return [saved.body.id];
    },
  },
];

describeEachStore('the events of each lifecycle path', (current) => {
  let simulator: SettlementSystem | null = null;
  let fake: ProcessingHarness | null = null;

  afterEach(async () => {
    await simulator?.close();
    await fake?.close();
    simulator = null;
    fake = null;
  });

  async function eventsOf(app: Parameters<typeof request>[0], paymentId: string): Promise<EventView[]> {
    return (await request(app).get(`/v1/payments/${paymentId}/events`).set(AUTH_HEADER).expect(200)).body.data as EventView[];
  }

  /** What every path's events must be beyond their types: about the payment, each caused, the last one its current state. */
  async function expectTrail(app: Parameters<typeof request>[0], paymentId: string, expected: LifecyclePath<unknown>): Promise<EventView[]> {
    const events = await eventsOf(app, paymentId);
    expect(events.map((event) => event.type)).toEqual(expected.events);
    for (const event of events) {
      expect(event).toMatchObject({ paymentId, id: expect.stringMatching(/^evt_[0-9a-f]{32}$/), cause: expect.stringMatching(/^(request|job):./) });
    }
    const payment = (await request(app).get(`/v1/payments/${paymentId}`).set(AUTH_HEADER).expect(200)).body as Record<string, unknown>;
    const lastOfPayment = events.filter((event) => event.type.startsWith('payment.')).at(-1);
    expect(lastOfPayment?.data).toEqual(payment);
    if (expected.lastCause) expect(events.at(-1)?.cause).toMatch(expected.lastCause);
    const newestFirst = (await request(app).get(`/v1/events?paymentId=${paymentId}&limit=100`).set(AUTH_HEADER).expect(200)).body;
    expect(newestFirst).toEqual({ data: [...events].reverse(), hasMore: false });
    return events;
  }

  test.each(SIMULATOR_PATHS.map((path) => [path.path, path] as const))('when a payment goes through "%s", then exactly its events are written, in order', async (_name, path) => {
    simulator = await createSettlementSystem({ store: current().store });

    const paymentId = await path.act({ kind: 'simulator', system: simulator });

    await expectTrail(simulator.processing.app, paymentId, path);
  });

  test.each(FAKE_PATHS.map((path) => [path.path, path] as const))('when a payment goes through "%s", then exactly its events are written, in order', async (_name, path) => {
    const start = new Date('2026-05-01T10:00:00.000Z');
    let now = start;
    const harness = await createProcessingHarness({ store: current().store, clock: () => now });
    fake = harness;
    const world: FakeWorld = {
      kind: 'fake', harness,
      later: (ms) => { now = new Date(start.getTime() + ms); },
      recover: async () => {
        const worker = startRecoveryWorker({ deps: harness.deps, intervalMs: 3_600_000, logger: harness.logs.logger });
        await worker.runOnce();
        await worker.stop();
      },
    };

    const paymentId = await path.act(world);

    const events = await expectTrail(harness.app, paymentId, path);
    if (path.events.at(-1) === 'payment.voided') expect(events.at(-1)?.data).toMatchObject({ status: 'voided', reason: 'timeout_reversal' });
  });

  test.each(CARD_PATHS.map((path) => [path.path, path] as const))('when a card is "%s", then exactly its events are written, in order, with the card and never its number', async (_name, path) => {
    const harness = await createProcessingHarness({ store: current().store, vaultStore: await current().openVault() });
    fake = harness;

    const cardIds = await path.act(harness);

    const all = (await request(harness.app).get('/v1/events?limit=100').set(AUTH_HEADER).expect(200)).body.data as EventView[];
    const ofCards = all.filter((event) => event.type.startsWith('card.')).reverse();
    expect(ofCards.map((event) => event.type)).toEqual(path.events);
    for (const event of ofCards) {
      expect(event).toMatchObject({ cardId: cardIds[0], id: expect.stringMatching(/^evt_[0-9a-f]{32}$/), cause: expect.stringMatching(/^request:./) });
      expect(event.data).toEqual({
        id: cardIds[0], brand: 'visa', last4: '4242', expMonth: 12, expYear: CARD.expYear, holderName: 'Ada Lovelace', customerId: 'cus_ada',
        createdAt: expect.any(String),
      });
      expect(JSON.stringify(event)).not.toContain('4242424242424242');
    }
    for (const type of new Set(path.events)) {
      expect((await request(harness.app).get(`/v1/events?type=${type}`).set(AUTH_HEADER).expect(200)).body.data).toHaveLength(path.events.filter((candidate) => candidate === type).length);
    }
  });

  test('when a run settles, then it writes settlement.completed with the run, after the events of its payments, caused by the request that started it', async () => {
    simulator = await createSettlementSystem({ store: current().store });
    const payment = await simulator.pay();

    const run = await settleNow(simulator).set('X-Request-Id', 'settle-request-1').expect(201);

    const completed = (await simulator.api().get('/v1/events?type=settlement.completed').set(AUTH_HEADER).expect(200)).body;
    expect(completed).toEqual({
      data: [expect.objectContaining({ type: 'settlement.completed', settlementId: run.body.id, cause: 'request:settle-request-1', data: run.body })], hasMore: false,
    });
    const all = (await simulator.api().get('/v1/events').set(AUTH_HEADER).expect(200)).body.data as EventView[];
    expect(all.map((event) => [event.type, event.paymentId ?? event.settlementId])).toEqual([
      ['settlement.completed', run.body.id], ['payment.settled', payment.body.id], ['payment.authorized', payment.body.id],
    ]);
    expect(all[1]).toMatchObject({ settlementId: run.body.id, cause: 'request:settle-request-1' });
  });

  test('when the recovery worker resumes a run, then the run\'s events are the recovery job\'s', async () => {
    simulator = await createSettlementSystem({ store: current().store });
    const payment = await simulator.pay();
    const { store } = current();
    const run = await store.settlements.createRun({
      runId: 'set_resumed', startedAt: simulator.clock.now().toISOString(), batchSizeMax: 5000, notBefore: '2000-01-01T00:00:00.000Z',
      ready: { automatic: 'authorized', manual: 'captured' },
    });
    expect(run?.itemCount).toBe(1);

    const worker = startRecoveryWorker({ deps: simulator.processing.deps, intervalMs: 3_600_000, logger: simulator.processing.logs.logger });
    await worker.runOnce();
    await worker.stop();

    const events = (await simulator.api().get(`/v1/payments/${payment.body.id}/events`).set(AUTH_HEADER).expect(200)).body.data as EventView[];
    expect(events.map((event) => [event.type, event.cause])).toEqual([['payment.authorized', expect.stringMatching(/^request:/)], ['payment.settled', JOB_CAUSES.recovery]]);
    const completed = (await simulator.api().get('/v1/events?type=settlement.completed').set(AUTH_HEADER).expect(200)).body.data as EventView[];
    expect(completed).toEqual([expect.objectContaining({ settlementId: 'set_resumed', cause: JOB_CAUSES.recovery })]);
  });
});
