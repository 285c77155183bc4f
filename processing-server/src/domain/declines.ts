/** The card company's response codes as stable decline codes and messages a merchant can show. */
import { RESPONSE_CODES, type ResponseCode } from '../../../shared/contracts/network.ts';
import type { Decline } from '../../../shared/contracts/processing.ts';

const DECLINE_CODES: Record<Exclude<ResponseCode, '00'>, string> = {
  '05': 'do_not_honor',
  '14': 'invalid_card_number',
  '41': 'lost_card',
  '43': 'stolen_card',
  '51': 'insufficient_funds',
  '54': 'expired_card',
  '61': 'exceeds_amount_limit',
  '91': 'issuer_unavailable',
  '96': 'system_malfunction',
  N7: 'cvv_mismatch',
};

export function declineFromNetwork(code: Exclude<ResponseCode, '00'>, message?: string): Decline {
  return { code: DECLINE_CODES[code], message: message ?? RESPONSE_CODES[code], networkCode: code };
}

export function limitExceededDecline(limitDescription: string): Decline {
  return {
    code: 'limit_exceeded',
    message: `This card has reached its spending limit of ${limitDescription} in the last 24 hours.`,
  };
}
