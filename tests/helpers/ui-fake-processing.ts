/**
 * A stand-in for the processing server: a real HTTP server on port 0 whose answer each test
 * decides, and which records every request it receives (headers and parsed body) so the test
 * can check exactly what the UI server sent.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CardPayment, Payment, PointsPayment, SavedCard } from '../../shared/contracts/processing.ts';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export type FakeReply =
  | { status: number; body?: unknown; contentType?: string }
  /** Accept the request and never answer (the UI server's timeout fires). */
  | { action: 'hang' }
  /** Drop the connection after the request arrived (a reset, outcome unknown). */
  | { action: 'reset' };

export type FakeHandler = (request: RecordedRequest, index: number) => FakeReply;

export interface FakeProcessing {
  url: string;
  requests: RecordedRequest[];
  reply(handler: FakeHandler): void;
  close(): Promise<void>;
}

/** `port`: 0 for a free one; a port of its own to come back where an instance stood (a restart). */
export async function startFakeProcessing(handler?: FakeHandler, port = 0): Promise<FakeProcessing> {
  const requests: RecordedRequest[] = [];
  let current: FakeHandler = handler ?? (() => ({ status: 500, body: { code: 'no_handler' } }));
  const server = http.createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedRequest = {
        method: incoming.method ?? '',
        url: incoming.url ?? '',
        headers: incoming.headers,
        body: text === '' ? undefined : (JSON.parse(text) as unknown),
      };
      requests.push(recorded);
      const reply = current(recorded, requests.length - 1);
      if ('action' in reply) {
        if (reply.action === 'reset') incoming.socket.destroy();
        return;
      }
      const contentType = reply.contentType ?? (reply.status >= 400 && reply.status !== 402 ? 'application/problem+json' : 'application/json');
      outgoing.writeHead(reply.status, { 'Content-Type': contentType });
      outgoing.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const listening = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${listening}`,
    requests,
    reply(next) {
      current = next;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** A URL where nothing listens: a port that was just free. */
export async function refusedUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

export function paymentFixture(overrides: Partial<CardPayment> = {}): CardPayment {
  return {
    id: 'pay_0001',
    status: 'authorized',
    amount: 1234,
    currency: 'USD',
    captureMethod: 'automatic',
    paymentMethod: 'card',
    card: { brand: 'visa', last4: '4242', expMonth: 12, expYear: 2030 },
    holderName: 'Ada Lovelace',
    authorizationCode: 'A1B2C3',
    decline: null,
    reason: null,
    capturedAmount: 0,
    refundedAmount: 0,
    settlementId: null,
    merchantReference: 'mr_0001',
    description: null,
    orderId: null,
    createdAt: '2026-01-15T10:00:00.000Z',
    updatedAt: '2026-01-15T10:00:00.000Z',
    ...overrides,
  };
}

export function declinedFixture(code: string, networkCode?: string): Payment {
  return paymentFixture({
    status: 'declined',
    authorizationCode: null,
    decline: { code, message: code.replaceAll('_', ' '), ...(networkCode ? { networkCode } : {}) },
  });
}

export function problem(status: number, code: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: `https://cardlane.dev/problems/${code}`, title: 'Problem', status, detail: `${code} happened`, code, ...extra };
}

/** A points payment as the processing server shows it: the account instead of a card, no holder name. */
export function pointsPaymentFixture(overrides: Partial<PointsPayment> = {}): PointsPayment {
  const { card: _card, holderName: _holderName, paymentMethod: _method, ...shared } = paymentFixture();
  return { ...shared, paymentMethod: 'points', points: { accountId: 'PTS-0000-0001' }, ...overrides };
}

/** The points accounts of the points provider (SPEC §11): their points, or blocked. */
export const TEST_POINTS_ACCOUNTS: Readonly<Record<string, number | 'blocked'>> = {
  'PTS-0000-0001': 100_000,
  'PTS-0000-0002': 500,
  'PTS-0000-0003': 'blocked',
};
export const TEST_POINTS_PIN = '1234';

/** The decline a points provider gives for this account, PIN and number of points, if any. */
export function pointsDecline(accountId: string, pin: string, points: number): { code: string; networkCode: string } | undefined {
  const account = Object.hasOwn(TEST_POINTS_ACCOUNTS, accountId) ? TEST_POINTS_ACCOUNTS[accountId] : undefined;
  if (account === undefined) return { code: 'unknown_account', networkCode: '14' };
  if (pin !== TEST_POINTS_PIN) return { code: 'incorrect_pin', networkCode: '55' };
  if (account === 'blocked') return { code: 'do_not_honor', networkCode: '05' };
  return points > account ? { code: 'insufficient_points', networkCode: '51' } : undefined;
}

export interface FakeProcessingModel {
  handler: FakeHandler;
  /** The payments made, oldest first. */
  payments: Payment[];
  /** The saved cards, deleted ones gone. */
  cards: SavedCard[];
}

interface PaymentRequestBody {
  amount: number;
  currency: Payment['currency'];
  card?: { number: string; expMonth: number; expYear: number; holderName: string };
  cardId?: string;
  customerId?: string;
  points?: { accountId: string; pin: string };
}

/** A saved card as the processing server shows it. */
export function savedCardFixture(overrides: Partial<SavedCard> = {}): SavedCard {
  return {
    id: 'card_0001', brand: 'visa', last4: '4242', expMonth: 12, expYear: 2030, holderName: 'Ada Lovelace', customerId: 'cus_AAAAAAAAAAAAAAAAAAAAAA',
    createdAt: '2026-01-15T10:00:00.000Z', ...overrides,
  };
}

/** The card vault in miniature: verification declines 4000 0000 0000 0002; a repeated key gets its first card. */
function fakeVault(): { cards: SavedCard[]; handle(request: RecordedRequest): FakeReply | undefined } {
  const cards: SavedCard[] = [];
  const byKey = new Map<string, FakeReply>();
  const save = (body: { card: { number: string; expMonth: number; expYear: number; holderName: string }; customerId?: string }): FakeReply => {
    if (body.card.number === '4000000000000002') {
      return { status: 402, body: problem(402, 'card_declined', { decline: { code: 'do_not_honor', message: 'do not honor', networkCode: '05' } }) };
    }
    const card = savedCardFixture({
      id: `card_${String(cards.length + 1).padStart(4, '0')}`, last4: body.card.number.slice(-4), expMonth: body.card.expMonth, expYear: body.card.expYear,
      holderName: body.card.holderName, customerId: body.customerId ?? null,
    });
    cards.push(card);
    return { status: 201, body: card };
  };
  return {
    cards,
    handle(request) {
      const path = request.url.split('?')[0] ?? '';
      if (request.method === 'POST' && path === '/v1/cards') {
        const key = String(request.headers['idempotency-key']);
        const reply = byKey.get(key) ?? save(request.body as Parameters<typeof save>[0]);
        byKey.set(key, reply);
        return reply;
      }
      if (request.method === 'GET' && path === '/v1/cards') {
        const customerId = new URLSearchParams(request.url.split('?')[1] ?? '').get('customerId');
        return { status: 200, body: { data: cards.filter((card) => card.customerId === customerId).reverse() } };
      }
      const card = cards.find((candidate) => path === `/v1/cards/${candidate.id}`);
      if (path.startsWith('/v1/cards/') && !card) return { status: 404, body: problem(404, 'card_not_found') };
      if (card && request.method === 'GET') return { status: 200, body: card };
      if (card && request.method === 'DELETE') {
        cards.splice(cards.indexOf(card), 1);
        return { status: 204 };
      }
      return undefined;
    },
  };
}

/**
 * A processing server in miniature for tests that need its decisions rather than one fixed answer
 * (browser tests, back-office pages): cards are approved; cards are saved, listed, deleted and pay
 * by their id (another customer's is not found); points are decided like the points
 * provider's test accounts, in `pointsCurrency` only (another currency is 400
 * `currency_not_supported`); a repeated key gets its first payment; payments are listed newest
 * first and found by id.
 */
export function fakeProcessingModel(options: { pointsCurrency?: Payment['currency'] } = {}): FakeProcessingModel {
  const pointsCurrency = options.pointsCurrency ?? 'USD';
  const payments: Payment[] = [];
  const byKey = new Map<string, FakeReply>();
  const vault = fakeVault();

  const create = (body: PaymentRequestBody): FakeReply => {
    const id = `pay_${String(payments.length + 1).padStart(4, '0')}`;
    const common = { id, merchantReference: id, amount: body.amount, currency: body.currency, ...(body.customerId ? { customerId: body.customerId } : {}) };
    if (body.cardId !== undefined) {
      const saved = vault.cards.find((card) => card.id === body.cardId && (body.customerId === undefined || card.customerId === body.customerId));
      if (!saved) return { status: 404, body: problem(404, 'card_not_found') };
      const payment = paymentFixture({
        ...common, paymentMethod: 'saved_card', cardId: saved.id, holderName: saved.holderName,
        card: { brand: saved.brand, last4: saved.last4, expMonth: saved.expMonth, expYear: saved.expYear },
      });
      payments.push(payment);
      return { status: 201, body: payment };
    }
    if (!body.points) {
      const card = body.card;
      const payment = paymentFixture({
        ...common,
        card: { brand: 'visa', last4: card?.number.slice(-4) ?? '0000', expMonth: card?.expMonth ?? 12, expYear: card?.expYear ?? 2030 },
        holderName: card?.holderName ?? '',
      });
      payments.push(payment);
      return { status: 201, body: payment };
    }
    if (body.currency !== pointsCurrency) {
      return { status: 400, body: problem(400, 'currency_not_supported', { errors: [{ field: 'currency', message: `must be ${pointsCurrency} for points` }] }) };
    }
    const decline = pointsDecline(body.points.accountId, body.points.pin, body.amount);
    const payment = pointsPaymentFixture({
      ...common,
      points: { accountId: body.points.accountId },
      ...(decline
        ? { status: 'declined', authorizationCode: null, decline: { code: decline.code, message: decline.code.replaceAll('_', ' '), networkCode: decline.networkCode } }
        : { status: 'authorized', authorizationCode: `P${id.slice(-5)}` }),
    });
    payments.push(payment);
    return { status: decline ? 402 : 201, body: payment };
  };

  const handler: FakeHandler = (request) => {
    const vaultReply = vault.handle(request);
    if (vaultReply) return vaultReply;
    if (request.method === 'POST' && request.url === '/v1/payments') {
      const key = String(request.headers['idempotency-key']);
      const reply = byKey.get(key) ?? create(request.body as PaymentRequestBody);
      byKey.set(key, reply);
      return reply;
    }
    if (request.method === 'GET' && request.url.startsWith('/v1/payments/')) {
      const payment = payments.find((candidate) => request.url === `/v1/payments/${candidate.id}`);
      return payment ? { status: 200, body: payment } : { status: 404, body: problem(404, 'not_found') };
    }
    if (request.method === 'GET' && request.url.startsWith('/v1/payments')) {
      return { status: 200, body: { data: [...payments].reverse(), hasMore: false } };
    }
    return { status: 404, body: problem(404, 'not_found') };
  };
  return { handler, payments, cards: vault.cards };
}
