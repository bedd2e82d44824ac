/**
 * The cost model (src/security/query-limits.ts) and the rate limiter that
 * spends it (src/security/rate-limit.ts), against the attacks of issue 19:
 * aliases of image fields sharing one large image variable, aliased
 * introspection, and costly requests counted as one. Each attack is refused
 * with its code while a legitimate client is served.
 *
 * - Fields that take an `ImageInput` (found from the schema) cost
 *   `imageCost` (1000) per image; an operation takes at most
 *   `maxImageInputs` (4); a document has at most `maxCostlyAliases` (15)
 *   aliases of them; cheap fields keep `maxAliases` (1000).
 * - Fields that call a provider or search without an image (searchFaces,
 *   searchUsers; identifyFaces per face it may search) declare it and cost
 *   `providerCallCost` (100) a call; their aliases count as costly too.
 * - `__schema` / `__type` cost `introspectionCost` (1000), at most
 *   `maxIntrospectionFields` (1) per document.
 * - The rate limiter's bucket is in cost units: a request pays one token
 *   before parsing and the rest of its operation's cost after validation.
 */
import { createHash } from 'node:crypto';
import {
  getIntrospectionQuery,
  isObjectType,
  parse,
  type GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { imageInputsOf, operationCostOf, rateCostOf, type QueryLimits } from '../../dist/src/security/query-limits.js';
import { RateLimiter } from '../../dist/src/security/rate-limit.js';
import { RequestImages } from '../../dist/src/images/image-input.js';
import { buildGatewaySchema } from '../../dist/src/execution/build-schema.js';
import { gql, removeDataDir, startGateway, wsClient, type GatewayProcess } from '../support/gateway.js';
import { createCollection, createUsers, ref, uniqueCollectionId } from '../support/fixtures.js';
import { readPhoto } from '../support/photos.js';
import { validateWithLimits } from '../support/limit-rules.js';

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildGatewaySchema();
});

function check(query: string, limits: Partial<QueryLimits> = {}): readonly GraphQLError[] {
  return validateWithLimits(schema, query, limits);
}

const codes = (errors: readonly { extensions?: Record<string, unknown> }[] | undefined): unknown[] =>
  (errors ?? []).map((e) => e.extensions?.code).sort();

/** What the cost rule recorded for the document's first operation. */
function recorded(query: string, limits: Partial<QueryLimits> = {}) {
  const document = parse(query);
  validateWithLimits(schema, document, limits);
  const op = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
  return { cost: operationCostOf(op), rate: rateCostOf(op) };
}

const SEARCH = (alias: string, image = '$i') =>
  `${alias}: searchUsersByImage(input: { collection: { provider: "local", collectionId: "c" }, image: ${image} }) { __typename }`;
/** `n` aliased searches sharing the image variable `$i`. */
const searches = (n: number, name = '') =>
  `query ${name}($i: ImageInput!) { ${Array.from({ length: n }, (_, k) => SEARCH(`s${k}`)).join(' ')} }`;

/** The shape test/support/fixtures.ts createUsers sends: aliased createUser mutations, cheap. */
const createUsersMutation = (n: number) =>
  `mutation($c: CollectionRef!) { ${Array.from(
    { length: n },
    (_, i) => `u${i}: createUser(input: { collection: $c, userId: "u-${i}" }) { __typename ... on Error { code message } }`,
  ).join('\n')} }`;

const FULL_INTROSPECTION = getIntrospectionQuery({
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
});

describe('image inputs', () => {
  it('are found from the schema: every field with an ImageInput in its arguments', () => {
    const found: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) if (imageInputsOf(field) > 0) found.push(`${type.name}.${field.name}`);
    }
    expect(found.sort()).toEqual([
      'Mutation.indexFaces',
      'Query.compareFaces',
      'Query.detectFaces',
      'Query.identifyFaces',
      'Query.searchFacesByImage',
      'Query.searchUsersByImage',
      'Query.verifyUser',
    ]);
    // compareFaces takes two.
    expect(imageInputsOf(schema.getQueryType()!.getFields().compareFaces)).toBe(2);
  });

  it('cost imageCost (1000) each on top of the field, and are recorded for the rate limiter', () => {
    expect(recorded(searches(1))).toEqual({ cost: { cost: 1001, images: 1 }, rate: 1001 });
    expect(recorded(searches(1), { imageCost: 50 }).cost).toEqual({ cost: 51, images: 1 });
    const index = `mutation($i: ImageInput!) { indexFaces(input: { collection: { provider: "local", collectionId: "c" }, image: $i }) {
      __typename ... on IndexFacesSuccess { faces { faceId } } } }`;
    // indexFaces 1 + 1000; faces 1 + the 10 assumed faces of one field.
    expect(recorded(index).cost).toEqual({ cost: 1 + 1000 + 1 + 10, images: 1 });
    // A request of nothing but __typename still costs the rate limiter one token.
    expect(recorded('{ __typename }')).toEqual({ cost: { cost: 0, images: 0 }, rate: 1 });
  });

  it('allows 4 per operation and refuses 5 with TOO_MANY_IMAGES, through fragments too', () => {
    expect(check(searches(4))).toEqual([]);
    const errors = check(searches(5));
    expect(codes(errors)).toEqual(['TOO_MANY_IMAGES']);
    expect(errors[0].extensions).toEqual({ code: 'TOO_MANY_IMAGES', limit: 4, value: 5 });
    expect(errors[0].message).toBe('image inputs: expected at most 4 per operation, got 5 (anonymous query)');
    // A fragment counts each time it is spread (an upper bound: graphql-js merges repeats of one response key).
    expect(
      codes(
        check(`query($i: ImageInput!) { ...A ... on Query { ...A } ...B } fragment A on Query { ${SEARCH('a0')} ${SEARCH('a1')} }
      fragment B on Query { ${SEARCH('b0')} }`),
      ),
    ).toEqual(['TOO_MANY_IMAGES']);
    const viaFragments = `query($i: ImageInput!) { ...A ... on Query { ...B } }
      fragment A on Query { ${SEARCH('a0')} ${SEARCH('a1')} }
      fragment B on Query { ${SEARCH('b0')} }`;
    expect(codes(check(viaFragments))).toEqual([]);
    expect(codes(check(viaFragments, { maxImageInputs: 2 }))).toEqual(['TOO_MANY_IMAGES']);
  });

  it('refuses the 300-alias attack (one image variable, 300 searches) before anything runs', () => {
    expect(codes(check(searches(300)))).toEqual(['QUERY_TOO_COSTLY', 'TOO_MANY_COSTLY_ALIASES', 'TOO_MANY_IMAGES']);
  });

  it('caps aliases of image fields per document at 15 (maxCostlyAliases), while cheap aliases keep 1000', () => {
    // 3 operations of 4 aliased searches and one of 3: 15 aliases, each operation within its 4 images.
    const doc = (last: number) => [searches(4, 'A'), searches(4, 'B'), searches(4, 'C'), searches(last, 'D')].join('\n');
    expect(check(doc(3))).toEqual([]);
    const errors = check(doc(4));
    expect(codes(errors)).toEqual(['TOO_MANY_COSTLY_ALIASES']);
    expect(errors[0].message).toBe('aliases of fields that take images or call a provider: expected at most 15 per document, got 16');
    expect(check(createUsersMutation(500))).toEqual([]);
    // createUser, code and message: 3 each.
    expect(recorded(createUsersMutation(500)).cost).toEqual({ cost: 1500, images: 0 });
  });
});

describe('provider calls without an image', () => {
  const C = '{ provider: "local", collectionId: "c" }';
  const FACE = '"00000000-0000-4000-8000-000000000000"';
  const searchFaces = (alias: string) => `${alias}: searchFaces(input: { collection: ${C}, faceId: ${FACE} }) { __typename }`;

  it('are declared by searchFaces and searchUsers (providerCallCost, 100) and by identifyFaces per face it may search', () => {
    expect(recorded(`{ ${searchFaces('a')} }`).cost).toEqual({ cost: 1 + 100, images: 0 });
    expect(recorded(`{ searchUsers(input: { collection: ${C}, userId: "u" }) { __typename } }`).cost).toEqual({ cost: 101, images: 0 });
    expect(recorded(`{ ${searchFaces('a')} }`, { providerCallCost: 7 }).cost).toEqual({ cost: 8, images: 0 });
    const identify = (maxFaces: string) =>
      `query($i: ImageInput!, $m: Int) { identifyFaces(input: { collection: ${C}, image: $i${maxFaces} }) { __typename } }`;
    // The image (1000), then 100 a face: maxFaces as written, its default 10, or 100 (its largest) for a variable.
    expect(recorded(identify(', maxFaces: 3')).cost).toEqual({ cost: 1 + 1000 + 300, images: 1 });
    expect(recorded(identify('')).cost).toEqual({ cost: 1 + 1000 + 1000, images: 1 });
    expect(recorded(identify(', maxFaces: $m')).cost).toEqual({ cost: 1 + 1000 + 10_000, images: 1 });
    expect(recorded(`query($in: IdentifyFacesInput!) { identifyFaces(input: $in) { __typename } }`).cost).toEqual({
      cost: 1 + 1000 + 10_000,
      images: 1,
    });
    // compareFaces: two images.
    const compare = `query($i: ImageInput!) { compareFaces(input: { provider: "local", sourceImage: $i, targetImage: $i }) { __typename } }`;
    expect(recorded(compare).cost).toEqual({ cost: 1 + 2000, images: 2 });
  });

  it('count as costly aliases: 16 aliased searchFaces are TOO_MANY_COSTLY_ALIASES', () => {
    const doc = (n: number) => `{ ${Array.from({ length: n }, (_, k) => searchFaces(`f${k}`)).join(' ')} }`;
    expect(check(doc(15))).toEqual([]);
    const errors = check(doc(16));
    expect(codes(errors)).toEqual(['TOO_MANY_COSTLY_ALIASES']);
    expect(errors[0].message).toBe('aliases of fields that take images or call a provider: expected at most 15 per document, got 16');
  });

  it('refuse three aliased compareFaces (6 images) with TOO_MANY_IMAGES', () => {
    const three = `query($i: ImageInput!) { ${['a', 'b', 'c']
      .map((a) => `${a}: compareFaces(input: { provider: "local", sourceImage: $i, targetImage: $i }) { __typename }`)
      .join(' ')} }`;
    expect(codes(check(three))).toEqual(['TOO_MANY_IMAGES']);
  });
});

describe('introspection', () => {
  it('lets through the standard introspection query (GraphiQL, codegen) at introspectionCost', () => {
    expect(check(FULL_INTROSPECTION)).toEqual([]);
    expect(recorded(FULL_INTROSPECTION).cost).toEqual({ cost: 1000, images: 0 });
  });

  it('allows one __schema or __type per document: aliases, both, or through fragments are TOO_MANY_INTROSPECTION_FIELDS', () => {
    const aliased = `{ ${Array.from({ length: 200 }, (_, i) => `s${i}: __schema { queryType { name } }`).join(' ')} }`;
    const errors = check(aliased);
    // 200 × introspectionCost is also over maxCost.
    expect(codes(errors)).toEqual(['QUERY_TOO_COSTLY', 'TOO_MANY_INTROSPECTION_FIELDS']);
    expect(errors.find((e) => e.extensions.code === 'TOO_MANY_INTROSPECTION_FIELDS')?.extensions).toEqual({
      code: 'TOO_MANY_INTROSPECTION_FIELDS',
      limit: 1,
      value: 200,
    });
    expect(codes(check('{ __schema { queryType { name } } __type(name: "User") { name } }'))).toEqual(['TOO_MANY_INTROSPECTION_FIELDS']);
    expect(codes(check('{ ...F __type(name: "User") { name } } fragment F on Query { __schema { queryType { name } } }'))).toEqual([
      'TOO_MANY_INTROSPECTION_FIELDS',
    ]);
    expect(check('{ a: __type(name: "User") { name } b: __type(name: "Face") { name } }', { maxIntrospectionFields: 2 })).toEqual([]);
  });
});

describe('RateLimiter in cost units', () => {
  const clock = () => {
    let t = 0;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  };

  it("spends each operation's cost and waits for the whole cost when refused", () => {
    const c = clock();
    const limiter = new RateLimiter({ default: { costPerSecond: 100, burst: 2000 }, tenants: {} }, c.now);
    expect(limiter.take('t')).toBeNull(); // the token before parsing
    expect(limiter.take('t', 1502, 1)).toBeNull(); // the rest after validation: 498 left
    expect(limiter.take('t')).toBeNull(); // 497
    expect(limiter.take('t', 1502, 1)).toEqual({ retryAfterMs: Math.ceil(((1502 - 497) / 100) * 1000) });
    expect(limiter.take('t', 3, 1)).toBeNull(); // a small request is still served: 495
    c.advance(10_080);
    expect(limiter.take('t')).toBeNull();
    expect(limiter.take('t', 1502, 1)).toBeNull();
  });

  it('runs an operation above the burst on a full bucket, then waits out the debt', () => {
    const c = clock();
    const limiter = new RateLimiter({ default: { costPerSecond: 10, burst: 20 }, tenants: {} }, c.now);
    expect(limiter.take('t', 5)).toBeNull();
    expect(limiter.take('t', 50)).toEqual({ retryAfterMs: 500 }); // until the bucket is full again
    c.advance(500);
    expect(limiter.take('t', 50)).toBeNull(); // -30 now
    expect(limiter.take('t')).toEqual({ retryAfterMs: 3100 });
    limiter.give('t', 49); // a request handed on to be paid again
    expect(limiter.take('t')).toBeNull();
  });
});

describe('RequestImages', () => {
  it('resolves each distinct image of a request once, by its text', async () => {
    const images = new RequestImages({ allowedHosts: [], allowHttp: false, maxBytes: 5 << 20, timeoutMs: 1000, maxRedirects: 0 });
    const text = Buffer.from('not really a jpeg').toString('base64');
    const a = await images.resolve('input.image', { base64: text });
    // A copy of the same text (as type-graphql hands each alias a new input object) gets the same bytes.
    expect(await images.resolve('input.image', { base64: `${text} `.trim(), url: null })).toBe(a);
    expect(await images.resolve('input.image', { base64: Buffer.from('other').toString('base64') })).not.toBe(a);
    await expect(images.resolve('input.image', { base64: '***' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(images.resolve('input.image', {})).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});

/** POSTs `query` and returns the status with the body. */
async function post(url: string, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    body: (await res.json()) as { data?: any; errors?: GraphQLFormattedError[] },
  };
}

describe('on the running gateway (anonymous on loopback)', () => {
  const url = inject('gatewayUrl');
  /** A 2.7 MB image variable, as in the attack; refused before it is ever decoded. */
  const bigImage = { base64: Buffer.alloc(2_000_000, 7).toString('base64') };
  const legitimate = () => post(url, '{ providers { name } }');

  it('refuses 300 aliased image searches sharing one 2.7 MB variable with 400, and serves a legitimate client meanwhile', async () => {
    const [attack, served] = await Promise.all([post(url, searches(300), { i: bigImage }), legitimate()]);
    expect(attack.status).toBe(400);
    expect(attack.body.data).toBeUndefined();
    expect(codes(attack.body.errors)).toEqual(['QUERY_TOO_COSTLY', 'TOO_MANY_COSTLY_ALIASES', 'TOO_MANY_IMAGES']);
    expect(served.status).toBe(200);
    expect(served.body.data.providers).toContainEqual({ name: 'local' });
  });

  it('refuses 200 aliased __schema with TOO_MANY_INTROSPECTION_FIELDS, and answers the introspection query itself', async () => {
    const aliased = `{ ${Array.from({ length: 200 }, (_, i) => `s${i}: __schema { types { name } }`).join(' ')} }`;
    const [attack, served, introspection] = await Promise.all([post(url, aliased), legitimate(), post(url, FULL_INTROSPECTION)]);
    expect(attack.status).toBe(400);
    expect(codes(attack.body.errors)).toEqual(['QUERY_TOO_COSTLY', 'TOO_MANY_INTROSPECTION_FIELDS']);
    expect(served.status).toBe(200);
    expect(introspection.status).toBe(200);
    expect(introspection.body.data.__schema.queryType).toMatchObject({ name: 'Query' });
  });

  it('refuses an over-budget face-operation query with 400 before running any of it', async () => {
    // Had any of it run, each field would have answered InvalidImage (the image is text) or CollectionNotFound.
    const notAnImage = { base64: Buffer.from('not an image').toString('base64') };
    const compares = `query($i: ImageInput!) { ${['a', 'b', 'c']
      .map((a) => `${a}: compareFaces(input: { provider: "local", sourceImage: $i, targetImage: $i }) { __typename }`)
      .join(' ')} }`;
    const identifies = `query($i: ImageInput!) { ${Array.from(
      { length: 5 },
      (_, k) =>
        `i${k}: identifyFaces(input: { collection: { provider: "local", collectionId: "none" }, image: $i, maxFaces: 100 }) { __typename }`,
    ).join(' ')} }`;
    const [tooManyImages, tooCostly] = await Promise.all([
      post(url, compares, { i: notAnImage }),
      post(url, identifies, { i: notAnImage }),
    ]);
    expect(tooManyImages.status).toBe(400);
    expect(tooManyImages.body.data).toBeUndefined();
    expect(codes(tooManyImages.body.errors)).toEqual(['TOO_MANY_IMAGES']);
    expect(tooCostly.status).toBe(400);
    expect(tooCostly.body.data).toBeUndefined();
    // 5 × (1 + 1000 + 100 × 100) = 55,005 > 50,000.
    expect(codes(tooCostly.body.errors)).toEqual(['QUERY_TOO_COSTLY', 'TOO_MANY_IMAGES']);
  });

  it('serves aliased searches sharing one image within the limit', async () => {
    const collectionId = uniqueCollectionId('cost');
    await createCollection(url, collectionId);
    const image = { base64: readPhoto('obama').toString('base64') };
    const query = `query($i: ImageInput!, $c: CollectionRef!) {
      a: searchUsersByImage(input: { collection: $c, image: $i }) { __typename ... on SearchUsersByImageSuccess { userMatches { similarity } } }
      b: searchUsersByImage(input: { collection: $c, image: $i }) { __typename ... on SearchUsersByImageSuccess { userMatches { similarity } } }
    }`;
    const answer = await gql(url, query, { i: image, c: ref(collectionId) });
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual({
      a: { __typename: 'SearchUsersByImageSuccess', userMatches: [] },
      b: { __typename: 'SearchUsersByImageSuccess', userMatches: [] },
    });
  });
});

describe('with credentials and a rate limit in cost units', () => {
  const KEY_C = 'cost-model-key-tenant-c-0123';
  const KEY_D = 'cost-model-key-tenant-d-0123';
  /** Tenant e only introspects: 1000 each, in a bucket of its own. */
  const KEY_E = 'cost-model-key-tenant-e-0123';
  const sha = (k: string) => createHash('sha256').update(k).digest('hex');
  /** 2 + 500 × 3: a page of 500 users with one field each. */
  const PAGE = '{ collection(ref: { provider: "local", collectionId: "c-none" }) { users(first: 500) { edges { node { userId } } } } }';
  let gw: GatewayProcess;

  beforeAll(async () => {
    gw = await startGateway({
      config: {
        auth: {
          apiKeys: [
            { tenant: 'c', sha256: sha(KEY_C) },
            { tenant: 'd', sha256: sha(KEY_D) },
            { tenant: 'e', sha256: sha(KEY_E) },
          ],
        },
        tenants: {
          c: { providers: ['local'], collections: ['c-*'] },
          d: { providers: ['local'], collections: ['d-*'] },
          e: { providers: ['local'], collections: ['e-*'] },
        },
        limits: { rateLimit: { costPerSecond: 100, burst: 2000, tenants: { e: { costPerSecond: 1000, burst: 5000 } } } },
      },
    });
  });

  afterAll(async () => {
    await gw?.stop();
    if (gw) removeDataDir(gw.dataDir);
  });

  it('over HTTP: a second costly page is 429 with a wait for its whole cost; a small request and another tenant are served', async () => {
    const c = { 'x-api-key': KEY_C };
    expect((await post(gw.url, PAGE, undefined, c)).status).toBe(200);
    // Before the cost model this was one token of 2000, served; now 1502 of the 498 left.
    const refused = await post(gw.url, PAGE, undefined, c);
    expect(refused.status).toBe(429);
    expect(refused.body.data).toBeUndefined();
    expect(refused.body.errors?.[0].extensions?.code).toBe('THROTTLED');
    const retryAfterMs = refused.body.errors?.[0].extensions?.retryAfterMs as number;
    expect(retryAfterMs).toBeGreaterThan(9000);
    expect(retryAfterMs).toBeLessThanOrEqual(10_050);
    expect(Number(refused.retryAfter)).toBe(Math.ceil(retryAfterMs / 1000));
    // A text never seen goes through Apollo, whose plugin refuses it the same way (the repeat above was the fast path's).
    const unseen = await post(gw.url, PAGE.replace('userId', 'userId status'), undefined, c);
    expect(unseen.status).toBe(429);
    expect(unseen.body).toEqual({
      errors: [{ message: expect.stringMatching(/^rate limit: /), extensions: { code: 'THROTTLED', retryAfterMs: expect.any(Number) } }],
    });
    expect(Number(unseen.retryAfter)).toBeGreaterThanOrEqual(15);
    expect((await post(gw.url, '{ providers { name } }', undefined, c)).status).toBe(200);
    expect((await post(gw.url, PAGE, undefined, { 'x-api-key': KEY_D })).status).toBe(200);
    // The refused page costs nothing more than its token: 10 s later it is served (checked in the unit test above).
  });

  it('over WebSocket: the same refusal as an error for the operation, the socket still serving', async () => {
    const client = wsClient(gw.wsUrl, { apiKey: KEY_D });
    const run = (query: string) =>
      new Promise<{ data?: any; errors?: GraphQLFormattedError[] }>((resolve) => {
        client.subscribe(
          { query },
          {
            next: (r) => resolve({ data: r.data }),
            error: (e) => resolve({ errors: e as GraphQLFormattedError[] }),
            complete: () => undefined,
          },
        );
      });
    try {
      // Tenant d paid 1502 of its 2000 over HTTP just before.
      const refused = await run(PAGE);
      expect(refused.errors?.[0].extensions?.code).toBe('THROTTLED');
      expect((await run('{ providers { name } }')).data).toEqual({ providers: [{ name: 'local' }] });
      // A syntax error is the operation's error; the socket stays open.
      expect((await run('{ providers { name }')).errors?.[0].message).toMatch(/^Syntax Error/);
      expect((await run('{ providers { name } }')).data).toEqual({ providers: [{ name: 'local' }] });
    } finally {
      await client.dispose();
    }
  });

  it('serves introspection only to authenticated callers, over HTTP and WebSocket', async () => {
    const anonymous = await post(gw.url, FULL_INTROSPECTION);
    expect(anonymous.status).toBe(401);
    const authenticated = await post(gw.url, FULL_INTROSPECTION, undefined, { 'x-api-key': KEY_E });
    expect(authenticated.status).toBe(200);
    expect(authenticated.body.data.__schema.queryType).toMatchObject({ name: 'Query' });

    // A socket without credentials (GraphiQL's): each operation authenticates by its extensions.headers, or is refused.
    const client = wsClient(gw.wsUrl);
    const run = (extensions?: Record<string, unknown>) =>
      new Promise<{ data?: any; errors?: GraphQLFormattedError[] }>((resolve) => {
        client.subscribe(
          { query: '{ __schema { queryType { name } } }', extensions },
          {
            next: (r) => resolve({ data: r.data }),
            error: (e) => resolve({ errors: e as GraphQLFormattedError[] }),
            complete: () => undefined,
          },
        );
      });
    try {
      expect((await run()).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      expect((await run({ headers: { 'X-Api-Key': KEY_E } })).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    } finally {
      await client.dispose();
    }
  });

  it('refuses the image alias attack of a rate-limited tenant by validation, for the token it paid before parsing', async () => {
    const attack = await post(gw.url, searches(300), { i: { base64: 'AAAA' } }, { 'x-api-key': KEY_C });
    expect(attack.status).toBe(400);
    expect(codes(attack.body.errors)).toContain('TOO_MANY_IMAGES');
    expect((await post(gw.url, '{ providers { name } }', undefined, { 'x-api-key': KEY_C })).status).toBe(200);
  });
});

// Keeps the fixture's batch shape in view: 500 aliased createUsers on the shared gateway still work.
describe('the fixtures batch of cheap aliased mutations', () => {
  it('creates 500 users in one request', async () => {
    const url = inject('gatewayUrl');
    const collectionId = uniqueCollectionId('batch');
    await createCollection(url, collectionId);
    await createUsers(
      url,
      collectionId,
      Array.from({ length: 500 }, (_, i) => `u-${i}`),
    );
  });
});
