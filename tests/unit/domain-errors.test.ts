/** The one table from what the domain refuses to what the API answers. */
import { DomainError } from '../../processing-server/src/domain/errors.ts';
import { DOMAIN_ERROR_ANSWERS, toAppError } from '../../processing-server/src/http/domain-errors.ts';

describe('domain errors at the HTTP edge', () => {
  test('when each domain code is answered, then it is a client error but provider_unavailable, with the problem code the API documents', () => {
    const answers = Object.entries(DOMAIN_ERROR_ANSWERS).map(([code, answer]) => [code, answer.status, answer.code ?? code]);

    expect(answers).toEqual([
      ['payment_not_found', 404, 'not_found'],
      ['settlement_run_not_found', 404, 'not_found'],
      ['invalid_payment', 400, 'validation_failed'],
      ['currency_not_supported', 400, 'currency_not_supported'],
      ['idempotency_key_reused', 409, 'idempotency_key_reused'],
      ['idempotency_key_in_flight', 409, 'idempotency_key_in_flight'],
      ['invalid_state', 409, 'invalid_state'],
      ['adjustment_in_progress', 409, 'adjustment_in_progress'],
      ['already_in_batch', 409, 'already_in_batch'],
      ['capture_not_allowed', 409, 'capture_not_allowed'],
      ['amount_too_large', 400, 'amount_too_large'],
      ['amount_exceeds_refundable', 400, 'amount_exceeds_refundable'],
      ['provider_unavailable', 503, 'provider_unavailable'],
      ['card_not_found', 404, 'card_not_found'],
      ['invalid_card', 400, 'validation_failed'],
      ['card_declined', 402, 'card_declined'],
    ]);
  });

  test('when a domain error names fields and details, then the problem carries them; an invalid payment reads as a validation failure', () => {
    const inFlight = toAppError(new DomainError({ code: 'idempotency_key_in_flight', message: 'still working', details: { paymentId: 'pay_1' } }));
    const invalid = toAppError(new DomainError({ code: 'invalid_payment', message: 'The card cannot be charged.', problems: [{ field: 'card.number', message: 'fails the Luhn check' }] }));

    expect(inFlight).toMatchObject({ status: 409, code: 'idempotency_key_in_flight', message: 'still working', extensions: { paymentId: 'pay_1' } });
    expect(invalid).toMatchObject({
      status: 400, code: 'validation_failed', errors: [{ field: 'card.number', message: 'fails the Luhn check' }],
      message: 'The card cannot be charged. card.number: fails the Luhn check',
    });
  });
});
