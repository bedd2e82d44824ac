/**
 * /metrics access and label cardinality, against running gateways:
 * - with auth and no metrics key, /metrics is off (404);
 * - with a metrics key, a scrape must bring it (Bearer or x-api-key): no
 *   key, a wrong one or a tenant's API key get 401, and the metrics key
 *   opens nothing but /metrics;
 * - with anonymous access (loopback) and no key, /metrics is open;
 * - junk operationNames and unparseable documents add no series; names of
 *   operations that ran are labels up to a cap, the rest `other`.
 * Each beside a tenant the same gateway keeps serving.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS_KEY, removeDataDir, startGateway, type GatewayProcess } from '../support/gateway.js';

const TENANT_KEY = 'metrics-test-tenant-key';
const auth = { apiKeys: [{ tenant: 'acme', sha256: createHash('sha256').update(TENANT_KEY).digest('hex') }] };
const tenants = { acme: { providers: '*' } };
/** Mirrors MAX_OPERATION_NAMES in src/observability/operation-names.ts. */
const MAX_OPERATION_NAMES = 200;

let keyed: GatewayProcess;
let off: GatewayProcess;
let open: GatewayProcess;

beforeAll(async () => {
  [keyed, off, open] = await Promise.all([
    startGateway({ config: { auth, tenants } }),
    startGateway({ config: { auth, tenants }, env: { FACEGATE_METRICS_KEY_SHA256: '' } }),
    startGateway({ env: { FACEGATE_METRICS_KEY_SHA256: '' } }),
  ]);
});

afterAll(async () => {
  for (const gw of [keyed, off, open]) {
    await gw?.stop();
    if (gw) removeDataDir(gw.dataDir);
  }
});

const metricsUrl = (gw: GatewayProcess) => gw.url.replace(/\/graphql$/, '/metrics');
const scrape = (gw: GatewayProcess, headers: Record<string, string> = {}) => fetch(metricsUrl(gw), { headers });

/** A tenant's query; true when it was answered with data. */
async function served(gw: GatewayProcess, headers: Record<string, string> = { 'x-api-key': TENANT_KEY }): Promise<boolean> {
  const res = await fetch(gw.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: 'query Served { providers { name } }' }),
  });
  return res.status === 200 && Array.isArray(((await res.json()) as { data?: { providers?: unknown } }).data?.providers);
}

/** The series of the GraphQL request and operation metrics, one line each. */
async function graphqlSeries(gw: GatewayProcess, headers: Record<string, string>): Promise<string[]> {
  const text = await (await scrape(gw, headers)).text();
  return text
    .split('\n')
    .filter((l) => /^facegate_graphql_(requests|operations)_total\{/.test(l) || /^facegate_graphql_operation_seconds_count\{/.test(l));
}

describe('with auth configured', () => {
  it('no metrics key: /metrics is off (404), for a tenant too; the tenant is served', async () => {
    expect((await scrape(off)).status).toBe(404);
    expect((await scrape(off, { 'x-api-key': TENANT_KEY })).status).toBe(404);
    expect(await served(off)).toBe(true);
  });

  it('a metrics key: refused without it, with a wrong one or a tenant key (401); served with it (Bearer, ApiKey or x-api-key)', async () => {
    const refused: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong' },
      { 'x-api-key': TENANT_KEY },
      { authorization: METRICS_KEY },
    ];
    for (const headers of refused) {
      const res = await scrape(keyed, headers);
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(await res.text()).not.toContain('facegate_');
    }
    const bearer = await scrape(keyed, { authorization: `Bearer ${METRICS_KEY}` });
    expect(bearer.status).toBe(200);
    expect(await bearer.text()).toContain('facegate_graphql_requests_total');
    expect((await scrape(keyed, { 'x-api-key': METRICS_KEY })).status).toBe(200);
    expect((await scrape(keyed, { authorization: `ApiKey ${METRICS_KEY}` })).status).toBe(200);
    expect(await served(keyed)).toBe(true);
  });

  it('the metrics key opens nothing else: /graphql refuses it (401)', async () => {
    expect(await served(keyed, { 'x-api-key': METRICS_KEY })).toBe(false);
    expect(await served(keyed, { authorization: `Bearer ${METRICS_KEY}` })).toBe(false);
    expect(await served(keyed)).toBe(true);
  });

  it('300 unauthenticated requests with junk operationNames add no series', async () => {
    const key = { authorization: `Bearer ${METRICS_KEY}` };
    const before = await graphqlSeries(keyed, key);
    await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        fetch(keyed.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: `query Junk${i} { providers { name } }`, operationName: `Junk${i}` }),
        }).then((r) => r.arrayBuffer()),
      ),
    );
    expect(await served(keyed)).toBe(true);
    const after = await graphqlSeries(keyed, key);
    expect(after.filter((l) => l.includes('Junk'))).toEqual([]);
    expect(after.length - before.length).toBeLessThanOrEqual(3); // the Served query's own series, at most
  });
});

describe('with anonymous access on loopback', () => {
  it('/metrics is open without a key', async () => {
    const res = await scrape(open);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('facegate_graphql_requests_total');
  });

  it('junk operationNames and unparseable documents add no series of their own', async () => {
    expect(await served(open, {})).toBe(true);
    const before = await graphqlSeries(open, {});
    const bodies = Array.from(
      { length: 300 },
      (_, i) =>
        i % 3 === 0
          ? { query: `query { ${'{'.repeat(i % 7)} nope`, operationName: `junk-name-${i}` } // does not parse
          : i % 3 === 1
            ? { query: `query Unknown${i} { noSuchField${i} }`, operationName: `Unknown${i}` } // parses, does not validate
            : { query: '{ providers { name } }', operationName: `NotInDocument${i}` }, // names an operation the document lacks
    );
    for (let i = 0; i < bodies.length; i += 50) {
      await Promise.all(
        bodies
          .slice(i, i + 50)
          .map((body) =>
            fetch(open.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) =>
              r.arrayBuffer(),
            ),
          ),
      );
    }
    expect(await served(open, {})).toBe(true);
    const after = await graphqlSeries(open, {});
    expect(after.filter((l) => /junk|Unknown\d|NotInDocument/.test(l))).toEqual([]);
    // All of them are counted under `invalid`, by status and error code: a handful of series, not 300.
    expect(after.length - before.length).toBeLessThanOrEqual(6);
    expect(after.some((l) => l.startsWith('facegate_graphql_requests_total{operation="invalid",status="400"}'))).toBe(true);
  });

  it(`names of operations that ran are labels up to ${MAX_OPERATION_NAMES}; later names count as other`, async () => {
    const names = Array.from({ length: MAX_OPERATION_NAMES + 50 }, (_, i) => `Distinct${i}`);
    for (let i = 0; i < names.length; i += 50) {
      await Promise.all(
        names.slice(i, i + 50).map((name) =>
          fetch(open.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: `query ${name} { __typename }` }),
          }).then((r) => r.arrayBuffer()),
        ),
      );
    }
    const series = await graphqlSeries(open, {});
    const labelled = new Set(series.map((l) => /operation="([^"]+)"/.exec(l)?.[1]).filter((n): n is string => !!n));
    expect(labelled.size).toBeLessThanOrEqual(MAX_OPERATION_NAMES + 3); // + anonymous, invalid, other
    expect(labelled.has('other')).toBe(true);
    expect(labelled.has('Served')).toBe(true); // a name seen before the flood keeps its label
    expect(await served(open, {})).toBe(true);
  });
});
