/**
 * Twenty texts of the Relay page (bench/bench-queries.ts: field order,
 * aliases, named and inline fragments, with and without `faceCount`) answer
 * over HTTP exactly what graphql-js's plain `execute` answers on the
 * gateway's schema with a fresh context (no plan, no reused page, no kept
 * face or count): the first sending (Apollo with graphql-jit), the repeat
 * (the fast path) and the repeat of the repeat (the reused page, its ids and
 * cursors kept). Users have 3 faces or none, so `faceCount` counted from a
 * page's faces or in one call is checked against the seeded truth.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execute, parse, type GraphQLSchema } from 'graphql';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relayPageVariants, PAGE_COLLECTION, RELAY_PAGE } from '../../dist/bench/bench-queries.js';
import { seedCollection } from '../../dist/bench/seed.js';
import { ProviderRegistry } from '../../dist/src/datasources/registry.js';
import { CachedEngine } from '../../dist/src/engine/detection-cache.js';
import { FaceEngine } from '../../dist/src/engine/index.js';
import { buildGatewaySchema } from '../../dist/src/execution/build-schema.js';
import { contextDeps, createContext } from '../../dist/src/resolvers/context.js';
import { toGlobalId } from '../../dist/src/domain/global-id.js';
import { TenantGrants } from '../../dist/src/security/grants.js';
import { openSqliteStore } from '../../dist/src/store/sqlite/sqlite-store.js';
import type { SnapshotService } from '../../dist/src/operations/snapshot-service.js';
import { metricSum, removeDataDir, startGateway, type GatewayProcess } from '../support/gateway.js';

/** Users 0–14 have 3 faces each, users 15–29 none. */
const USERS = 30;
const FACES_PER_USER = 3;
const USERS_WITH_FACES = 15;

let gateway: GatewayProcess;
let dataDir: string;
let schema: GraphQLSchema;
let registry: ProviderRegistry;
let closeStore: () => Promise<void>;

/** graphql-js's own execution of `query` on the gateway's schema, with a context made for it alone. */
async function plainExecution(query: string): Promise<unknown> {
  const deps = contextDeps({
    registry,
    snapshots: undefined as unknown as SnapshotService,
    logger: pino({ level: 'silent' }),
    grants: new TenantGrants({ default: { providers: '*', collections: ['*'] } }),
    imagePolicy: { allowedHosts: [] },
    maxPageSize: 100,
  });
  const context = createContext(deps, { tenant: 'default' } as never, 'plain', new AbortController().signal);
  const result = await execute({ schema, document: parse(query), contextValue: context, variableValues: { after: null } });
  expect(result.errors).toBeUndefined();
  return JSON.parse(JSON.stringify({ data: result.data }));
}

async function send(query: string): Promise<string> {
  const res = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables: { after: null } }),
  });
  expect(res.status).toBe(200);
  return res.text();
}

/** The page's users' face counts, whatever the variant named the fields. */
function counts(answer: unknown): number[] {
  const data = (answer as { data: Record<string, { [k: string]: { [k: string]: { [k: string]: Record<string, unknown> }[] } }> }).data;
  const collection = Object.values(data)[0];
  const users = Object.values(collection)[0];
  const edges = (users.edges ?? users.rows) as unknown as Record<string, Record<string, unknown>>[];
  return edges.map((e) => (e.node ?? e.user).faceCount ?? (e.node ?? e.user).count) as number[];
}

/**
 * The ids and cursors of an answer, checked against what they must be
 * rather than against another execution of the same code: each user's and
 * face's `id` is its own global id, and no two edges share a cursor.
 */
function checkIdsAndCursors(value: unknown, cursors = new Set<string>()): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + checkIdsAndCursors(v, cursors), 0);
  if (typeof value !== 'object' || value === null) return 0;
  const o = value as Record<string, unknown>;
  let checked = 0;
  if (typeof o.id === 'string' && typeof o.userId === 'string') {
    expect(o.id).toBe(toGlobalId('User', 'local', PAGE_COLLECTION, o.userId));
    checked++;
  }
  if (typeof o.id === 'string' && typeof o.faceId === 'string') {
    expect(o.id).toBe(toGlobalId('Face', 'local', PAGE_COLLECTION, o.faceId));
    checked++;
  }
  if (typeof o.cursor === 'string') {
    expect(cursors.has(o.cursor)).toBe(false);
    cursors.add(o.cursor);
  }
  for (const v of Object.values(o)) checked += checkIdsAndCursors(v, cursors);
  return checked;
}

describe('twenty texts of the Relay page', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'facegate-relay-'));
    const store = await openSqliteStore(dataDir);
    await seedCollection(store, {
      provider: 'local',
      collectionId: PAGE_COLLECTION,
      users: USERS,
      faces: USERS_WITH_FACES * FACES_PER_USER,
      facesPerUser: FACES_PER_USER,
    });
    closeStore = () => store.close();
    registry = new ProviderRegistry([{ name: 'local', kind: 'local', options: {} }], {
      store,
      engine: new CachedEngine(new FaceEngine({ workers: 1, maxQueue: 1 })), // never started: no image is sent
      logger: pino({ level: 'silent' }),
    });
    schema = await buildGatewaySchema();
    gateway = await startGateway({ dataDir });
  });

  afterAll(async () => {
    await gateway?.stop();
    await registry?.close();
    await closeStore?.();
    removeDataDir(dataDir);
  });

  it('answer the bytes of graphql-js plain execution on Apollo, the fast path and the reused page', async () => {
    const variants = relayPageVariants();
    expect(new Set(variants).size).toBe(20);
    expect(variants).not.toContain(RELAY_PAGE);
    const cached = () => metricSum(gateway.url, 'facegate_query_plan_requests_total', { path: 'cached' });
    for (const query of [RELAY_PAGE, ...variants]) {
      const expected = JSON.stringify(await plainExecution(query));
      const cachedBefore = await cached();
      // Apollo and jit; the fast path building nothing; the fast path on the kept page.
      for (let i = 0; i < 3; i++) expect(await send(query), query).toBe(`${expected}\n`);
      expect(await cached()).toBe(cachedBefore + 2);
      const countsOf = counts(JSON.parse(expected));
      // Users and faces with their ids under the name `id` (the aliased text names it `key`).
      expect(checkIdsAndCursors(JSON.parse(expected))).toBeGreaterThanOrEqual(query.includes('key: id') ? 45 : 75);
      if (/faceCount/.test(query)) {
        const seeded = Array.from({ length: USERS }, (_, i) => (i < USERS_WITH_FACES ? FACES_PER_USER : 0));
        expect(countsOf, query).toEqual(seeded);
      } else {
        expect(countsOf.every((c) => c === undefined)).toBe(true);
      }
    }
  });

  it('count a page in one call: with the faces when they are selected, in one countUserFaces call when not', async () => {
    const calls = async (method: string) => metricSum(gateway.url, 'facegate_provider_calls_total', { method });
    // A write (anywhere in the store) moves its version, so no page built earlier is reused.
    let bumps = 0;
    const bump = async () => {
      const res = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: `mutation { createCollection(input: { collection: { provider: "local", collectionId: "bump-${bumps++}" } }) { __typename } }`,
        }),
      });
      expect(res.status).toBe(200);
    };
    const countOnly = `{ collection(ref: { provider: "local", collectionId: "${PAGE_COLLECTION}" }) { users(first: 10) { edges { node { userId faceCount } } } } }`;
    await bump();
    const [count0, list0] = [await calls('countUserFaces'), await calls('listUserFaces')];
    const answer = JSON.parse(await send(countOnly));
    expect(counts(answer)).toEqual(Array.from({ length: 10 }, () => FACES_PER_USER));
    expect([(await calls('countUserFaces')) - count0, (await calls('listUserFaces')) - list0]).toEqual([1, 0]);

    await bump();
    const [count1, list1] = [await calls('countUserFaces'), await calls('listUserFaces')];
    await send(RELAY_PAGE);
    expect([(await calls('countUserFaces')) - count1, (await calls('listUserFaces')) - list1]).toEqual([0, 1]);
  });
});
