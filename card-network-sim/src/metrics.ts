/** The simulator's own Prometheus counters, registered on the app's registry. */
import { Counter, type Registry } from 'prom-client';

export interface NetworkCounters {
  authorizations: Counter<'response_code'>;
  pointsAuthorizations: Counter<'response_code'>;
  adjustments: Counter<'method' | 'response_code'>;
  authentications: Counter<'status'>;
  settlementItems: Counter<'status'>;
  settlementBatches: Counter<'outcome'>;
  injectedFaults: Counter<'kind'>;
}

export function createNetworkCounters(registry: Registry): NetworkCounters {
  return {
    authorizations: new Counter({
      name: 'network_authorizations_total',
      help: 'Authorization decisions by response code (replayed answers are not counted again)',
      labelNames: ['response_code'] as const,
      registers: [registry],
    }),
    pointsAuthorizations: new Counter({
      name: 'network_points_authorizations_total',
      help: 'Points authorization decisions by response code (replayed answers are not counted again)',
      labelNames: ['response_code'] as const,
      registers: [registry],
    }),
    adjustments: new Counter({
      name: 'network_adjustments_total',
      help: 'Adjustments of open holds by method (card, points) and response code (replayed answers are not counted again)',
      labelNames: ['method', 'response_code'] as const,
      registers: [registry],
    }),
    authentications: new Counter({
      name: 'network_authentications_total',
      help: '3-D Secure outcomes: authentications started (authenticated or challenge_required) and challenges decided (authenticated or failed)',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
    settlementItems: new Counter({
      name: 'network_settlement_items_total',
      help: 'Settlement items by result (items of replayed batches are not counted again)',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
    settlementBatches: new Counter({
      name: 'network_settlement_batches_total',
      help: 'Settlement batches received, by whether they were settled now or replayed',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    injectedFaults: new Counter({
      name: 'network_injected_faults_total',
      help: 'Faults injected on purpose, by kind',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
  };
}
