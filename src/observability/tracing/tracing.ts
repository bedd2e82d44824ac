/**
 * OpenTelemetry tracing, off unless configured: spans are exported over
 * OTLP/HTTP to `otlpEndpoint`. When off, nothing here is loaded or
 * registered, so it costs nothing. Spans: the GraphQL operation → each
 * resolver that does asynchronous work → each provider call it makes.
 */
import { context, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { FaceProvider } from '../../datasources/provider.js';
import { interceptCalls } from '../intercept-calls.js';

export interface TracingConfig {
  /** OTLP/HTTP traces endpoint, e.g. http://collector:4318/v1/traces. */
  otlpEndpoint: string;
  /** @default "facegate" */
  serviceName: string;
  /** Share of traces recorded, 0..1. @default 1 */
  sampleRatio: number;
}

export interface Tracing {
  tracer: Tracer;
  /** The same provider, each call in a span (a child of the active resolver span). */
  instrument(provider: FaceProvider): FaceProvider;
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>;
}

/** Spans are sent in batches at most this long after they end. */
const EXPORT_DELAY_MS = 1000;

/** Runs `work` in a span that ends with it, recording a failure as the span's error. */
export async function inSpan<T>(tracer: Tracer, name: string, attributes: Record<string, string>, work: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { kind: SpanKind.INTERNAL, attributes }, async (span) => {
    try {
      return await work();
    } catch (e) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (e as { code?: string }).code ?? 'error' });
      throw e;
    } finally {
      span.end();
    }
  });
}

export function startTracing(config: TracingConfig): Tracing {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.sampleRatio) }),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: config.otlpEndpoint }), { scheduledDelayMillis: EXPORT_DELAY_MS }),
    ],
  });
  // Registers the AsyncLocalStorage context manager: a provider call made by a resolver finds the resolver's span.
  provider.register();
  const tracer = provider.getTracer('facegate');
  return {
    tracer,
    instrument: (p) =>
      interceptCalls(p, (method, call) =>
        inSpan(
          tracer,
          `provider ${p.name}.${method}`,
          { 'facegate.provider': p.name, 'facegate.provider.kind': p.kind, 'facegate.provider.method': method },
          call,
        ),
      ),
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      context.disable();
    },
  };
}
