/**
 * Card-network simulator: points accounts opened at run time through `/admin/points-accounts`
 * (enabled with NETWORK_ADMIN_ENABLED), for demos and the chaos test, which need more accounts
 * and points than the three seeded ones.
 */
import request from 'supertest';
import { pointsAccountSchema } from '../../shared/contracts/network.ts';
import {
  AUTH_HEADER, createTestNetwork, getPointsAccount, pointsAuthorizationBody, postPointsAuthorization, readAllFiles, type TestNetwork,
} from '../helpers/network-sim.ts';

let network: TestNetwork;

beforeEach(() => {
  network = createTestNetwork();
});

afterEach(() => {
  network.close();
});

const open = (body: object, target: TestNetwork = network) => request(target.app).post('/admin/points-accounts').set(AUTH_HEADER).send(body);

describe('opening points accounts at run time', () => {
  test('when an account is opened, then 201 with its balance, its PIN authorizes holds, and a wrong PIN is 55', async () => {
    const opened = await open({ accountId: 'PTS-TEST-0001', pin: '58203914', balance: 12_000 });

    expect(opened.status).toBe(201);
    expect(pointsAccountSchema.parse(opened.body)).toEqual({ accountId: 'PTS-TEST-0001', balance: 12_000, held: 0 });
    const hold = await postPointsAuthorization(network.app, pointsAuthorizationBody({ accountId: 'PTS-TEST-0001', pin: '58203914', points: 2_000 }));
    expect(hold.body).toMatchObject({ responseCode: '00' });
    const wrong = await postPointsAuthorization(network.app, pointsAuthorizationBody({ accountId: 'PTS-TEST-0001', pin: '58203915', points: 1 }));
    expect(wrong.body).toMatchObject({ responseCode: '55' });
    expect((await getPointsAccount(network.app, 'PTS-TEST-0001')).body).toEqual({ accountId: 'PTS-TEST-0001', balance: 12_000, held: 2_000 });
  });

  test('when a blocked account is opened, then its holds are declined 05', async () => {
    expect((await open({ accountId: 'PTS-TEST-0002', pin: '1234', balance: 500, blocked: true })).status).toBe(201);

    const hold = await postPointsAuthorization(network.app, pointsAuthorizationBody({ accountId: 'PTS-TEST-0002', pin: '1234', points: 1 }));

    expect(hold.body).toMatchObject({ responseCode: '05' });
  });

  test('when an account id is taken, a seeded one included, then 409 points_account_exists and nothing changes', async () => {
    await open({ accountId: 'PTS-TEST-0003', pin: '1234', balance: 100 });

    const again = await open({ accountId: 'PTS-TEST-0003', pin: '9999', balance: 1_000_000 });
    const seeded = await open({ accountId: 'PTS-0000-0001', pin: '9999', balance: 1 });

    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'points_account_exists' });
    expect(seeded.status).toBe(409);
    expect((await getPointsAccount(network.app, 'PTS-TEST-0003')).body).toMatchObject({ balance: 100 });
    expect((await getPointsAccount(network.app, 'PTS-0000-0001')).body).toMatchObject({ balance: 100_000 });
  });

  test.each([
    ['a PIN of letters', { accountId: 'PTS-X', pin: 'abcd', balance: 1 }, 'pin'],
    ['a negative balance', { accountId: 'PTS-X', pin: '1234', balance: -1 }, 'balance'],
    ['a fractional balance', { accountId: 'PTS-X', pin: '1234', balance: 1.5 }, 'balance'],
    ['an id with spaces', { accountId: 'PTS X', pin: '1234', balance: 1 }, 'accountId'],
  ])('when the opening has %s, then 400 naming %s', async (_name, body, field) => {
    const response = await open(body);

    expect(response.status).toBe(400);
    expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
  });

  test('when the key is missing, then 401; when admin is disabled, then 404', async () => {
    expect((await request(network.app).post('/admin/points-accounts').send({ accountId: 'PTS-X', pin: '1234', balance: 1 })).status).toBe(401);
    const closed = createTestNetwork({ env: { NETWORK_ADMIN_ENABLED: 'false' } });
    try {
      expect((await open({ accountId: 'PTS-X', pin: '1234', balance: 1 }, closed)).status).toBe(404);
    } finally {
      closed.close();
    }
  });

  test('when an account is opened, then its PIN is in neither the database files nor the logs', async () => {
    await open({ accountId: 'PTS-TEST-0004', pin: '77340291', balance: 100 });

    expect(readAllFiles(network.dataDir).toString('latin1')).not.toContain('77340291');
    expect(network.logLines.join('\n')).not.toContain('77340291');
    expect(network.logLines.join('\n')).toContain('points account opened');
  });
});
