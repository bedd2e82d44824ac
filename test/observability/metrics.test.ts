/**
 * /metrics after a known workload on a gateway of its own: operations by
 * name and result (success, an error union member, a GraphQL error code),
 * over HTTP and WebSocket; engine inference and queue depth; live
 * subscriptions; snapshot operation durations.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gqlData, metricSum, removeDataDir, wsClient, type GatewayProcess } from '../support/gateway.js';
import { applySnapshot, followOperation, startSeededGateway } from '../support/seeded-gateway.js';
import { PHOTOS } from '../support/photos.js';

let gateway: GatewayProcess;
let snapshotId: string;

const post = (operationName: string, query: string, variables: Record<string, unknown> = {}) =>
  fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables, operationName }),
  }).then((r) => r.json() as Promise<{ data?: Record<string, any>; errors?: unknown[] }>);

const MAKE = `mutation Make { createCollection(input: { collection: { provider: "local", collectionId: "m" } }) { __typename } }`;
const INDEX = `mutation Index($b: String!) { indexFaces(input: { collection: { provider: "local", collectionId: "m" }, image: { base64: $b } }) { __typename } }`;

beforeAll(async () => {
  ({ gateway, snapshotId } = await startSeededGateway());
});

afterAll(async () => {
  await gateway?.stop();
  if (gateway) removeDataDir(gateway.dataDir);
});

describe('/metrics after a known workload', () => {
  it('counts operations by name, type and result over HTTP and WebSocket', async () => {
    expect((await post('Make', MAKE)).data!.createCollection.__typename).toBe('CreateCollectionSuccess');
    expect((await post('Make', MAKE)).data!.createCollection.__typename).toBe('CollectionAlreadyExists');
    expect((await post('Make', MAKE)).data!.createCollection.__typename).toBe('CollectionAlreadyExists');
    expect((await post('Broken', 'query Broken { noSuchField }')).errors).toHaveLength(1);
    const ws = wsClient(gateway.wsUrl);
    await new Promise<void>((resolve, reject) =>
      ws.subscribe(
        { query: 'query OverWs { providers { name } }', operationName: 'OverWs' },
        { next: () => {}, error: reject, complete: resolve },
      ),
    );
    await ws.dispose();

    const count = (labels: Record<string, string>) => metricSum(gateway.url, 'facegate_graphql_operations_total', labels);
    expect(await count({ operation: 'Make', type: 'mutation', result: 'success' })).toBe(1);
    expect(await count({ operation: 'Make', type: 'mutation', result: 'CollectionAlreadyExists' })).toBe(2);
    // A document that does not validate is counted, but its name is no label: clients could mint series with it.
    expect(await count({ operation: 'Broken' })).toBe(0);
    expect(await count({ operation: 'invalid', result: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);
    expect(await count({ operation: 'OverWs', type: 'query', result: 'success' })).toBe(1);
    expect(await metricSum(gateway.url, 'facegate_graphql_operation_seconds_count', { operation: 'Make', type: 'mutation' })).toBe(3);
  });

  it('times engine inference and reports its queue depth', async () => {
    const image = readFileSync(PHOTOS.audrey[0]).toString('base64');
    expect((await post('Index', INDEX, { b: image })).data!.indexFaces.__typename).toBe('IndexFacesSuccess');
    expect((await post('Index', INDEX, { b: Buffer.from('not an image').toString('base64') })).data!.indexFaces.__typename).toBe(
      'InvalidImage',
    );
    // One image reached inference; the garbage was refused before it.
    expect(await metricSum(gateway.url, 'facegate_engine_inference_seconds_count', { outcome: 'ok' })).toBe(1);
    expect(await metricSum(gateway.url, 'facegate_engine_queue_depth')).toBe(0);
    expect(await metricSum(gateway.url, 'facegate_graphql_operations_total', { operation: 'Index', result: 'InvalidImage' })).toBe(1);
    expect(await metricSum(gateway.url, 'facegate_provider_calls_total', { provider: 'local', method: 'indexFaces' })).toBe(2);
  });

  it('reports live subscriptions and how long snapshot operations took', async () => {
    // One apply ahead, so the followed one is still waiting when its subscription starts.
    const ahead = await applySnapshot(gateway.url, snapshotId, 'ahead');
    const followed = await applySnapshot(gateway.url, snapshotId, 'followed');
    let whileOpen: Promise<number> | undefined;
    const last = await followOperation(gateway.wsUrl, followed, (e) => {
      if (!whileOpen && (e.status === 'NOT_STARTED' || e.status === 'RUNNING'))
        whileOpen = metricSum(gateway.url, 'facegate_graphql_subscriptions');
    });
    expect(last.status).toBe('SUCCEEDED');
    expect(await whileOpen).toBe(1);
    expect((await followOperation(gateway.wsUrl, ahead)).status).toBe('SUCCEEDED');
    await expect.poll(() => metricSum(gateway.url, 'facegate_graphql_subscriptions')).toBe(0);

    const ops = (kind: string) => metricSum(gateway.url, 'facegate_snapshot_operation_seconds_count', { kind, status: 'SUCCEEDED' });
    expect(await ops('TAKE_SNAPSHOT')).toBe(1);
    expect(await ops('APPLY_SNAPSHOT')).toBe(2);
    expect(await metricSum(gateway.url, 'facegate_graphql_operations_total', { type: 'subscription', result: 'success' })).toBe(3);
    expect(await metricSum(gateway.url, 'facegate_ws_connections')).toBe(0);
    const { collection } = await gqlData(gateway.url, '{ collection(ref: { provider: "local", collectionId: "followed" }) { faceCount } }');
    expect(collection.faceCount).toBe(10_000);
  });
});
