/**
 * End to end with the three real processes: a loyalty-points payment of 25.00 from PTS-0000-0001,
 * settled with the cards, refunded in part after the next run, reconciled; and no PIN in any log
 * line or data file. The shopper pays through the UI server's checkout (JSON), as the page does.
 */
import { randomUUID } from 'node:crypto';
import axios from 'axios';
import { NETWORK_KEY, PROCESSING_KEY, startSystem, type System } from '../helpers/processes.ts';
import { makeTempDir, readAllBytes, removeDir } from '../helpers/temp-dir.ts';

jest.setTimeout(60_000);

describe('end to end: points with the three real processes', () => {
  let system: System;
  const dataDir = makeTempDir('e2e-points');

  beforeAll(async () => {
    system = await startSystem(dataDir);
  }, 60_000);

  afterAll(async () => {
    await system?.stop();
    removeDir(dataDir);
  });

  const processing = () => axios.create({ baseURL: system.processing.url, headers: { Authorization: `Bearer ${PROCESSING_KEY}` }, validateStatus: () => true });
  const network = () => axios.create({ baseURL: system.network.url, headers: { Authorization: `Bearer ${NETWORK_KEY}` }, validateStatus: () => true });
  const account = async (accountId: string) => (await network().get(`/v1/points/accounts/${accountId}`)).data as { balance: number; held: number };
  const deposited = async () => ((await network().get('/v1/merchant-account')).data as { deposits: Array<{ amount: number; currency: string }> }).deposits;

  test('when 25.00 is paid with PTS-0000-0001, settled, and 10.00 refunded, then the account, the deposits and the reconciliation agree', async () => {
    const before = await account('PTS-0000-0001');

    const checkout = await axios.post(`${system.ui.url}/make-payment`, {
      paymentMethod: 'points', pointsAccount: 'PTS-0000-0001', pointsPin: '1234', amount: '25.00', currency: 'USD', idempotencyKey: randomUUID(),
    }, { headers: { Accept: 'application/json' }, validateStatus: () => true });
    expect(checkout.status).toBe(200);
    expect(checkout.data).toMatchObject({ status: 'approved', paymentMethod: 'points', points: { account: 'PTS-…0001', spent: 2500 } });
    const paid = await processing().get(`/v1/payments/${checkout.data.paymentId as string}`);
    expect(paid.data).toMatchObject({ status: 'authorized', paymentMethod: 'points', points: { accountId: 'PTS-0000-0001' }, amount: 2500 });

    const run = await processing().post('/v1/settlements');
    expect(run.status).toBe(201);
    expect(await account('PTS-0000-0001')).toEqual({ accountId: 'PTS-0000-0001', balance: before.balance - 2500, held: before.held });
    const runDeposits = (await deposited()).filter((deposit) => deposit.currency === 'USD');
    expect(runDeposits.at(-1)?.amount).toBe(2500);
    const reconciliation = await processing().get(`/v1/settlements/${run.data.id}/reconciliation`);
    expect(reconciliation.data).toMatchObject({ matched: 1, missingAtNetwork: [], missingInLedger: [], amountMismatches: [] });

    const refund = await processing().post(`/v1/payments/${paid.data.id}/refunds`, { amount: 1000 }, { headers: { 'Idempotency-Key': randomUUID() } });
    expect(refund.status).toBe(201);
    expect(await account('PTS-0000-0001')).toMatchObject({ balance: before.balance - 2500 });
    const refundRun = await processing().post('/v1/settlements');
    expect(refundRun.data).toMatchObject({ status: 'completed', itemCount: 1, totals: { USD: { refunds: 1000, net: -1000 } } });

    expect(await account('PTS-0000-0001')).toEqual({ accountId: 'PTS-0000-0001', balance: before.balance - 1500, held: before.held });
    expect((await deposited()).at(-1)).toMatchObject({ currency: 'USD', amount: -1000 });
    const refundReconciliation = await processing().get(`/v1/settlements/${refundRun.data.id}/reconciliation`);
    expect(refundReconciliation.data).toMatchObject({ matched: 1, missingAtNetwork: [], missingInLedger: [], amountMismatches: [] });
    expect((await processing().get(`/v1/payments/${paid.data.id}`)).data).toMatchObject({ status: 'partially_refunded', refundedAmount: 1000 });
  });

  test('after points payments, declined ones included, no log line and no data file holds the PIN', async () => {
    const pin = '60417382';
    expect((await network().post('/admin/points-accounts', { accountId: 'PTS-E2E-0001', pin, balance: 5000 })).status).toBe(201);
    const pay = (amount: number, pinTyped: string) => processing().post('/v1/payments', {
      amount, currency: 'USD', points: { accountId: 'PTS-E2E-0001', pin: pinTyped },
    }, { headers: { 'Idempotency-Key': randomUUID() } });

    expect((await pay(1200, pin)).status).toBe(201);
    expect((await pay(9000, pin)).data).toMatchObject({ status: 'declined', decline: { code: 'insufficient_points' } });
    expect((await pay(100, '60417383')).data).toMatchObject({ status: 'declined', decline: { code: 'incorrect_pin' } });

    const logs = [system.network, system.processing, system.ui].flatMap((service) => service.lines).join('\n');
    const files = readAllBytes(dataDir).toString('latin1');
    for (const secret of [pin, '60417383']) {
      expect(logs).not.toContain(secret);
      expect(files).not.toContain(secret);
    }
  });
});
