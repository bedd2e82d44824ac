/**
 * Prometheus metrics served at /metrics. Providers are wrapped so every
 * datasource call is counted and timed by instance and method; tests use the
 * counter to prove that lists cost O(1) provider calls (no N+1).
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { FaceProvider } from './datasources/provider.js';

export class GatewayMetrics {
  readonly registry = new Registry();

  readonly providerCalls = new Counter({
    name: 'facegate_provider_calls_total',
    help: 'Datasource calls by provider instance, method and outcome (ok or an error code).',
    labelNames: ['provider', 'method', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly providerLatency = new Histogram({
    name: 'facegate_provider_call_seconds',
    help: 'Datasource call latency by provider instance and method.',
    labelNames: ['provider', 'method'] as const,
    buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 1, 2, 5, 10],
    registers: [this.registry],
  });

  readonly graphqlRequests = new Counter({
    name: 'facegate_graphql_requests_total',
    help: 'GraphQL HTTP requests by operation name and HTTP status.',
    labelNames: ['operation', 'status'] as const,
    registers: [this.registry],
  });

  readonly providerCircuit = new Gauge({
    name: 'facegate_provider_circuit_open',
    help: 'Circuit breaker of each provider instance: 0 closed, 0.5 half-open (probing), 1 open (failing fast).',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });

  readonly wsConnections = new Gauge({
    name: 'facegate_ws_connections',
    help: 'Open graphql-ws connections.',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'facegate_' });
  }

  /** The same provider, with each method call counted and timed. */
  instrument(provider: FaceProvider): FaceProvider {
    const metrics = this;
    return new Proxy(provider, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function' || typeof prop !== 'string' || prop === 'close') return value;
        return async (...args: unknown[]) => {
          const stop = metrics.providerLatency.startTimer({ provider: target.name, method: prop });
          let outcome = 'ok';
          try {
            return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          } catch (e) {
            outcome = (e as { code?: string }).code ?? 'error';
            throw e;
          } finally {
            stop();
            metrics.providerCalls.inc({ provider: target.name, method: prop, outcome });
          }
        };
      },
    });
  }
}
