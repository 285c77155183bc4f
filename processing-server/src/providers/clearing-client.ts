/**
 * The card company's clearing house, as the domain's clearing port: settlement batches of card
 * and points items, and the card company's report of a batch. A batch that gets no answer is a
 * DomainError `provider_unavailable`; the run resends it with the same batchId later.
 */
import nodeHttp from 'node:http';
import nodeHttps from 'node:https';
import {
  settlementBatchResponseSchema, type SettlementBatchItem, type SettlementBatchRequest, type SettlementBatchResponse,
} from '../../../shared/contracts/network.ts';
import { requestIdHeaders } from '../../../shared/http/client.ts';
import { DomainError } from '../domain/errors.ts';
import type { ClearingItem, ClearingPort, ClearingReport } from '../domain/ports/provider.ts';
import { answersHealthCheck, orNothing, type ResilientExchange } from './resilient-exchange.ts';

const BATCH_TIMEOUT_MS = 30_000;

/**
 * The http(s) transport, reporting each request's 'finish' (every byte of the body written out).
 * Node's own request timeout covers an idle socket only, so callers also pass a wall-clock signal.
 */
function transportReportingSent(onSent: () => void) {
  return {
    request(options: nodeHttp.RequestOptions, onResponse: (response: nodeHttp.IncomingMessage) => void): nodeHttp.ClientRequest {
      const request = (options.protocol === 'https:' ? nodeHttps : nodeHttp).request(options, onResponse);
      request.once('finish', onSent);
      return request;
    },
  };
}

/** An item as the batch carries it: brand and last four for a card, `method: "points"` and no card for points. */
function toBatchItem(item: ClearingItem): SettlementBatchItem {
  return {
    merchantReference: item.merchantReference,
    authorizationCode: item.authorizationCode,
    amount: item.amountMinor,
    currency: item.currency,
    type: item.type,
    ...(item.cardBrand && item.cardLast4 ? { card: { brand: item.cardBrand, last4: item.cardLast4 } } : {}),
    ...(item.paymentMethod === 'points' ? { method: 'points' as const } : {}),
    ...(item.originalMerchantReference ? { originalMerchantReference: item.originalMerchantReference } : {}),
  };
}

function toReport(answer: SettlementBatchResponse): ClearingReport {
  return {
    batchId: answer.batchId,
    items: answer.items.map((result) => ({
      merchantReference: result.merchantReference, type: result.type, amountMinor: result.amount, status: result.status, reason: result.reason ?? null,
    })),
  };
}

export function createClearingClient(exchange: ResilientExchange, options: { batchTimeoutMs?: number | undefined } = {}): ClearingPort {
  const unavailable = (error: unknown) => {
    const failure = exchange.toExchangeError(error);
    return new DomainError({ code: 'provider_unavailable', message: failure.message, cause: failure });
  };

  return {
    async sendBatch(batch, context) {
      const timeoutMs = options.batchTimeoutMs ?? BATCH_TIMEOUT_MS;
      const { onRequestSent } = context;
      const body: SettlementBatchRequest = { batchId: batch.batchId, items: batch.items.map(toBatchItem) };
      try {
        return toReport(await exchange.execute(() => exchange.call(
          () => exchange.http.post('/v1/settlement-batches', body, {
            headers: requestIdHeaders(context.requestId), timeout: timeoutMs,
            ...(onRequestSent ? { transport: transportReportingSent(onRequestSent), signal: AbortSignal.timeout(timeoutMs) } : {}),
          }),
          settlementBatchResponseSchema,
        )));
      } catch (error) {
        throw unavailable(error);
      }
    },
    async getBatchReport(batchId, context) {
      try {
        const answer = await exchange.execute(() => exchange.call(
          orNothing(() => exchange.http.get(`/v1/settlement-batches/${encodeURIComponent(batchId)}`, { headers: requestIdHeaders(context.requestId) })),
          settlementBatchResponseSchema.nullable(),
        ));
        return answer ? toReport(answer) : null;
      } catch (error) {
        throw unavailable(error);
      }
    },
    isReachable: () => answersHealthCheck(exchange),
  };
}
