/** Collections and users through the running gateway over HTTP. */
import { describe, expect, inject, it } from 'vitest';
import { gql, gqlData } from '../support/gateway.js';
import { collectionCounts, createCollection, createUsers, ERROR_FIELDS, ref, uniqueCollectionId } from '../support/fixtures.js';

const url = inject('gatewayUrl');

const CREATE_COLLECTION = `mutation($c: CollectionRef!) {
  createCollection(input: { collection: $c }) {
    __typename
    ... on CreateCollectionSuccess { collection { id collectionId faceCount userCount faceModelVersion createdAt provider { name } } }
    ... on CollectionAlreadyExists { collectionId }
    ${ERROR_FIELDS}
  }
}`;

const CREATE_USER = `mutation($c: CollectionRef!, $u: String!, $t: String) {
  createUser(input: { collection: $c, userId: $u, clientRequestToken: $t }) {
    __typename
    ... on CreateUserSuccess { user { id userId status faceCount } }
    ... on UserAlreadyExists { userId }
    ... on CollectionNotFound { collectionId }
    ... on IdempotencyConflict { clientRequestToken }
    ${ERROR_FIELDS}
  }
}`;

const DELETE_USER = `mutation($c: CollectionRef!, $u: String!, $t: String) {
  deleteUser(input: { collection: $c, userId: $u, clientRequestToken: $t }) {
    __typename
    ... on DeleteUserSuccess { userId }
    ... on UserNotFound { userId }
    ... on IdempotencyConflict { clientRequestToken }
    ${ERROR_FIELDS}
  }
}`;

describe('providers', () => {
  it('lists the configured providers in order with their capabilities', async () => {
    const data = await gqlData(url, '{ providers { id name kind capabilities } provider(name: "nope") { name } }');
    expect(data.providers.map((p: any) => [p.name, p.kind])).toEqual([
      ['local', 'LOCAL'],
      ['aws', 'REKOGNITION'],
      ['azure', 'AZURE_FACE'],
    ]);
    expect(data.providers[0].capabilities).toContain('DISASSOCIATE_FACES');
    // aws runs with retainImages: true (test/support/shared-providers.ts); descriptors never leave Rekognition.
    expect(data.providers[1].capabilities).toContain('TAKE_SNAPSHOT');
    expect(data.providers[1].capabilities).not.toContain('EXPORT_DESCRIPTORS');
    expect(data.provider).toBeNull();
  });
});

describe('collections', () => {
  it('creates, finds, lists, refuses a duplicate and deletes a collection', async () => {
    const id = uniqueCollectionId();
    const created = await gqlData(url, CREATE_COLLECTION, { c: ref(id) });
    expect(created.createCollection.__typename).toBe('CreateCollectionSuccess');
    expect(created.createCollection.collection).toMatchObject({
      collectionId: id,
      faceCount: 0,
      userCount: 0,
      provider: { name: 'local' },
    });
    expect(new Date(created.createCollection.collection.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);

    const dup = await gqlData(url, CREATE_COLLECTION, { c: ref(id) });
    expect(dup.createCollection).toMatchObject({
      __typename: 'CollectionAlreadyExists',
      code: 'COLLECTION_ALREADY_EXISTS',
      collectionId: id,
    });

    const viaNode = await gqlData(url, `query($id: ID!) { node(id: $id) { __typename ... on Collection { collectionId } } }`, {
      id: created.createCollection.collection.id,
    });
    expect(viaNode.node).toEqual({ __typename: 'Collection', collectionId: id });

    const listed = await gqlData(url, '{ provider(name: "local") { collections(first: 500) { edges { node { collectionId } } } } }');
    expect(listed.provider.collections.edges.map((e: any) => e.node.collectionId)).toContain(id);

    const del = `mutation($c: CollectionRef!) { deleteCollection(input: { collection: $c }) { __typename ... on DeleteCollectionSuccess { collectionId } ... on CollectionNotFound { collectionId } ${ERROR_FIELDS} } }`;
    expect((await gqlData(url, del, { c: ref(id) })).deleteCollection).toEqual({ __typename: 'DeleteCollectionSuccess', collectionId: id });
    expect((await gqlData(url, del, { c: ref(id) })).deleteCollection).toMatchObject({
      __typename: 'CollectionNotFound',
      code: 'COLLECTION_NOT_FOUND',
    });
    expect(await collectionCounts(url, id)).toBeNull();
  });

  it('treats collection ids as case-sensitive', async () => {
    const id = uniqueCollectionId('Case');
    await createCollection(url, id);
    expect((await gqlData(url, CREATE_COLLECTION, { c: ref(id.toLowerCase()) })).createCollection.__typename).toBe(
      'CreateCollectionSuccess',
    );
  });

  it.each([
    ['', 'input.collection.collectionId'],
    ['has space', 'input.collection.collectionId'],
    ['x'.repeat(256), 'input.collection.collectionId'],
    ['ünïcode', 'input.collection.collectionId'],
  ])('refuses collection id %j with InvalidInput and writes nothing', async (collectionId, field) => {
    const count = async () =>
      (await gqlData(url, '{ provider(name: "local") { collections(first: 500) { edges { cursor } } } }')).provider.collections.edges
        .length;
    const before = await count();
    const res = await gqlData(url, CREATE_COLLECTION, { c: ref(collectionId) });
    expect(res.createCollection).toMatchObject({ __typename: 'InvalidInput', code: 'INVALID_INPUT', field });
    expect(await count()).toBe(before);
  });

  it('refuses an unknown provider with InvalidInput naming the configured ones', async () => {
    const res = await gqlData(url, CREATE_COLLECTION, { c: ref('x', 'aws-nowhere') });
    expect(res.createCollection).toMatchObject({ __typename: 'InvalidInput', field: 'input.collection.provider' });
    expect(res.createCollection.message).toContain('local');
  });

  it('answers a query for a bad ref with a GraphQL error carrying a stable code', async () => {
    const res = await gql(url, `{ collection(ref: { provider: "local", collectionId: "a b" }) { collectionId } }`);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'INVALID_INPUT', field: 'ref.collectionId' });
    expect(JSON.stringify(res)).not.toMatch(/at .*\.js|stack/i);
  });
});

describe('users', () => {
  it('creates users with status CREATED, refuses duplicates and unknown collections, deletes', async () => {
    const id = uniqueCollectionId();
    await createCollection(url, id);
    const created = await gqlData(url, CREATE_USER, { c: ref(id), u: 'alice' });
    expect(created.createUser).toMatchObject({
      __typename: 'CreateUserSuccess',
      user: { userId: 'alice', status: 'CREATED', faceCount: 0 },
    });

    expect((await gqlData(url, CREATE_USER, { c: ref(id), u: 'alice' })).createUser).toMatchObject({
      __typename: 'UserAlreadyExists',
      code: 'USER_ALREADY_EXISTS',
      userId: 'alice',
    });
    expect((await gqlData(url, CREATE_USER, { c: ref('missing-' + id), u: 'alice' })).createUser).toMatchObject({
      __typename: 'CollectionNotFound',
      collectionId: 'missing-' + id,
    });

    const node = await gqlData(url, `query($id: ID!) { node(id: $id) { ... on User { userId collection { collectionId userCount } } } }`, {
      id: created.createUser.user.id,
    });
    expect(node.node).toEqual({ userId: 'alice', collection: { collectionId: id, userCount: 1 } });

    expect((await gqlData(url, DELETE_USER, { c: ref(id), u: 'alice' })).deleteUser).toEqual({
      __typename: 'DeleteUserSuccess',
      userId: 'alice',
    });
    expect((await gqlData(url, DELETE_USER, { c: ref(id), u: 'alice' })).deleteUser).toMatchObject({
      __typename: 'UserNotFound',
      userId: 'alice',
    });
    expect(await collectionCounts(url, id)).toEqual({ userCount: 0, faceCount: 0 });
  });

  it('replays a clientRequestToken with the same input and refuses it with other input', async () => {
    const id = uniqueCollectionId();
    await createCollection(url, id);
    const first = await gqlData(url, CREATE_USER, { c: ref(id), u: 'bob', t: 'token-1' });
    const again = await gqlData(url, CREATE_USER, { c: ref(id), u: 'bob', t: 'token-1' });
    expect(again.createUser.__typename).toBe('CreateUserSuccess');
    expect(again.createUser.user.userId).toBe(first.createUser.user.userId);
    const other = await gqlData(url, CREATE_USER, { c: ref(id), u: 'carol', t: 'token-1' });
    expect(other.createUser).toMatchObject({
      __typename: 'IdempotencyConflict',
      code: 'IDEMPOTENCY_CONFLICT',
      clientRequestToken: 'token-1',
    });
    expect(await collectionCounts(url, id)).toEqual({ userCount: 1, faceCount: 0 });

    expect((await gqlData(url, DELETE_USER, { c: ref(id), u: 'bob', t: 'del-1' })).deleteUser.__typename).toBe('DeleteUserSuccess');
    expect((await gqlData(url, DELETE_USER, { c: ref(id), u: 'bob', t: 'del-1' })).deleteUser.__typename).toBe('DeleteUserSuccess');
  });

  it.each([
    [{ u: '' }, 'input.userId'],
    [{ u: 'a/b' }, 'input.userId'],
    [{ u: 'x'.repeat(129) }, 'input.userId'],
    [{ u: 'ok', t: 'bad token!' }, 'input.clientRequestToken'],
    [{ u: 'ok', t: 't'.repeat(65) }, 'input.clientRequestToken'],
  ])('refuses %j with InvalidInput and writes nothing', async (vars, field) => {
    const id = uniqueCollectionId();
    await createCollection(url, id);
    const res = await gqlData(url, CREATE_USER, { c: ref(id), ...vars });
    expect(res.createUser).toMatchObject({ __typename: 'InvalidInput', field });
    expect(await collectionCounts(url, id)).toEqual({ userCount: 0, faceCount: 0 });
  });

  it('refuses a huge string without echoing it back', async () => {
    const res = await gqlData(url, CREATE_USER, { c: ref('x'), u: 'y'.repeat(200_000) });
    expect(res.createUser.__typename).toBe('InvalidInput');
    expect(res.createUser.message.length).toBeLessThan(300);
  });

  it('pages users with Relay cursors in creation order', async () => {
    const id = uniqueCollectionId();
    await createCollection(url, id);
    const ids = Array.from({ length: 7 }, (_, i) => `user-${i}`);
    await createUsers(url, id, ids);
    const page = `query($c: CollectionRef!, $after: String) { collection(ref: $c) { users(first: 3, after: $after) {
      edges { cursor node { userId } } pageInfo { hasNextPage endCursor } } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 5; i++) {
      const data: any = await gqlData(url, page, { c: ref(id), after });
      seen.push(...data.collection.users.edges.map((e: any) => e.node.userId));
      if (!data.collection.users.pageInfo.hasNextPage) break;
      after = data.collection.users.pageInfo.endCursor;
    }
    expect(seen).toEqual(ids);

    const mid = await gqlData(url, page, { c: ref(id) });
    const fromSecond = await gqlData(url, page, { c: ref(id), after: mid.collection.users.edges[1].cursor });
    expect(fromSecond.collection.users.edges.map((e: any) => e.node.userId)).toEqual(['user-2', 'user-3', 'user-4']);

    const bad = await gql(url, page, { c: ref(id), after: 'not-a-cursor' });
    expect(bad.errors?.[0].extensions?.code).toBe('INVALID_INPUT');
    const tooMany = await gql(url, `query($c: CollectionRef!) { collection(ref: $c) { users(first: 100000) { edges { cursor } } } }`, {
      c: ref(id),
    });
    expect(tooMany.errors?.[0].extensions).toMatchObject({ code: 'INVALID_INPUT', field: 'first' });
  });
});
