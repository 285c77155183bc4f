/** The identity of an idempotent request: everything the caller sent, except its secrets. */
import { randomBytes } from 'node:crypto';
import { hashRequest, identityView } from '../../processing-server/src/domain/request-hash.ts';
import { createCardVault } from '../../processing-server/src/vault/card-vault.ts';

const card = { number: '4242 4242 4242 4242', expMonth: 12, expYear: 2031, cvv: '123', holderName: 'Ada Lovelace' };

describe('request identity', () => {
  const vault = createCardVault(randomBytes(32));

  test('when a request is viewed, then the CVV is left out and the card number is its digits', () => {
    expect(identityView({ amount: 100, currency: 'USD', card })).toEqual({
      amount: 100, currency: 'USD', card: { number: '4242424242424242', expMonth: 12, expYear: 2031, holderName: 'Ada Lovelace' },
    });
  });

  test('when a points request is viewed, then its PIN is left out the same way', () => {
    expect(identityView({ amount: 100, currency: 'USD', points: { accountId: 'PTS-0000-0001', pin: '1234' } }))
      .toEqual({ amount: 100, currency: 'USD', points: { accountId: 'PTS-0000-0001' } });
  });

  test('when two requests differ only in their CVV or PIN, then their hashes are equal', () => {
    expect(hashRequest(vault, { amount: 100, currency: 'USD', card })).toBe(hashRequest(vault, { amount: 100, currency: 'USD', card: { ...card, cvv: '987' } }));
    expect(hashRequest(vault, { points: { accountId: 'A', pin: '1111' } })).toBe(hashRequest(vault, { points: { accountId: 'A', pin: '2222' } }));
  });

  test('when a repeat of a checkout reaches another UI server, whose return address differs, then it is the same request', () => {
    const first = { amount: 100, currency: 'USD', card, returnUrl: 'http://127.0.0.1:3000/payments/authentication-return' };
    const repeat = { ...first, returnUrl: 'http://127.0.0.1:3010/payments/authentication-return' };

    expect(hashRequest(vault, repeat)).toBe(hashRequest(vault, first));
    expect(identityView(first)).not.toHaveProperty('returnUrl');
  });

  test('when two requests differ in anything else, then their hashes differ', () => {
    const base = hashRequest(vault, { amount: 100, currency: 'USD', card });
    expect(hashRequest(vault, { amount: 101, currency: 'USD', card })).not.toBe(base);
    expect(hashRequest(vault, { amount: 100, currency: 'USD', card: { ...card, expYear: 2032 } })).not.toBe(base);
    expect(hashRequest(vault, { amount: 100, currency: 'USD', card: { ...card, number: '5555555555554444' } })).not.toBe(base);
    expect(hashRequest(vault, { points: { accountId: 'A', pin: '1' } })).not.toBe(hashRequest(vault, { points: { accountId: 'B', pin: '1' } }));
  });

  test('when all 1,000 CVVs are tried with the vault key against the stored hash, then none matches', () => {
    const stored = hashRequest(vault, { amount: 100, currency: 'USD', card });
    const guesses = Array.from({ length: 1000 }, (_unused, value) => String(value).padStart(3, '0'))
      .map((cvv) => vault.keyedHash(JSON.stringify({ amount: 100, currency: 'USD', card: { ...card, number: '4242424242424242', cvv } })));
    expect(guesses).not.toContain(stored);
  });
});
