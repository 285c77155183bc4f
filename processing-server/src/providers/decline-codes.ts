/**
 * The providers' response codes (ISO 8583 field 39 style) as the stable decline codes a merchant
 * can show. The same code means different things at different providers: `51` is insufficient
 * funds on a card and too few points on a points account.
 */
import { RESPONSE_CODES, type NetworkResponseCode } from '../../../shared/contracts/network.ts';
import type { Decline } from '../../../shared/contracts/processing.ts';

type DeclineCodes = Partial<Record<NetworkResponseCode, { code: string; message?: string }>>;

/**
 * A card authorization's declines. `1A` (the issuer asks for 3-D Secure) reads as the decline
 * `authentication_required`: the domain then authenticates the payment, or declines it so when
 * the caller gave no returnUrl.
 */
const CARD_DECLINES: DeclineCodes = {
  '05': { code: 'do_not_honor' },
  '14': { code: 'invalid_card_number' },
  '41': { code: 'lost_card' },
  '43': { code: 'stolen_card' },
  '51': { code: 'insufficient_funds' },
  '54': { code: 'expired_card' },
  '61': { code: 'exceeds_amount_limit' },
  '91': { code: 'issuer_unavailable' },
  '96': { code: 'system_malfunction' },
  N7: { code: 'cvv_mismatch' },
  '1A': { code: 'authentication_required', message: 'The card issuer asks for 3-D Secure authentication of this payment.' },
};

const POINTS_DECLINES: DeclineCodes = {
  '05': { code: 'do_not_honor', message: 'The points account cannot be used for payments.' },
  '14': { code: 'unknown_account', message: 'There is no points account with this number.' },
  '51': { code: 'insufficient_points', message: 'The points account does not have enough points for this payment.' },
  '55': { code: 'incorrect_pin', message: 'The PIN of the points account is incorrect.' },
  '91': { code: 'issuer_unavailable' },
  '96': { code: 'system_malfunction' },
};

function declineOf(table: DeclineCodes, code: NetworkResponseCode, message: string | undefined): Decline | null {
  const decline = table[code];
  if (!decline) return null;
  return { code: decline.code, message: decline.message ?? message ?? RESPONSE_CODES[code], networkCode: code };
}

/** The decline a card answer carries, or null when the code is not a decline a card authorization can have. */
export function cardDecline(code: NetworkResponseCode, message?: string): Decline | null {
  return declineOf(CARD_DECLINES, code, message);
}

/** The decline a points answer carries, or null when the code is not one the points provider declines with. */
export function pointsDecline(code: NetworkResponseCode): Decline | null {
  return declineOf(POINTS_DECLINES, code, undefined);
}
