/**
 * Query limits (src/security/query-limits.ts) as validation rules on the real schema, with
 * graphql-js's own rules around them as Apollo and graphql-ws run them; then
 * the same wiring as the gateway's, in process: Apollo's `validationRules`
 * with the code restored in formatError, and graphql-ws's `validate` and
 * `onSubscribe`.
 */
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap } from '@apollo/server';
import {
  getIntrospectionQuery,
  parse,
  specifiedRules,
  validate,
  type GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type ValidationContext,
} from 'graphql';
import { createClient } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import {
  checkDocumentSize,
  DEFAULT_QUERY_LIMITS,
  documentSizeError,
  LIMIT_ERROR_CODES,
  limitErrorCode,
  limitRules,
  type QueryLimits,
} from '../../dist/src/security/query-limits.js';
import { buildGatewaySchema } from '../../dist/src/execution/build-schema.js';
import { paginateArray } from '../../dist/src/resolvers/pagination.js';
import { gql, gqlData, removeDataDir, startGateway, wsClient, type GatewayProcess } from '../support/gateway.js';
import { createCollection, createUsers, ref, uniqueCollectionId } from '../support/fixtures.js';
import { validateWithLimits } from '../support/limit-rules.js';

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildGatewaySchema();
});

/** Every error of validating `query` with the spec rules and the limit rules. */
function check(query: string, limits: Partial<QueryLimits> = {}): readonly GraphQLError[] {
  return validateWithLimits(schema, query, limits);
}

function only(errors: readonly GraphQLError[], code: string): GraphQLError {
  const found = errors.filter((e) => e.extensions.code === code);
  expect(found, JSON.stringify(errors.map((e) => e.message))).toHaveLength(1);
  return found[0];
}

/** The cost the rule computes, read from its error with maxCost 0. */
function costOf(query: string, limits: Partial<QueryLimits> = {}): number {
  return only(check(query, { ...limits, maxCost: 0 }), 'QUERY_TOO_COSTLY').extensions.value as number;
}

/** A valid query exactly `depth` fields deep: provider → collections → edges → node → provider …, ending in __typename. */
function nested(depth: number): string {
  const cycle = ['collections(first: 1)', 'edges', 'node', 'provider'];
  const parts = ['provider(name: "local")'];
  for (let i = 1; i < depth - 1; i++) parts.push(cycle[(i - 1) % cycle.length]);
  return `{ ${parts.join(' { ')} { __typename }${' }'.repeat(parts.length - 1)} }`;
}

const REF = '{ provider: "local", collectionId: "c" }';
const PAGE_10K = `{ collection(ref: ${REF}) { users(first: 100) { edges { node { faces(first: 100) { edges { node { faceId } } } } } } } }`;
const THREE_DEEP_500 = `{ provider(name: "local") { collections(first: 500) { edges { node { users(first: 500) { edges { node {
  faces(first: 500) { edges { node { faceId } } } } } } } } } } }`;

/** The shape test/support/fixtures.ts createUsers sends: 500 aliased createUser mutations. */
function createUsersMutation(n: number): string {
  const fields = Array.from(
    { length: n },
    (_, i) =>
      `u${i}: createUser(input: { collection: $c, userId: "u3-${i}" }) { __typename ... on Error { __typename code message } ... on InvalidInput { field } }`,
  );
  return `mutation($c: CollectionRef!) { ${fields.join('\n')} }`;
}

describe('defaults', () => {
  it('are the documented ones', () => {
    expect(DEFAULT_QUERY_LIMITS).toEqual({
      maxDepth: 12,
      maxCost: 50_000,
      imageCost: 1000,
      providerCallCost: 100,
      introspectionCost: 1000,
      maxImageInputs: 4,
      maxAliases: 1000,
      maxCostlyAliases: 15,
      maxIntrospectionFields: 1,
      maxRootFields: 1000,
      maxDocumentChars: 100_000,
      maxPageSize: 500,
      defaultPageSize: 100,
      defaultListSize: 10,
    });
    expect(LIMIT_ERROR_CODES).toEqual([
      'QUERY_TOO_DEEP',
      'QUERY_TOO_COSTLY',
      'TOO_MANY_ALIASES',
      'TOO_MANY_ROOT_FIELDS',
      'DOCUMENT_TOO_LARGE',
      'TOO_MANY_IMAGES',
      'TOO_MANY_COSTLY_ALIASES',
      'TOO_MANY_INTROSPECTION_FIELDS',
    ]);
  });

  it('let through the full introspection query (GraphiQL, codegen)', () => {
    const query = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
    });
    expect(check(query)).toEqual([]);
  });

  it('let through 500 aliased createUser mutations (test fixtures batch that many), under the size limit too', () => {
    const query = createUsersMutation(500);
    expect(check(query)).toEqual([]);
    expect(checkDocumentSize(query, DEFAULT_QUERY_LIMITS.maxDocumentChars)).toBeNull();
  });
});

describe('depth', () => {
  it('counts field levels: 12 passes, 13 is QUERY_TOO_DEEP with the limit and the depth in the message', () => {
    expect(check(nested(12))).toEqual([]);
    const error = only(check(nested(13)), 'QUERY_TOO_DEEP');
    expect(error.message).toBe('query depth: expected at most 12 levels, got 13 (anonymous query)');
    expect(error.extensions).toEqual({ code: 'QUERY_TOO_DEEP', limit: 12, value: 13 });
    expect(error.locations).toEqual([{ line: 1, column: 1 }]);
  });

  it('follows fragments and inline fragments, and names the operation', () => {
    const query = `query Deep { node(id: "x") { ...C } }
      fragment C on Collection { provider { collections(first: 1) { edges { node { ... on Collection { provider { name } } } } } } }`;
    expect(check(query, { maxDepth: 7 })).toEqual([]);
    expect(only(check(query, { maxDepth: 6 }), 'QUERY_TOO_DEEP').message).toBe(
      'query depth: expected at most 6 levels, got 7 (query Deep)',
    );
  });

  it('does not count __Type.ofType, a chain of wrappers', () => {
    const query = `{ __type(name: "User") { ${'ofType { '.repeat(20)}name${' }'.repeat(20)} } }`;
    expect(check(query, { maxDepth: 3 })).toEqual([]);
  });

  it('is configurable, and Infinity turns it off', () => {
    expect(only(check(nested(5), { maxDepth: 4 }), 'QUERY_TOO_DEEP').extensions.value).toBe(5);
    expect(check(nested(40), { maxDepth: Infinity, maxCost: Infinity })).toEqual([]);
  });
});

describe('cost', () => {
  it('passes two nested pages of 100 (10,000 faces): 30,302 = 10,000 × 3 fields + 302', () => {
    expect(check(PAGE_10K)).toEqual([]);
    expect(costOf(PAGE_10K)).toBe(30_302);
  });

  it('refuses first: 500 nested three deep with QUERY_TOO_COSTLY, the limit and the cost', () => {
    const error = only(check(THREE_DEEP_500), 'QUERY_TOO_COSTLY');
    // provider 1 + collections 1 + 500 × (edges, node, users + 500 × (edges, node, faces + 500 × (edges, node, faceId)))
    const expected = 2 + 500 * (3 + 500 * (3 + 500 * 3));
    expect(error.extensions).toEqual({ code: 'QUERY_TOO_COSTLY', limit: 50_000, value: expected });
    expect(error.message).toContain(`query cost: expected at most 50000, got ${expected}`);
    // Two deep is already 750,000; one page of 500 is fine.
    const twoDeep = `{ collection(ref: ${REF}) { users(first: 500) { edges { node { faces(first: 500) { edges { node { faceId } } } } } } } }`;
    expect(only(check(twoDeep), 'QUERY_TOO_COSTLY').extensions.value).toBe(2 + 500 * (3 + 500 * 3));
    expect(
      check(
        `{ collection(ref: ${REF}) { users(first: 500) { edges { cursor node { userId status faceCount } } pageInfo { hasNextPage } } } }`,
      ),
    ).toEqual([]);
  });

  it("takes an absent first from the schema's default (users 50, faces 100)", () => {
    expect(costOf(`{ collection(ref: ${REF}) { users { edges { node { userId } } } } }`)).toBe(2 + 50 * 3);
    expect(costOf(`{ collection(ref: ${REF}) { faces { edges { node { faceId } } } } }`)).toBe(2 + 100 * 3);
  });

  it('assumes the largest page (500) for a first given as a variable', () => {
    const one = `query($n: Int) { collection(ref: ${REF}) { users(first: $n) { edges { node { userId } } } } }`;
    expect(costOf(one)).toBe(2 + 500 * 3);
    expect(check(one)).toEqual([]);
    const two = `query($n: Int, $m: Int) { collection(ref: ${REF}) { users(first: $n) { edges { node { faces(first: $m) { edges { node { faceId } } } } } } } }`;
    expect(only(check(two), 'QUERY_TOO_COSTLY').extensions.value).toBe(2 + 500 * (3 + 500 * 3));
    expect(check(two, { maxPageSize: 100 })).toEqual([]);
  });

  it('counts a literal first above the largest page (refused by the resolvers) as the largest page', () => {
    // test/gateway/collections-users.test.ts expects INVALID_INPUT from the resolver for first: 100000.
    expect(costOf(`{ collection(ref: ${REF}) { users(first: 100000) { edges { cursor } } } }`)).toBe(2 + 500 * 2);
    expect(check(`{ collection(ref: ${REF}) { users(first: 100000) { edges { cursor } } } }`)).toEqual([]);
  });

  it('multiplies a list of objects without first by defaultListSize, and not the edges under a page again', () => {
    expect(costOf('{ providers { name kind } }')).toBe(1 + 10 * 2);
    expect(costOf('{ providers { name } }', { defaultListSize: 3 })).toBe(1 + 3);
    // Scalar lists are one field.
    expect(costOf('{ provider(name: "local") { capabilities } }')).toBe(2);
  });

  it('counts __typename as free, and an introspection field as introspectionCost whatever it selects', () => {
    // Was 2 (introspection free) before the cost model of test/security/cost-model.test.ts.
    expect(costOf('{ provider(name: "local") { __typename name } __schema { types { name fields { name } } } }')).toBe(2 + 1000);
    expect(costOf('{ __type(name: "User") { name } }', { introspectionCost: 7 })).toBe(7);
  });

  it('follows fragments and inline fragments, and looks each fragment up a bounded number of times on a fragment bomb', () => {
    const viaFragments = `{ collection(ref: ${REF}) { ...U } } fragment U on Collection { users(first: 10) { edges { ... on UserEdge { node { ...F } } } } }
      fragment F on User { userId faces(first: 10) { edges { node { faceId } } } }`;
    expect(costOf(viaFragments)).toBe(2 + 10 * (3 + 1 + 10 * 3));

    // 40 fragments, each spreading the next twice: 2^40 fields once expanded.
    let bomb = '{ provider(name: "local") { ...F0 } }\n';
    for (let i = 0; i < 40; i++)
      bomb += `fragment F${i} on Provider { ${i < 39 ? `a: collections(first: 1) { edges { node { provider { ...F${i + 1} } } } } b: collections(first: 1) { edges { node { provider { ...F${i + 1} } } } }` : 'name'} }\n`;
    // A count, not a stopwatch: every fragment the rules expand is looked up through the validation
    // context. Memoized, each rule looks each of the 40 fragments up about once per spread; expanded,
    // it would be ~2^40 times, so the count stops the work as soon as it passes the bound.
    const bound = limitRules().length * 40 * 2;
    let lookups = 0;
    const counted = limitRules().map((rule) => (context: ValidationContext) => {
      const getFragment = context.getFragment.bind(context);
      context.getFragment = (name) => {
        if (++lookups > bound) throw new Error(`more than ${bound} fragment lookups: the fragments are expanded, not memoized`);
        return getFragment(name);
      };
      return rule(context);
    });
    const errors = validate(schema, parse(bomb), counted);
    expect(errors.map((e) => e.extensions.code).sort()).toEqual(['QUERY_TOO_COSTLY', 'QUERY_TOO_DEEP']);
  });

  it('survives fragment cycles (NoFragmentCycles reports them)', () => {
    const errors = check(
      '{ provider(name: "local") { ...A } } fragment A on Provider { collections(first: 1) { edges { node { provider { ...A } } } } }',
    );
    expect(errors.map((e) => e.message).join('\n')).toContain('Cannot spread fragment "A" within itself');
  });
});

describe('aliases and root fields', () => {
  const aliased = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(' ')} }`;

  it('allows 1000 aliases per document and refuses 1001 with TOO_MANY_ALIASES', () => {
    expect(check(aliased(1000))).toEqual([]);
    const errors = check(aliased(1001));
    const error = only(errors, 'TOO_MANY_ALIASES');
    expect(error.message).toBe('aliases: expected at most 1000 per document, got 1001');
    expect(error.extensions).toEqual({ code: 'TOO_MANY_ALIASES', limit: 1000, value: 1001 });
  });

  it('counts aliases as written, in every operation and fragment', () => {
    const query = 'query A { x: __typename } query B { y: __typename ...F } fragment F on Query { z: __typename }';
    expect(only(check(query, { maxAliases: 2 }), 'TOO_MANY_ALIASES').extensions.value).toBe(3);
    expect(only(check(createUsersMutation(101), { maxAliases: 100 }), 'TOO_MANY_ALIASES').extensions.value).toBe(101);
  });

  it('limits root fields per operation, through fragments, with TOO_MANY_ROOT_FIELDS', () => {
    const many = `{ ${'__typename '.repeat(1001)}}`;
    const error = only(check(many), 'TOO_MANY_ROOT_FIELDS');
    expect(error.message).toBe('root fields: expected at most 1000 per operation, got 1001 (anonymous query)');
    const viaFragments =
      '{ providers { name } ...Q ... on Query { __typename } } fragment Q on Query { a: providers { name } b: providers { name } }';
    expect(only(check(viaFragments, { maxRootFields: 3 }), 'TOO_MANY_ROOT_FIELDS').extensions.value).toBe(4);
    expect(check(viaFragments, { maxRootFields: 4 })).toEqual([]);
  });
});

describe('document size', () => {
  it('refuses a query string longer than the limit with DOCUMENT_TOO_LARGE, before parsing', () => {
    expect(checkDocumentSize('x'.repeat(100), 100)).toBeNull();
    const body = checkDocumentSize('x'.repeat(101), 100);
    expect(body).toEqual({
      errors: [
        {
          message: 'document size: expected at most 100 characters, got 101',
          extensions: { code: 'DOCUMENT_TOO_LARGE', limit: 100, value: 101 },
        },
      ],
    });
    expect(JSON.stringify(body)).not.toContain('stack');
  });

  it('leaves anything that is not a string to Apollo', () => {
    for (const query of [undefined, null, 5, ['{ a }'], { query: 'x'.repeat(200) }]) expect(checkDocumentSize(query, 10)).toBeNull();
  });

  it('gives the same error as a GraphQLError for graphql-ws', () => {
    expect(documentSizeError('{ providers { name } }', 5)?.extensions).toEqual({ code: 'DOCUMENT_TOO_LARGE', limit: 5, value: 22 });
    expect(documentSizeError('{ a }', 5)).toBeNull();
  });
});

describe('wiring (as the gateway wires them)', () => {
  /** The proposed formatError addition: Apollo re-labels validation errors GRAPHQL_VALIDATION_FAILED; restore ours. */
  const formatError = (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = limitErrorCode(error);
    if (!code) return formatted;
    const { stacktrace: _omit, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions: { ...extensions, code } };
  };

  it("Apollo: validationRules refuse with 400; formatError restores the limit's code", async () => {
    const plain = new ApolloServer({ schema, validationRules: limitRules(), includeStacktraceInErrorResponses: false });
    const wired = new ApolloServer({ schema, validationRules: limitRules(), includeStacktraceInErrorResponses: false, formatError });
    await plain.start();
    await wired.start();
    try {
      const post = async (server: ApolloServer, query: string) => {
        const headers = new HeaderMap([['content-type', 'application/json']]);
        const res = await server.executeHTTPGraphQLRequest({
          httpGraphQLRequest: { method: 'POST', headers, search: '', body: { query } },
          context: async () => ({}),
        });
        return { status: res.status, body: JSON.parse(res.body.kind === 'complete' ? res.body.string : '{}') };
      };
      const unwired = await post(plain, nested(13));
      expect(unwired.status).toBe(400);
      expect(unwired.body.errors[0].extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 12, value: 13 });

      const deep = await post(wired, nested(13));
      expect(deep.status).toBe(400);
      expect(deep.body.errors[0]).toMatchObject({
        message: 'query depth: expected at most 12 levels, got 13 (anonymous query)',
        extensions: { code: 'QUERY_TOO_DEEP' },
      });
      expect((await post(wired, THREE_DEEP_500)).body.errors[0].extensions.code).toBe('QUERY_TOO_COSTLY');
      expect((await post(wired, `{ ${'__typename '.repeat(1001)}}`)).body.errors[0].extensions.code).toBe('TOO_MANY_ROOT_FIELDS');
      // Other validation errors keep Apollo's code.
      expect((await post(wired, '{ nope }')).body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    } finally {
      await plain.stop();
      await wired.stop();
    }
  });

  describe('graphql-ws: validate with the rules, onSubscribe checks the size', () => {
    let wss: WebSocketServer;
    let dispose: () => unknown;
    let url: string;
    const limits = { ...DEFAULT_QUERY_LIMITS, maxDocumentChars: 2000 };

    beforeAll(async () => {
      wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
      await new Promise((resolve) => wss.once('listening', resolve));
      url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
      const rules = [...specifiedRules, ...limitRules(limits)];
      const cleanup = useServer(
        {
          schema,
          validate: (s, document) => validate(s, document, rules),
          onSubscribe: (_ctx, _id, payload) => {
            const tooLarge = documentSizeError(payload.query, limits.maxDocumentChars);
            return tooLarge ? [tooLarge] : undefined;
          },
        },
        wss,
      );
      dispose = () => cleanup.dispose();
    });
    afterAll(async () => {
      await dispose();
      await new Promise((resolve) => wss.close(resolve));
    });

    function run(query: string): Promise<{ data?: unknown; errors?: GraphQLFormattedError[] }> {
      const client = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
      return new Promise<{ data?: unknown; errors?: GraphQLFormattedError[] }>((resolve) => {
        let result: { data?: unknown } = {};
        client.subscribe(
          { query },
          {
            next: (value) => (result = value),
            error: (errors) => resolve({ errors: errors as GraphQLFormattedError[] }),
            complete: () => resolve(result),
          },
        );
      }).finally(() => client.dispose());
    }

    it('runs a query within the limits', async () => {
      expect(await run('{ __typename }')).toEqual({ data: { __typename: 'Query' } });
    });

    it('refuses too deep and too large with their codes', async () => {
      expect((await run(nested(13))).errors?.[0].extensions?.code).toBe('QUERY_TOO_DEEP');
      const large = await run(`{ ${'__typename '.repeat(200)}}`);
      expect(large.errors?.[0]).toMatchObject({
        message: 'document size: expected at most 2000 characters, got 2203',
        extensions: { code: 'DOCUMENT_TOO_LARGE' },
      });
    });
  });
});

// The shared gateway, with the limits as wired in src/execution/apollo-server.ts (Apollo's
// validationRules, codes kept by formatError), src/http/graphql-handler.ts (the document's size,
// before Apollo) and src/ws/ws-server.ts (graphql-ws onSubscribe).
describe('on the running gateway', () => {
  const url = inject('gatewayUrl');

  it('refuses too deep and too costly over HTTP with 400 and the codes', async () => {
    const post = (query: string) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    const deep = await post(nested(13));
    expect(deep.status).toBe(400);
    expect((await deep.json()).errors[0].extensions).toMatchObject({ code: 'QUERY_TOO_DEEP', limit: 12, value: 13 });
    expect((await (await post(THREE_DEEP_500)).json()).errors[0].extensions.code).toBe('QUERY_TOO_COSTLY');
    expect((await gql(url, PAGE_10K)).errors).toBeUndefined();
  });

  it('refuses a document over 100,000 characters before parsing', async () => {
    const query = `{ ${'__typename '.repeat(9100)}}`; // 100,103 characters
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    expect(res.status).toBe(400);
    expect((await res.json()).errors[0].extensions).toEqual({ code: 'DOCUMENT_TOO_LARGE', limit: 100_000, value: query.length });
  });

  it('refuses too deep over graphql-ws with the code', async () => {
    const client = wsClient(inject('gatewayWsUrl'));
    try {
      const errors = await new Promise<GraphQLFormattedError[]>((resolve, reject) => {
        client.subscribe(
          { query: nested(13) },
          { next: () => undefined, error: (e) => resolve(e as GraphQLFormattedError[]), complete: () => reject(new Error('completed')) },
        );
      });
      expect(errors[0].extensions?.code).toBe('QUERY_TOO_DEEP');
    } finally {
      await client.dispose();
    }
  });
});

describe('limits.maxPageSize from the config file', () => {
  let gw: GatewayProcess | undefined;
  const collectionId = uniqueCollectionId('page-size');
  const usersPage = (first: string) =>
    `query($c: CollectionRef!${first === '$n' ? ', $n: Int' : ''}) { collection(ref: $c) { users(first: ${first}) { edges { node { userId } } pageInfo { hasNextPage } } } }`;

  beforeAll(async () => {
    gw = await startGateway({ config: { limits: { maxPageSize: 20 } } });
    await createCollection(gw.url, collectionId);
    await createUsers(
      gw.url,
      collectionId,
      Array.from({ length: 25 }, (_, i) => `user-${String(i).padStart(2, '0')}`),
    );
  });

  afterAll(async () => {
    if (!gw) return;
    await gw.stop();
    removeDataDir(gw.dataDir);
  });

  it('refuses first: 21 with INVALID_INPUT naming 0..20, and serves first: 20', async () => {
    const url = gw!.url;
    for (const first of ['21', '$n']) {
      const refused = await gql(url, usersPage(first), { c: ref(collectionId), n: 21 });
      expect(refused.errors?.[0].extensions).toMatchObject({ code: 'INVALID_INPUT', field: 'first' });
      expect(refused.errors?.[0].message).toBe('first: expected an integer in 0..20, got 21');
    }
    const served = await gqlData(url, usersPage('20'), { c: ref(collectionId) });
    expect(served.collection.users.edges).toHaveLength(20);
    expect(served.collection.users.pageInfo.hasNextPage).toBe(true);
  });

  it("holds for a user's faces, paged in memory from what the users' page loaded", async () => {
    const faces = (first: number) =>
      `query($c: CollectionRef!) { collection(ref: $c) { users(first: 1) { edges { node { faces(first: ${first}) { edges { node { faceId } } } } } } } }`;
    const refused = await gql(gw!.url, faces(21), { c: ref(collectionId) });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'INVALID_INPUT', field: 'first' });
    expect(refused.errors?.[0].message).toBe('first: expected an integer in 0..20, got 21');
    expect((await gqlData(gw!.url, faces(20), { c: ref(collectionId) })).collection.users.edges).toHaveLength(1);
  });

  it('refuses a cursor that skips more than the limit', () => {
    const all = Array.from({ length: 40 }, (_, i) => i);
    const wide = paginateArray({ first: 30 }, 30, all, (n) => n);
    const after = wide.edges[24].cursor; // the 26th item: skip 25 from the start
    expect(paginateArray({ first: 1, after }, 30, all, (n) => n).edges.map((e) => e.node)).toEqual([25]);
    expect(() => paginateArray({ first: 1, after }, 20, all, (n) => n)).toThrow(
      'after: expected a cursor from a previous page, got an unknown cursor',
    );
  });
});
