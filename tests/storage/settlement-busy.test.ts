/**
 * POST /v1/settlements while another instance (or `npm run settle`) holds the settlement lease,
 * with two store instances on one database (SQLite and PostgreSQL): the answer names the running
 * run even when the holder has not recorded it yet, and a lease given back with nothing run lets
 * this trigger settle after all.
 */
import request from 'supertest';
import { SETTLEMENT_LEASE } from '../../processing-server/src/domain/settle.ts';
import type { Store } from '../../processing-server/src/domain/ports/store.ts';
import { AUTH_HEADER, createProcessingHarness, type ProcessingHarness } from '../helpers/processing.ts';
import { authorizedPayment, createRun } from './builders.ts';
import { describeEachStore } from './stores.ts';

// Each test opens a fresh database and, on PostgreSQL, several pools; parallel test files share two CPUs.
jest.setTimeout(20_000);

const OTHER_OWNER = 'another-instance';

function takeLease(store: Store): Promise<boolean> {
  const now = new Date();
  return store.leases.acquire({
    name: SETTLEMENT_LEASE, owner: OTHER_OWNER, now: now.toISOString(), expiresAt: new Date(now.getTime() + 60_000).toISOString(),
  });
}

describeEachStore('POST /v1/settlements while another instance holds the lease', (current) => {
  let harness: ProcessingHarness;
  let other: Store;

  beforeEach(async () => {
    harness = await createProcessingHarness({ store: current().store, settlementBusyWaitMs: 1_500 });
    other = await current().openAnother();
  });

  afterEach(async () => {
    await harness.close();
  });

  /** Sends the request now (a supertest request leaves only once it is awaited or then'd). */
  const trigger = () => request(harness.app).post('/v1/settlements').set(AUTH_HEADER).send().then((response) => response);

  test('when the other instance records its run a moment after taking the lease, then 409 settlement_running names that run under run', async () => {
    await authorizedPayment(other, { createdAt: new Date(Date.now() - 60_000).toISOString() });
    expect(await takeLease(other)).toBe(true);
    const answer = trigger();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const run = await createRun(other, 'set_other_instance', { startedAt: new Date().toISOString(), notBefore: new Date(0).toISOString() });
    expect(run).not.toBeNull();

    const response = await answer;

    expect(response.status).toBe(409);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 409, code: 'settlement_running', run: { id: 'set_other_instance', status: 'running', itemCount: 1 } });
    // The run is under `run` only: its fields do not overwrite the problem's.
    expect(response.body).not.toHaveProperty('id');
    expect(response.body).not.toHaveProperty('itemCount');
    expect(response.body).not.toHaveProperty('batchIds');
  });

  test('when the other instance gives the lease back with nothing run, then this trigger settles after all', async () => {
    expect(await takeLease(other)).toBe(true);
    const answer = trigger();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await other.leases.release(SETTLEMENT_LEASE, OTHER_OWNER);

    const response = await answer;

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ itemCount: 0 });
    expect((await harness.store.settlements.list({ limit: 5 })).data).toEqual([]);
  });

  test('when the other instance holds the lease and records no run within the wait, then 503 settlement_busy with Retry-After, never a run-less 409', async () => {
    expect(await takeLease(other)).toBe(true);

    const response = await trigger();

    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({ status: 503, code: 'settlement_busy' });
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
  });
});
