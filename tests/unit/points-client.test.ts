/**
 * The points provider's client as the domain's points provider: the request it sends (the PIN
 * in the body and nowhere else), the provider's codes read as points declines, and the look-up,
 * reversal and adjustment under /v1/points.
 */
import type { AuthorizeCommand } from '../../processing-server/src/domain/ports/provider.ts';
import { createPointsClient } from '../../processing-server/src/providers/points-client.ts';
import { scriptedServer } from '../helpers/scripted-server.ts';

const COMMAND: AuthorizeCommand = {
  merchantReference: 'pay_1', amountMinor: 2500, currency: 'USD', instrument: { method: 'points', accountId: 'PTS-0000-0001', pin: '4321' },
};
const RECORD = {
  authorizationId: 'pts_1', responseCode: '00', authorizationCode: 'P1P2P3', message: 'approved', merchantReference: 'pay_1',
  accountId: 'PTS-0000-0001', amount: 2500, currency: 'USD', status: 'approved', heldAmount: 2500, settledAmount: 0, refundedAmount: 0,
  adjustments: [], createdAt: '2026-03-01T12:00:00.000Z', updatedAt: '2026-03-01T12:00:00.000Z',
};

const client = (url: string) => createPointsClient({ baseURL: url, apiKey: 'k', timeoutMs: 200, retryMax: 1, backoffInitialMs: 1, backoffMaxMs: 5 });

describe('points client', () => {
  test('when points are held, then the request carries account, PIN and points, and the approval comes back with its code', async () => {
    const server = await scriptedServer([{ status: 200, body: { authorizationId: 'pts_1', responseCode: '00', authorizationCode: 'P1P2P3', message: 'approved' } }]);

    const outcome = await client(server.url).authorize(COMMAND, { requestId: 'req-1' });

    expect(outcome).toEqual({ kind: 'approved', authorizationId: 'pts_1', authorizationCode: 'P1P2P3' });
    expect(server.requests).toEqual([{
      method: 'POST', url: '/v1/points/authorizations', body: { merchantReference: 'pay_1', accountId: 'PTS-0000-0001', pin: '4321', points: 2500 },
    }]);
    await server.close();
  });

  test.each([
    ['55', 'incorrect_pin'], ['51', 'insufficient_points'], ['14', 'unknown_account'], ['05', 'do_not_honor'],
  ])('when the points provider answers %s, then the payment is declined %s', async (responseCode, code) => {
    const server = await scriptedServer([{ status: 200, body: { authorizationId: 'pts_2', responseCode, message: 'declined' } }]);

    const outcome = await client(server.url).authorize(COMMAND, {});

    expect(outcome).toEqual({ kind: 'declined', authorizationId: 'pts_2', decline: { code, message: expect.any(String), networkCode: responseCode } });
    await server.close();
  });

  test('when the points provider answers a card-only code (N7), then it is not believed: no answer, maybe delivered', async () => {
    const server = await scriptedServer([{ status: 200, body: { authorizationId: 'pts_3', responseCode: 'N7', message: 'CVV mismatch' } }]);

    expect(await client(server.url).authorize(COMMAND, {})).toMatchObject({ kind: 'no_answer', delivered: 'maybe' });
    await server.close();
  });

  test('when a card is given to the points provider, then it refuses to send it', async () => {
    const server = await scriptedServer([{ status: 200 }]);

    await expect(client(server.url).authorize({ ...COMMAND, instrument: { method: 'card', number: '4242424242424242', expMonth: 1, expYear: 2030, cvv: '123' } }, {}))
      .rejects.toThrow('the points provider holds points only');
    expect(server.hits()).toBe(0);
    await server.close();
  });

  test('when a hold is looked up, reversed and adjusted, then the calls go under /v1/points and come back in domain terms', async () => {
    const server = await scriptedServer([
      { status: 200, body: RECORD },
      { status: 200, body: { ...RECORD, status: 'reversed', heldAmount: 0 } },
      { status: 200, body: { ...RECORD, amount: 2000, heldAmount: 2000, reference: 'adj_1' } },
    ]);
    const points = client(server.url);

    expect(await points.lookup('pay_1', {})).toEqual({
      kind: 'found',
      authorization: {
        authorizationId: 'pts_1', status: 'approved', heldMinor: 2500, decision: { kind: 'approved', authorizationCode: 'P1P2P3' }, totalMinor: 2500, adjustments: [],
      },
    });
    expect(await points.reverse({ authorizationId: 'pts_1', reason: 'void' }, {})).toEqual({ kind: 'released', heldMinor: 0 });
    expect(await points.adjust({ authorizationId: 'pts_1', amountMinor: 2000, reference: 'adj_1' }, {})).toEqual({ kind: 'approved', heldMinor: 2000 });
    expect(server.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
      'GET /v1/points/authorizations?merchantReference=pay_1', 'POST /v1/points/authorizations/pts_1/reversal', 'POST /v1/points/authorizations/pts_1/adjustment',
    ]);
    await server.close();
  });
});
