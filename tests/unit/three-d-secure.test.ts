/** The pure parts of 3-D Secure: the return address the issuer sends the shopper to, and what a `1A` means after an authentication. */
import { AUTHENTICATION_FAILED, afterAuthentication, returnUrlFor } from '../../processing-server/src/domain/three-d-secure.ts';

const REQUIRED = { code: 'authentication_required', message: 'asks for 3-D Secure', networkCode: '1A' };

describe('3-D Secure rules', () => {
  test('when the returnUrl has a query, a fragment or an old paymentId, then paymentId is set once in its query', () => {
    expect(returnUrlFor('https://shop.example/return', 'pay_1')).toBe('https://shop.example/return?paymentId=pay_1');
    expect(returnUrlFor('https://shop.example/return?step=3ds#top', 'pay_1')).toBe('https://shop.example/return?step=3ds&paymentId=pay_1#top');
    expect(returnUrlFor('http://127.0.0.1:3000/r?paymentId=pay_0', 'pay_1')).toBe('http://127.0.0.1:3000/r?paymentId=pay_1');
  });

  test('when an authorization that named an authentication is answered 1A, then it is declined authentication_failed', () => {
    expect(afterAuthentication({ kind: 'declined', authorizationId: 'auth_1', decline: REQUIRED, via: 'answer' }))
      .toEqual({ kind: 'declined', authorizationId: 'auth_1', decline: AUTHENTICATION_FAILED, via: 'answer' });
  });

  test('when only the look-up finds 1A, then that is the first attempt: nothing is held yet, and a late arrival is watched', () => {
    expect(afterAuthentication({ kind: 'declined', authorizationId: 'auth_1', decline: REQUIRED, via: 'lookup' })).toEqual({ kind: 'nothing', watch: true });
  });

  test('when the decision is anything else, then it stands as it is', () => {
    const approved = { kind: 'approved' as const, authorizationId: 'auth_1', authorizationCode: 'A1B2C3', via: 'lookup' as const };
    const declined = { kind: 'declined' as const, authorizationId: 'auth_1', decline: { code: 'do_not_honor', message: 'no' }, via: 'answer' as const };
    expect(afterAuthentication(approved)).toBe(approved);
    expect(afterAuthentication(declined)).toBe(declined);
    expect(afterAuthentication({ kind: 'unknown' })).toEqual({ kind: 'unknown' });
  });
});
