/**
 * Pages reused across requests (src/caches/reused-pages.ts): a repeat costs no
 * provider call while the store's data version holds, and every commit —
 * through the gateway or by another connection to the same database —
 * is seen by the next request. Own gateway on a seeded embedded store.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCollection } from '../../dist/bench/seed.js';
import type { FaceProvider } from '../../dist/src/datasources/provider.js';
import { ReusedPages, type UsersPageKey } from '../../dist/src/caches/reused-pages.js';
import type { Connection } from '../../dist/src/schema/connection.types.js';
import type { User } from '../../dist/src/schema/user.type.js';
import { openSqliteStore } from '../../dist/src/store/sqlite/sqlite-store.js';
import { metricSum, removeDataDir, startGateway, type GatewayProcess } from '../support/gateway.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const KEY_A = 'key-a-reuse';
const KEY_B = 'key-b-reuse';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const pageQuery = (first: number) => `query($c: String!) { collection(ref: { provider: "local", collectionId: $c }) {
  userCount users(first: ${first}) { edges { node { userId status faces(first: 10) { edges { node { faceId } } } } } } } }`;
const METHODS = ['getCollections', 'listUsers', 'listUserFaces', 'getUsers'];

let gw: GatewayProcess;

async function as(key: string, query: string, variables?: Record<string, unknown>): Promise<{ data?: any; errors?: any[] }> {
  const res = await fetch(gw.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: any; errors?: any[] };
}

async function page(collectionId: string, first = 100): Promise<{ userCount: number; users: { userId: string; faces: string[] }[] }> {
  const body = await as(KEY_A, pageQuery(first), { c: collectionId });
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  const c = body.data.collection;
  return {
    userCount: c.userCount,
    users: c.users.edges.map((e: any) => ({ userId: e.node.userId, faces: e.node.faces.edges.map((f: any) => f.node.faceId) })),
  };
}

/** Provider calls (from /metrics) made while `run` runs. */
async function callsDuring<T>(run: () => Promise<T>): Promise<{ result: T; calls: Record<string, number> }> {
  const count = () => Promise.all(METHODS.map((m) => metricSum(gw.url, 'facegate_provider_calls_total', { method: m })));
  const before = await count();
  const result = await run();
  const after = await count();
  return { result, calls: Object.fromEntries(METHODS.map((m, i) => [m, after[i] - before[i]]).filter(([, n]) => n !== 0)) };
}

beforeAll(async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'facegate-reuse-'));
  const store = await openSqliteStore(dataDir);
  await seedCollection(store, { provider: 'local', collectionId: 'a-seeded', users: 30, faces: 60, facesPerUser: 2 });
  await store.close();
  gw = await startGateway({
    dataDir,
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
});

afterAll(async () => {
  await gw.stop();
  removeDataDir(gw.dataDir);
});

describe('pages reused across requests', () => {
  it('answers a repeat with no provider call, and other arguments with their own calls', async () => {
    const first = await callsDuring(() => page('a-seeded'));
    expect(first.result.users).toHaveLength(30);
    expect(first.result.users.every((u) => u.faces.length === 2)).toBe(true);
    expect(first.calls).toEqual({ getCollections: 1, listUsers: 1, listUserFaces: 1 });

    const repeat = await callsDuring(() => page('a-seeded'));
    expect(repeat.result).toEqual(first.result);
    expect(repeat.calls).toEqual({});

    const smaller = await callsDuring(() => page('a-seeded', 5));
    expect(smaller.result.users).toEqual(first.result.users.slice(0, 5));
    expect(smaller.calls).toEqual({ listUsers: 1, listUserFaces: 1 });
  });

  it('sees a commit made through the gateway on the next request', async () => {
    const before = await page('a-seeded');
    const [user] = before.users;
    const dis = await as(
      KEY_A,
      `mutation($f: [String!]!) { disassociateFaces(input: { collection: { provider: "local", collectionId: "a-seeded" },
      userId: "${user.userId}", faceIds: $f }) { __typename } }`,
      { f: [user.faces[0]] },
    );
    expect(dis.data.disassociateFaces.__typename).toBe('DisassociateFacesSuccess');
    const created = await as(
      KEY_A,
      `mutation { createUser(input: { collection: { provider: "local", collectionId: "a-seeded" }, userId: "zz-new" }) { __typename } }`,
    );
    expect(created.data.createUser.__typename).toBe('CreateUserSuccess');

    const after = await callsDuring(() => page('a-seeded'));
    expect(after.calls).toEqual({ getCollections: 1, listUsers: 1, listUserFaces: 1 });
    expect(after.result.userCount).toBe(before.userCount + 1);
    expect(after.result.users.at(-1)).toEqual({ userId: 'zz-new', faces: [] });
    expect(after.result.users[0]).toEqual({ userId: user.userId, faces: user.faces.slice(1) });
  });

  it('sees a commit made by another connection to the same database', async () => {
    const before = await page('a-seeded');
    expect((await page('a-seeded')).users).toEqual(before.users); // reused, as above
    const other = await openSqliteStore(gw.dataDir);
    try {
      await other.transaction(async (tx) => {
        const collection = await tx.getCollection({ provider: 'local', collectionId: 'a-seeded' });
        await tx.insertUser(collection!.key, 'zz-other-process', new Date());
      });
    } finally {
      await other.close();
    }
    const after = await page('a-seeded');
    expect(after.users.map((u) => u.userId)).toEqual([...before.users.map((u) => u.userId), 'zz-other-process']);
  });

  it('checks the tenant on every request, reused or not', async () => {
    await page('a-seeded');
    const denied = await as(KEY_B, pageQuery(100), { c: 'a-seeded' });
    expect(denied.data?.collection ?? null).toBeNull();
    expect(denied.errors?.[0].extensions.code).toBe('INVALID_INPUT');
    expect(JSON.stringify(denied)).not.toContain('user-000000');
  });
});

describe('ReusedPages', () => {
  // Only readVersion matters to the cache; the rest of the contract is never called.
  const providerAt = (version: () => number | undefined) => ({ readVersion: version }) as unknown as FaceProvider;
  /** The users page kept under `key` (a collection id here). */
  const page = (key: string): UsersPageKey => ({ collectionId: key, first: 10, after: null, withFaces: false });
  /** A fresh value each build: kept values are told apart by identity. */
  const emptyPage = (): Connection<User> => ({ edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
  const builder = (reusable = true) => {
    let builds = 0;
    const build = async () => {
      builds++;
      return { value: emptyPage(), reusable };
    };
    return { build, builds: () => builds };
  };

  it('builds every time for a provider without a version', async () => {
    const pages = new ReusedPages();
    const p = providerAt(() => undefined);
    const b = builder();
    await pages.users(p, page('k'), b.build);
    await pages.users(p, page('k'), b.build);
    expect(b.builds()).toBe(2);
  });

  it('keeps a value per key until the version moves', async () => {
    const pages = new ReusedPages();
    let version = 1;
    const p = providerAt(() => version);
    const b = builder();
    const v1 = await pages.users(p, page('k'), b.build);
    expect(await pages.users(p, page('k'), b.build)).toBe(v1);
    await pages.users(p, page('other'), b.build);
    expect(b.builds()).toBe(2);
    version = 2;
    expect(await pages.users(p, page('k'), b.build)).not.toBe(v1);
    expect(b.builds()).toBe(3);
  });

  it('keeps nothing built across a version change, or marked not reusable', async () => {
    const pages = new ReusedPages();
    let version = 1;
    const p = providerAt(() => version);
    const b = builder();
    await pages.users(p, page('k'), async () => {
      const v = await b.build();
      version++; // a commit while the value was being built
      return v;
    });
    await pages.users(p, page('k'), b.build);
    expect(b.builds()).toBe(2);
    const failing = builder(false);
    await pages.users(p, page('f'), failing.build);
    await pages.users(p, page('f'), failing.build);
    expect(failing.builds()).toBe(2);
  });

  it('keeps at most 50,000 records a provider, dropping the oldest entries first', async () => {
    const pages = new ReusedPages();
    const p = providerAt(() => 7);
    let builds = 0;
    const weighing = (weight: number) => async () => {
      builds++;
      return { value: emptyPage(), reusable: true, weight };
    };
    await pages.users(p, page('too-heavy'), weighing(50_001));
    await pages.users(p, page('too-heavy'), weighing(50_001));
    expect(builds).toBe(2);
    const a = await pages.users(p, page('a'), weighing(30_000));
    const b = await pages.users(p, page('b'), weighing(20_000));
    expect(await pages.users(p, page('a'), weighing(30_000))).toBe(a);
    await pages.users(p, page('c'), weighing(1)); // over the budget: a, the oldest, goes
    expect(await pages.users(p, page('b'), weighing(20_000))).toBe(b);
    expect(await pages.users(p, page('a'), weighing(30_000))).not.toBe(a);
  });

  it('keys a page by collection, first, after and faces, and a collection apart from its pages', async () => {
    const pages = new ReusedPages();
    const p = providerAt(() => 1);
    const b = builder();
    const kept = await pages.users(p, page('k'), b.build);
    const others: UsersPageKey[] = [
      { ...page('k'), first: 11 },
      { ...page('k'), after: 'x' },
      { ...page('k'), withFaces: true },
      page('k2'),
    ];
    for (const other of others) expect(await pages.users(p, other, b.build)).not.toBe(kept);
    expect(await pages.users(p, page('k'), b.build)).toBe(kept);
    // A collection id and a cursor never run into each other.
    const ab = await pages.users(p, { ...page('ab'), after: 'c' }, b.build);
    expect(await pages.users(p, { ...page('a'), after: 'bc' }, b.build)).not.toBe(ab);
    expect(b.builds()).toBe(7);

    let collectionBuilds = 0;
    const collection = async () => {
      collectionBuilds++;
      return { value: null, reusable: true };
    };
    await pages.collection(p, 'k', collection);
    await pages.collection(p, 'k', collection);
    expect(collectionBuilds).toBe(1);
    expect(await pages.users(p, page('k'), b.build)).toBe(kept);
  });

  it("keeps each gateway's pages apart", async () => {
    const p = providerAt(() => 1);
    const b = builder();
    const kept = await new ReusedPages().users(p, page('k'), b.build);
    expect(await new ReusedPages().users(p, page('k'), b.build)).not.toBe(kept);
  });
});
