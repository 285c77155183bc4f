/**
 * Card-network simulator, card-on-file authorizations: `storedCredential: true` lets a merchant
 * that keeps a card (and, rightly, never its CVV) authorize it without a CVV. Only the CVV check
 * is skipped; everything else is decided as usual, and without the flag the CVV stays required.
 */
import { cardAuthorizationRecordSchema } from '../../shared/contracts/network.ts';
import {
  ACCOUNT_CARDS, TEST_CARDS, authorizationBody, createTestNetwork, lookUpAuthorization, postAuthorization, type TestNetwork,
} from '../helpers/network-sim.ts';

let network: TestNetwork;

beforeEach(() => {
  network = createTestNetwork();
});

afterEach(() => {
  network.close();
});

/** An authorization of a card on file: no CVV, `storedCredential: true`. */
function onFileBody(cardNumber: string, amount = 1000) {
  const body = authorizationBody({ cardNumber, amount });
  const { cvv: _cvv, ...card } = body.card;
  return { ...body, card, storedCredential: true };
}

describe('POST /v1/authorizations with storedCredential', () => {
  test.each([
    ['visa', TEST_CARDS.visa, '00'],
    ['do not honor', TEST_CARDS.doNotHonor, '05'],
    ['insufficient funds', TEST_CARDS.insufficientFunds, '51'],
    ['lost', TEST_CARDS.lost, '41'],
    ['expired', TEST_CARDS.expired, '54'],
    ['account', ACCOUNT_CARDS[0], '00'],
  ])('when the %s card is authorized on file without a CVV, then it is decided as usual (%s)', async (_name, cardNumber, expectedCode) => {
    const response = await postAuthorization(network.app, onFileBody(cardNumber));

    expect(response.status).toBe(200);
    expect(response.body.responseCode).toBe(expectedCode);
  });

  test('when the CVV-mismatch card is authorized on file, then the CVV check is skipped and it is approved and held like an account card', async () => {
    const typed = await postAuthorization(network.app, authorizationBody({ cardNumber: TEST_CARDS.cvvMismatch }));
    const body = onFileBody(TEST_CARDS.cvvMismatch, 2500);
    const onFile = await postAuthorization(network.app, body);

    expect(typed.body.responseCode).toBe('N7');
    expect(onFile.body.responseCode).toBe('00');
    const record = cardAuthorizationRecordSchema.parse((await lookUpAuthorization(network.app, body.merchantReference)).body);
    expect(record).toMatchObject({ status: 'approved', amount: 2500, heldAmount: 2500 });
  });

  test('when a card on file is verified (amount 0) without a CVV, then the CVV-mismatch card verifies as good and the lost card does not', async () => {
    const good = await postAuthorization(network.app, onFileBody(TEST_CARDS.cvvMismatch, 0));
    const lost = await postAuthorization(network.app, onFileBody(TEST_CARDS.lost, 0));

    expect(good.body.responseCode).toBe('85');
    expect(lost.body.responseCode).toBe('41');
  });

  test('when a request without a CVV does not say storedCredential (or says false), then it is refused with 400 naming card.cvv and nothing is recorded', async () => {
    const { storedCredential: _flag, ...withoutFlag } = onFileBody(TEST_CARDS.visa);
    const saysFalse = { ...onFileBody(TEST_CARDS.visa), storedCredential: false };

    for (const body of [withoutFlag, saysFalse]) {
      const response = await postAuthorization(network.app, body);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'card.cvv', message: 'is required unless storedCredential is true or an authenticationId is given' }] });
      expect((await lookUpAuthorization(network.app, body.merchantReference)).status).toBe(404);
    }
  });

  test('when storedCredential is not a boolean, then 400 names it', async () => {
    const response = await postAuthorization(network.app, { ...onFileBody(TEST_CARDS.visa), storedCredential: 'yes' });

    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ field: 'storedCredential' })]);
  });

  test('when a card on file sends a CVV anyway, then it is checked as for any card', async () => {
    const body = { ...authorizationBody({ cardNumber: TEST_CARDS.cvvMismatch }), storedCredential: true };

    expect((await postAuthorization(network.app, body)).body.responseCode).toBe('N7');
  });
});
