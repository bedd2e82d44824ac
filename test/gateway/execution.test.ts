/**
 * Queries run through graphql-jit behind Apollo's gateway hook
 * (src/execution/jit-gateway.ts); these pin down what must not change
 * compared with graphql-js execution.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { BoundedCache } from '../../dist/src/lib/bounded-cache.js';
import { gql, gqlData } from '../support/gateway.js';
import { createCollection, createUsers, ERROR_FIELDS, ref, uniqueCollectionId } from '../support/fixtures.js';

const url = inject('gatewayUrl');
const collectionId = uniqueCollectionId('exec');

describe('query execution', () => {
  beforeAll(async () => {
    await createCollection(url, collectionId);
    await createUsers(url, collectionId, ['ann', 'bob', 'cyd']);
  });

  it('answers a compiled query the same on every run, ids and cursors included', async () => {
    const query = `query($c: CollectionRef!) { collection(ref: $c) { id users(first: 2) { edges { cursor node { id userId status } } pageInfo { hasNextPage endCursor } } } }`;
    const first = await gqlData(url, query, { c: ref(collectionId) });
    const second = await gqlData(url, query, { c: ref(collectionId) });
    expect(second).toEqual(first);
    const users = first.collection.users;
    expect(users.edges.map((e: any) => e.node.userId)).toEqual(['ann', 'bob']);
    expect(users.pageInfo).toEqual({ hasNextPage: true, endCursor: users.edges[1].cursor });
    const next = await gqlData(
      url,
      `query($c: CollectionRef!, $a: String) { collection(ref: $c) { users(first: 2, after: $a) { edges { node { userId } } } } }`,
      {
        c: ref(collectionId),
        a: users.pageInfo.endCursor,
      },
    );
    expect(next.collection.users.edges.map((e: any) => e.node.userId)).toEqual(['cyd']);
    const node = await gqlData(url, `query($id: ID!) { node(id: $id) { __typename ... on User { userId } } }`, {
      id: users.edges[0].node.id,
    });
    expect(node.node).toEqual({ __typename: 'User', userId: 'ann' });
  });

  it('resolves a query union member by class instance', async () => {
    const data = await gqlData(
      url,
      `query($c: CollectionRef!) { searchUsersByImage(input: { collection: $c, image: { base64: "bm90IGFuIGltYWdl" } }) { __typename ${ERROR_FIELDS} } }`,
      { c: ref(collectionId) },
    );
    expect(data.searchUsersByImage.__typename).toBe('InvalidImage');
    expect(data.searchUsersByImage.code).toBe('INVALID_IMAGE');
  });

  it('keeps extensions.code on errors thrown by query fields', async () => {
    const res = await gql(url, `{ collection(ref: { provider: "local", collectionId: "not valid!" }) { collectionId } }`);
    expect(res.data).toEqual({ collection: null });
    expect(res.errors?.[0]).toMatchObject({ path: ['collection'], extensions: { code: 'INVALID_INPUT' } });
    expect(JSON.stringify(res.errors)).not.toMatch(/stack|\.js:/);
  });

  it('answers variables that do not coerce as graphql-js does, with 400 and BAD_USER_INPUT', async () => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `query($c: CollectionRef!) { collection(ref: $c) { collectionId } }`,
        variables: { c: { provider: 1 } },
      }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0].message).toMatch(/^Variable "\$c" got invalid value/);
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });
});

describe('BoundedCache (compiled queries)', () => {
  it('drops the least recently used entry beyond its size', () => {
    const cache = new BoundedCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // a is now the most recent
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
    expect(cache.size).toBe(2);
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => new BoundedCache(0)).toThrow(/expected a positive integer size, got 0/);
  });
});
