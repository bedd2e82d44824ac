/**
 * Kept refusals (src/caches/refused-documents.ts): a document refused for
 * itself (the limit rules, graphql-js's rules, a syntax error) is refused
 * again with the same answer, on HTTP and on graphql-ws, without being
 * parsed again (counted by facegate_graphql_documents_parsed_total); a
 * gateway with other limits is not answered with another's refusal; the
 * cache keeps no more than its bounds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { ENTRY_OVERHEAD_BYTES, RefusedDocuments } from '../../dist/src/caches/refused-documents.js';
import { DEFAULT_QUERY_LIMITS } from '../../dist/src/security/query-limits.js';
import { metricSum, removeDataDir, startGateway, wsClient, type GatewayProcess, type GraphQLResponse } from '../support/gateway.js';

const PARSED = 'facegate_graphql_documents_parsed_total';
const IMAGE = { url: 'https://example.com/face.jpg' };

/** `n` aliased image searches: over 15 (the default costly aliases) refused by TOO_MANY_COSTLY_ALIASES, and over 4 by TOO_MANY_IMAGES. */
const costlyAliases = (n: number, tag = 'a') =>
  `query Flood($img: ImageInput!) { ${Array.from(
    { length: n },
    (_, i) => `${tag}${i}: searchUsersByImage(input: { collection: { provider: "local", collectionId: "c" }, image: $img }) { __typename }`,
  ).join(' ')} }`;

/** Status, body and content-type of one POST. */
async function post(url: string, query: string, variables?: Record<string, unknown>) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, contentType: res.headers.get('content-type'), body: await res.text() };
}

describe('a refused document, repeated', () => {
  let gw: GatewayProcess;
  let client: Client;

  beforeAll(async () => {
    gw = await startGateway();
    client = wsClient(gw.wsUrl);
  });
  afterAll(async () => {
    await client?.dispose();
    await gw?.stop();
    removeDataDir(gw.dataDir);
  });

  /** The errors graphql-ws delivers for `query`. */
  const overWs = (query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse> =>
    new Promise((resolve) => {
      let last: GraphQLResponse = {};
      client.subscribe(
        { query, variables },
        {
          next: (r) => (last = r as GraphQLResponse),
          error: (errors) => resolve({ errors: errors as GraphQLResponse['errors'] }),
          complete: () => resolve(last),
        },
      );
    });

  it('over HTTP: the same status, body and headers, and the repeat is not parsed', async () => {
    for (const [query, code] of [
      [costlyAliases(16), 'TOO_MANY_COSTLY_ALIASES'],
      ['{ providers { nope } }', 'GRAPHQL_VALIDATION_FAILED'],
      ['{ providers { name }', 'GRAPHQL_PARSE_FAILED'],
    ] as const) {
      const before = await metricSum(gw.url, PARSED, { transport: 'http' });
      const first = await post(gw.url, query, { img: IMAGE });
      const afterFirst = await metricSum(gw.url, PARSED, { transport: 'http' });
      const second = await post(gw.url, query, { img: { base64: 'AAAA' } });
      const afterSecond = await metricSum(gw.url, PARSED, { transport: 'http' });
      expect(first.status).toBe(400);
      expect((JSON.parse(first.body) as GraphQLResponse).errors?.map((e) => e.extensions?.code)).toContain(code);
      expect(second).toEqual(first);
      expect([afterFirst - before, afterSecond - afterFirst]).toEqual([1, 0]);
    }
    // Kept refusals answered, counted apart from Apollo's and the fast path's requests.
    expect(await metricSum(gw.url, 'facegate_query_plan_requests_total', { path: 'refused' })).toBe(3);
  });

  it('over HTTP: a document that passes is never answered with a refusal', async () => {
    const query = 'query Pass { providers { name } }';
    const before = await metricSum(gw.url, 'facegate_query_plan_requests_total', { path: 'refused' });
    for (let i = 0; i < 2; i++) expect((await post(gw.url, query)).status).toBe(200);
    expect(await metricSum(gw.url, 'facegate_query_plan_requests_total', { path: 'refused' })).toBe(before);
  });

  it('over graphql-ws: the same errors, and the repeat is not parsed', async () => {
    for (const [query, code] of [
      [costlyAliases(16, 'w'), 'TOO_MANY_COSTLY_ALIASES'],
      ['{ providers { nope } }', 'GRAPHQL_VALIDATION_FAILED'],
      ['{ providers { name }', 'GRAPHQL_PARSE_FAILED'],
    ] as const) {
      const before = await metricSum(gw.url, PARSED, { transport: 'ws' });
      const first = await overWs(query, { img: IMAGE });
      const afterFirst = await metricSum(gw.url, PARSED, { transport: 'ws' });
      const second = await overWs(query, { img: IMAGE });
      const afterSecond = await metricSum(gw.url, PARSED, { transport: 'ws' });
      expect(first.errors?.map((e) => e.extensions?.code)).toContain(code);
      expect(second).toEqual(first);
      expect([afterFirst - before, afterSecond - afterFirst]).toEqual([1, 0]);
    }
  });

  it('over graphql-ws: the kept errors are those over HTTP, locations included', async () => {
    const query = '{\n  providers { nope }\n}';
    const http = JSON.parse((await post(gw.url, query)).body) as GraphQLResponse;
    await overWs(query);
    const kept = await overWs(query);
    expect(kept.errors).toEqual(http.errors);
    expect(kept.errors?.[0]).toMatchObject({ locations: [{ line: 2, column: 15 }] });
  });
});

describe('a gateway with other limits', () => {
  let strict: GatewayProcess;
  let lax: GatewayProcess;

  beforeAll(async () => {
    [strict, lax] = await Promise.all([
      startGateway({ config: { limits: { maxAliases: 5 } } }),
      startGateway({ config: { limits: { maxAliases: 6 } } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([strict?.stop(), lax?.stop()]);
    removeDataDir(strict.dataDir);
    removeDataDir(lax.dataDir);
  });

  it('runs what another refused and keeps', async () => {
    const query = `query Six { ${Array.from({ length: 6 }, (_, i) => `p${i}: providers { name }`).join(' ')} }`;
    for (let i = 0; i < 2; i++) expect((await post(strict.url, query)).body).toContain('TOO_MANY_ALIASES');
    const ran = await post(lax.url, query);
    expect(ran.status).toBe(200);
    expect(ran.body).not.toContain('errors');
  });

  it('keys refusals by the limits they were made under', () => {
    const key = (limits: object) => new RefusedDocuments({ scope: JSON.stringify(limits) }).keyOf('{ a }', 'v');
    expect(key(DEFAULT_QUERY_LIMITS)).toBe(key({ ...DEFAULT_QUERY_LIMITS }));
    expect(key({ ...DEFAULT_QUERY_LIMITS, maxCostlyAliases: 20 })).not.toBe(key(DEFAULT_QUERY_LIMITS));
    const cache = new RefusedDocuments<string>({ scope: 'limits A' });
    cache.set(cache.keyOf('{ a }', 'v'), 'refused under A', 10);
    const other = new RefusedDocuments<string>({ scope: 'limits B' });
    expect(cache.get(other.keyOf('{ a }', 'v'))).toBeUndefined();
    expect(cache.get(cache.keyOf('{ a }', 'other variant'))).toBeUndefined();
    expect(cache.get(cache.keyOf('{ a }', 'v'))).toBe('refused under A');
  });
});

describe('the cache of refusals', () => {
  it('keeps at most maxEntries, dropping the least recently used', () => {
    const cache = new RefusedDocuments<number>({ scope: 's', maxEntries: 3 });
    const key = (i: number) => cache.keyOf(`{ d${i} }`, 'v');
    for (let i = 0; i < 3; i++) cache.set(key(i), i, 1);
    expect(cache.get(key(0))).toBe(0); // now the most recently used
    for (let i = 3; i < 5; i++) cache.set(key(i), i, 1);
    expect(cache.size).toBe(3);
    expect([0, 1, 2, 3, 4].map((i) => cache.get(key(i)))).toEqual([0, undefined, undefined, 3, 4]);
  });

  it('keeps at most maxBytes, and never an answer over an eighth of them', () => {
    const maxBytes = 64 * 1024;
    const cache = new RefusedDocuments<number>({ scope: 's', maxEntries: 10_000, maxBytes });
    for (let i = 0; i < 1000; i++) cache.set(cache.keyOf(`{ d${i} }`, 'v'), i, 1000);
    expect(cache.bytes).toBeLessThanOrEqual(maxBytes);
    expect(cache.size).toBe(Math.floor(maxBytes / (1000 + ENTRY_OVERHEAD_BYTES)));
    expect(cache.get(cache.keyOf('{ d999 }', 'v'))).toBe(999);
    expect(cache.get(cache.keyOf('{ d0 }', 'v'))).toBeUndefined();
    const big = cache.keyOf('{ big }', 'v');
    cache.set(big, -1, maxBytes / 8);
    expect(cache.get(big)).toBeUndefined();
    expect(cache.bytes).toBeLessThanOrEqual(maxBytes);
  });
});
