/**
 * The card company's client as the domain's card provider: retries and the breaker, answers
 * read with the wider card contracts into the domain's outcomes (approved, declined with a
 * reason, no answer), look-ups, reversals, adjustments and 3-D Secure calls.
 */
import { scriptedServer } from '../helpers/scripted-server.ts';
import type { AuthorizeCommand } from '../../processing-server/src/domain/ports/provider.ts';
import { createCardNetworkClient, type CardNetworkOptions } from '../../processing-server/src/providers/card-network-client.ts';

const APPROVED = { authorizationId: 'auth_1', responseCode: '00', authorizationCode: 'ABC123', message: 'approved' };
const ISSUER_DOWN = { authorizationId: 'auth_1', responseCode: '91', message: 'issuer unavailable' };
const COMMAND: AuthorizeCommand = {
  merchantReference: 'pay_1', amountMinor: 100, currency: 'USD',
  instrument: { method: 'card', number: '4242424242424242', expMonth: 12, expYear: 2030, cvv: '123' },
};
const RECORD = {
  ...APPROVED, merchantReference: 'pay_1', amount: 100, currency: 'USD', status: 'approved', heldAmount: 100, settledAmount: 0,
  refundedAmount: 0, adjustments: [], createdAt: '2026-03-01T12:00:00.000Z', updatedAt: '2026-03-01T12:00:00.000Z',
};

function client(url: string, overrides: Partial<CardNetworkOptions> = {}) {
  return createCardNetworkClient({
    baseURL: url, apiKey: 'k', timeoutMs: 200, retryMax: 2, backoffInitialMs: 1, backoffMaxMs: 5, ...overrides,
  }).cards;
}

describe('card network client', () => {
  test('when the card company answers 503 twice and then approves, then the third attempt is the answer', async () => {
    const server = await scriptedServer([{ status: 503 }, { status: 503 }, { status: 200, body: APPROVED }]);
    const outcome = await client(server.url).authorize(COMMAND, {});
    expect(outcome).toEqual({ kind: 'approved', authorizationId: 'auth_1', authorizationCode: 'ABC123' });
    expect(server.hits()).toBe(3);
    expect(server.requests[0]).toMatchObject({
      method: 'POST', url: '/v1/authorizations',
      body: { merchantReference: 'pay_1', amount: 100, currency: 'USD', card: { number: '4242424242424242', expMonth: 12, expYear: 2030, cvv: '123' } },
    });
    await server.close();
  });

  test('when the issuer stays unavailable (91), then retries are bounded and the last answer is a decline issuer_unavailable', async () => {
    const server = await scriptedServer([{ status: 200, body: ISSUER_DOWN }]);
    const outcome = await client(server.url).authorize(COMMAND, {});
    expect(outcome).toEqual({
      kind: 'declined', authorizationId: 'auth_1', decline: { code: 'issuer_unavailable', message: 'issuer unavailable', networkCode: '91' },
    });
    expect(server.hits()).toBe(3);
    await server.close();
  });

  test('when the card company asks for 3-D Secure (1A), then the payment is declined authentication_required, not an unreadable answer', async () => {
    const server = await scriptedServer([{ status: 200, body: { authorizationId: 'auth_3ds', responseCode: '1A', message: 'additional customer authentication required' } }]);
    const outcome = await client(server.url).authorize({ ...COMMAND, authenticationId: 'authn_1' }, {});
    expect(outcome).toEqual({
      kind: 'declined', authorizationId: 'auth_3ds',
      decline: { code: 'authentication_required', message: expect.stringContaining('3-D Secure'), networkCode: '1A' },
    });
    expect(server.hits()).toBe(1);
    expect(server.requests[0]?.body).toMatchObject({ authenticationId: 'authn_1' });
    await server.close();
  });

  test('when an authorization is answered with a code no authorization has (85), then it is not believed: no answer, maybe delivered', async () => {
    const server = await scriptedServer([{ status: 200, body: { authorizationId: 'auth_1', responseCode: '85', message: 'no reason to decline' } }]);
    expect(await client(server.url).authorize(COMMAND, {})).toMatchObject({ kind: 'no_answer', delivered: 'maybe' });
    await server.close();
  });

  test('when the answer never comes, then every attempt times out and the outcome may have been delivered', async () => {
    const server = await scriptedServer(['hang']);
    const outcome = await client(server.url, { timeoutMs: 50 }).authorize(COMMAND, {});
    expect(outcome).toMatchObject({ kind: 'no_answer', delivered: 'maybe' });
    expect(server.hits()).toBe(3);
    await server.close();
  });

  test('when the connection is reset after sending, then the outcome may have been delivered', async () => {
    const server = await scriptedServer(['reset']);
    const outcome = await client(server.url).authorize(COMMAND, {});
    expect(outcome).toMatchObject({ kind: 'no_answer', delivered: 'maybe' });
    await server.close();
  });

  test('when nothing listens, then the request was provably not delivered', async () => {
    const server = await scriptedServer([{ status: 200 }]);
    const { url } = server;
    await server.close();
    const outcome = await client(url).authorize(COMMAND, {});
    expect(outcome).toMatchObject({ kind: 'no_answer', delivered: 'no' });
  });

  test('when the answer has the wrong shape, then it is not believed', async () => {
    const server = await scriptedServer([{ status: 200, body: { responseCode: '00' } }]);
    const outcome = await client(server.url).authorize(COMMAND, {});
    expect(outcome).toMatchObject({ kind: 'no_answer', delivered: 'maybe' });
    await server.close();
  });

  test('when the card company keeps failing, then the breaker opens and fails fast, and closes after a successful half-open probe', async () => {
    const server = await scriptedServer([{ status: 503 }, { status: 503 }, { status: 503 }, { status: 200, body: APPROVED }]);
    const states: string[] = [];
    // Long enough that the fast-failing call below still finds the breaker open on a busy machine
    // (at 50 ms it once became the half-open probe in a full parallel run).
    const network = client(server.url, { retryMax: 0, breakerThreshold: 3, breakerHalfOpenAfterMs: 400, onCircuitChange: (state) => states.push(state) });
    for (let attempt = 0; attempt < 3; attempt += 1) await network.authorize(COMMAND, {});
    expect(states).toEqual(['open']);

    const fast = await network.authorize(COMMAND, {});
    expect(fast).toMatchObject({ kind: 'no_answer', delivered: 'no' });
    expect(server.hits()).toBe(3);

    await new Promise((resolve) => setTimeout(resolve, 450));
    const probe = await network.authorize(COMMAND, {});
    expect(probe).toEqual({ kind: 'approved', authorizationId: 'auth_1', authorizationCode: 'ABC123' });
    expect(states).toEqual(['open', 'closed']);
    await server.close();
  });

  test('when a look-up finds nothing, then not_found; when it cannot ask, then unknown', async () => {
    const server = await scriptedServer([{ status: 404, body: { code: 'not_found' } }]);
    expect(await client(server.url).lookup('pay_1', {})).toEqual({ kind: 'not_found' });
    await server.close();
    expect(await client(server.url).lookup('pay_1', {})).toMatchObject({ kind: 'unknown' });
  });

  test('when a look-up finds the card company\'s record, then its status, what it holds and its decision come back in domain terms', async () => {
    const server = await scriptedServer([
      { status: 200, body: RECORD },
      { status: 200, body: { ...RECORD, responseCode: '05', authorizationCode: undefined, message: 'do not honor', status: 'declined', heldAmount: 0 } },
    ]);
    const cards = client(server.url);

    expect(await cards.lookup('pay_1', {})).toEqual({
      kind: 'found',
      authorization: {
        authorizationId: 'auth_1', status: 'approved', heldMinor: 100, decision: { kind: 'approved', authorizationCode: 'ABC123' }, totalMinor: 100, adjustments: [],
      },
    });
    expect(await cards.lookup('pay_1', {})).toEqual({
      kind: 'found',
      authorization: {
        authorizationId: 'auth_1', status: 'declined', heldMinor: 0, decision: { kind: 'declined', decline: { code: 'do_not_honor', message: 'do not honor', networkCode: '05' } },
        totalMinor: 100, adjustments: [],
      },
    });
    expect(server.requests[0]?.url).toBe('/v1/authorizations?merchantReference=pay_1');
    await server.close();
  });

  test('when a look-up finds adjustments on the record, then each comes back by its reference with its total and decision', async () => {
    const adjustments = [
      { reference: 'adj_up', amount: 150, responseCode: '00', at: '2026-03-01T12:01:00.000Z' },
      { reference: 'adj_more', amount: 900, responseCode: '51', at: '2026-03-01T12:02:00.000Z' },
    ];
    const server = await scriptedServer([
      { status: 200, body: { ...RECORD, amount: 150, heldAmount: 150, adjustments } },
      { status: 200, body: { ...RECORD, adjustments: [{ reference: 'adj_odd', amount: 150, responseCode: '85', at: '2026-03-01T12:01:00.000Z' }] } },
    ]);
    const cards = client(server.url);

    expect(await cards.lookup('pay_1', {})).toMatchObject({
      kind: 'found',
      authorization: {
        totalMinor: 150, heldMinor: 150,
        adjustments: [
          { reference: 'adj_up', totalMinor: 150, decision: { kind: 'approved' } },
          { reference: 'adj_more', totalMinor: 900, decision: { kind: 'declined', decline: { code: 'insufficient_funds', networkCode: '51' } } },
        ],
      },
    });
    // A code an adjustment cannot have is not believed: the record is unknown rather than misread.
    expect(await cards.lookup('pay_1', {})).toMatchObject({ kind: 'unknown', error: expect.stringContaining('85') });
    await server.close();
  });

  test('when a hold is reversed in part, then the amount and reason are sent and what stays held comes back; a refusal is not_released', async () => {
    const server = await scriptedServer([{ status: 200, body: { ...RECORD, heldAmount: 40 } }, { status: 409, body: { code: 'already_settled' } }]);
    const cards = client(server.url);

    expect(await cards.reverse({ authorizationId: 'auth_1', amountMinor: 60, reason: 'partial_capture' }, {})).toEqual({ kind: 'released', heldMinor: 40 });
    expect(server.requests[0]).toMatchObject({ method: 'POST', url: '/v1/authorizations/auth_1/reversal', body: { amount: 60, reason: 'partial_capture' } });
    expect(await cards.reverse({ authorizationId: 'auth_1', reason: 'void' }, {})).toMatchObject({ kind: 'not_released', error: expect.stringContaining('409') });
    await server.close();
  });

  test('when a hold is adjusted, then an approval gives the new hold and a 51 a decline that leaves it as it was', async () => {
    const adjusted = { ...RECORD, amount: 150, heldAmount: 150, reference: 'adj_1' };
    const server = await scriptedServer([
      { status: 200, body: adjusted },
      { status: 200, body: { ...RECORD, reference: 'adj_2', responseCode: '51', message: 'insufficient funds' } },
    ]);
    const cards = client(server.url);

    expect(await cards.adjust({ authorizationId: 'auth_1', amountMinor: 150, reference: 'adj_1' }, {})).toEqual({ kind: 'approved', heldMinor: 150 });
    expect(server.requests[0]).toMatchObject({ url: '/v1/authorizations/auth_1/adjustment', body: { amount: 150, reference: 'adj_1' } });
    expect(await cards.adjust({ authorizationId: 'auth_1', amountMinor: 900, reference: 'adj_2' }, {}))
      .toEqual({ kind: 'declined', decline: { code: 'insufficient_funds', message: 'insufficient funds', networkCode: '51' } });
    await server.close();
  });

  test('when a card is authenticated with 3-D Secure, then the challenge comes back, and the authentication can be read again', async () => {
    const server = await scriptedServer([
      { status: 200, body: { authenticationId: 'authn_1', status: 'challenge_required', challengeUrl: 'http://127.0.0.1/3ds/challenge/authn_1' } },
      { status: 200, body: { authenticationId: 'authn_1', merchantReference: 'pay_1', status: 'authenticated', amount: 100, currency: 'USD', createdAt: RECORD.createdAt, updatedAt: RECORD.updatedAt } },
    ]);
    const cards = client(server.url);
    const card = { number: '4000000000003220', expMonth: 12, expYear: 2030 };

    expect(await cards.authenticate?.({ merchantReference: 'pay_1', amountMinor: 100, currency: 'USD', card, returnUrl: 'https://shop.example/back' }, {}))
      .toEqual({ kind: 'answered', authenticationId: 'authn_1', status: 'challenge_required', challengeUrl: 'http://127.0.0.1/3ds/challenge/authn_1' });
    expect(server.requests[0]?.body).toEqual({ merchantReference: 'pay_1', amount: 100, currency: 'USD', card, returnUrl: 'https://shop.example/back' });
    expect(await cards.getAuthentication?.('authn_1', {})).toMatchObject({ kind: 'answered', status: 'authenticated' });
    await server.close();
  });

  describe('a card on file and an account verification', () => {
    const card = { method: 'card' as const, number: '4242424242424242', expMonth: 12, expYear: 2030, cvv: '123' };

    test('when a saved card is authorized, then no CVV is sent and the card company is told it is on file', async () => {
      const server = await scriptedServer([{ status: 200, body: APPROVED }]);
      const outcome = await client(server.url).authorize({
        ...COMMAND, instrument: { method: 'saved_card', cardId: 'card_1', number: '4242424242424242', expMonth: 12, expYear: 2030 },
      }, {});

      expect(outcome).toEqual({ kind: 'approved', authorizationId: 'auth_1', authorizationCode: 'ABC123' });
      expect(server.requests[0]?.body).toEqual({
        merchantReference: 'pay_1', amount: 100, currency: 'USD', card: { number: '4242424242424242', expMonth: 12, expYear: 2030 }, storedCredential: true,
      });
      await server.close();
    });

    test('when a card is verified and the card company answers 85, then it is verified, asked with amount 0 and the CVV', async () => {
      const server = await scriptedServer([{ status: 200, body: { authorizationId: 'auth_v', responseCode: '85', message: 'no reason to decline' } }]);

      expect(await client(server.url).verify?.({ merchantReference: 'card_1', currency: 'USD', card }, {})).toEqual({ kind: 'verified', verificationId: 'auth_v' });
      expect(server.requests[0]).toMatchObject({
        method: 'POST', url: '/v1/authorizations',
        body: { merchantReference: 'card_1', amount: 0, currency: 'USD', card: { number: '4242424242424242', expMonth: 12, expYear: 2030, cvv: '123' } },
      });
      await server.close();
    });

    test.each([
      ['05', 'do_not_honor'],
      ['N7', 'cvv_mismatch'],
      ['41', 'lost_card'],
    ])('when a verification is answered %s, then the card is declined %s', async (code, declineCode) => {
      const server = await scriptedServer([{ status: 200, body: { authorizationId: 'auth_v', responseCode: code, message: 'no' } }]);

      expect(await client(server.url).verify?.({ merchantReference: 'card_1', currency: 'USD', card }, {}))
        .toEqual({ kind: 'declined', decline: { code: declineCode, message: 'no', networkCode: code } });
      await server.close();
    });

    test('when a verification is answered 00 (a charge, not a verification), then the answer is not believed', async () => {
      const server = await scriptedServer([{ status: 200, body: APPROVED }]);

      expect(await client(server.url).verify?.({ merchantReference: 'card_1', currency: 'USD', card }, {})).toMatchObject({ kind: 'no_answer', delivered: 'maybe' });
      await server.close();
    });

    test('when the card company is down for a verification, then retries are bounded and there is no answer', async () => {
      const server = await scriptedServer([{ status: 503 }]);

      expect(await client(server.url).verify?.({ merchantReference: 'card_1', currency: 'USD', card }, {})).toMatchObject({ kind: 'no_answer', delivered: 'no' });
      expect(server.hits()).toBe(3);
      await server.close();
    });
  });
});
