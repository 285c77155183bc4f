/**
 * How a payment request pays (SPEC §4, §10, §11): a typed card, checked here before anything is
 * kept (the server has the last word); a card the vault keeps, named by its id (and, when the
 * request names a customer, that customer's); or a points account, in the points currency only.
 * The answer is the instrument for the provider (the card, the saved card's number or the PIN
 * travels there and nowhere else) and the payment's own fields: the card masked (and a typed
 * card's number sealed; a saved card's stays in the vault), or the points account; and the
 * fingerprint that identifies the payer for the spending limit, the same for a card typed or saved.
 */
import { checkCard, detectBrand, expiryValid, last4, normalizeCardNumber } from '../../../shared/cards.ts';
import type { CreatePaymentRequest } from '../../../shared/contracts/processing.ts';
import type { DomainDeps } from './deps.ts';
import { cardNotFound, DomainError } from './errors.ts';
import type { PaymentRecord } from './payment.ts';
import type { Instrument } from './ports/provider.ts';
import type { CardVault } from './ports/vault.ts';

/** The fields of a payment that say what paid. */
export type SourceFields = Pick<PaymentRecord,
  'paymentMethod' | 'cardBrand' | 'cardLast4' | 'cardExpMonth' | 'cardExpYear' | 'cardSealed' | 'holderName' | 'savedCardId' | 'pointsAccountId'
  | 'instrumentFingerprint' | 'customerId'>;

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
 * What pays for the payment `paymentId` asks for, checked. A card that fails its checks, a saved
 * card that is not there (or not the customer's), or points in another currency than the points
 * currency, is refused before anything is kept.
 */
export async function paymentSource(
  deps: Pick<DomainDeps, 'vault' | 'savedCards' | 'settings'>, request: CreatePaymentRequest, paymentId: string, now: Date,
): Promise<PaymentSource> {
  if (request.points) return pointsSource(deps, request);
  if (request.cardId !== undefined) return savedCardSource(deps, request.cardId, request.customerId, now);
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
      cardSealed: deps.vault.encrypt(digits, paymentId), holderName: card.holderName, savedCardId: null, pointsAccountId: null,
      instrumentFingerprint: instrumentFingerprint(deps.vault, instrument), customerId: request.customerId ?? null,
    },
  };
}

function pointsSource(deps: Pick<DomainDeps, 'vault' | 'settings'>, request: CreatePaymentRequest): PaymentSource {
  const points = request.points!;
  if (request.currency !== deps.settings.pointsCurrency) {
    throw new DomainError({
      code: 'currency_not_supported',
      message: `Points pay in ${deps.settings.pointsCurrency} only (one point is one minor unit); this payment is in ${request.currency}.`,
      problems: [{ field: 'currency', message: `must be ${deps.settings.pointsCurrency} for a points payment` }],
    });
  }
  const instrument: Instrument = { method: 'points', accountId: points.accountId, pin: points.pin };
  return {
    instrument,
    fields: {
      paymentMethod: 'points', cardBrand: null, cardLast4: null, cardExpMonth: null, cardExpYear: null, cardSealed: null, holderName: null,
      savedCardId: null, pointsAccountId: instrument.accountId, instrumentFingerprint: instrumentFingerprint(deps.vault, instrument),
      customerId: request.customerId ?? null,
    },
  };
}

/**
 * A saved card: opened from the vault for this one authorization. Another customer's card reads
 * as not found, so that card ids cannot be probed. The payment keeps the card masked and names
 * it, and its customer; the number goes to the card company on file, without a CVV.
 */
async function savedCardSource(
  deps: Pick<DomainDeps, 'vault' | 'savedCards'>, cardId: string, customerId: string | undefined, now: Date,
): Promise<PaymentSource> {
  const card = await deps.savedCards.open(cardId);
  if (!card || (customerId !== undefined && card.customerId !== customerId)) throw cardNotFound(cardId);
  if (!expiryValid(card.expMonth, card.expYear, now)) {
    throw new DomainError({
      code: 'invalid_payment', message: 'The saved card has expired.',
      problems: [{ field: 'cardId', message: `the card expired at the end of ${String(card.expMonth).padStart(2, '0')}/${card.expYear}; save it again with its new expiry` }],
    });
  }
  const instrument: Instrument = { method: 'saved_card', cardId: card.id, number: card.number, expMonth: card.expMonth, expYear: card.expYear };
  return {
    instrument,
    fields: {
      paymentMethod: 'saved_card', cardBrand: card.brand, cardLast4: card.last4, cardExpMonth: card.expMonth, cardExpYear: card.expYear,
      cardSealed: null, holderName: card.holderName, savedCardId: card.id, pointsAccountId: null,
      instrumentFingerprint: instrumentFingerprint(deps.vault, instrument), customerId: customerId ?? card.customerId,
    },
  };
}
