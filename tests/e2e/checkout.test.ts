import axios from 'axios';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { makeTempDir, readAllBytes, removeDir } from '../helpers/temp-dir.ts';
import { NETWORK_KEY, runCommand, startSystem, type System } from '../helpers/processes.ts';

const CARD_NUMBERS = ['4242424242424242', '4000000000000002', '5555555555554444'];

describe('end to end: the three real processes', () => {
  let system: System;
  const dataDir = makeTempDir('e2e');

  beforeAll(async () => {
    system = await startSystem(dataDir);
  }, 60_000);

  afterAll(async () => {
    await system?.stop();
    removeDir(dataDir);
  });

  const checkout = (fields: Record<string, string>) => axios.post(`${system.ui.url}/make-payment`, {
    cardholderName: 'Grace Hopper', cardNumber: '4242 4242 4242 4242', expiry: '12/34', cvv: '123',
    amount: '25.00', currency: 'USD', idempotencyKey: randomUUID(), ...fields,
  }, { headers: { Accept: 'application/json' }, validateStatus: () => true });

  const network = axios.create({ headers: { Authorization: `Bearer ${NETWORK_KEY}` }, validateStatus: () => true });

  test('when a shopper pays with 4242 4242 4242 4242, then the payment is approved with an authorization code', async () => {
    const response = await checkout({});

    expect(response.status).toBe(200);
    expect(response.data).toMatchObject({ status: 'approved', card: { brand: 'visa', last4: '4242' }, currency: 'USD' });
    expect(response.data.authorizationCode).toMatch(/^[A-Z0-9]{6}$/);
    expect(response.data.paymentId).toMatch(/^pay_/);
  });

  test('when the same idempotency key is posted twice, then one payment and one hold at the card company', async () => {
    const idempotencyKey = randomUUID();
    const first = await checkout({ idempotencyKey });
    const second = await checkout({ idempotencyKey });

    expect(second.status).toBe(200);
    expect(second.data.paymentId).toBe(first.data.paymentId);
    const all = await network.get('/v1/authorizations', { baseURL: system.network.url, params: { limit: 1000 } });
    const holds = all.data.data.filter((record: { merchantReference: string }) => record.merchantReference === first.data.paymentId);
    expect(holds).toHaveLength(1);
  });

  test('when the card is declined, then 402 with a human reason; a Luhn-invalid number gets the field error', async () => {
    const declined = await checkout({ cardNumber: '4000 0000 0000 0002' });
    expect(declined.status).toBe(402);
    expect(declined.data.status).toBe('declined');
    expect(declined.data.message).toMatch(/declined/i);

    const invalid = await checkout({ cardNumber: '4242 4242 4242 4241' });
    expect(invalid.status).toBe(400);
    expect(invalid.data.errors.map((error: { field: string }) => error.field)).toContain('cardNumber');
  });

  test('when a browser posts the plain form, then it gets an HTML page saying approved', async () => {
    const form = new URLSearchParams({
      cardholderName: 'Alan Turing', cardNumber: '5555 5555 5555 4444', expiry: '11/33', cvv: '321',
      amount: '10.50', currency: 'EUR', idempotencyKey: randomUUID(),
    });
    const response = await axios.post(`${system.ui.url}/make-payment`, form.toString(), {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'text/html' }, validateStatus: () => true,
    });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toContain('text/html');
    expect(response.data).toMatch(/approved/i);
    expect(response.data).toContain('4444');
  });

  test('after the run, a card saved, paid with and its vault key rotated, no log line and no data file holds a full card number', async () => {
    await checkout({ cardNumber: '4000 0000 0000 0002' });
    const saved = await checkout({ cardNumber: '5555 5555 5555 4444', saveCard: 'on' });
    expect(saved.data).toMatchObject({ status: 'approved', cardSaved: true });
    // The answer also marks the checkout's key (a cookie of its own); the customer cookie is the one to keep.
    const customerCookie = (saved.headers['set-cookie'] as string[] | undefined)?.find((line) => line.startsWith('cardlane_customer='));
    const cookie = String(customerCookie ?? '').split(';')[0]!;
    const page = await axios.get(`${system.ui.url}/payment.html`, { headers: { Cookie: cookie } });
    const cardId = /name="savedCardId" value="(card_[0-9a-f]+)"/.exec(String(page.data))?.[1];
    const bySavedCard = await axios.post(`${system.ui.url}/make-payment`, {
      paymentMethod: 'saved_card', savedCardId: cardId, amount: '3.00', currency: 'USD', idempotencyKey: randomUUID(),
    }, { headers: { Accept: 'application/json', Cookie: cookie }, validateStatus: () => true });
    expect(bySavedCard.data).toMatchObject({ status: 'approved', card: { last4: '4444' } });
    const rotation = await runCommand('rotate-vault-key', [], { DATA_DIR: dataDir });
    expect(rotation.status).toBe(0);

    const logs = [system.network, system.processing, system.ui].flatMap((service) => service.lines).join('\n') + rotation.output;
    const files = readAllBytes(dataDir).toString('latin1');
    expect(fs.readdirSync(dataDir)).toEqual(expect.arrayContaining(['processing.sqlite', 'vault.sqlite', 'card-network.sqlite']));
    for (const number of CARD_NUMBERS) {
      expect(logs).not.toContain(number);
      expect(files).not.toContain(number);
    }
    expect(logs).toContain('"requestId"');
    expect(logs).toContain('rotate-vault-key: done: every card is sealed under');
  });
});
