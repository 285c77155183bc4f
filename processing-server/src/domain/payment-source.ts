/**
 * How a payment request pays (SPEC §4, §11): a typed card, checked here before anything is
 * kept (the server has the last word), or a points account, in the points currency only. The
 * answer is the instrument for the provider (the card or the PIN travels there and nowhere else)
 * and the payment's own fields: the card masked and sealed, or the points account; and the
 * fingerprint that identifies the payer for the spending limit.
 */
import { checkCard, detectBrand, last4, normalizeCardNumber } from '../../../shared/cards.ts';
import type { CreatePaymentRequest } from '../../../shared/contracts/processing.ts';
import type { DomainDeps } from './deps.ts';
import { DomainError } from './errors.ts';
import type { PaymentRecord } from './payment.ts';
import type { Instrument } from './ports/provider.ts';
import type { CardVault } from './ports/vault.ts';

/** The fields of a payment that say what paid. */
export type SourceFields = Pick<PaymentRecord,
  'paymentMethod' | 'cardBrand' | 'cardLast4' | 'cardExpMonth' | 'cardExpYear' | 'cardSealed' | 'holderName' | 'pointsAccountId' | 'instrumentFingerprint'>;

export interface PaymentSource {
  instrument: Instrument;
  fields: SourceFields;
}

/**
 * The spending limit's payer: a card by its number (typed or saved: one card, one fingerprint),
 * a points account by its id, each keyed apart.
 */
export function instrumentFingerprint(vault: Pick<CardVault, 'fingerprint' | 'keyedHash'>, instrument: Instrument): string {
  return instrument.method === 'points' ? vault.keyedHash(`points:${instrument.accountId}`) : vault.fingerprint(instrument.number);
}

/**
 * What pays for the payment `paymentId` asks for, checked. A card that fails its checks, or
 * points in another currency than the points currency, is refused before anything is kept.
 */
export function paymentSource(
  deps: Pick<DomainDeps, 'vault' | 'settings'>, request: CreatePaymentRequest, paymentId: string, now: Date,
): PaymentSource {
  if (request.points) {
    if (request.currency !== deps.settings.pointsCurrency) {
      throw new DomainError({
        code: 'currency_not_supported',
        message: `Points pay in ${deps.settings.pointsCurrency} only (one point is one minor unit); this payment is in ${request.currency}.`,
        problems: [{ field: 'currency', message: `must be ${deps.settings.pointsCurrency} for a points payment` }],
      });
    }
    const instrument: Instrument = { method: 'points', accountId: request.points.accountId, pin: request.points.pin };
    return {
      instrument,
      fields: {
        paymentMethod: 'points', cardBrand: null, cardLast4: null, cardExpMonth: null, cardExpYear: null, cardSealed: null, holderName: null,
        pointsAccountId: instrument.accountId, instrumentFingerprint: instrumentFingerprint(deps.vault, instrument),
      },
    };
  }
  // The request's schema lets exactly one source through.
  const card = request.card!;
  const problems = checkCard(card, now, { requireHolderName: true });
  if (problems.length > 0) throw new DomainError({ code: 'invalid_payment', message: 'The card cannot be charged.', problems });
  const digits = normalizeCardNumber(card.number);
  const instrument: Instrument = { method: 'card', number: digits, expMonth: card.expMonth, expYear: card.expYear, cvv: card.cvv };
  return {
    instrument,
    fields: {
      paymentMethod: 'card', cardBrand: detectBrand(digits), cardLast4: last4(digits), cardExpMonth: card.expMonth, cardExpYear: card.expYear,
      cardSealed: deps.vault.encrypt(digits, paymentId), holderName: card.holderName, pointsAccountId: null,
      instrumentFingerprint: instrumentFingerprint(deps.vault, instrument),
    },
  };
}
