/**
 * The UI server's side of 3-D Secure (SPEC §13): the address the card issuer's page sends the
 * shopper back to (this server's own), and the only place a checkout answer may send a browser
 * besides this server: the card issuer's page, on NETWORK_PUBLIC_URL's origin.
 */
import type { Request } from 'express';
import type { Logger } from '../../shared/logger.ts';
import type { ShopperAnswer } from './payment-result.ts';
import { MESSAGES } from './payment-result.ts';

export const AUTHENTICATION_RETURN_PATH = '/payments/authentication-return';

/**
 * This server's return address, as the browser reached it: scheme and host from the request
 * (behind proxies trusted with UI_TRUST_PROXY_HOPS, from X-Forwarded-Proto and -Host). The
 * processing server adds `paymentId=`; only the shopper's own payment can be sent anywhere by it.
 */
export function authenticationReturnUrl(request: Request): string {
  return `${request.protocol}://${request.host}${AUTHENTICATION_RETURN_PATH}`;
}

/** True when `url` is a page of the card issuer: http(s) on its public origin. */
export function isIssuerPage(url: string, issuerOrigin: string): boolean {
  return URL.canParse(url) && new URL(url).origin === issuerOrigin;
}

/**
 * A `requires_action` answer whose page is not the issuer's is not followed: the CSP would refuse
 * the redirect anyway. The payment holds nothing while it waits and nobody can confirm it
 * without that page, so the shopper is told, truthfully, that nothing was charged.
 */
export function withIssuerChecked(answer: ShopperAnswer, issuerOrigin: string, logger: Logger): ShopperAnswer {
  const url = answer.result.nextAction?.url;
  if (answer.result.status !== 'requires_action' || (url !== undefined && isIssuerPage(url, issuerOrigin))) return answer;
  logger.error({ paymentId: answer.result.paymentId, issuerOrigin }, '3-D Secure page is not on NETWORK_PUBLIC_URL; the shopper is not sent there');
  const { nextAction: _unfollowed, ...result } = answer.result;
  return { httpStatus: 503, result: { ...result, status: 'error', message: MESSAGES.notCharged } };
}
