/**
 * The fast path for repeats of a query Apollo already ran
 * (src/execution/fast-path.ts), differentially: each request is sent once
 * to Apollo (its text is new) and again to the fast path, and both answers
 * must be byte for byte the same (status, headers but x-request-id and
 * date, body), with the same metrics. facegate_query_plan_requests_total
 * shows which path answered. Every query text carries this run's tag so no
 * other test file can have planned it already.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fakePng } from '../fakes/azure-face/server.js';
import { startFakeRekognition, type FakeRekognition } from '../fakes/rekognition/server.js';
import { metricSum, metricsText, removeDataDir, startGateway, type GatewayProcess } from '../support/gateway.js';
import { createCollection, createUsers, ERROR_FIELDS, ref, uniqueCollectionId } from '../support/fixtures.js';
import { until } from '../support/wait.js';

const url = inject('gatewayUrl');
const tag = randomUUID().slice(0, 8);
const collectionId = uniqueCollectionId('fast');
/** Where each send first writes, away from the collection whose answers are compared. */
const bumpCollectionId = uniqueCollectionId('fast-bump');

/** A query text no one has sent before (a comment with this run's tag and a counter). */
let texts = 0;
const fresh = (query: string) => `${query}\n# fast-path ${tag} ${texts++}`;
/** An operation name unique to this run, for metric labels. */
const opName = (base: string) => `${base}_${tag.replace(/-/g, '')}`;

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

interface Sent extends Answer {
  path: 'cached' | 'apollo' | 'refused';
  /** The {@link COMPARED} series that moved, with how much. */
  metrics: Record<string, number>;
}

/** The series both paths must move alike (timings' buckets and sums differ run to run; process metrics are not the request's). */
const COMPARED =
  /^facegate_(graphql_operations_total|graphql_operation_seconds_count|graphql_requests_total|provider_calls_total|provider_call_seconds_count)\{/;

/** facegate_* series of /metrics, by name and labels. */
async function scrape(gatewayUrl = url): Promise<Map<string, number>> {
  const text = await metricsText(gatewayUrl);
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('facegate_')) continue;
    const at = line.lastIndexOf(' ');
    series.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return series;
}

function moved(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of after) {
    const delta = value - (before.get(key) ?? 0);
    if (delta !== 0) out[key] = delta;
  }
  return out;
}

/** One HTTP exchange with exactly the headers given (fetch would add an Accept of its own). */
function exchange(
  target: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      target,
      { method, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** POSTs `body` as JSON (or GETs it as search parameters) and reports the answer, the path that gave it and the metrics it moved. */
async function send(body: unknown, headers: Record<string, string> = {}, method = 'POST'): Promise<Sent> {
  // A write first, so that no page an earlier send built is reused (src/caches/reused-pages.ts): both
  // paths then make the same provider calls.
  await createUsers(url, bumpCollectionId, [`bump-${randomUUID()}`]);
  const before = await scrape();
  const res =
    method === 'GET'
      ? await exchange(`${url}?${new URLSearchParams(body as Record<string, string>)}`, 'GET', headers)
      : await exchange(url, 'POST', { 'content-type': 'application/json', ...headers }, JSON.stringify(body));
  const answer: Answer = { status: res.status, headers: {}, body: res.body };
  for (const [name, value] of Object.entries(res.headers))
    if (name !== 'date' && name !== 'x-request-id') answer.headers[name] = String(value);
  expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  const all = moved(before, await scrape());
  const cached = all['facegate_query_plan_requests_total{path="cached"}'] ?? 0;
  const apollo = all['facegate_query_plan_requests_total{path="apollo"}'] ?? 0;
  const refused = all['facegate_query_plan_requests_total{path="refused"}'] ?? 0;
  expect(cached + apollo + refused, `one plan-counter increment per request, got ${JSON.stringify(all)}`).toBe(1);
  const metrics: Record<string, number> = {};
  for (const [key, delta] of Object.entries(all)) {
    if (COMPARED.test(key)) metrics[key] = delta;
  }
  return { ...answer, path: cached ? 'cached' : refused ? 'refused' : 'apollo', metrics };
}

/** Sends `body` three times: Apollo answers first, the fast path the repeats, all alike. Returns Apollo's answer. */
async function expectSameOnBothPaths(body: unknown, headers: Record<string, string> = {}): Promise<Sent> {
  const first = await send(body, headers);
  expect(first.path).toBe('apollo');
  for (let i = 0; i < 2; i++) {
    const again = await send(body, headers);
    expect(again.path).toBe('cached');
    expect({ status: again.status, headers: again.headers, body: again.body }).toEqual({
      status: first.status,
      headers: first.headers,
      body: first.body,
    });
    expect(again.metrics).toEqual(first.metrics);
  }
  return first;
}

beforeAll(async () => {
  await createCollection(url, collectionId);
  await createCollection(url, bumpCollectionId);
  await createUsers(url, collectionId, ['ann', 'bob', 'cyd']);
});

describe('repeats of a query are answered from its plan, as Apollo answers them', () => {
  it('a query with variables', async () => {
    const name = opName('FastVars');
    const query = fresh(`query ${name}($c: CollectionRef!, $n: Int) { collection(ref: $c) { collectionId userCount users(first: $n) {
      edges { cursor node { id userId status faceCount } } pageInfo { hasNextPage endCursor } } } }`);
    const first = await expectSameOnBothPaths({ query, variables: { c: ref(collectionId), n: 2 } });
    expect(JSON.parse(first.body).data.collection.users.edges.map((e: any) => e.node.userId)).toEqual(['ann', 'bob']);
    expect(first.metrics).toMatchObject({
      [`facegate_graphql_operations_total{operation="${name}",type="query",result="success"}`]: 1,
      [`facegate_graphql_operation_seconds_count{operation="${name}",type="query"}`]: 1,
      // The request counter labels by the operation that ran (named in the document), not by the operationName sent (none here).
      [`facegate_graphql_requests_total{operation="${name}",status="200"}`]: 1,
    });
    // Other variables, same plan: the fast path answers them at once.
    const other = await send({ query, variables: { c: ref(collectionId), n: 1 } });
    expect(other.path).toBe('cached');
    expect(JSON.parse(other.body).data.collection.users.edges.map((e: any) => e.node.userId)).toEqual(['ann']);
  });

  it('a document with two operations, each picked by operationName (a plan each)', async () => {
    const [a, b] = [opName('PickA'), opName('PickB')];
    const query = fresh(
      `query ${a} { providers { name kind } } query ${b}($c: CollectionRef!) { collection(ref: $c) { collectionId createdAt } }`,
    );
    const first = await expectSameOnBothPaths({ query, operationName: a });
    expect(JSON.parse(first.body).data.providers.map((p: any) => p.name)).toContain('local');
    const second = await expectSameOnBothPaths({ query, operationName: b, variables: { c: ref(collectionId) } });
    expect(JSON.parse(second.body).data.collection.collectionId).toBe(collectionId);
    expect(second.metrics).toMatchObject({ [`facegate_graphql_requests_total{operation="${b}",status="200"}`]: 1 });
  });

  it('field errors, formatted as Apollo formats them', async () => {
    const invalid = await expectSameOnBothPaths({
      query: fresh(`{ collection(ref: { provider: "local", collectionId: "not valid!" }) { collectionId } }`),
    });
    expect(JSON.parse(invalid.body)).toMatchObject({
      data: { collection: null },
      errors: [{ path: ['collection'], extensions: { code: 'INVALID_INPUT' } }],
    });
    // Errors come before data, as Apollo orders them.
    expect(invalid.body).toMatch(/^\{"errors":\[/);
    expect(invalid.metrics).toMatchObject({
      'facegate_graphql_operations_total{operation="anonymous",type="query",result="INVALID_INPUT"}': 1,
    });

    const name = opName('TooMany');
    const tooMany = await expectSameOnBothPaths({
      query: fresh(`query ${name}($c: CollectionRef!) { collection(ref: $c) { collectionId users(first: 9999) { edges { cursor } } } }`),
      operationName: name,
      variables: { c: ref(collectionId) },
    });
    expect(JSON.parse(tooMany.body).errors[0].extensions).toMatchObject({ code: 'INVALID_INPUT', field: 'first' });
  });

  it('union and interface results, and an error member counted as the result', async () => {
    const page = JSON.parse(
      (
        await send({
          query: fresh(`query($c: CollectionRef!) { collection(ref: $c) { users(first: 1) { edges { node { id } } } } }`),
          variables: { c: ref(collectionId) },
        })
      ).body,
    );
    const id = page.data.collection.users.edges[0].node.id;
    const node = await expectSameOnBothPaths({
      query: fresh(`query($id: ID!) { node(id: $id) { __typename id ... on User { userId status } ... on Collection { collectionId } } }`),
      variables: { id },
    });
    expect(JSON.parse(node.body).data.node).toMatchObject({ __typename: 'User', userId: 'ann' });

    const name = opName('SearchGarbage');
    const search = await expectSameOnBothPaths({
      query: fresh(
        `query ${name}($c: CollectionRef!) { searchUsersByImage(input: { collection: $c, image: { base64: "bm90IGFuIGltYWdl" } }) { __typename ${ERROR_FIELDS} } }`,
      ),
      variables: { c: ref(collectionId) },
    });
    expect(JSON.parse(search.body).data.searchUsersByImage.__typename).toBe('InvalidImage');
    expect(search.metrics).toMatchObject({
      [`facegate_graphql_operations_total{operation="${name}",type="query",result="InvalidImage"}`]: 1,
    });
  });

  it('fragments, aliases and @skip/@include', async () => {
    const query =
      fresh(`query($s: Boolean!) { first: providers { ...P kind @skip(if: $s) } second: providers { __typename name @include(if: $s) } }
      fragment P on Provider { name capabilities }`);
    await expectSameOnBothPaths({ query, variables: { s: true } });
    const shown = await send({ query, variables: { s: false } });
    expect(shown.path).toBe('cached');
    expect(JSON.parse(shown.body).data.first[0]).toHaveProperty('kind');
  });

  it('null and absent variables and operationName share a plan and an answer', async () => {
    const query = fresh(`{ providers { name } }`);
    const first = await send({ query });
    expect(first.path).toBe('apollo');
    for (const body of [
      { query, variables: null },
      { query, variables: {} },
      { query, operationName: null },
      { query, operationName: null, variables: null },
    ]) {
      const again = await send(body);
      expect(again.path).toBe('cached');
      expect([again.status, again.headers, again.body, again.metrics]).toEqual([first.status, first.headers, first.body, first.metrics]);
    }
  });

  it('the content types and Accept headers Apollo answers with application/json', async () => {
    const accepts = [
      undefined,
      '',
      '*/*',
      'application/json',
      'application/json; charset=utf-8',
      'application/json, */*',
      'application/json, text/plain, */*',
    ];
    const cases = [
      ...accepts.map((accept) => ({ accept, contentType: 'application/json' })),
      { accept: '*/*', contentType: 'application/json; charset=utf-8' },
    ];
    for (const { accept, contentType } of cases) {
      const headers: Record<string, string> = { 'content-type': contentType, ...(accept === undefined ? {} : { accept }) };
      const first = await expectSameOnBothPaths({ query: fresh(`{ providers { name } }`) }, headers);
      expect(first.headers['content-type']).toBe('application/json; charset=utf-8');
    }
  });
});

describe('requests the fast path leaves to Apollo', () => {
  it("variables that do not coerce get Apollo's 400 on every repeat", async () => {
    const query = fresh(`query($c: CollectionRef!) { collection(ref: $c) { collectionId } }`);
    const good = await send({ query, variables: { c: ref(collectionId) } });
    expect(good.path).toBe('apollo');
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await send({ query, variables: { c: { provider: 1 } } }));
    for (const a of answers) {
      expect(a.path).toBe('apollo');
      expect(a.status).toBe(400);
      expect(JSON.parse(a.body).errors[0].extensions.code).toBe('BAD_USER_INPUT');
      expect([a.headers, a.body, a.metrics]).toEqual([answers[0].headers, answers[0].body, answers[0].metrics]);
    }
    expect((await send({ query, variables: { c: ref(collectionId) } })).path).toBe('cached');
  });

  it('an Accept of application/graphql-response+json', async () => {
    const query = fresh(`{ providers { name } }`);
    expect((await send({ query })).path).toBe('apollo');
    for (const accept of ['application/graphql-response+json', 'application/graphql-response+json, application/json;q=0.9']) {
      const answer = await send({ query }, { accept });
      expect(answer.path).toBe('apollo');
      expect(answer.headers['content-type']).toBe('application/graphql-response+json; charset=utf-8');
    }
  });

  it('GET, extensions, batches, mutations and documents Apollo refuses', async () => {
    const query = fresh(`{ providers { name } }`);
    expect((await send({ query })).path).toBe('apollo');
    expect((await send({ query }, {}, 'GET')).path).toBe('apollo');
    expect((await send({ query, extensions: {} })).path).toBe('apollo');
    expect((await send([{ query }])).path).toBe('apollo');
    expect((await send({ query }, { 'content-type': 'text/plain' })).path).toBe('apollo');
    const mutation = fresh(
      `mutation { createCollection(input: { collection: { provider: "local", collectionId: "not valid!" } }) { __typename } }`,
    );
    for (let i = 0; i < 2; i++) expect((await send({ query: mutation })).path).toBe('apollo');
    const invalid = fresh(`{ noSuchField }`);
    // Apollo refuses it once; the repeat is answered from the kept refusal (caches/refused-documents.ts), never a plan.
    const firstRefusal = await send({ query: invalid });
    expect([firstRefusal.path, firstRefusal.status]).toEqual(['apollo', 400]);
    const repeat = await send({ query: invalid });
    expect([repeat.path, repeat.status, repeat.body]).toEqual(['refused', 400, firstRefusal.body]);
    // The same text with another operationName has no plan.
    expect((await send({ query, operationName: 'Other' })).path).toBe('apollo');
  });
});

describe('cancellation on the fast path', () => {
  let rekognition: FakeRekognition;
  let gw: GatewayProcess;
  const png = Buffer.from(fakePng({ faces: [{ identity: 'zoe' }], label: 'fast-path' })).toString('base64');
  const SEARCH = `query($c: CollectionRef!, $img: String!) { searchUsersByImage(input: { collection: $c, image: { base64: $img } }) {
    __typename ... on Error { code } ... on SearchUsersByImageSuccess { userMatches { similarity } } } }`;
  const searchBody = JSON.stringify({ query: SEARCH, variables: { c: ref('fast', 'aws'), img: png } });

  beforeAll(async () => {
    rekognition = await startFakeRekognition();
    gw = await startGateway({
      config: {
        providers: [
          {
            name: 'aws',
            kind: 'rekognition',
            region: 'us-east-1',
            endpoint: rekognition.url,
            accessKeyId: 'AKIDFASTPATH',
            secretAccessKey: 'x',
            maxAttempts: 1,
          },
        ],
      },
    });
    const created = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `mutation { createCollection(input: { collection: { provider: "aws", collectionId: "fast" } }) { __typename } }`,
      }),
    });
    expect(await created.text()).toContain('CreateCollectionSuccess');
  });

  afterAll(async () => {
    await gw?.stop();
    await rekognition?.stop();
    if (gw) removeDataDir(gw.dataDir);
  });

  it('aborts the provider request when the HTTP client disconnects', async () => {
    const planned = await fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: searchBody });
    expect(await planned.text()).toContain('SearchUsersByImageSuccess');
    const cachedBefore = await metricSum(gw.url, 'facegate_query_plan_requests_total', { path: 'cached' });
    rekognition.clearCalls();
    rekognition.inject({ op: 'SearchUsersByImage', kind: 'latency', latencyMs: 20_000, times: 1 });
    const controller = new AbortController();
    const request = fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: searchBody,
      signal: controller.signal,
    });
    await until(() => rekognition.callsTo('SearchUsersByImage').length === 1, 'the search to reach the fake');
    controller.abort();
    await expect(request).rejects.toThrow();
    await until(() => rekognition.callsTo('SearchUsersByImage')[0].clientAborted, 'the gateway to abort its request to the fake');
    // The fast path answered it (to a closed connection) and counted it.
    await until(
      async () => (await metricSum(gw.url, 'facegate_query_plan_requests_total', { path: 'cached' })) === cachedBefore + 1,
      'the cached answer to be counted',
    );
    expect(gw.logs.filter((l) => String(l.msg).startsWith('unexpected error'))).toEqual([]);
  });
});
