/**
 * A gateway of its own whose embedded store was seeded before start with a
 * large local collection (synthetic descriptors, no inference), and a
 * snapshot of it: applying that snapshot runs long enough (~1 s) to watch.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { seedCollection } from '../../dist/bench/seed.js';
import { openSqliteStore } from '../../dist/src/store/sqlite/sqlite-store.js';
import { collectSubscription, gqlData, startGateway, wsClient, type GatewayProcess, type StartOptions } from './gateway.js';

export const SEEDED = { provider: 'local', collectionId: 'big', users: 1000, faces: 10_000, facesPerUser: 10 };

const PROGRESS = `subscription($id: ID!) { snapshotProgress(operationId: $id) { status snapshot { id } } }`;
const APPLY = `mutation($s: ID!, $t: String!) { applySnapshot(input: { snapshotId: $s, target: { provider: "local", collectionId: $t } }) {
  __typename ... on ApplySnapshotAccepted { operation { id } } ... on Error { code message } } }`;

/** The operation id of an accepted takeSnapshot/applySnapshot payload. */
export function acceptedOperation(data: Record<string, any>): string {
  const result = Object.values(data)[0] as { __typename: string; operation?: { id: string } };
  if (!result.operation) throw new Error(`expected an accepted operation, got ${JSON.stringify(result)}`);
  return result.operation.id;
}

/** Follows an operation over graphql-ws to its end; resolves with its last event. */
export async function followOperation(
  wsUrl: string,
  operationId: string,
  onEvent?: (e: { status: string }) => void,
  connectionParams?: Record<string, unknown>,
) {
  const client = wsClient(wsUrl, connectionParams);
  try {
    const events = await collectSubscription<{ snapshotProgress: { status: string; snapshot: { id: string } | null } }>(
      client,
      PROGRESS,
      { id: operationId },
      (e) => onEvent?.(e.snapshotProgress),
    );
    return events.at(-1)!.snapshotProgress;
  } finally {
    await client.dispose();
  }
}

/** Enqueues an apply of `snapshotId` into a new local collection; returns the operation id. */
export async function applySnapshot(url: string, snapshotId: string, target: string, apiKey?: string): Promise<string> {
  return acceptedOperation(await gqlData(url, APPLY, { s: snapshotId, t: target }, apiKey ? { 'x-api-key': apiKey } : {}));
}

/**
 * Seeds, starts and snapshots. `apiKey`: the key to seed with, for a gateway
 * whose `options.config` refuses anonymous callers.
 */
export async function startSeededGateway(
  options: StartOptions & { apiKey?: string } = {},
): Promise<{ gateway: GatewayProcess; snapshotId: string }> {
  const headers: Record<string, string> = options.apiKey ? { 'x-api-key': options.apiKey } : {};
  const dataDir = mkdtempSync(path.join(tmpdir(), 'facegate-seeded-'));
  const store = await openSqliteStore(dataDir);
  await seedCollection(store, SEEDED);
  await store.close();
  const gateway = await startGateway({ ...options, dataDir, env: { FACEGATE_ENGINE_WORKERS: '1', ...options.env } });
  const take = await gqlData(
    gateway.url,
    `mutation { takeSnapshot(input: { collection: { provider: "local", collectionId: "big" } }) {
    __typename ... on TakeSnapshotAccepted { operation { id } } ... on Error { code message } } }`,
    {},
    headers,
  );
  const last = await followOperation(
    gateway.wsUrl,
    acceptedOperation(take),
    undefined,
    options.apiKey ? { apiKey: options.apiKey } : undefined,
  );
  if (last.status !== 'SUCCEEDED' || !last.snapshot) throw new Error(`seeded snapshot: expected SUCCEEDED, got ${JSON.stringify(last)}`);
  return { gateway, snapshotId: last.snapshot.id };
}
