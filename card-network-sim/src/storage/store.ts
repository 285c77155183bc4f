/**
 * The simulator's storage: one SQLite file through the built-in `node:sqlite` (WAL mode).
 * Every statement is prepared once at open. The store knows SQL and nothing of HTTP; the
 * issuer and the clearing house call it inside `transaction()`.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { Currency } from '../../../shared/money.ts';
import type { NetworkResponseCode, PaymentMethod } from '../../../shared/contracts/network.ts';
import { PIN_HASH_COST, hashPin, type PinHashCost } from '../pin-hash.ts';
import { AuthenticationStore } from './authentication-store.ts';
import { NETWORK_MIGRATIONS, type Migration } from './migrations.ts';
import { PointsStore, type PointsAccountRow } from './points-store.ts';
import { SCHEMA_SQL } from './schema.ts';
import { prepareStatements, type Statements } from './statements.ts';

/** Statuses as stored; `expired` is derived at read time from `created_at_ms` and the clock. */
export type StoredAuthorizationStatus = 'approved' | 'declined' | 'reversed' | 'settled' | 'verified';

export interface AuthorizationRow {
  seq: number;
  id: string;
  merchantReference: string;
  cardFingerprint: string;
  cardLast4: string;
  /** The amount first asked for, which a repeat of the request is compared with. */
  requestedAmount: number;
  /** The authorized total (follows approved adjustments); 0 for a verification. */
  amount: number;
  currency: Currency;
  responseCode: NetworkResponseCode;
  authorizationCode: string | null;
  message: string;
  status: StoredAuthorizationStatus;
  heldAmount: number;
  settledAmount: number;
  refundedAmount: number;
  settlementBatchId: string | null;
  authenticationId: string | null;
  createdAtMs: number;
  updatedAtMs: number;
}

/** The part of an authorization that clearing decides on. */
export type ClearingRow = Pick<AuthorizationRow,
  'seq' | 'merchantReference' | 'cardFingerprint' | 'currency' | 'authorizationCode' | 'status'
  | 'heldAmount' | 'settledAmount' | 'refundedAmount' | 'createdAtMs'>;

/** The fields one issuer decision sets. */
export interface AuthorizationDecision {
  responseCode: NetworkResponseCode;
  authorizationCode: string | null;
  message: string;
  status: 'approved' | 'declined' | 'verified';
  heldAmount: number;
  /** The 3-D Secure authentication an approval relied on. */
  authenticationId?: string | null;
}

export interface NewAuthorization extends AuthorizationDecision,
  Pick<AuthorizationRow, 'id' | 'merchantReference' | 'cardFingerprint' | 'cardLast4' | 'amount' | 'currency' | 'createdAtMs'> {}

/** One adjustment of a card or points hold, approved or declined. */
export interface AdjustmentRow {
  reference: string;
  /** The new total asked for. */
  amount: number;
  responseCode: NetworkResponseCode;
  message: string;
  atMs: number;
}

export interface StoredBatch {
  contentSha256: string;
  responseJson: string;
}

export interface DepositRow {
  batchId: string;
  currency: Currency;
  amount: number;
  atMs: number;
}

export interface NewRefund {
  /** Absent: a card refund. */
  method?: PaymentMethod;
  merchantReference: string;
  originalMerchantReference: string;
  amount: number;
  currency: Currency;
  batchId: string;
  settledAtMs: number;
}

const CARD_SECRET_KEY = 'card_fingerprint_secret';
const POINTS_SEEDED_KEY = 'points_accounts_seeded';

/** The deterministic points accounts every new database starts with (PIN 1234). */
export const SEED_POINTS_ACCOUNTS: ReadonlyArray<Omit<PointsAccountRow, 'pinHash'>> = [
  { accountId: 'PTS-0000-0001', balance: 100_000, status: 'active' },
  { accountId: 'PTS-0000-0002', balance: 500, status: 'active' },
  { accountId: 'PTS-0000-0003', balance: 10_000, status: 'blocked' },
];
const SEED_POINTS_PIN = '1234';

export interface StoreOptions {
  /** Cost of the seeded accounts' PIN hashes; tests lower it to open many databases quickly. */
  pinHashCost?: PinHashCost;
}

/**
 * Brings a database from whatever version it is at to the newest, one migration a transaction.
 * A database written by a newer simulator is refused rather than misread.
 */
export function applyMigrations(database: DatabaseSync, migrations: readonly Migration[] = NETWORK_MIGRATIONS): void {
  const versionOf = (): number => (database.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
  const newest = migrations.at(-1)?.version ?? 0;
  if (versionOf() > newest) throw new Error(`the database is at version ${versionOf()}; this simulator knows versions up to ${newest}`);
  for (const migration of migrations) {
    database.exec('BEGIN IMMEDIATE');
    try {
      // Read inside the write lock: another process opening the same file may have migrated it meanwhile.
      if (versionOf() < migration.version) {
        database.exec(migration.sql);
        database.exec(`PRAGMA user_version = ${migration.version}`);
      }
      database.exec('COMMIT');
    } catch (error) {
      database.exec('ROLLBACK');
      throw new Error(`migration ${migration.version} (${migration.purpose}) failed`, { cause: error });
    }
  }
}

/**
 * A clearing row read by column position into a plain object of fixed shape. node:sqlite's row
 * objects have a null prototype and are slow to read property by property, which a
 * 5,000-item batch reads many times.
 */
function toClearingRow(raw: unknown[] | Record<string, unknown>): ClearingRow {
  const values = Array.isArray(raw) ? raw : Object.values(raw);
  return {
    seq: values[0] as number,
    merchantReference: values[1] as string,
    cardFingerprint: values[2] as string,
    currency: values[3] as Currency,
    authorizationCode: values[4] as string | null,
    status: values[5] as StoredAuthorizationStatus,
    heldAmount: values[6] as number,
    settledAmount: values[7] as number,
    refundedAmount: values[8] as number,
    createdAtMs: values[9] as number,
  };
}

function firstRow<Row>(statement: StatementSync, ...parameters: Array<string | number | null>): Row | undefined {
  return statement.get(...parameters) as Row | undefined;
}

function allRows<Row>(statement: StatementSync, ...parameters: Array<string | number | null>): Row[] {
  return statement.all(...parameters) as Row[];
}

export class NetworkStore {
  readonly #database: DatabaseSync;
  readonly #statements: Statements;
  readonly #cardSecret: string;
  #inTransaction = false;
  readonly authentications: AuthenticationStore;
  readonly points: PointsStore;

  constructor(databasePath: string, options: StoreOptions = {}) {
    if (databasePath !== ':memory:') mkdirSync(path.dirname(databasePath), { recursive: true });
    this.#database = new DatabaseSync(databasePath);
    // WAL lets readers run beside the writer; NORMAL sync is durable across a process crash,
    // which is the failure a simulator has to survive (not a power cut). A 16 MB page cache holds
    // what a 5,000-item batch touches (a batch's authorizations are neighbours); 64 MB settled a
    // batch no faster and added 48 MB to the process (docs/PERFORMANCE.md).
    this.#database.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA cache_size = -16384;');
    this.#database.exec(SCHEMA_SQL);
    applyMigrations(this.#database);
    this.#statements = prepareStatements(this.#database);
    this.authentications = new AuthenticationStore(this.#database);
    this.points = new PointsStore(this.#database);
    this.#cardSecret = this.#loadOrCreateCardSecret();
    this.#seedPointsAccounts(options.pinHashCost ?? PIN_HASH_COST);
  }

  /** Once per database: the PIN hashes are slow on purpose, so a reopened database skips them. */
  #seedPointsAccounts(cost: PinHashCost): void {
    if (firstRow(this.#statements.selectMeta, POINTS_SEEDED_KEY)) return;
    const accounts = SEED_POINTS_ACCOUNTS.map((account) => ({ ...account, pinHash: hashPin(SEED_POINTS_PIN, cost) }));
    this.transaction(() => {
      const createdAtMs = Date.now();
      for (const account of accounts) this.points.insertAccountIfMissing(account, createdAtMs);
      this.#statements.insertMetaIfMissing.run(POINTS_SEEDED_KEY, new Date(createdAtMs).toISOString());
    });
  }

  /** The HMAC key that turns a card number into its fingerprint; generated once per database. */
  get cardSecret(): string {
    return this.#cardSecret;
  }

  #loadOrCreateCardSecret(): string {
    this.#statements.insertMetaIfMissing.run(CARD_SECRET_KEY, randomBytes(32).toString('base64'));
    const row = firstRow<{ value: string }>(this.#statements.selectMeta, CARD_SECRET_KEY);
    if (!row) throw new Error('the card fingerprint secret could not be stored');
    return row.value;
  }

  /**
   * Runs `work` in one `BEGIN IMMEDIATE` transaction: the write lock is taken up front, so a
   * check and the insert that depends on it can never interleave with another writer. `work`
   * must be synchronous (no await inside a transaction).
   */
  transaction<Result>(work: () => Result): Result {
    if (this.#inTransaction) throw new Error('transactions do not nest');
    this.#database.exec('BEGIN IMMEDIATE');
    this.#inTransaction = true;
    try {
      const result = work();
      this.#database.exec('COMMIT');
      return result;
    } catch (error) {
      this.#database.exec('ROLLBACK');
      throw error;
    } finally {
      this.#inTransaction = false;
    }
  }

  ping(): boolean {
    return firstRow<{ one: number }>(this.#statements.ping)?.one === 1;
  }

  close(): void {
    if (this.#database.isOpen) this.#database.close();
  }

  findAuthorizationByReference(merchantReference: string): AuthorizationRow | undefined {
    return firstRow(this.#statements.selectAuthorizationByReference, merchantReference);
  }

  findAuthorizationById(id: string): AuthorizationRow | undefined {
    return firstRow(this.#statements.selectAuthorizationById, id);
  }

  /** Authorizations by merchant reference, one query for a whole batch (missing ones are absent). */
  findClearingRows(merchantReferences: string[]): ClearingRow[] {
    if (merchantReferences.length === 0) return [];
    return allRows<unknown[] | Record<string, unknown>>(this.#statements.selectClearingRowsByReferences, JSON.stringify(merchantReferences))
      .map(toClearingRow);
  }

  /** Oldest first, after the row with sequence `afterSeq`. */
  listAuthorizations(afterSeq: number, limit: number): AuthorizationRow[] {
    return allRows(this.#statements.selectAuthorizationPage, afterSeq, limit);
  }

  insertAuthorization(row: NewAuthorization): void {
    this.#statements.insertAuthorization.run(
      row.id, row.merchantReference, row.cardFingerprint, row.cardLast4, row.amount, row.amount, row.currency,
      row.responseCode, row.authorizationCode, row.message, row.status, row.heldAmount, row.authenticationId ?? null,
      row.createdAtMs, row.createdAtMs,
    );
  }

  /** A retryable result is not final: a repeat is decided again and replaces it. */
  replaceDecision(id: string, decision: AuthorizationDecision, atMs: number): void {
    this.#statements.updateDecision.run(
      decision.responseCode, decision.authorizationCode, decision.message, decision.status, decision.heldAmount,
      decision.authenticationId ?? null, atMs, atMs, id,
    );
  }

  /** A new total for an approved hold (an adjustment); `heldAmount` is what stays held of it. */
  updateTotal(id: string, amount: number, heldAmount: number, atMs: number): void {
    const { changes } = this.#statements.updateTotal.run(amount, heldAmount, atMs, id);
    if (Number(changes) !== 1) throw new Error(`authorization ${id} is no longer approved`);
  }

  findAdjustment(authorizationId: string, reference: string): AdjustmentRow | undefined {
    return firstRow(this.#statements.selectAdjustment, authorizationId, reference);
  }

  /** The adjustments of each of these authorizations (card or points), oldest first. */
  adjustmentsOf(authorizationIds: string[]): Map<string, AdjustmentRow[]> {
    const byAuthorization = new Map<string, AdjustmentRow[]>(authorizationIds.map((id) => [id, []]));
    if (authorizationIds.length === 0) return byAuthorization;
    const rows = allRows<AdjustmentRow & { authorizationId: string }>(this.#statements.selectAdjustments, JSON.stringify(authorizationIds));
    for (const { authorizationId, ...adjustment } of rows) byAuthorization.get(authorizationId)?.push(adjustment);
    return byAuthorization;
  }

  insertAdjustment(authorizationId: string, adjustment: AdjustmentRow): void {
    this.#statements.insertAdjustment.run(
      authorizationId, adjustment.reference, adjustment.amount, adjustment.responseCode, adjustment.message, adjustment.atMs,
    );
  }

  updateHold(id: string, heldAmount: number, status: StoredAuthorizationStatus, atMs: number): void {
    this.#statements.updateHold.run(heldAmount, status, atMs, id);
  }

  /** Settled sales minus settled refunds of one card and currency. */
  cardSpentAmount(cardFingerprint: string, currency: Currency): number {
    return firstRow<{ total: number }>(this.#statements.sumCardSpend, cardFingerprint, currency)?.total ?? 0;
  }

  /** What a card has committed in a currency: its open holds (approved since `holdsSinceMs`) plus its settled spend. */
  cardCommittedAmount(cardFingerprint: string, currency: Currency, holdsSinceMs: number): number {
    return firstRow<{ total: number }>(this.#statements.sumCardCommitted, holdsSinceMs, cardFingerprint, currency)?.total ?? 0;
  }

  /**
   * Settles many approved sales in one statement (one round trip instead of one per item);
   * `sales` pairs an authorization's `seq` with the amount it settles for.
   */
  settleSales(sales: Array<{ seq: number; amount: number }>, batchId: string, atMs: number): void {
    if (sales.length === 0) return;
    const pairs = JSON.stringify(sales.map((sale) => [sale.seq, sale.amount]));
    const { changes } = this.#statements.settleSales.run(batchId, atMs, pairs);
    if (Number(changes) !== sales.length) throw new Error(`settled ${changes} authorizations, expected ${sales.length}`);
  }

  /** Which of these refund references were settled before. */
  findSettledRefundReferences(merchantReferences: string[]): string[] {
    if (merchantReferences.length === 0) return [];
    return allRows<{ merchantReference: string }>(this.#statements.selectRefundReferences, JSON.stringify(merchantReferences))
      .map((row) => row.merchantReference);
  }

  /**
   * Records a settled refund and adds it to the refunded amount of the sale it credits (a card
   * authorization, or a points hold whose points go back to the account).
   */
  addRefund(refund: NewRefund, originalAuthorizationSeq: number): void {
    const method = refund.method ?? 'card';
    this.#statements.insertRefund.run(
      refund.merchantReference, refund.originalMerchantReference, refund.amount, refund.currency, refund.batchId, refund.settledAtMs, method,
    );
    if (method === 'points') this.points.addRefunded(originalAuthorizationSeq, refund.amount, refund.settledAtMs);
    else this.#statements.addRefundedAmount.run(refund.amount, refund.settledAtMs, originalAuthorizationSeq);
  }

  findBatch(batchId: string): StoredBatch | undefined {
    return firstRow(this.#statements.selectBatch, batchId);
  }

  insertBatch(batchId: string, contentSha256: string, responseJson: string, receivedAtMs: number): void {
    this.#statements.insertBatch.run(batchId, contentSha256, responseJson, receivedAtMs);
  }

  /** One deposit for a batch and currency; the balance moves by the same amount. */
  addDeposit(deposit: DepositRow): void {
    this.#statements.insertDeposit.run(deposit.batchId, deposit.currency, deposit.amount, deposit.atMs);
    this.#statements.upsertBalance.run(deposit.currency, deposit.amount);
  }

  merchantBalances(): Array<{ currency: Currency; amount: number }> {
    return allRows(this.#statements.selectBalances);
  }

  merchantDeposits(): DepositRow[] {
    return allRows(this.#statements.selectDeposits);
  }
}

export function openStore(databasePath: string, options: StoreOptions = {}): NetworkStore {
  return new NetworkStore(databasePath, options);
}
