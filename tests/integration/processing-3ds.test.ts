/**
 * 3-D Secure in the processing server (SPEC §13), with an in-memory card company that
 * authenticates the two test cards: the 202 with its nextAction, confirm in every state of the
 * authentication, a frictionless card within the first call, no returnUrl, concurrent confirms,
 * an unreachable card company, and payments abandoned at the issuer's page (injected clock).
 */
import request from 'supertest';
import { abandonAuthentications } from '../../processing-server/src/domain/confirm.ts';
import { paymentSchema } from '../../shared/contracts/processing.ts';
import { THREE_DS_CARDS } from '../helpers/fake-network.ts';
import { AUTH_HEADER, createProcessingHarness, freshKey, paymentBody, type ProcessingHarness } from '../helpers/processing.ts';

const RETURN_URL = 'https://shop.example/checkout/return?step=3ds';

describe('processing server: 3-D Secure', () => {
  let harness: ProcessingHarness;
  const start = new Date('2026-05-01T10:00:00.000Z');

  beforeEach(async () => {
    harness = await createProcessingHarness({ now: start });
  });

  afterEach(async () => {
    await harness.close();
  });

  const pay = (overrides: Record<string, unknown> = {}, card: Record<string, unknown> = { number: THREE_DS_CARDS.challenge }, key = freshKey()) =>
    request(harness.app).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', key).send(paymentBody({ returnUrl: RETURN_URL, ...overrides }, card));
  const confirm = (id: string) => request(harness.app).post(`/v1/payments/${id}/confirm`).set(AUTH_HEADER).send();
  const authenticationOf = (paymentId: string) => [...harness.network.authentications.values()].find((candidate) => candidate.merchantReference === paymentId);

  test('when the issuer wants a challenge, then 202 requires_action with the issuer\'s page as nextAction, and nothing is held', async () => {
    const key = freshKey();
    const answer = await pay({}, { number: THREE_DS_CARDS.challenge }, key);
    const repeated = await pay({}, { number: THREE_DS_CARDS.challenge }, key);

    expect(answer.status).toBe(202);
    const payment = paymentSchema.parse(answer.body);
    const authentication = authenticationOf(payment.id);
    expect(payment).toMatchObject({ status: 'requires_action', authorizationCode: null, nextAction: { type: 'redirect', url: `https://issuer.test/3ds/challenge/${authentication?.authenticationId}` } });
    expect(harness.network.authenticateCalls).toEqual([expect.objectContaining({
      merchantReference: payment.id, amountMinor: 1000, currency: 'USD', returnUrl: `https://shop.example/checkout/return?step=3ds&paymentId=${payment.id}`,
    })]);
    expect(harness.network.authenticateCalls[0]?.card).not.toHaveProperty('cvv');
    expect(harness.network.holds.get(payment.id)).toMatchObject({ status: 'declined', heldAmount: 0 });
    expect(repeated.status).toBe(202);
    expect(repeated.body).toEqual(answer.body);
    expect(harness.network.authorizeCalls).toHaveLength(1);
  });

  test('when the shopper has not finished the issuer\'s page, then confirm answers 202 with the same nextAction and authorizes nothing', async () => {
    const created = await pay();

    const confirmed = await confirm(created.body.id);

    expect(confirmed.status).toBe(202);
    expect(confirmed.body).toMatchObject({ status: 'requires_action', nextAction: created.body.nextAction });
    expect(harness.network.authorizeCalls).toHaveLength(1);
  });

  test('when the shopper passed the challenge, then confirm authorizes with the authentication and without a CVV: 201, and a repeat answers the same', async () => {
    const created = await pay();
    harness.network.decideChallenge(authenticationOf(created.body.id)!.authenticationId, 'authenticated');

    const confirmed = await confirm(created.body.id);
    const again = await confirm(created.body.id);

    expect(confirmed.status).toBe(201);
    expect(confirmed.body).toMatchObject({ status: 'authorized', authorizationCode: expect.stringMatching(/^A\d{5}$/), decline: null });
    expect(confirmed.body).not.toHaveProperty('nextAction');
    const last = harness.network.authorizeCalls.at(-1);
    expect(last).toMatchObject({ merchantReference: created.body.id, authenticationId: authenticationOf(created.body.id)!.authenticationId });
    expect(last?.instrument).toEqual({ method: 'card', number: THREE_DS_CARDS.challenge, expMonth: 12, expYear: expect.any(Number) });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(confirmed.body);
    expect(harness.network.authorizeCalls).toHaveLength(2);
  });

  test('when the shopper failed the challenge, then confirm declines it 402 authentication_failed, and the payment counts nothing', async () => {
    const created = await pay({ amount: 90_000 });
    harness.network.decideChallenge(authenticationOf(created.body.id)!.authenticationId, 'failed');

    const confirmed = await confirm(created.body.id);
    const next = await pay({ amount: 90_000 });

    expect(confirmed.status).toBe(402);
    expect(confirmed.body).toMatchObject({ status: 'declined', decline: { code: 'authentication_failed' } });
    // The same card's next 900.00 fits the 1,000.00 limit: the declined payment counts nothing.
    expect(next.status).toBe(202);
    expect(harness.network.authorizeCalls.filter((call) => call.merchantReference === created.body.id)).toHaveLength(1);
  });

  test('when the card is frictionless, then it is authenticated and authorized within the first call (201), with its CVV', async () => {
    const answer = await pay({}, { number: THREE_DS_CARDS.frictionless });

    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ status: 'authorized', authorizationCode: expect.any(String) });
    expect(harness.network.authorizeCalls.map((call) => [call.authenticationId, call.instrument.method === 'card' ? call.instrument.cvv : null]))
      .toEqual([[undefined, '123'], [authenticationOf(answer.body.id)!.authenticationId, '123']]);
    expect(await harness.store.payments.get(answer.body.id)).toMatchObject({ authenticationId: authenticationOf(answer.body.id)!.authenticationId });
  });

  test('when no returnUrl is given, then a card that asks for 3-D Secure is declined 402 authentication_required and nobody is asked to authenticate', async () => {
    const answer = await request(harness.app).post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', freshKey())
      .send(paymentBody({}, { number: THREE_DS_CARDS.challenge }));

    expect(answer.status).toBe(402);
    expect(answer.body).toMatchObject({ status: 'declined', decline: { code: 'authentication_required', networkCode: '1A' } });
    expect(harness.network.authenticateCalls).toEqual([]);
  });

  test('when the returnUrl is not an absolute http(s) URL, then 400 naming returnUrl', async () => {
    const answer = await pay({ returnUrl: 'javascript:alert(1)' });

    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([expect.objectContaining({ field: 'returnUrl' })]);
  });

  test('when five confirms arrive at once, then the payment is authorized once and every confirm answers 201 with it', async () => {
    const created = await pay();
    harness.network.decideChallenge(authenticationOf(created.body.id)!.authenticationId, 'authenticated');

    const answers = await Promise.all(Array.from({ length: 5 }, () => confirm(created.body.id)));

    expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(answers.map((answer) => answer.body.authorizationCode)).size).toBe(1);
    expect([...harness.network.holds.values()].filter((hold) => hold.merchantReference === created.body.id)).toHaveLength(1);
    expect(harness.logs.text().match(/payment confirmed after 3-D Secure/g)?.length).toBeGreaterThanOrEqual(1);
  });

  test('when the card company cannot be asked how the step ended, then confirm answers 503 provider_unavailable and the payment still waits', async () => {
    const created = await pay();
    harness.network.mode = 'down';

    const confirmed = await confirm(created.body.id);

    expect(confirmed.status).toBe(503);
    expect(confirmed.body.code).toBe('provider_unavailable');
    expect(await harness.store.payments.get(created.body.id)).toMatchObject({ status: 'requires_action' });
  });

  test('when 3-D Secure cannot be started, then 503 network_unavailable: the payment failed and was not charged', async () => {
    const originalAuthenticate = harness.network.authenticate!.bind(harness.network);
    harness.network.authenticate = async () => ({ kind: 'no_answer', delivered: 'maybe', error: 'socket hang up' });
    try {
      const answer = await pay();

      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({ code: 'network_unavailable', charged: false, paymentStatus: 'failed', payment: { reason: 'network_unavailable' } });
      expect(await harness.store.payments.get(answer.body.payment.id)).toMatchObject({ status: 'failed', resolution: null, countedMinor: 0 });
    } finally {
      harness.network.authenticate = originalAuthenticate;
    }
  });

  test('when a payment that never needed 3-D Secure is confirmed, then its state is answered as it is', async () => {
    const created = await pay({}, { number: '4242424242424242' });

    const confirmed = await confirm(created.body.id);

    expect(created.status).toBe(201);
    expect(confirmed.status).toBe(201);
    expect(confirmed.body).toEqual(created.body);
    expect((await confirm('pay_unknown')).status).toBe(404);
  });

  describe('a payment left at the issuer\'s page', () => {
    const minutes = (count: number) => new Date(start.getTime() + count * 60_000);

    test('when it waits, it counts against the limit; after AUTHENTICATION_TTL_MINUTES it fails authentication_abandoned and frees the limit', async () => {
      const waiting = await pay({ amount: 90_000 });
      const meanwhile = await pay({ amount: 20_000 });

      harness.setNow(minutes(14));
      expect(await abandonAuthentications(harness.deps, { limit: 10 })).toEqual({ examined: 0, abandoned: 0 });
      harness.setNow(minutes(16));
      expect(await abandonAuthentications(harness.deps, { limit: 10 })).toEqual({ examined: 1, abandoned: 1 });
      const afterwards = await pay({ amount: 90_000 });
      const confirmed = await confirm(waiting.body.id);

      expect(waiting.status).toBe(202);
      expect(meanwhile.body).toMatchObject({ status: 'declined', decline: { code: 'limit_exceeded' } });
      expect(await harness.store.payments.get(waiting.body.id)).toMatchObject({ status: 'failed', reason: 'authentication_abandoned', countedMinor: 0, resolution: null });
      expect(afterwards.status).toBe(202);
      expect(confirmed.status).toBe(503);
      expect(confirmed.body).toMatchObject({ code: 'network_unavailable', charged: false, payment: { status: 'failed', reason: 'authentication_abandoned' } });
      expect(confirmed.body.detail).toContain('3-D Secure step in time');
      expect(harness.network.authorizeCalls.filter((call) => call.merchantReference === waiting.body.id)).toHaveLength(1);
    });

    test('when a confirm\'s authorization landed but its answer was lost, then the sweep keeps the approval instead of failing it', async () => {
      const waiting = await pay();
      harness.network.decideChallenge(authenticationOf(waiting.body.id)!.authenticationId, 'authenticated');
      harness.network.mode = 'lose_answers';
      const lost = await confirm(waiting.body.id);
      harness.network.mode = 'up';

      harness.setNow(minutes(16));
      const swept = await abandonAuthentications(harness.deps, { limit: 10 });

      expect(lost.status).toBe(201);
      expect(swept).toEqual({ examined: 0, abandoned: 0 });
      expect(await harness.store.payments.get(waiting.body.id)).toMatchObject({ status: 'authorized' });
    });

    test('when the card company cannot be asked during the sweep, then the payment waits for the next pass', async () => {
      const waiting = await pay();
      harness.network.mode = 'down';
      harness.setNow(minutes(16));

      expect(await abandonAuthentications(harness.deps, { limit: 10 })).toEqual({ examined: 1, abandoned: 0 });
      expect(await harness.store.payments.get(waiting.body.id)).toMatchObject({ status: 'requires_action' });
      harness.network.mode = 'up';
      expect(await abandonAuthentications(harness.deps, { limit: 10 })).toEqual({ examined: 1, abandoned: 1 });
    });
  });
});
