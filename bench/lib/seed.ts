/**
 * Seeds settle-ready payments for the settlement benchmark, straight into both databases:
 * the processing server's SQLite (opened with openSqliteDatabase, so its migrations apply) gets
 * `authorized` automatic payments with sealed cards and their idempotency records, and the
 * simulator's SQLite (through its own store) gets the matching approved authorizations: same
 * merchantReference, authorization code, amount and currency, created in the last moments before
 * `now`, one a millisecond, as a busy shop's would be (none of them expired).
 * Rows go in big transactions through prepared statements; nothing here talks HTTP.
 */
import { createHmac, createSecretKey, randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { detectBrand, last4, luhnValid } from '../../shared/cards.ts';
import type { Currency } from '../../shared/money.ts';
import { DATABASE_FILE_NAME } from '../../card-network-sim/src/config.ts';
import { createCardFingerprinter } from '../../card-network-sim/src/card-fingerprint.ts';
import { openStore } from '../../card-network-sim/src/storage/store.ts';
import { createCardVault } from '../../processing-server/src/vault/card-vault.ts';
import type { PaymentRecord } from '../../processing-server/src/domain/payment.ts';
import { toPublicPayment } from '../../processing-server/src/domain/views.ts';
import { PAYMENT_COLUMNS, paymentToRow } from '../../processing-server/src/storage/sql/payment-rows.ts';
import { openSqliteDatabase } from '../../processing-server/src/storage/sqlite/database.ts';

/** The processing server's file name under DATA_DIR (processing-server/src/storage/index.ts). */
export const PROCESSING_DATABASE_FILE_NAME = 'processing.sqlite';

/** Rows per transaction: big enough that commits are rare, small enough to keep memory flat. */
const ROWS_PER_TRANSACTION = 20_000;
const CARD_POOL_SIZE = 2_000;
/** A realistic mix: mostly USD and EUR, some GBP, a zero-decimal currency. */
const CURRENCY_CYCLE: readonly Currency[] = ['USD', 'USD', 'EUR', 'USD', 'GBP', 'EUR', 'USD', 'JPY'];
const CODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export interface SeedOptions {
  dataDir: string;
  itemCount: number;
  /** Base64 32-byte key, the same CARD_VAULT_KEY the processes are started with. */
  vaultKey: string;
  now: Date;
}

export interface SeedResult {
  /** Sum of the seeded amounts per currency: what the merchant account must hold afterwards. */
  totals: Record<string, number>;
  processingMs: number;
  networkMs: number;
}

interface Card {
  number: string;
  brand: ReturnType<typeof detectBrand>;
  last4: string;
  processingFingerprint: string;
  networkFingerprint: string;
}

/** A Luhn-valid 16-digit Visa or Mastercard number from an index (never one of the test cards' outcomes). */
export function cardNumber(index: number): string {
  const body = `${index % 2 === 0 ? '4' : '5'}${index % 2 === 0 ? '9' : '1'}${String(index).padStart(13, '0')}`;
  for (let check = 0; check <= 9; check += 1) {
    if (luhnValid(`${body}${check}`)) return `${body}${check}`;
  }
  throw new Error('no Luhn check digit found');
}

function authorizationCode(): string {
  const bytes = randomBytes(6);
  let code = '';
  for (const byte of bytes) code += CODE_ALPHABET[byte % CODE_ALPHABET.length];
  return code;
}

function amountOf(index: number, currency: Currency): number {
  // Between 1.00 and about 500.00 in a two-decimal currency; whole yen for JPY.
  const base = 100 + ((index * 7919) % 49_900);
  return currency === 'JPY' ? Math.max(1, Math.floor(base / 10)) : base;
}

export function seed(options: SeedOptions): SeedResult {
  const vault = createCardVault(Buffer.from(options.vaultKey, 'base64'));
  const processing = openSqliteDatabase(path.join(options.dataDir, PROCESSING_DATABASE_FILE_NAME));
  const network = openStore(path.join(options.dataDir, DATABASE_FILE_NAME));
  // Seeding only: a big page cache for the random-keyed indexes, no fsync (the files are checkpointed at the end).
  processing.exec('PRAGMA cache_size = -524288; PRAGMA synchronous = OFF');
  const networkFingerprint = createCardFingerprinter(network.cardSecret);
  const cards: Card[] = Array.from({ length: CARD_POOL_SIZE }, (_unused, index) => {
    const number = cardNumber(index + 1);
    return {
      number, brand: detectBrand(number), last4: last4(number),
      processingFingerprint: vault.fingerprint(number), networkFingerprint: networkFingerprint(number),
    };
  });
  const insertPayment = processing.prepare(
    `INSERT INTO payments (${PAYMENT_COLUMNS.join(', ')}) VALUES (${PAYMENT_COLUMNS.map((column) => `:${column}`).join(', ')})`,
  );
  const insertIdempotency = processing.prepare(
    'INSERT INTO idempotency_keys (key, request_hash, payment_id, outcome, response, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  // The idempotency record's request hash only has to look like one; a KeyObject makes it cheap.
  const requestHashKey = createSecretKey(randomBytes(32));
  const requestHash = (text: string): string => createHmac('sha256', requestHashKey).update(text).digest('base64url');
  const totals: Record<string, number> = {};
  let processingMs = 0;
  let networkMs = 0;
  const firstCreatedMs = options.now.getTime() - options.itemCount;
  try {
    for (let start = 0; start < options.itemCount; start += ROWS_PER_TRANSACTION) {
      const end = Math.min(options.itemCount, start + ROWS_PER_TRANSACTION);
      const payments: PaymentRecord[] = [];
      for (let index = start; index < end; index += 1) {
        const card = cards[index % cards.length]!;
        const currency = CURRENCY_CYCLE[index % CURRENCY_CYCLE.length]!;
        const amount = amountOf(index, currency);
        totals[currency] = (totals[currency] ?? 0) + amount;
        const id = `pay_${uuidv7().replaceAll('-', '')}`;
        const createdAt = new Date(firstCreatedMs + index).toISOString();
        payments.push({
          id, merchantReference: id, status: 'authorized', amountMinor: amount, currency, captureMethod: 'automatic', paymentMethod: 'card',
          pointsAccountId: null,
          cardBrand: card.brand, cardLast4: card.last4, cardExpMonth: 1 + (index % 12), cardExpYear: options.now.getUTCFullYear() + 3,
          instrumentFingerprint: card.processingFingerprint, cardSealed: vault.encrypt(card.number, id), holderName: 'Bench Shopper',
          savedCardId: null, customerId: null,
          description: 'benchmark order', orderId: `order-${index}`, idempotencyKey: randomUUID(),
          authorizationId: `auth_${randomUUID().replaceAll('-', '')}`, authorizationCode: authorizationCode(),
          decline: null, reason: null, resolution: null, countedMinor: amount, capturedMinor: 0, refundedMinor: 0,
          settlementId: null, createdAt, updatedAt: createdAt, authenticationId: null, nextActionUrl: null,
        });
      }
      const processingStartedMs = performance.now();
      processing.exec('BEGIN IMMEDIATE');
      for (const payment of payments) {
        insertPayment.run(paymentToRow(payment) as Record<string, string | number | null>);
        insertIdempotency.run(payment.idempotencyKey, requestHash(payment.id), payment.id, 'authorized',
          JSON.stringify(toPublicPayment(payment)), payment.createdAt);
      }
      processing.exec('COMMIT');
      processingMs += performance.now() - processingStartedMs;
      const networkStartedMs = performance.now();
      network.transaction(() => {
        for (const [offset, payment] of payments.entries()) {
          const card = cards[(start + offset) % cards.length]!;
          network.insertAuthorization({
            id: payment.authorizationId!, merchantReference: payment.merchantReference, cardFingerprint: card.networkFingerprint,
            cardLast4: card.last4, amount: payment.amountMinor, currency: payment.currency, responseCode: '00',
            authorizationCode: payment.authorizationCode, message: 'approved', status: 'approved', heldAmount: payment.amountMinor,
            createdAtMs: Date.parse(payment.createdAt),
          });
        }
      });
      networkMs += performance.now() - networkStartedMs;
    }
    // Leave both files as a freshly running system would: the WAL folded into the database.
    processing.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  } finally {
    processing.close();
    network.close();
  }
  return { totals, processingMs, networkMs };
}
