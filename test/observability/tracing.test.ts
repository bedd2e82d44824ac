/**
 * OpenTelemetry tracing: off by default; configured, a gateway exports
 * spans over OTLP/HTTP to a receiver run here, chained GraphQL operation →
 * resolver → provider call.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../dist/src/config/load-config.js';
import { gqlData, metricSum, removeDataDir, startGateway, type GatewayProcess } from '../support/gateway.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: { key: string; value: { stringValue?: string } }[];
}

/** A minimal OTLP/HTTP traces receiver (the exporter posts JSON). */
function startReceiver(): Promise<{ url: string; spans: OtlpSpan[]; contentTypes: string[]; close(): Promise<void> }> {
  const spans: OtlpSpan[] = [];
  const contentTypes: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      contentTypes.push(String(req.headers['content-type']));
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
      };
      for (const r of body.resourceSpans) for (const s of r.scopeSpans) spans.push(...s.spans);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`,
        spans,
        contentTypes,
        close: () => new Promise((r) => server.close(() => r())),
      }),
    ),
  );
}

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let gateway: GatewayProcess;

beforeAll(async () => {
  receiver = await startReceiver();
  gateway = await startGateway({ config: { tracing: { otlpEndpoint: receiver.url, serviceName: 'facegate-test' } } });
});

afterAll(async () => {
  await gateway?.stop();
  if (gateway) removeDataDir(gateway.dataDir);
  await receiver?.close();
});

describe('tracing', () => {
  it('is off unless configured', () => {
    expect(loadConfig({}).tracing).toBeUndefined();
    expect(loadConfig({ FACEGATE_OTLP_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' }).tracing).toEqual({
      otlpEndpoint: 'http://127.0.0.1:4318/v1/traces',
      serviceName: 'facegate',
      sampleRatio: 1,
    });
  });

  it('exports operation → resolver → provider call spans over OTLP/HTTP', async () => {
    await gqlData(
      gateway.url,
      'mutation Make { createCollection(input: { collection: { provider: "local", collectionId: "traced" } }) { __typename } }',
    );
    const data = await gqlData(
      gateway.url,
      'query Traced { collection(ref: { provider: "local", collectionId: "traced" }) { collectionId userCount users { edges { node { userId } } } } }',
    );
    expect(data.collection.collectionId).toBe('traced');
    await expect.poll(() => receiver.spans.some((s) => s.name === 'query Traced'), { timeout: 15_000 }).toBe(true);
    await expect
      .poll(() => receiver.spans.filter((s) => s.name.startsWith('provider local.')).length, { timeout: 15_000 })
      .toBeGreaterThanOrEqual(3);

    const operation = receiver.spans.find((s) => s.name === 'query Traced')!;
    const inTrace = receiver.spans.filter((s) => s.traceId === operation.traceId);
    const byId = new Map(inTrace.map((s) => [s.spanId, s]));
    const root = inTrace.find((s) => s.name === 'Query.collection')!;
    expect(root.parentSpanId).toBe(operation.spanId);
    const users = inTrace.find((s) => s.name === 'Collection.users')!;
    expect(users.parentSpanId).toBe(root.spanId);
    // Each provider call hangs under the resolver that made it.
    const calls = inTrace.filter((s) => s.name.startsWith('provider local.'));
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const call of calls) {
      const parent = byId.get(call.parentSpanId!)!;
      expect(parent.name).toMatch(/^(Query|Collection)\.\w+$/);
      expect(byId.get(parent.parentSpanId!)?.spanId).toBeDefined();
    }
    expect(calls.map((c) => byId.get(c.parentSpanId!)!.name)).toContain('Query.collection');
    // Property reads are not spanned.
    expect(inTrace.some((s) => s.name === 'Collection.collectionId' || s.name === 'User.userId')).toBe(false);
    expect(receiver.contentTypes[0]).toContain('application/json');
  });

  it('traces every repeat of a query: with tracing on, Apollo (and its tracing plugin) answers every request', async () => {
    const query = 'query Repeated { providers { name } }';
    for (let i = 0; i < 3; i++) await gqlData(gateway.url, query);
    await expect.poll(() => receiver.spans.filter((s) => s.name === 'query Repeated').length, { timeout: 15_000 }).toBe(3);
    expect(await metricSum(gateway.url, 'facegate_query_plan_requests_total', { path: 'cached' })).toBe(0);
    expect(await metricSum(gateway.url, 'facegate_query_plan_requests_total', { path: 'apollo' })).toBeGreaterThanOrEqual(3);
  });
});
