/**
 * Listing leaks: `Provider.collections` must not tell a tenant that other
 * tenants' collections exist. Filtering each provider page after the fact
 * answered an empty page with `hasNextPage: true` when the provider's first
 * page held only others' collections. Now the local provider filters in its
 * SQL and the cloud adapters skip others' ids before describing them, and the
 * resolver reads on until its page is full.
 *
 * On a gateway of its own with the local provider and the Rekognition and
 * Azure adapters (on their fakes): tenant `w` owns 25 collections, created
 * first and sorting first; tenant `x` owns 3 after them; tenant `y` none.
 * Each attack is checked with a legitimate listing beside it. The paging
 * itself (cursors, the bound on provider calls) is also checked in process
 * against a sparse fake listing.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paginateFilled, MAX_FILL_CALLS } from '../../dist/src/resolvers/pagination.js';
import { startFakeAzureFace, type FakeAzureFace } from '../fakes/azure-face/server.js';
import { startFakeRekognition, type FakeRekognition } from '../fakes/rekognition/server.js';
import { removeDataDir, startGateway, type GatewayProcess } from '../support/gateway.js';

const KEYS = { w: 'key-for-tenant-w-0123456789', x: 'key-for-tenant-x-0123456789', y: 'key-for-tenant-y-0123456789' };
type Tenant = keyof typeof KEYS;
const sha = (k: string) => createHash('sha256').update(k).digest('hex');
const PROVIDERS = ['local', 'aws', 'azure'] as const;
const W_IDS = Array.from({ length: 25 }, (_, i) => `w-${String(i).padStart(2, '0')}`);
const X_IDS = ['x-1', 'x-2', 'x-3'];

let gw: GatewayProcess;
let rekognition: FakeRekognition;
let azure: FakeAzureFace;

async function as(tenant: Tenant, query: string, variables?: Record<string, unknown>): Promise<any> {
  const res = await fetch(gw.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEYS[tenant] },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

interface Page {
  ids: string[];
  hasNextPage: boolean;
  endCursor: string | null;
}

async function page(tenant: Tenant, provider: string, first: number, after: string | null): Promise<Page> {
  const data = await as(
    tenant,
    `query($p: String!, $first: Int!, $after: String) { provider(name: $p) { collections(first: $first, after: $after) {
      edges { node { collectionId } } pageInfo { hasNextPage endCursor } } } }`,
    { p: provider, first, after },
  );
  const c = data.provider.collections;
  return { ids: c.edges.map((e: any) => e.node.collectionId), ...c.pageInfo };
}

/** Every page of a listing; fails on a page that is empty while hasNextPage says more follow. */
async function walk(tenant: Tenant, provider: string, first: number): Promise<Page[]> {
  const pages: Page[] = [];
  let after: string | null = null;
  for (;;) {
    const p = await page(tenant, provider, first, after);
    pages.push(p);
    if (!p.hasNextPage) return pages;
    expect(p.ids.length, `a full page while more follow (page ${pages.length})`).toBe(first);
    after = p.endCursor;
  }
}

beforeAll(async () => {
  [rekognition, azure] = await Promise.all([startFakeRekognition(), startFakeAzureFace()]);
  gw = await startGateway({
    config: {
      providers: [
        { name: 'local', kind: 'local' },
        {
          name: 'aws',
          kind: 'rekognition',
          region: 'us-east-1',
          endpoint: rekognition.url,
          accessKeyId: 'AKIDFAKEFACEGATE',
          secretAccessKey: 'fake-secret',
        },
        { name: 'azure', kind: 'azure-face', endpoint: azure.url, apiKey: azure.apiKey },
      ],
      auth: { apiKeys: (Object.keys(KEYS) as Tenant[]).map((t) => ({ tenant: t, sha256: sha(KEYS[t]) })) },
      tenants: {
        w: { providers: '*', collections: ['w-*'] },
        x: { providers: '*', collections: ['x-*'] },
        y: { providers: '*', collections: ['y-*'] },
      },
    },
  });
  for (const provider of PROVIDERS) {
    for (const [tenant, ids] of [
      ['w', W_IDS],
      ['x', X_IDS],
    ] as const) {
      const fields = ids.map(
        (id, i) => `c${i}: createCollection(input: { collection: { provider: "${provider}", collectionId: "${id}" } }) { __typename }`,
      );
      const data = await as(tenant, `mutation { ${fields.join('\n')} }`);
      expect(Object.values(data).every((v: any) => v.__typename === 'CreateCollectionSuccess')).toBe(true);
    }
  }
});

afterAll(async () => {
  await gw?.stop();
  if (gw) removeDataDir(gw.dataDir);
  await Promise.all([rekognition?.stop(), azure?.stop()]);
});

describe.each(PROVIDERS)('Provider.collections on %s', (provider) => {
  it('answers a full first page although 25 hidden collections come first, and reveals nothing past the last', async () => {
    // Before: the provider's first page of 2 held w-00 and w-01, filtered to nothing, with hasNextPage true.
    expect(await page('x', provider, 2, null)).toMatchObject({ ids: ['x-1', 'x-2'], hasNextPage: true });
    const pages = await walk('x', provider, 2);
    expect(pages.map((p) => p.ids)).toEqual([['x-1', 'x-2'], ['x-3']]);
    expect(pages.at(-1)!.hasNextPage).toBe(false);
    // first: 0 answers hasNextPage alone, truthfully.
    expect(await page('x', provider, 0, null)).toMatchObject({ ids: [], hasNextPage: true });
  });

  it('answers a tenant with no collection an empty page with hasNextPage false', async () => {
    expect(await page('y', provider, 10, null)).toEqual({ ids: [], hasNextPage: false, endCursor: null });
  });

  it('still serves the owner of many collections every one of them, page after page', async () => {
    const pages = await walk('w', provider, 10);
    expect(pages.map((p) => p.ids.length)).toEqual([10, 10, 5]);
    expect(pages.flatMap((p) => p.ids)).toEqual(W_IDS);
    // One page of everything.
    expect((await page('w', provider, 50, null)).ids).toEqual(W_IDS);
  });
});

it('describes (Rekognition) or loads (Azure) only the collections the caller may see', async () => {
  const before = { aws: rekognition.callsTo('DescribeCollection').length, azure: azure.calls.length };
  await walk('x', 'aws', 10);
  const described = rekognition
    .callsTo('DescribeCollection')
    .slice(before.aws)
    .map((c) => (c.params as { CollectionId: string }).CollectionId);
  expect(described.length).toBeGreaterThan(0);
  expect(described.every((id) => id.startsWith('x-'))).toBe(true);

  await walk('x', 'azure', 10);
  const touched = azure.calls.slice(before.azure).filter((c) => c.op !== 'ListLargePersonGroups');
  expect(touched.some((c) => c.path.includes('/w-'))).toBe(false);
});

describe('paginateFilled (in process)', () => {
  /** A provider listing of `total` items where every `every`-th is visible; pages of `limit` after a numeric token. */
  function sparse(total: number, every: number) {
    const calls: { limit: number; after?: string }[] = [];
    const fetch = async (p: { limit: number; after?: string }) => {
      calls.push(p);
      const from = p.after ? Number(p.after) : 0;
      const items = Array.from({ length: Math.max(0, Math.min(p.limit, total - from)) }, (_, i) => from + i);
      const next = from + items.length;
      return next < total ? { items, nextToken: String(next) } : { items };
    };
    return { calls, fetch, keep: (n: number) => n % every === every - 1 };
  }

  async function all(total: number, every: number, first: number) {
    const src = sparse(total, every);
    const seen: number[] = [];
    let after: string | null = null;
    let requests = 0;
    for (;;) {
      requests++;
      const before = src.calls.length;
      const c: { edges: { node: number }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } = await paginateFilled(
        { first, after },
        100,
        src.fetch,
        src.keep,
        (n: number) => n,
      );
      expect(src.calls.length - before).toBeLessThanOrEqual(MAX_FILL_CALLS);
      seen.push(...c.edges.map((e) => e.node));
      if (!c.pageInfo.hasNextPage) return { seen, requests, calls: src.calls.length };
      after = c.pageInfo.endCursor;
      expect(after).not.toBeNull();
    }
  }

  it('returns every visible item once, in order, with full pages, whatever the density', async () => {
    for (const every of [1, 2, 7, 50]) {
      const { seen } = await all(1000, every, 9);
      expect(seen).toEqual(Array.from({ length: Math.floor(1000 / every) }, (_, i) => (i + 1) * every - 1));
    }
  });

  it('reads at most the bound of provider calls per request, and a later request goes on from where it stopped', async () => {
    // One visible item in 100,000: the bound is reached, the page is empty with hasNextPage, and paging resumes.
    const { seen, requests } = await all(300_000, 100_000, 5);
    expect(seen).toEqual([99_999, 199_999, 299_999]);
    expect(requests).toBeGreaterThan(1);
  });
});
