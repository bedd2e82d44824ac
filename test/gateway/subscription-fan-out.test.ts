/**
 * snapshotProgress fan-out (src/ws/subscription-fan-out.ts): subscribers of
 * one operation with the same selection, variables and tenant share one
 * execution per event and get the same frames; another selection or tenant
 * gets its own; a tenant that may not see the operation gets nothing.
 *
 * On a gateway of its own over PostgreSQL (in-process job queue, one job at
 * a time), so the apply can be held at its first write (holdTable) until
 * every subscriber is in place: then every event after the first reaches
 * them all. Executions are counted by facegate_subscription_executions_total.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCollection } from '../../dist/bench/seed.js';
import { metricSum, removeDataDir, startGateway, wsClient, type GatewayProcess } from '../support/gateway.js';
import { until } from '../support/wait.js';
import { DATABASE_URL, holdTable, pgAvailable, schemaName, storeTracker } from '../postgres/support.js';

const KEY_A = 'fan-out-key-tenant-a-0123456789';
const KEY_B = 'fan-out-key-tenant-b-0123456789';
const sha = (k: string) => createHash('sha256').update(k).digest('hex');
const EXECUTIONS = 'facegate_subscription_executions_total';
const FRAMES = 'facegate_subscription_frames_total';

/** Two selections: the same text for every subscriber of a group. */
const STATUS = `subscription($id: ID!) { snapshotProgress(operationId: $id) { status processedItems at } }`;
const WITH_SNAPSHOT = `subscription($id: ID!) { snapshotProgress(operationId: $id) { status percent snapshot { id } } }`;

const stores = storeTracker();
const schema = schemaName('facegate_fanout');
let gw: GatewayProcess;

async function as(key: string, query: string, variables?: Record<string, unknown>): Promise<any> {
  const res = await fetch(gw.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** One subscriber: its events as they come, and how it ended. */
interface Follower {
  events: Record<string, unknown>[];
  ended: Promise<{ errors: unknown } | null>;
}

function subscribe(key: string, query: string, operationId: string): Follower & { dispose(): Promise<void> } {
  const client = wsClient(gw.wsUrl, { apiKey: key });
  const events: Record<string, unknown>[] = [];
  const ended = new Promise<{ errors: unknown } | null>((resolve) => {
    client.subscribe(
      { query, variables: { id: operationId } },
      {
        next: (r) => {
          if (r.errors) resolve({ errors: r.errors });
          else events.push((r.data as { snapshotProgress: Record<string, unknown> }).snapshotProgress);
        },
        error: (errors) => resolve({ errors }),
        complete: () => resolve(null),
      },
    );
  });
  return {
    events,
    ended,
    dispose: async () => {
      await client.dispose();
    },
  };
}

/** Distinct events after the first (the first is each subscriber's own read of the stored state). */
const distinctAfterFirst = (group: Follower[]) => new Set(group.flatMap((f) => f.events.slice(1).map((e) => JSON.stringify(e)))).size;

beforeAll(async () => {
  if (!pgAvailable) return;
  const store = await stores.open(schema);
  await seedCollection(store, { provider: 'local', collectionId: 'a-src', users: 2000, faces: 0, facesPerUser: 1 });
  gw = await startGateway({
    env: { DATABASE_URL, FACEGATE_DB_SCHEMA: schema },
    config: {
      auth: {
        apiKeys: [
          { tenant: 'a', sha256: sha(KEY_A) },
          { tenant: 'b', sha256: sha(KEY_B) },
        ],
      },
      tenants: { a: { providers: ['local'], collections: ['a-*'] }, b: { providers: ['local'], collections: ['b-*'] } },
    },
  });
}, 120_000);

afterAll(async () => {
  await gw?.stop();
  if (gw) removeDataDir(gw.dataDir);
  await stores.cleanup();
});

describe.skipIf(!pgAvailable)('snapshotProgress fan-out', () => {
  it('executes each event once per group of the same selection and tenant; other selections and tenants get their own; an unauthorised one nothing', async () => {
    // A snapshot of a-src that tenant b may apply too.
    const take = await as(
      KEY_A,
      `mutation { takeSnapshot(input: { collection: { provider: "local", collectionId: "a-src" }, applyScope: ["b"] }) {
        ... on TakeSnapshotAccepted { operation { id } } } }`,
    );
    const taker = subscribe(KEY_A, WITH_SNAPSHOT, take.takeSnapshot.operation.id);
    expect(await taker.ended).toBeNull();
    await taker.dispose();
    const snapshotId = (taker.events.at(-1)!.snapshot as { id: string }).id;

    const apply = (key: string, target: string) =>
      as(
        key,
        `mutation($s: ID!, $t: String!) { applySnapshot(input: { snapshotId: $s, target: { provider: "local", collectionId: $t } }) {
          ... on ApplySnapshotAccepted { operation { id } } } }`,
        { s: snapshotId, t: target },
      ).then((d) => d.applySnapshot.operation.id as string);

    const followers: (Follower & { dispose(): Promise<void> })[] = [];
    const held = await holdTable(schema, 'users');
    let groups: { aStatus: Follower[]; aSnapshot: Follower[]; bStatus: Follower[] };
    let refused: Follower;
    let before: number;
    let framesBefore: number;
    let aOperation: string;
    try {
      aOperation = await apply(KEY_A, 'a-copy');
      // Queued behind a's apply: the in-process queue runs one job at a time.
      const bOperation = await apply(KEY_B, 'b-copy');
      await until(() => held.waiting(), "a's apply to wait for the users table");
      const add = (key: string, query: string, op: string) => {
        const f = subscribe(key, query, op);
        followers.push(f);
        return f;
      };
      groups = {
        aStatus: Array.from({ length: 5 }, () => add(KEY_A, STATUS, aOperation)),
        aSnapshot: Array.from({ length: 2 }, () => add(KEY_A, WITH_SNAPSHOT, aOperation)),
        bStatus: Array.from({ length: 2 }, () => add(KEY_B, STATUS, bOperation)),
      };
      refused = add(KEY_B, STATUS, aOperation);
      const admitted = Object.values(groups).flat();
      await until(() => admitted.every((f) => f.events.length === 1), 'every subscriber to get the stored state');
      expect(await refused.ended).toEqual({
        errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'OPERATION_NOT_FOUND' }) })],
      });
      before = await metricSum(gw.url, EXECUTIONS);
      framesBefore = await metricSum(gw.url, FRAMES);
    } finally {
      await held.release();
    }
    try {
      expect(await Promise.all(followers.map((f) => f.ended))).toEqual([
        ...followers.slice(0, -1).map(() => null),
        { errors: expect.anything() },
      ]);
      const all = [groups.aStatus, groups.aSnapshot, groups.bStatus];
      for (const group of all) {
        for (const f of group) {
          expect(f.events.at(-1)).toMatchObject({ status: 'SUCCEEDED' });
          // Every member got the same frames (a member that fell behind would get the newest only: a subsequence, never another payload).
          expect(group[0].events).toEqual(expect.arrayContaining(f.events.slice(1)));
        }
      }
      // Enough events for sharing to show: the apply of 2,000 users reports progress along the way.
      expect(distinctAfterFirst(groups.aStatus)).toBeGreaterThanOrEqual(3);
      // Each selection its own shape; tenant b's subscribers their own operation's events.
      for (const e of groups.aStatus[0].events) expect(Object.keys(e).sort()).toEqual(['at', 'processedItems', 'status']);
      for (const e of groups.aSnapshot[0].events.slice(1)) expect(e).toMatchObject({ snapshot: { id: snapshotId } });
      expect(groups.bStatus[0].events.at(0)).toMatchObject({ status: 'NOT_STARTED' });
      expect(refused.events).toEqual([]);

      // One execution per distinct event per group, however many subscribers each group has.
      const executions = (await metricSum(gw.url, EXECUTIONS)) - before;
      expect(executions).toBe(all.reduce((n, group) => n + distinctAfterFirst(group), 0));
      const frames = (await metricSum(gw.url, FRAMES)) - framesBefore;
      expect(frames).toBe(all.flat().reduce((n, f) => n + f.events.length - 1, 0));
      expect(frames).toBeGreaterThan(executions * 2);
    } finally {
      await Promise.all(followers.map((f) => f.dispose()));
    }
  }, 120_000);
});
