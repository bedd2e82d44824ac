/**
 * Provider conformance: one GraphQL scenario suite run unchanged against
 * every provider instance of the shared gateway (`{ providers { name
 * capabilities } }`). A provider's differences are declared by its
 * capabilities only: a scenario needing an operation is skipped where the
 * provider does not declare it, and an undeclared operation must answer
 * UNSUPPORTED_OPERATION. No scenario names a provider.
 *
 * Faces are real photos (PHOTOS); each provider enrols four of them once
 * and the face scenarios below run in order on that shared collection.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CAPABILITIES } from '../../dist/src/domain/records.js';
import { gqlData, metricSum } from '../support/gateway.js';
import { until } from '../support/wait.js';
import { createUsers, uniqueCollectionId } from '../support/fixtures.js';
import { blankPng, client, LIST_COLLECTIONS, NOT_AN_IMAGE, photo, token, unknownFaceId, USERS_PAGE } from './operations.js';

/**
 * A user with faces is ACTIVE, or UPDATING while the provider still applies
 * the last association (Rekognition documents it; Azure shows it until its
 * training finishes). Both mean "has faces".
 */
const WITH_FACES = expect.stringMatching(/^(ACTIVE|UPDATING)$/);
/** A user whose last face went: CREATED, or UPDATING while the provider still applies the change. */
const WITHOUT_FACES = expect.stringMatching(/^(CREATED|UPDATING)$/);

/** What a replay of `first` must equal: the recorded answer, with the live read of the user's status allowed to have settled. */
function replayOf<T extends { user?: { status?: unknown } }>(first: T): T {
  return first.user ? { ...first, user: { ...first.user, status: WITH_FACES } } : first;
}

const url = inject('gatewayUrl');

interface ProviderInfo {
  id: string;
  name: string;
  kind: string;
  capabilities: string[];
}

const { providers } = await gqlData<{ providers: ProviderInfo[] }>(url, '{ providers { id name kind capabilities } }');

const ids = (edges: { node: Record<string, any> }[], key: string) => edges.map((e) => e.node[key] as string);
const sorted = (xs: string[]) => [...xs].sort();

describe.each(providers)('provider $name ($kind)', (provider) => {
  const caps = new Set(provider.capabilities);
  /** True when the provider lacks any of the capabilities (the scenario is skipped). */
  const lacks = (...needed: string[]) => needed.some((c) => !caps.has(c));
  const api = client(url, provider.name);
  const created: string[] = [];

  async function newCollection(prefix: string): Promise<string> {
    const id = uniqueCollectionId(`conf-${prefix}`);
    const res = await api.createCollection(id);
    if (res.__typename !== 'CreateCollectionSuccess') throw new Error(`createCollection ${id}: ${JSON.stringify(res)}`);
    created.push(id);
    return id;
  }

  afterAll(async () => {
    // Leave the shared gateway as we found it (other files list collections).
    if (!caps.has('DELETE_COLLECTION')) return;
    for (const id of created) await api.deleteCollection(id);
  });

  it('declares only capabilities of the contract', async () => {
    for (const c of provider.capabilities) expect(CAPABILITIES).toContain(c);
    expect(new Set(provider.capabilities).size).toBe(provider.capabilities.length);
  });

  it.skipIf(caps.has('TAKE_SNAPSHOT') || lacks('CREATE_COLLECTION'))(
    'answers UnsupportedOperation for an undeclared TAKE_SNAPSHOT',
    async () => {
      const id = await newCollection('nosnap');
      const res = await api.data(
        `mutation($c: CollectionRef!) { takeSnapshot(input: { collection: $c }) { __typename
        ... on UnsupportedOperation { code provider operation } ... on Error { code } } }`,
        { c: api.ref(id) },
      );
      expect(res.takeSnapshot).toEqual({
        __typename: 'UnsupportedOperation',
        code: 'UNSUPPORTED_OPERATION',
        provider: provider.name,
        operation: 'TAKE_SNAPSHOT',
      });
    },
  );

  // ---- collections ---------------------------------------------------------

  describe.skipIf(lacks('CREATE_COLLECTION'))('collections', () => {
    it('creates a collection, refuses a duplicate with CollectionAlreadyExists, gets it by ref and by node id', async () => {
      const id = uniqueCollectionId('conf-col');
      const res = await api.createCollection(id);
      expect(res).toMatchObject({
        __typename: 'CreateCollectionSuccess',
        collection: { collectionId: id, faceCount: 0, userCount: 0, provider: { name: provider.name } },
      });
      created.push(id);

      expect(await api.createCollection(id)).toMatchObject({
        __typename: 'CollectionAlreadyExists',
        code: 'COLLECTION_ALREADY_EXISTS',
        collectionId: id,
      });
      expect(await api.collection(id)).toEqual(res.collection);
      const node = await api.data(
        `query($id: ID!) { node(id: $id) { __typename id ... on Collection { collectionId provider { name } } } }`,
        {
          id: res.collection.id,
        },
      );
      expect(node.node).toEqual({ __typename: 'Collection', id: res.collection.id, collectionId: id, provider: { name: provider.name } });
      expect(await api.collection(`missing-${id}`)).toBeNull();
    });

    it.skipIf(lacks('MIXED_CASE_COLLECTION_IDS'))('treats collection ids as case-sensitive', async () => {
      const id = uniqueCollectionId('Conf-Case');
      expect((await api.createCollection(id)).__typename).toBe('CreateCollectionSuccess');
      created.push(id);
      expect((await api.createCollection(id.toLowerCase())).__typename).toBe('CreateCollectionSuccess');
      created.push(id.toLowerCase());
    });

    it('refuses invalid collection ids with InvalidInput naming the field', async () => {
      for (const bad of ['', 'has space', 'x'.repeat(256), 'ünïcode', 'a/b']) {
        expect(await api.createCollection(bad)).toMatchObject({
          __typename: 'InvalidInput',
          code: 'INVALID_INPUT',
          field: 'input.collection.collectionId',
        });
        expect(await api.deleteCollection(bad)).toMatchObject({ __typename: 'InvalidInput', field: 'input.collection.collectionId' });
        expect(await api.createUser(bad, 'alice')).toMatchObject({ __typename: 'InvalidInput', field: 'input.collection.collectionId' });
      }
      const res = await api.raw(`query($c: CollectionRef!) { collection(ref: $c) { collectionId } }`, { c: api.ref('has space') });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'INVALID_INPUT', field: 'ref.collectionId' });
    });

    it.skipIf(lacks('LIST_COLLECTIONS'))('lists collections in pages with Relay cursors that resume anywhere', async () => {
      const mine = [await newCollection('list'), await newCollection('list'), await newCollection('list')];
      type Edge = { cursor: string; node: { collectionId: string } };
      async function walk(first: number): Promise<Edge[]> {
        const all: Edge[] = [];
        let after: string | null = null;
        for (let page = 0; page < 1000; page++) {
          const data: any = await api.data(LIST_COLLECTIONS, { p: provider.name, first, after });
          const conn = data.provider.collections;
          expect(conn.edges.length).toBeLessThanOrEqual(first);
          all.push(...conn.edges);
          if (!conn.pageInfo.hasNextPage) return all;
          expect(conn.pageInfo.endCursor).toBe(conn.edges.at(-1)?.cursor);
          after = conn.pageInfo.endCursor;
        }
        throw new Error('more than 1000 pages');
      }
      const small = await walk(4);
      const big = await walk(500);
      const order = big.map((e) => e.node.collectionId);
      // Paging never loses, repeats or reorders anything.
      expect(small.map((e) => e.node.collectionId)).toEqual(order);
      expect(new Set(order).size).toBe(order.length);
      for (const id of mine) expect(order).toContain(id);

      // A cursor from any edge (mid-page or page end) resumes right after it.
      const i = order.indexOf(mine[0]);
      const after = i > 0 ? small[i - 1].cursor : null;
      const two: any = await api.data(LIST_COLLECTIONS, { p: provider.name, first: 2, after });
      expect(ids(two.provider.collections.edges, 'collectionId')).toEqual(order.slice(i, i + 2));
      const next: any = await api.data(LIST_COLLECTIONS, {
        p: provider.name,
        first: 1,
        after: two.provider.collections.pageInfo.endCursor,
      });
      expect(ids(next.provider.collections.edges, 'collectionId')).toEqual(order.slice(i + 2, i + 3));

      const bad = await api.raw(LIST_COLLECTIONS, { p: provider.name, first: 2, after: 'not-a-cursor' });
      expect(bad.errors?.[0].extensions?.code).toBe('INVALID_INPUT');
    });

    it.skipIf(lacks('DELETE_COLLECTION', 'CREATE_USER'))(
      'deletes a collection with its content; deleting it again is CollectionNotFound',
      async () => {
        const id = await newCollection('del');
        expect((await api.createUser(id, 'alice')).__typename).toBe('CreateUserSuccess');
        expect(await api.deleteCollection(id)).toEqual({ __typename: 'DeleteCollectionSuccess', collectionId: id });
        expect(await api.deleteCollection(id)).toMatchObject({
          __typename: 'CollectionNotFound',
          code: 'COLLECTION_NOT_FOUND',
          collectionId: id,
        });
        expect(await api.collection(id)).toBeNull();
        // The same id is free again and starts empty.
        expect(await api.createCollection(id)).toMatchObject({
          __typename: 'CreateCollectionSuccess',
          collection: { userCount: 0, faceCount: 0 },
        });
        expect(await api.state(id)).toEqual({ faceCount: 0, userCount: 0, users: [], faces: [] });
      },
    );
  });

  // ---- users ---------------------------------------------------------------

  describe.skipIf(lacks('CREATE_COLLECTION', 'CREATE_USER'))('users', () => {
    let col: string;
    beforeAll(async () => {
      col = await newCollection('users');
    });

    it('creates a user with status CREATED and refuses a duplicate with UserAlreadyExists', async () => {
      const res = await api.createUser(col, 'alice');
      expect(res).toMatchObject({ __typename: 'CreateUserSuccess', user: { userId: 'alice', status: 'CREATED', faceCount: 0 } });
      expect(await api.createUser(col, 'alice')).toMatchObject({
        __typename: 'UserAlreadyExists',
        code: 'USER_ALREADY_EXISTS',
        userId: 'alice',
      });
      expect(await api.createUser(`missing-${col}`, 'alice')).toMatchObject({
        __typename: 'CollectionNotFound',
        code: 'COLLECTION_NOT_FOUND',
        collectionId: `missing-${col}`,
      });

      const node = await api.data(
        `query($id: ID!) { node(id: $id) { __typename ... on User { userId status faceCount collection { collectionId userCount } } } }`,
        {
          id: res.user.id,
        },
      );
      expect(node.node).toEqual({
        __typename: 'User',
        userId: 'alice',
        status: 'CREATED',
        faceCount: 0,
        collection: { collectionId: col, userCount: 1 },
      });
      const byId = await api.data(
        `query($c: CollectionRef!) { collection(ref: $c) { alice: user(userId: "alice") { id userId } nobody: user(userId: "nobody") { id } } }`,
        {
          c: api.ref(col),
        },
      );
      expect(byId.collection).toEqual({ alice: { id: res.user.id, userId: 'alice' }, nobody: null });
    });

    it('refuses invalid user ids and tokens with InvalidInput, writing nothing', async () => {
      const before = await api.state(col);
      for (const [u, t, field] of [
        ['', undefined, 'input.userId'],
        ['a/b', undefined, 'input.userId'],
        ['x'.repeat(129), undefined, 'input.userId'],
        ['ok', 'bad token!', 'input.clientRequestToken'],
        ['ok', 't'.repeat(65), 'input.clientRequestToken'],
      ] as const) {
        expect(await api.createUser(col, u, t)).toMatchObject({ __typename: 'InvalidInput', code: 'INVALID_INPUT', field });
      }
      expect(await api.state(col)).toEqual(before);
    });

    it("pages users across pages with Relay cursors, each once, in the provider's one order (Rekognition's is a system key's, not creation's)", async () => {
      const pageCol = await newCollection('upage');
      const userIds = Array.from({ length: 7 }, (_, i) => `user-${i}`);
      await createUsers(url, pageCol, userIds, provider.name);

      const seen: string[] = [];
      const more: boolean[] = [];
      let after: string | null = null;
      for (let i = 0; i < 5; i++) {
        const data: any = await api.data(USERS_PAGE, { c: api.ref(pageCol), first: 3, after });
        const conn = data.collection.users;
        seen.push(...ids(conn.edges, 'userId'));
        more.push(conn.pageInfo.hasNextPage);
        if (!conn.pageInfo.hasNextPage) break;
        after = conn.pageInfo.endCursor;
      }
      // AWS ListUsers is "sorted by system generated primary key ID": the order is the provider's, but one order for every page.
      expect(sorted(seen)).toEqual(userIds);
      expect(more).toEqual([true, true, false]);

      const first: any = await api.data(USERS_PAGE, { c: api.ref(pageCol), first: 3 });
      expect(ids(first.collection.users.edges, 'userId')).toEqual(seen.slice(0, 3));
      const fromMid: any = await api.data(USERS_PAGE, { c: api.ref(pageCol), first: 3, after: first.collection.users.edges[1].cursor });
      expect(ids(fromMid.collection.users.edges, 'userId')).toEqual(seen.slice(2, 5));
      const rest: any = await api.data(USERS_PAGE, { c: api.ref(pageCol), first: 100, after: first.collection.users.pageInfo.endCursor });
      expect(ids(rest.collection.users.edges, 'userId')).toEqual(seen.slice(3));
      expect(rest.collection.users.pageInfo.hasNextPage).toBe(false);
      expect(rest.collection.users.edges.every((e: any) => e.node.status === 'CREATED')).toBe(true);
    });

    it('answers first: 0 with an empty page and refuses first over 500 with INVALID_INPUT { field: first }', async () => {
      const over = await api.raw(USERS_PAGE, { c: api.ref(col), first: 501 });
      expect(over.errors?.[0].extensions).toMatchObject({ code: 'INVALID_INPUT', field: 'first' });
      const bad = await api.raw(USERS_PAGE, { c: api.ref(col), first: 3, after: 'not-a-cursor' });
      expect(bad.errors?.[0].extensions?.code).toBe('INVALID_INPUT');
      // The gateway declares first ∈ 0..500.
      const zero = await api.raw(USERS_PAGE, { c: api.ref(col), first: 0 });
      expect(zero.errors).toBeUndefined();
      expect(zero.data?.collection.users.edges).toEqual([]);
    });

    it.skipIf(lacks('DELETE_USER'))('deletes a user; deleting a missing user is UserNotFound', async () => {
      expect((await api.createUser(col, 'bob')).__typename).toBe('CreateUserSuccess');
      expect(await api.deleteUser(col, 'bob')).toEqual({ __typename: 'DeleteUserSuccess', userId: 'bob' });
      expect(await api.deleteUser(col, 'bob')).toMatchObject({ __typename: 'UserNotFound', code: 'USER_NOT_FOUND', userId: 'bob' });
      expect(await api.deleteUser(`missing-${col}`, 'bob')).toMatchObject({
        __typename: 'CollectionNotFound',
        collectionId: `missing-${col}`,
      });
      const user = await api.data(`query($c: CollectionRef!) { collection(ref: $c) { user(userId: "bob") { userId } } }`, {
        c: api.ref(col),
      });
      expect(user.collection.user).toBeNull();
    });

    it('replays a clientRequestToken with the same input and refuses it with other input (IdempotencyConflict)', async () => {
      const t = token('cu');
      const first = await api.createUser(col, 'carol', t);
      expect(first).toMatchObject({ __typename: 'CreateUserSuccess', user: { userId: 'carol', status: 'CREATED' } });
      expect(await api.createUser(col, 'carol', t)).toEqual(first);
      expect(await api.createUser(col, 'dave', t)).toMatchObject({
        __typename: 'IdempotencyConflict',
        code: 'IDEMPOTENCY_CONFLICT',
        clientRequestToken: t,
      });
      const state = await api.state(col);
      expect(state?.users.map((u: any) => u.userId)).toContain('carol');
      expect(state?.users.map((u: any) => u.userId)).not.toContain('dave');

      if (lacks('DELETE_USER')) return;
      const d = token('du');
      expect(await api.deleteUser(col, 'carol', d)).toEqual({ __typename: 'DeleteUserSuccess', userId: 'carol' });
      expect(await api.deleteUser(col, 'carol', d)).toEqual({ __typename: 'DeleteUserSuccess', userId: 'carol' });
      expect(await api.deleteUser(col, 'alice', d)).toMatchObject({ __typename: 'IdempotencyConflict', clientRequestToken: d });
      expect((await api.state(col))?.users.map((u: any) => u.userId)).toEqual(['alice']);
    });
  });

  // ---- faces, associations, search -------------------------------------------

  describe.skipIf(lacks('CREATE_COLLECTION', 'CREATE_USER', 'INDEX_FACES'))('faces', () => {
    let col: string;
    /** franck[0..2] and audrey[0], in index order. */
    let f1: string, f2: string, f3: string, a1: string;
    const indexed: Record<string, any>[] = [];
    const fillers = Array.from({ length: 20 }, (_, i) => `filler-${String(i).padStart(2, '0')}`);

    const faceQuery = (fields: string) =>
      `query($c: CollectionRef!, $f: String!) { collection(ref: $c) { face(faceId: $f) { ${fields} } } }`;
    const face = async (faceId: string) =>
      (await api.data(faceQuery('id faceId externalImageId user { userId } collection { collectionId }'), { c: api.ref(col), f: faceId }))
        .collection.face;
    const listFaces = async (args: string) =>
      ids(
        (
          await api.data(`query($c: CollectionRef!) { collection(ref: $c) { faces(first: 500${args}) { edges { node { faceId } } } } }`, {
            c: api.ref(col),
          })
        ).collection.faces.edges,
        'faceId',
      );
    const userOf = async (userId: string) =>
      (
        await api.data(
          `query($c: CollectionRef!, $u: String!) { collection(ref: $c) { user(userId: $u) { userId status faceCount faces { edges { node { faceId } } } } } }`,
          {
            c: api.ref(col),
            u: userId,
          },
        )
      ).collection.user;

    /** Every face id of a listing, walked `first` at a time through the Relay cursors. */
    async function walkFaces(args: string, first: number): Promise<string[]> {
      const q = `query($c: CollectionRef!, $first: Int!, $after: String) { collection(ref: $c) {
        faces(first: $first, after: $after${args}) { edges { cursor node { faceId } } pageInfo { hasNextPage endCursor } } } }`;
      const seen: string[] = [];
      let after: string | null = null;
      for (let page = 0; page < 20; page++) {
        const conn: any = (await api.data(q, { c: api.ref(col), first, after })).collection.faces;
        expect(conn.edges.length).toBeLessThanOrEqual(first);
        seen.push(...ids(conn.edges, 'faceId'));
        if (!conn.pageInfo.hasNextPage) return seen;
        after = conn.pageInfo.endCursor;
      }
      throw new Error('more than 20 pages');
    }
    /** Walking a listing one or two at a time gives exactly the one-page listing, and a mid-page cursor resumes after its edge. */
    async function expectConsistentPaging(args: string, expected: string[]): Promise<void> {
      expect(await listFaces(args)).toEqual(expected);
      expect(await walkFaces(args, 1)).toEqual(expected);
      expect(await walkFaces(args, 2)).toEqual(expected);
      if (expected.length < 2) return;
      const q = `query($c: CollectionRef!, $after: String) { collection(ref: $c) { faces(first: 2, after: $after${args}) { edges { cursor node { faceId } } } } }`;
      const page: any = await api.data(q, { c: api.ref(col), after: null });
      const resumed: any = await api.data(q, { c: api.ref(col), after: page.collection.faces.edges[0].cursor });
      expect(ids(resumed.collection.faces.edges, 'faceId')).toEqual(expected.slice(1, 3));
    }

    beforeAll(async () => {
      col = await newCollection('faces');
      await createUsers(url, col, ['franck', 'audrey', ...fillers], provider.name);
      // Inference costs ~0.6 s an image on the local engine: four images, once.
      for (const [who, i] of [
        ['franck', 0],
        ['franck', 1],
        ['franck', 2],
        ['audrey', 0],
      ] as const) {
        const res = await api.indexFaces(col, photo(who, i), { externalImageId: `${who}-${i}` });
        if (res.__typename !== 'IndexFacesSuccess') throw new Error(`indexFaces ${who}[${i}]: ${JSON.stringify(res)}`);
        indexed.push(res);
      }
      [f1, f2, f3, a1] = indexed.map((r) => r.faces[0]?.faceId as string);
    });

    describe('indexFaces', () => {
      it('indexes one unassociated face per portrait with its externalImageId, confidence and bounding box', async () => {
        const names = ['franck-0', 'franck-1', 'franck-2', 'audrey-0'];
        indexed.forEach((res, i) => {
          expect(res.faces).toHaveLength(1);
          const [f] = res.faces;
          expect(f).toMatchObject({ externalImageId: names[i], user: null });
          expect(f.faceId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
          // Providers that report no detection confidence (Azure) leave it null.
          if (f.confidence !== null) {
            expect(f.confidence).toBeGreaterThan(50);
            expect(f.confidence).toBeLessThanOrEqual(100);
          }
          for (const v of Object.values(f.boundingBox as Record<string, number>)) {
            expect(v).toBeGreaterThanOrEqual(0);
            expect(v).toBeLessThanOrEqual(1);
          }
        });
        expect(new Set([f1, f2, f3, a1]).size).toBe(4);
        expect(await api.collection(col)).toMatchObject({ faceCount: 4, userCount: 2 + fillers.length });
      });

      it('does not duplicate a face indexed again from the same image with the same externalImageId', async () => {
        const again = await api.indexFaces(col, photo('franck', 0), { externalImageId: 'franck-0' });
        expect(again).toMatchObject({ __typename: 'IndexFacesSuccess' });
        expect(again.faces.map((f: any) => f.faceId)).toEqual([f1]);
        expect((await api.collection(col)).faceCount).toBe(4);
      });

      it('answers InvalidImage, InvalidInput and CollectionNotFound, writing nothing', async () => {
        const before = await api.state(col);
        expect(await api.indexFaces(col, NOT_AN_IMAGE)).toMatchObject({ __typename: 'InvalidImage', code: 'INVALID_IMAGE' });
        expect(await api.indexFaces(col, photo('franck', 0), { maxFaces: 0 })).toMatchObject({
          __typename: 'InvalidInput',
          field: 'input.maxFaces',
        });
        expect(await api.indexFaces(col, photo('franck', 0), { externalImageId: 'bad id!' })).toMatchObject({
          __typename: 'InvalidInput',
          field: 'input.externalImageId',
        });
        expect(await api.indexFaces(`missing-${col}`, photo('franck', 0))).toMatchObject({
          __typename: 'CollectionNotFound',
          code: 'COLLECTION_NOT_FOUND',
        });
        expect(await api.state(col)).toEqual(before);
      });
    });

    describe('reading faces', () => {
      it('lists faces in index order, pages them with Relay cursors and finds one by faceId', async () => {
        await expectConsistentPaging('', [f1, f2, f3, a1]);
        expect(await face(f1)).toMatchObject({ faceId: f1, externalImageId: 'franck-0', user: null, collection: { collectionId: col } });
        expect(await face(unknownFaceId())).toBeNull();
      });

      it.skipIf(lacks('LIST_UNASSOCIATED_FACES'))('lists unassociated faces', async () => {
        await expectConsistentPaging(', unassociated: true', [f1, f2, f3, a1]);
      });

      it('resolves node(id) of a provider, collection, user and face', async () => {
        const data = await api.data(
          `query($c: CollectionRef!, $f: String!) { collection(ref: $c) { id user(userId: "franck") { id } face(faceId: $f) { id } } }`,
          { c: api.ref(col), f: f1 },
        );
        const q = `query($p: ID!, $c: ID!, $u: ID!, $f: ID!) {
          p: node(id: $p) { __typename ... on Provider { name } }
          c: node(id: $c) { __typename ... on Collection { collectionId } }
          u: node(id: $u) { __typename ... on User { userId } }
          f: node(id: $f) { __typename ... on Face { faceId externalImageId } }
        }`;
        expect(
          await api.data(q, { p: provider.id, c: data.collection.id, u: data.collection.user.id, f: data.collection.face.id }),
        ).toEqual({
          p: { __typename: 'Provider', name: provider.name },
          c: { __typename: 'Collection', collectionId: col },
          u: { __typename: 'User', userId: 'franck' },
          f: { __typename: 'Face', faceId: f1, externalImageId: 'franck-0' },
        });
      });
    });

    describe.skipIf(lacks('ASSOCIATE_FACES'))('associateFaces', () => {
      it('associates a face (AssociateFacesSuccess, userStatus ACTIVE)', async () => {
        const res = await api.associate(col, 'franck', [f1]);
        expect(res).toEqual({
          __typename: 'AssociateFacesSuccess',
          associatedFaces: [{ faceId: f1, user: { userId: 'franck' } }],
          unsuccessfulFaceAssociations: [],
          userStatus: WITH_FACES,
          user: { userId: 'franck', status: WITH_FACES, faceCount: 1 },
        });
      });

      it('silently ignores a face already associated with the same user', async () => {
        const res = await api.associate(col, 'franck', [f1, f2]);
        expect(res).toMatchObject({ __typename: 'AssociateFacesSuccess', unsuccessfulFaceAssociations: [], userStatus: WITH_FACES });
        expect(res.associatedFaces.map((f: any) => f.faceId)).toEqual([f2]);
        expect(res.user).toEqual({ userId: 'franck', status: WITH_FACES, faceCount: 2 });
      });

      it("reports LOW_MATCH_CONFIDENCE for another person's face", async () => {
        const res = await api.associate(col, 'franck', [a1]);
        expect(res).toMatchObject({ __typename: 'AssociateFacesSuccess', associatedFaces: [], user: { faceCount: 2 } });
        expect(res.unsuccessfulFaceAssociations).toHaveLength(1);
        const [u] = res.unsuccessfulFaceAssociations;
        expect(u).toMatchObject({ faceId: a1, reasons: ['LOW_MATCH_CONFIDENCE'] });
        expect(u.confidence).toBeLessThan(75);
        expect((await face(a1)).user).toBeNull();
      });

      it.skipIf(lacks('LIST_UNASSOCIATED_FACES'))('pages unassociated faces past associated ones', async () => {
        // franck has f1 and f2; f3 and a1 belong to no one.
        await expectConsistentPaging(', unassociated: true', [f3, a1]);
      });

      it('reports ASSOCIATED_TO_A_DIFFERENT_USER and FACE_NOT_FOUND per face', async () => {
        expect(await api.associate(col, 'audrey', [a1])).toMatchObject({
          __typename: 'AssociateFacesSuccess',
          associatedFaces: [{ faceId: a1, user: { userId: 'audrey' } }],
          userStatus: WITH_FACES,
        });
        const missing = unknownFaceId();
        const res = await api.associate(col, 'audrey', [f1, missing]);
        expect(res).toMatchObject({ __typename: 'AssociateFacesSuccess', associatedFaces: [], user: { userId: 'audrey', faceCount: 1 } });
        expect(res.unsuccessfulFaceAssociations).toHaveLength(2);
        expect(res.unsuccessfulFaceAssociations).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ faceId: f1, userId: 'franck', reasons: ['ASSOCIATED_TO_A_DIFFERENT_USER'] }),
            expect.objectContaining({ faceId: missing, reasons: ['FACE_NOT_FOUND'] }),
          ]),
        );
        expect((await face(f1)).user).toEqual({ userId: 'franck' });
      });

      it('answers UserNotFound, CollectionNotFound and InvalidInput, changing nothing', async () => {
        const before = await api.state(col);
        expect(await api.associate(col, 'nobody', [f3])).toMatchObject({
          __typename: 'UserNotFound',
          code: 'USER_NOT_FOUND',
          userId: 'nobody',
        });
        expect(await api.associate(`missing-${col}`, 'franck', [f3])).toMatchObject({
          __typename: 'CollectionNotFound',
          code: 'COLLECTION_NOT_FOUND',
          collectionId: `missing-${col}`,
        });
        expect(await api.associate(col, 'franck', [])).toMatchObject({
          __typename: 'InvalidInput',
          code: 'INVALID_INPUT',
          field: 'input.faceIds',
        });
        expect(await api.associate(col, 'franck', Array.from({ length: 101 }, unknownFaceId))).toMatchObject({
          __typename: 'InvalidInput',
          field: 'input.faceIds',
        });
        expect(await api.associate(col, 'franck', ['NOT-A-UUID'])).toMatchObject({ __typename: 'InvalidInput', field: 'input.faceIds[0]' });
        expect(await api.associate(col, 'bad user!', [f3])).toMatchObject({ __typename: 'InvalidInput', field: 'input.userId' });
        expect(await api.associate(col, 'franck', [f3], { userMatchThreshold: 101 })).toMatchObject({
          __typename: 'InvalidInput',
          field: 'input.userMatchThreshold',
        });
        expect(await api.state(col)).toEqual(before);
      });

      it('replays a clientRequestToken with the same input and answers IdempotencyConflict for other input', async () => {
        const t = token('assoc');
        const first = await api.associate(col, 'franck', [f3], { clientRequestToken: t });
        expect(first).toMatchObject({
          __typename: 'AssociateFacesSuccess',
          associatedFaces: [{ faceId: f3 }],
          unsuccessfulFaceAssociations: [],
          userStatus: WITH_FACES,
          user: { faceCount: 3 },
        });
        // A replay answers the recorded result; only the live `user` read may have moved on from UPDATING.
        expect(await api.associate(col, 'franck', [f3], { clientRequestToken: t })).toEqual(replayOf(first));
        const before = await api.state(col);
        expect(await api.associate(col, 'franck', [f2], { clientRequestToken: t })).toMatchObject({
          __typename: 'IdempotencyConflict',
          code: 'IDEMPOTENCY_CONFLICT',
          clientRequestToken: t,
        });
        expect(await api.state(col)).toEqual(before);
      });

      it('lists faces by user and no longer lists them as unassociated', async () => {
        await expectConsistentPaging(', userId: "franck"', [f1, f2, f3]);
        expect(await listFaces(', userId: "audrey"')).toEqual([a1]);
        const franck = await userOf('franck');
        expect(franck).toMatchObject({ userId: 'franck', status: WITH_FACES, faceCount: 3 });
        expect(sorted(ids(franck.faces.edges, 'faceId'))).toEqual(sorted([f1, f2, f3]));
        if (caps.has('LIST_UNASSOCIATED_FACES')) expect(await listFaces(', unassociated: true')).toEqual([]);
      });
    });

    describe.skipIf(lacks('ASSOCIATE_FACES', 'SEARCH_USERS_BY_IMAGE'))('searchUsersByImage', () => {
      it('finds franck first, similarity ≥ 80, in another photo of him', async () => {
        const res = await api.search(col, photo('franck', 3));
        expect(res.__typename).toBe('SearchUsersByImageSuccess');
        expect(res.userMatches[0].user.userId).toBe('franck');
        expect(res.userMatches[0].similarity).toBeGreaterThanOrEqual(80);
        expect(res.userMatches[0].similarity).toBeLessThanOrEqual(100);
        expect(res.userMatches.map((m: any) => m.user.userId)).not.toContain('audrey');
        expect(res.searchedFace?.confidence).toBeGreaterThan(50);
      });

      it('matches no user in an image without a known face', async () => {
        const res = await api.search(col, await blankPng());
        expect(res).toMatchObject({ __typename: 'SearchUsersByImageSuccess', userMatches: [] });
      });

      it('answers InvalidInput, InvalidImage and CollectionNotFound', async () => {
        const img = photo('franck', 3);
        expect(await api.search(col, img, { maxUsers: 0 })).toMatchObject({
          __typename: 'InvalidInput',
          code: 'INVALID_INPUT',
          field: 'input.maxUsers',
        });
        expect(await api.search(col, img, { userMatchThreshold: -1 })).toMatchObject({
          __typename: 'InvalidInput',
          field: 'input.userMatchThreshold',
        });
        expect(await api.search(col, NOT_AN_IMAGE)).toMatchObject({ __typename: 'InvalidImage', code: 'INVALID_IMAGE' });
        expect(await api.search(`missing-${col}`, img)).toMatchObject({ __typename: 'CollectionNotFound', collectionId: `missing-${col}` });
      });
    });

    describe('no N+1', () => {
      it('pages users with faceCount and faces in one call per datasource method', async () => {
        const methods = [
          'getCollections',
          'listCollections',
          'listUsers',
          'getUsers',
          'listFaces',
          'getFaces',
          'countUserFaces',
          'listUserFaces',
        ];
        const count = () =>
          Promise.all(methods.map((method) => metricSum(url, 'facegate_provider_calls_total', { provider: provider.name, method })));
        const before = await count();
        const data = await api.data(
          `query($c: CollectionRef!) { collection(ref: $c) { userCount users(first: 100) { edges { node {
            userId status faceCount faces { edges { node { faceId externalImageId } } } collection { collectionId } } } } } }`,
          { c: api.ref(col) },
        );
        const after = await count();
        const calls = Object.fromEntries(methods.map((m, i) => [m, after[i] - before[i]]).filter(([, n]) => n !== 0));
        // faceCount is the number of faces the page already loaded: no countUserFaces call beside listUserFaces.
        expect(calls).toEqual({ getCollections: 1, listUsers: 1, listUserFaces: 1 });

        const users = data.collection.users.edges.map((e: any) => e.node);
        expect(users).toHaveLength(2 + fillers.length);
        const franck = users.find((u: any) => u.userId === 'franck');
        if (caps.has('ASSOCIATE_FACES')) {
          expect(franck.faceCount).toBe(3);
          expect(sorted(ids(franck.faces.edges, 'faceId'))).toEqual(sorted([f1, f2, f3]));
        }
        expect(users.find((u: any) => u.userId === 'filler-00')).toMatchObject({
          faceCount: 0,
          faces: { edges: [] },
          collection: { collectionId: col },
        });
      });
    });

    describe.skipIf(lacks('ASSOCIATE_FACES', 'DISASSOCIATE_FACES'))('disassociateFaces', () => {
      it('disassociates a face; the user stays ACTIVE while it has faces', async () => {
        expect(await api.disassociate(col, 'franck', [f3])).toEqual({
          __typename: 'DisassociateFacesSuccess',
          disassociatedFaces: [{ faceId: f3, user: null }],
          unsuccessfulFaceDisassociations: [],
          userStatus: WITH_FACES,
          user: { userId: 'franck', status: WITH_FACES, faceCount: 2 },
        });
        expect((await face(f3)).user).toBeNull();
      });

      it('ignores a face that is already disassociated', async () => {
        expect(await api.disassociate(col, 'franck', [f3])).toMatchObject({
          __typename: 'DisassociateFacesSuccess',
          disassociatedFaces: [],
          unsuccessfulFaceDisassociations: [],
          user: { faceCount: 2 },
        });
      });

      it('reports ASSOCIATED_TO_A_DIFFERENT_USER and FACE_NOT_FOUND per face', async () => {
        const missing = unknownFaceId();
        const res = await api.disassociate(col, 'franck', [a1, missing]);
        expect(res).toMatchObject({ __typename: 'DisassociateFacesSuccess', disassociatedFaces: [], user: { faceCount: 2 } });
        expect(res.unsuccessfulFaceDisassociations).toHaveLength(2);
        expect(res.unsuccessfulFaceDisassociations).toEqual(
          expect.arrayContaining([
            { faceId: a1, userId: 'audrey', reasons: ['ASSOCIATED_TO_A_DIFFERENT_USER'] },
            expect.objectContaining({ faceId: missing, reasons: ['FACE_NOT_FOUND'] }),
          ]),
        );
        expect((await face(a1)).user).toEqual({ userId: 'audrey' });
      });

      it('answers UserNotFound, CollectionNotFound and InvalidInput, changing nothing', async () => {
        const before = await api.state(col);
        expect(await api.disassociate(col, 'nobody', [f1])).toMatchObject({
          __typename: 'UserNotFound',
          code: 'USER_NOT_FOUND',
          userId: 'nobody',
        });
        expect(await api.disassociate(`missing-${col}`, 'franck', [f1])).toMatchObject({
          __typename: 'CollectionNotFound',
          collectionId: `missing-${col}`,
        });
        expect(await api.disassociate(col, 'franck', [])).toMatchObject({ __typename: 'InvalidInput', field: 'input.faceIds' });
        expect(await api.disassociate(col, 'franck', Array.from({ length: 101 }, unknownFaceId))).toMatchObject({
          __typename: 'InvalidInput',
          field: 'input.faceIds',
        });
        expect(await api.disassociate(col, 'franck', ['NOT-A-UUID'])).toMatchObject({
          __typename: 'InvalidInput',
          field: 'input.faceIds[0]',
        });
        expect(await api.disassociate(col, 'bad user!', [f1])).toMatchObject({ __typename: 'InvalidInput', field: 'input.userId' });
        expect(await api.disassociate(col, 'franck', [f1], { clientRequestToken: 'bad token' })).toMatchObject({
          __typename: 'InvalidInput',
          field: 'input.clientRequestToken',
        });
        expect(await api.state(col)).toEqual(before);
      });

      it('replays a clientRequestToken with the same input and answers IdempotencyConflict for other input', async () => {
        const t = token('dis');
        const first = await api.disassociate(col, 'franck', [f2], { clientRequestToken: t });
        expect(first).toMatchObject({
          __typename: 'DisassociateFacesSuccess',
          disassociatedFaces: [{ faceId: f2 }],
          userStatus: WITH_FACES,
          user: { faceCount: 1 },
        });
        expect(await api.disassociate(col, 'franck', [f2], { clientRequestToken: t })).toEqual(replayOf(first));
        const before = await api.state(col);
        expect(await api.disassociate(col, 'franck', [f1], { clientRequestToken: t })).toMatchObject({
          __typename: 'IdempotencyConflict',
          code: 'IDEMPOTENCY_CONFLICT',
          clientRequestToken: t,
        });
        expect(await api.state(col)).toEqual(before);
      });

      it('leaves the user CREATED once its last face goes', async () => {
        expect(await api.disassociate(col, 'franck', [f1])).toEqual({
          __typename: 'DisassociateFacesSuccess',
          disassociatedFaces: [{ faceId: f1, user: null }],
          unsuccessfulFaceDisassociations: [],
          userStatus: WITHOUT_FACES,
          user: { userId: 'franck', status: WITHOUT_FACES, faceCount: 0 },
        });
        // UPDATING is a passing state: the user settles at CREATED.
        await until(async () => (await userOf('franck')).status === 'CREATED', 'franck to settle at CREATED');
        expect(await userOf('franck')).toEqual({ userId: 'franck', status: 'CREATED', faceCount: 0, faces: { edges: [] } });
        if (caps.has('LIST_UNASSOCIATED_FACES')) await expectConsistentPaging(', unassociated: true', [f1, f2, f3]);
      });
    });

    describe.skipIf(lacks('ASSOCIATE_FACES', 'DISASSOCIATE_FACES', 'DELETE_FACES'))('deleteFaces', () => {
      it('deletes unassociated faces, refuses associated ones (ASSOCIATED_TO_AN_EXISTING_USER) and reports unknown ones (FACE_NOT_FOUND)', async () => {
        const f3Node = (await face(f3)).id as string;
        const missing = unknownFaceId();
        const res = await api.deleteFaces(col, [a1, missing, f3]);
        expect(res).toMatchObject({ __typename: 'DeleteFacesSuccess', deletedFaceIds: [f3] });
        expect(res.unsuccessfulFaceDeletions).toHaveLength(2);
        expect(res.unsuccessfulFaceDeletions).toEqual(
          expect.arrayContaining([
            { faceId: a1, userId: 'audrey', reasons: ['ASSOCIATED_TO_AN_EXISTING_USER'] },
            expect.objectContaining({ faceId: missing, reasons: ['FACE_NOT_FOUND'] }),
          ]),
        );
        expect(await face(f3)).toBeNull();
        expect((await api.data(`query($id: ID!) { node(id: $id) { id } }`, { id: f3Node })).node).toBeNull();
        expect((await face(a1)).user).toEqual({ userId: 'audrey' });
        expect(await listFaces('')).toEqual([f1, f2, a1]);
        expect((await api.collection(col)).faceCount).toBe(3);
      });

      it.skipIf(lacks('DELETE_USER'))('deleting a user disassociates its faces, which can then be deleted', async () => {
        expect(await api.deleteUser(col, 'audrey')).toEqual({ __typename: 'DeleteUserSuccess', userId: 'audrey' });
        expect(await face(a1)).toMatchObject({ faceId: a1, user: null });
        if (caps.has('LIST_UNASSOCIATED_FACES')) await expectConsistentPaging(', unassociated: true', [f1, f2, a1]);
        expect(await api.deleteFaces(col, [a1])).toEqual({
          __typename: 'DeleteFacesSuccess',
          deletedFaceIds: [a1],
          unsuccessfulFaceDeletions: [],
        });
        expect(await api.collection(col)).toMatchObject({ faceCount: 2, userCount: 1 + fillers.length });
      });

      it('answers InvalidInput and CollectionNotFound, changing nothing', async () => {
        const before = await api.state(col);
        expect(await api.deleteFaces(col, [])).toMatchObject({ __typename: 'InvalidInput', field: 'input.faceIds' });
        expect(await api.deleteFaces(col, ['NOT-A-UUID'])).toMatchObject({ __typename: 'InvalidInput', field: 'input.faceIds[0]' });
        expect(await api.deleteFaces(`missing-${col}`, [f1])).toMatchObject({
          __typename: 'CollectionNotFound',
          collectionId: `missing-${col}`,
        });
        expect(await api.state(col)).toEqual(before);
      });
    });
  });
});
