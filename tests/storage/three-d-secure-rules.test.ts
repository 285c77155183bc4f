/**
 * 3-D Secure end to end between the processing server and the real card-network simulator, on
 * SQLite and on PostgreSQL alike: the shopper's answer on the issuer's page (posted as the
 * browser posts it), the confirm that authorizes without a CVV, a frictionless card, and a
 * challenge abandoned past AUTHENTICATION_TTL_MINUTES. The browser itself is in tests/browser.
 */
import request from 'supertest';
import { abandonAuthentications } from '../../processing-server/src/domain/confirm.ts';
import { AUTH_HEADER as NETWORK_AUTH, TEST_CARDS } from '../helpers/network-sim.ts';
import { AUTH_HEADER, freshKey } from '../helpers/processing.ts';
import { createSettlementSystem, type SettlementSystem } from '../helpers/settlement-system.ts';
import { describeEachStore } from './stores.ts';

jest.setTimeout(30_000);

const RETURN_URL = 'http://shop.test/payments/authentication-return';

describeEachStore('3-D Secure with the card company', (current) => {
  let system: SettlementSystem | null = null;

  afterEach(async () => {
    await system?.close();
    system = null;
  });

  async function started(card: string): Promise<{ target: SettlementSystem; paid: request.Response }> {
    system = await createSettlementSystem({ store: current().store });
    const paid = await system.pay({ returnUrl: RETURN_URL, amount: 4999 }, { number: card });
    return { target: system, paid };
  }

  /** The shopper's answer on the issuer's page, posted as the page's form posts it. */
  const answerChallenge = (target: SettlementSystem, challengeUrl: string, form: string) =>
    request(target.sim.app).post(new URL(challengeUrl).pathname).type('form').send(form);
  const confirm = (target: SettlementSystem, id: string) => target.api().post(`/v1/payments/${id}/confirm`).set(AUTH_HEADER).send();

  test('when the shopper types 123456 on the issuer\'s page, then it returns to the returnUrl with the payment id, and confirm authorizes it', async () => {
    const { target, paid } = await started(TEST_CARDS.challenge);
    expect(paid.status).toBe(202);
    const challengeUrl = paid.body.nextAction.url as string;
    expect(challengeUrl).toMatch(/\/3ds\/challenge\/3ds_/);

    const waiting = await confirm(target, paid.body.id);
    const answered = await answerChallenge(target, challengeUrl, 'code=123456');
    const confirmed = await confirm(target, paid.body.id);

    expect(waiting.status).toBe(202);
    expect(answered.status).toBe(303);
    expect(answered.headers.location).toBe(`${RETURN_URL}?paymentId=${paid.body.id}`);
    expect(confirmed.status).toBe(201);
    expect(confirmed.body).toMatchObject({ status: 'authorized', amount: 4999, authorizationCode: expect.stringMatching(/^[A-Z0-9]{6}$/) });
    const record = await request(target.sim.app).get('/v1/authorizations').query({ merchantReference: paid.body.id }).set(NETWORK_AUTH);
    expect(record.body).toMatchObject({ status: 'approved', heldAmount: 4999, authenticationId: expect.stringMatching(/^3ds_/) });
    const run = await target.api().post('/v1/settlements').set(AUTH_HEADER).send();
    expect(run.body).toMatchObject({ settledCount: 1, totals: { USD: { sales: 4999 } } });
  });

  test('when a saved card asks for 3-D Secure, then it is authenticated like a typed one and confirm authorizes it on file from the vault', async () => {
    const target = await createSettlementSystem({ store: current().store, vaultStore: await current().openVault() });
    system = target;
    const saved = await target.api().post('/v1/cards').set(AUTH_HEADER).set('Idempotency-Key', freshKey())
      .send({ card: { number: TEST_CARDS.challenge, expMonth: 12, expYear: 2030, cvv: '123', holderName: 'Ada Lovelace' }, customerId: 'cus_ada' });
    expect(saved.status).toBe(201);

    const paid = await target.api().post('/v1/payments').set(AUTH_HEADER).set('Idempotency-Key', freshKey())
      .send({ amount: 4999, currency: 'USD', cardId: saved.body.id, customerId: 'cus_ada', returnUrl: RETURN_URL });
    expect(paid.status).toBe(202);
    await answerChallenge(target, paid.body.nextAction.url as string, 'code=123456').expect(303);
    const confirmed = await confirm(target, paid.body.id);

    expect(confirmed.status).toBe(201);
    expect(confirmed.body).toMatchObject({ status: 'authorized', paymentMethod: 'saved_card', cardId: saved.body.id });
    const record = await request(target.sim.app).get('/v1/authorizations').query({ merchantReference: paid.body.id }).set(NETWORK_AUTH);
    expect(record.body).toMatchObject({ status: 'approved', heldAmount: 4999, authenticationId: expect.stringMatching(/^3ds_/) });
  });

  test('when the shopper types a wrong code, then confirm declines the payment authentication_failed and nothing is held', async () => {
    const { target, paid } = await started(TEST_CARDS.challenge);

    await answerChallenge(target, paid.body.nextAction.url as string, 'code=000000').expect(303);
    const confirmed = await confirm(target, paid.body.id);

    expect(confirmed.status).toBe(402);
    expect(confirmed.body).toMatchObject({ status: 'declined', decline: { code: 'authentication_failed' } });
    const record = await request(target.sim.app).get('/v1/authorizations').query({ merchantReference: paid.body.id }).set(NETWORK_AUTH);
    expect(record.body).toMatchObject({ heldAmount: 0, responseCode: '1A' });
  });

  test('when the card is frictionless, then the first call answers 201 and the card company recorded the authentication', async () => {
    const { target, paid } = await started(TEST_CARDS.frictionless);

    expect(paid.status).toBe(201);
    const record = await request(target.sim.app).get('/v1/authorizations').query({ merchantReference: paid.body.id }).set(NETWORK_AUTH);
    expect(record.body).toMatchObject({ status: 'approved', heldAmount: 4999, authenticationId: expect.stringMatching(/^3ds_/) });
  });

  test('when the shopper never comes back, then after AUTHENTICATION_TTL_MINUTES the sweep fails it authentication_abandoned, holding nothing', async () => {
    const { target, paid } = await started(TEST_CARDS.challenge);

    target.clock.advanceMs(16 * 60_000);
    const swept = await abandonAuthentications(target.processing.deps, { limit: 10 });

    expect(swept).toEqual({ examined: 1, abandoned: 1 });
    expect((await target.api().get(`/v1/payments/${paid.body.id}`).set(AUTH_HEADER)).body).toMatchObject({ status: 'failed', reason: 'authentication_abandoned' });
    expect(await target.processing.store.payments.get(paid.body.id)).toMatchObject({ countedMinor: 0 });
  });
});
