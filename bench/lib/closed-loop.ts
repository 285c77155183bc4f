/**
 * A closed-loop load generator: `connectionsPerTarget` workers per target, each sending its next
 * request as soon as the last one answered, until the time is up. Every latency is kept, so the
 * percentiles are exact across all targets (several autocannon runs would each report their own).
 */
import http from 'node:http';

export interface LoadRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface LoadOptions {
  targets: string[];
  connectionsPerTarget: number;
  durationMs: number;
  request: () => LoadRequest;
  /** Per request; a request past it counts as an error. */
  timeoutMs?: number;
}

export interface LoadResult {
  seconds: number;
  /** Answers by HTTP status. */
  statuses: Record<string, number>;
  errors: number;
  latenciesMs: number[];
}

function send(agent: http.Agent, target: URL, request: LoadRequest, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request({
      agent, host: target.hostname, port: target.port, method: 'POST', path: request.path, timeout: timeoutMs,
      headers: { ...request.headers, 'content-length': Buffer.byteLength(request.body) },
    }, (answer) => {
      answer.resume();
      answer.on('end', () => resolve(answer.statusCode ?? 0));
      answer.on('error', reject);
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error('timeout')));
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

export async function closedLoop(options: LoadOptions): Promise<LoadResult> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const started = performance.now();
  const deadline = started + options.durationMs;
  const result: LoadResult = { seconds: 0, statuses: {}, errors: 0, latenciesMs: [] };
  const agents: http.Agent[] = [];
  const workers = options.targets.flatMap((targetUrl) => {
    const target = new URL(targetUrl);
    const agent = new http.Agent({ keepAlive: true, maxSockets: options.connectionsPerTarget });
    agents.push(agent);
    return Array.from({ length: options.connectionsPerTarget }, async () => {
      while (performance.now() < deadline) {
        const sentAt = performance.now();
        try {
          const status = await send(agent, target, options.request(), timeoutMs);
          result.statuses[status] = (result.statuses[status] ?? 0) + 1;
          result.latenciesMs.push(performance.now() - sentAt);
        } catch {
          result.errors += 1;
        }
      }
    });
  });
  await Promise.all(workers);
  for (const agent of agents) agent.destroy();
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

/** The value below which `share` of the sorted values lie (nearest rank). */
export function percentile(sorted: number[], share: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)]!;
}
