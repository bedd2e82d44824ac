/**
 * Prometheus metrics served at /metrics. Providers are wrapped so every
 * datasource call is counted and timed by instance and method; tests use the
 * counter to prove that lists cost O(1) provider calls (no N+1). The engine
 * and the progress bus are wrapped the same way: inference latency, queue
 * depth, live subscriptions and how long snapshot operations take.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { FaceProvider } from '../datasources/provider.js';
import type { FaceEngineApi } from '../engine/types.js';
import { HotCounter, HotHistogram } from './hot-metrics.js';
import { OperationNames } from './operation-names.js';
import { interceptCalls } from './intercept-calls.js';
import type { ProgressBus } from '../operations/progress-bus.js';
import { isTerminal } from '../domain/operation-records.js';

export class GatewayMetrics {
  readonly registry = new Registry();

  /** The `operation` label values: bounded, so callers cannot add series at will. */
  readonly operationNames = new OperationNames();

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

  readonly graphqlRequests = new HotCounter(this.registry, {
    name: 'facegate_graphql_requests_total',
    help: 'GraphQL HTTP requests by operation name and HTTP status.',
    labelNames: ['operation', 'status'],
  });

  readonly queryPlanRequests = new HotCounter(this.registry, {
    name: 'facegate_query_plan_requests_total',
    help: 'GraphQL HTTP requests by the path that answered: cached (a repeat of a query answered from its compiled plan), refused (a repeat of a document that did not parse or validate, answered with its refusal) or apollo (the full Apollo pipeline).',
    labelNames: ['path'],
  });

  readonly documentsParsed = new HotCounter(this.registry, {
    name: 'facegate_graphql_documents_parsed_total',
    help: 'GraphQL documents parsed, by transport (http: by Apollo; ws: in onSubscribe). Repeats answered from a query plan or a kept refusal are not parsed.',
    labelNames: ['transport'],
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

  /**
   * Executions of subscription events: once per event per group of
   * subscribers sharing a selection, variables and tenant (ws/subscription-fan-out.ts).
   */
  readonly subscriptionExecutions = new HotCounter(this.registry, {
    name: 'facegate_subscription_executions_total',
    help: 'GraphQL executions of subscription events: one per event per group of subscribers with the same selection, variables and tenant.',
    labelNames: [],
  });

  /** Subscription `next` frames sent, one per subscriber per event. */
  readonly subscriptionFrames = new HotCounter(this.registry, {
    name: 'facegate_subscription_frames_total',
    help: 'Subscription next messages sent over graphql-ws: one per subscriber per event.',
    labelNames: [],
  });

  readonly graphqlOperations = new HotCounter(this.registry, {
    name: 'facegate_graphql_operations_total',
    help: 'GraphQL operations (HTTP and WebSocket) by operation name, type and result: success, the error member a root field returned, or the GraphQL error code.',
    labelNames: ['operation', 'type', 'result'],
  });

  /** Observed on every request: a {@link HotHistogram}. */
  readonly graphqlOperationSeconds = new HotHistogram(this.registry, {
    name: 'facegate_graphql_operation_seconds',
    help: 'Time to answer a GraphQL operation over HTTP, by operation name and type.',
    labelNames: ['operation', 'type'],
    buckets: [0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });

  readonly engineInference = new Histogram({
    name: 'facegate_engine_inference_seconds',
    help: 'Local engine detection time per image (queue wait included), by outcome (ok or an engine error code).',
    labelNames: ['outcome'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [this.registry],
  });

  readonly snapshotOperationSeconds = new Histogram({
    name: 'facegate_snapshot_operation_seconds',
    help: 'Snapshot operations from request to SUCCEEDED or FAILED, by kind and final status (run on this replica).',
    labelNames: ['kind', 'status'] as const,
    buckets: [0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800],
    registers: [this.registry],
  });

  /** The exposition text of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'facegate_' });
    for (const path of ['cached', 'refused', 'apollo']) this.queryPlanRequests.inc({ path }, 0);
    for (const transport of ['http', 'ws']) this.documentsParsed.inc({ transport }, 0);
  }

  /** The same engine, with each detection timed and its queue depth reported. */
  instrumentEngine(engine: FaceEngineApi): FaceEngineApi {
    const inference = this.engineInference;
    new Gauge({
      name: 'facegate_engine_queue_depth',
      help: 'Images accepted by the local engine and not yet answered (queued, decoding or in inference).',
      registers: [this.registry],
      collect() {
        this.set(engine.queueDepth);
      },
    });
    return {
      get modelVersion() {
        return engine.modelVersion;
      },
      get queueDepth() {
        return engine.queueDepth;
      },
      get attributes() {
        return engine.attributes;
      },
      async detect(image, options) {
        const stop = inference.startTimer();
        let outcome = 'ok';
        try {
          return await engine.detect(image, options);
        } catch (e) {
          outcome = (e as { code?: string }).code ?? 'error';
          throw e;
        } finally {
          stop({ outcome });
        }
      },
      close: () => engine.close(),
    };
  }

  /**
   * The same bus, reporting its live subscriptions (snapshotProgress
   * streams) and timing each operation that ends here.
   */
  instrumentProgress(bus: ProgressBus): ProgressBus {
    new Gauge({
      name: 'facegate_graphql_subscriptions',
      help: 'Active snapshotProgress subscriptions on this replica.',
      registers: [this.registry],
      collect() {
        this.set(bus.subscriberCount);
      },
    });
    const publish = bus.publish.bind(bus);
    bus.publish = (record) => {
      if (isTerminal(record.status)) {
        this.snapshotOperationSeconds.observe(
          { kind: record.kind, status: record.status },
          (record.lastActionAt.getTime() - record.createdAt.getTime()) / 1000,
        );
      }
      publish(record);
    };
    return bus;
  }

  /** The same provider, with each method call counted and timed. */
  instrument(provider: FaceProvider): FaceProvider {
    return interceptCalls(provider, async (method, call) => {
      const stop = this.providerLatency.startTimer({ provider: provider.name, method });
      let outcome = 'ok';
      try {
        return await call();
      } catch (e) {
        outcome = (e as { code?: string }).code ?? 'error';
        throw e;
      } finally {
        stop();
        this.providerCalls.inc({ provider: provider.name, method, outcome });
      }
    });
  }
}
