/** Lists cost O(1) datasource calls: counted through /metrics around one query. */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { gqlData, metricSum } from '../support/gateway.js';
import { createCollection, createUsers, ref, uniqueCollectionId } from '../support/fixtures.js';

const url = inject('gatewayUrl');
const collectionId = uniqueCollectionId('n1');

/**
 * Calls made by a cold request: a write first moves the store's version, so
 * no page built by an earlier request is reused (src/caches/reused-pages.ts).
 */
async function callsDuring(run: () => Promise<unknown>): Promise<Record<string, number>> {
  await createUsers(url, collectionId, [`bump-${randomUUID()}`]);
  const methods = ['listUsers', 'getUsers', 'listUserFaces', 'countUserFaces', 'getCollections', 'listFaces', 'getFaces'];
  const before = await Promise.all(methods.map((m) => metricSum(url, 'facegate_provider_calls_total', { method: m })));
  await run();
  const after = await Promise.all(methods.map((m) => metricSum(url, 'facegate_provider_calls_total', { method: m })));
  return Object.fromEntries(methods.map((m, i) => [m, after[i] - before[i]]).filter(([, n]) => n !== 0));
}

describe('no N+1', () => {
  beforeAll(async () => {
    await createCollection(url, collectionId);
    await createUsers(
      url,
      collectionId,
      Array.from({ length: 100 }, (_, i) => `u${String(i).padStart(3, '0')}`),
    );
  });

  it('pages 100 users with their faces and counts in one list call plus one batched call (counts are the faces loaded)', async () => {
    const calls = await callsDuring(async () => {
      const data = await gqlData(
        url,
        `query($c: CollectionRef!) { collection(ref: $c) { userCount users(first: 100) { edges { node {
        userId status faceCount faces(first: 5) { edges { node { faceId } } } collection { collectionId } } } } } }`,
        { c: ref(collectionId) },
      );
      expect(data.collection.users.edges).toHaveLength(100);
    });
    expect(calls).toEqual({ getCollections: 1, listUsers: 1, listUserFaces: 1 });
  });

  it('loads the faces of a page in one call whether selected directly or through fragments, and not at all when not selected', async () => {
    const direct = `query($c: CollectionRef!) { collection(ref: $c) { users(first: 100) { edges { node { userId faces { edges { node { faceId } } } } } } } }`;
    const throughFragments = `query($c: CollectionRef!) { collection(ref: $c) { users(first: 100) { ...Page } } }
      fragment Page on UserConnection { edges { ... on UserEdge { node { userId ...Faces } } } }
      fragment Faces on User { faces { edges { node { faceId } } } }`;
    let expected: unknown;
    expect(await callsDuring(async () => (expected = await gqlData(url, direct, { c: ref(collectionId) })))).toEqual({
      getCollections: 1,
      listUsers: 1,
      listUserFaces: 1,
    });
    expect(await callsDuring(async () => expect(await gqlData(url, throughFragments, { c: ref(collectionId) })).toEqual(expected))).toEqual(
      {
        getCollections: 1,
        listUsers: 1,
        listUserFaces: 1,
      },
    );
    const withoutFaces = `query($c: CollectionRef!) { collection(ref: $c) { users(first: 100) { edges { node { userId } } } } }`;
    expect(await callsDuring(() => gqlData(url, withoutFaces, { c: ref(collectionId) }))).toEqual({ getCollections: 1, listUsers: 1 });
  });

  it('batches node(id) lookups of many users into one call', async () => {
    const ids = (
      await gqlData(url, `query($c: CollectionRef!) { collection(ref: $c) { users(first: 20) { edges { node { id } } } } }`, {
        c: ref(collectionId),
      })
    ).collection.users.edges.map((e: any) => e.node.id);
    const query = `{ ${ids.map((id: string, i: number) => `n${i}: node(id: ${JSON.stringify(id)}) { ... on User { userId } }`).join(' ')} }`;
    const calls = await callsDuring(() => gqlData(url, query));
    expect(calls).toEqual({ getUsers: 1 });
  });
});
