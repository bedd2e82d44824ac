/**
 * Authentication and tenant isolation on a gateway of its own with two
 * tenants: tenant B tries every operation on tenant A's data and learns
 * nothing, changes nothing.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { collectSubscription, removeDataDir, startGateway, wsClient, type GatewayProcess } from '../support/gateway.js';
import { PHOTOS } from '../support/photos.js';

const KEY_A = 'key-for-tenant-a-0123456789';
const KEY_B = 'key-for-tenant-b-0123456789';
const sha = (k: string) => createHash('sha256').update(k).digest('hex');

let gw: GatewayProcess;

async function as(key: string | null, query: string, variables?: Record<string, unknown>) {
  const res = await fetch(gw.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as { data?: any; errors?: any[] } };
}

const A = (collectionId: string) => ({ provider: 'local', collectionId });
const E = '__typename ... on Error { code message }';
let aFace: string;
let aOperation: string;
let aSnapshot: string;
let aSnapshotShared: string;

beforeAll(async () => {
  gw = await startGateway({
    config: {
      auth: {
        apiKeys: [
          { tenant: 'a', sha256: sha(KEY_A) },
          { tenant: 'b', sha256: sha(KEY_B) },
        ],
      },
      tenants: { a: { providers: ['local'], collections: ['a-*'] }, b: { providers: ['local'], collections: ['b-*'] } },
      wsAuthTimeoutMs: 1500,
    },
  });
  const ok = async (q: string, v?: Record<string, unknown>) => {
    const r = await as(KEY_A, q, v);
    if (r.body.errors) throw new Error(JSON.stringify(r.body.errors));
    return r.body.data;
  };
  await ok(`mutation { createCollection(input: { collection: { provider: "local", collectionId: "a-1" } }) { ${E} } }`);
  await ok(`mutation { createUser(input: { collection: { provider: "local", collectionId: "a-1" }, userId: "alice" }) { ${E} } }`);
  const indexed = await ok(
    `mutation($img: String!) { indexFaces(input: { collection: { provider: "local", collectionId: "a-1" }, image: { base64: $img }, maxFaces: 1 }) {
    ... on IndexFacesSuccess { faces { faceId } } } }`,
    { img: readFileSync(PHOTOS.franck[0]).toString('base64') },
  );
  aFace = indexed.indexFaces.faces[0].faceId;
  await ok(
    `mutation($f: [String!]!) { associateFaces(input: { collection: { provider: "local", collectionId: "a-1" }, userId: "alice", faceIds: $f }) { ${E} } }`,
    { f: [aFace] },
  );
  const take = async (scope: string[]) => {
    const t = await ok(
      `mutation($s: [String!]) { takeSnapshot(input: { collection: { provider: "local", collectionId: "a-1" }, applyScope: $s }) {
      ... on TakeSnapshotAccepted { operation { id } } } }`,
      { s: scope },
    );
    const client = wsClient(gw.wsUrl, { apiKey: KEY_A });
    const events = await collectSubscription<any>(
      client,
      `subscription($id: ID!) { snapshotProgress(operationId: $id) { status snapshot { id } } }`,
      { id: t.takeSnapshot.operation.id },
    );
    await client.dispose();
    return { operation: t.takeSnapshot.operation.id as string, snapshot: events.at(-1).snapshotProgress.snapshot.id as string };
  };
  ({ operation: aOperation, snapshot: aSnapshot } = await take([]));
  aSnapshotShared = (await take(['b'])).snapshot;
});

afterAll(async () => {
  await gw.stop();
  removeDataDir(gw.dataDir);
});

describe('authentication', () => {
  it('refuses HTTP requests without or with a wrong key (401)', async () => {
    expect((await as(null, '{ providers { name } }')).status).toBe(401);
    const wrong = await as('not-a-key', '{ providers { name } }');
    expect(wrong.status).toBe(401);
    expect(wrong.body.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    expect((await as(KEY_B, '{ providers { name } }')).body.data.providers).toEqual([{ name: 'local' }]);
  });

  it('closes a WebSocket whose connectionParams carry a wrong key with 4401', async () => {
    const socket = new WebSocket(gw.wsUrl, 'graphql-transport-ws');
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { apiKey: 'wrong' } }));
    expect(await new Promise((resolve) => socket.once('close', (code) => resolve(code)))).toBe(4401);
  });

  it('closes a WebSocket without credentials whose operations authenticate none within wsAuthTimeoutMs (4401), keeps one that did', async () => {
    const connect = async () => {
      const socket = new WebSocket(gw.wsUrl, 'graphql-transport-ws');
      await new Promise((resolve) => socket.once('open', resolve));
      socket.send(JSON.stringify({ type: 'connection_init' }));
      await new Promise((resolve) => socket.once('message', resolve)); // connection_ack
      return socket;
    };
    /** Runs an authenticated operation on `socket`: 'answered', or the close code if the socket is closed first. */
    const roundTrip = (socket: WebSocket, id: string) =>
      new Promise<string>((resolve) => {
        if (socket.readyState !== WebSocket.OPEN) return resolve(`closed before the operation (state ${socket.readyState})`);
        const onMessage = (raw: WebSocket.RawData) => {
          if ((JSON.parse(String(raw)) as { id?: string }).id !== id) return;
          socket.off('close', onClose);
          socket.off('message', onMessage);
          resolve('answered');
        };
        const onClose = (code: number) => resolve(`closed ${code}`);
        socket.on('message', onMessage);
        socket.once('close', onClose);
        socket.send(
          JSON.stringify({
            type: 'subscribe',
            id,
            payload: { query: '{ providers { name } }', extensions: { headers: { 'x-api-key': KEY_A } } },
          }),
        );
      });
    // The working socket connects first, so its deadline falls before the idle one's: once the idle
    // socket is closed, the working socket's deadline has passed on the server too.
    const working = await connect();
    expect(await roundTrip(working, '1')).toBe('answered');
    const idle = await connect();
    const closed = new Promise((resolve) => idle.once('close', (code) => resolve(code)));
    expect(await closed).toBe(4401);
    // Answered on the same connection after its deadline: had the deadline closed it, the close would come first.
    expect(await roundTrip(working, '2')).toBe('answered');
    expect(working.readyState).toBe(WebSocket.OPEN);
    working.close();
  });

  it('on a WebSocket without credentials (as GraphiQL connects), runs only operations whose extensions.headers carry a valid key', async () => {
    const client = wsClient(gw.wsUrl);
    const PROGRESS = `subscription($id: ID!) { snapshotProgress(operationId: $id) { status } }`;
    const run = (extensions?: Record<string, unknown>) =>
      new Promise<{ events: any[]; errors: unknown }>((resolve) => {
        const events: any[] = [];
        client.subscribe(
          { query: PROGRESS, variables: { id: aOperation }, extensions },
          {
            next: (r) => events.push(r),
            error: (errors) => resolve({ events, errors }),
            complete: () => resolve({ events, errors: null }),
          },
        );
      });
    try {
      for (const extensions of [undefined, { headers: {} }, { headers: { 'x-api-key': 'wrong' } }]) {
        const refused = await run(extensions);
        expect(refused.events).toEqual([]);
        expect(refused.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) })]);
      }
      const ownKey = await run({ headers: { 'X-Api-Key': KEY_A } });
      expect(ownKey.errors).toBeNull();
      expect(ownKey.events.at(-1)).toEqual({ data: { snapshotProgress: { status: 'SUCCEEDED' } } });
      // Authenticated per operation, and so checked per tenant: b cannot follow a's operation.
      const otherTenant = await run({ headers: { authorization: `ApiKey ${KEY_B}` } });
      expect(JSON.stringify(otherTenant)).not.toContain('SUCCEEDED');
    } finally {
      await client.dispose();
    }
  });
});

describe("tenant b against tenant a's data", () => {
  it('cannot read collections, users, faces or nodes', async () => {
    const r = await as(KEY_B, `query($c: CollectionRef!) { collection(ref: $c) { collectionId } }`, { c: A('a-1') });
    expect(r.body.errors?.[0].extensions).toMatchObject({ code: 'INVALID_INPUT', field: 'ref.collectionId' });
    const list = await as(KEY_B, '{ provider(name: "local") { collections(first: 100) { edges { node { collectionId } } } } }');
    expect(list.body.data.provider.collections.edges).toEqual([]);
    const aId = (
      await as(KEY_A, `query($c: CollectionRef!) { collection(ref: $c) { id users(first: 1) { edges { node { id } } } } }`, { c: A('a-1') })
    ).body.data.collection;
    for (const id of [aId.id, aId.users.edges[0].node.id]) {
      expect((await as(KEY_B, `query($id: ID!) { node(id: $id) { id } }`, { id })).body.data.node).toBeNull();
    }
  });

  it('cannot mutate: every mutation on a-1 is refused and nothing changes', async () => {
    const c = A('a-1');
    const attempts: [string, Record<string, unknown>][] = [
      [`mutation($c: CollectionRef!) { r: deleteCollection(input: { collection: $c }) { ${E} } }`, { c }],
      [`mutation($c: CollectionRef!) { r: createUser(input: { collection: $c, userId: "mallory" }) { ${E} } }`, { c }],
      [`mutation($c: CollectionRef!) { r: deleteUser(input: { collection: $c, userId: "alice" }) { ${E} } }`, { c }],
      [
        `mutation($c: CollectionRef!, $f: [String!]!) { r: deleteFaces(input: { collection: $c, faceIds: $f }) { ${E} } }`,
        { c, f: [aFace] },
      ],
      [
        `mutation($c: CollectionRef!, $f: [String!]!) { r: associateFaces(input: { collection: $c, userId: "alice", faceIds: $f }) { ${E} } }`,
        { c, f: [aFace] },
      ],
      [
        `mutation($c: CollectionRef!, $f: [String!]!) { r: disassociateFaces(input: { collection: $c, userId: "alice", faceIds: $f }) { ${E} } }`,
        { c, f: [aFace] },
      ],
      [`mutation($c: CollectionRef!) { r: indexFaces(input: { collection: $c, image: { base64: "AAAA" } }) { ${E} } }`, { c }],
      [`mutation($c: CollectionRef!) { r: takeSnapshot(input: { collection: $c }) { ${E} } }`, { c }],
      [`query($c: CollectionRef!) { r: searchUsersByImage(input: { collection: $c, image: { base64: "AAAA" } }) { ${E} } }`, { c }],
    ];
    for (const [query, variables] of attempts) {
      const r = await as(KEY_B, query, variables);
      expect(r.body.data.r, query).toMatchObject({ __typename: 'InvalidInput', code: 'INVALID_INPUT' });
    }
    const still = await as(
      KEY_A,
      `query($c: CollectionRef!) { collection(ref: $c) { userCount faceCount user(userId: "alice") { faceCount } } }`,
      { c },
    );
    expect(still.body.data.collection).toEqual({ userCount: 1, faceCount: 1, user: { faceCount: 1 } });
  });

  it('cannot verify, search or identify against a-1: answered as for a collection that does not exist', async () => {
    const img = readFileSync(PHOTOS.franck[1]).toString('base64');
    const ops = (c: { provider: string; collectionId: string }): [string, Record<string, unknown>][] => [
      [
        `query($c: CollectionRef!, $i: String!) { r: verifyUser(input: { collection: $c, userId: "alice", image: { base64: $i } }) { ${E} ... on InvalidInput { field } } }`,
        { c, i: img },
      ],
      [
        `query($c: CollectionRef!, $f: String!) { r: searchFaces(input: { collection: $c, faceId: $f }) { ${E} ... on InvalidInput { field } } }`,
        { c, f: aFace },
      ],
      [
        `query($c: CollectionRef!, $i: String!) { r: searchFacesByImage(input: { collection: $c, image: { base64: $i } }) { ${E} ... on InvalidInput { field } } }`,
        { c, i: img },
      ],
      [
        `query($c: CollectionRef!) { r: searchUsers(input: { collection: $c, userId: "alice" }) { ${E} ... on InvalidInput { field } } }`,
        { c },
      ],
      [
        `query($c: CollectionRef!, $f: String!) { r: searchUsers(input: { collection: $c, faceId: $f }) { ${E} ... on InvalidInput { field } } }`,
        { c, f: aFace },
      ],
      [
        `query($c: CollectionRef!, $i: String!) { r: identifyFaces(input: { collection: $c, image: { base64: $i } }) { ${E} ... on InvalidInput { field } } }`,
        { c, i: img },
      ],
    ];
    const existing = ops(A('a-1'));
    const missing = ops(A('a-never'));
    for (const [i, [query, variables]] of existing.entries()) {
      const r = (await as(KEY_B, query, variables)).body.data.r;
      expect(r, query).toMatchObject({ __typename: 'InvalidInput', code: 'INVALID_INPUT', field: 'input.collection.collectionId' });
      // The same answer as for a collection that does not exist: nothing tells b that a-1 does.
      expect((await as(KEY_B, ...missing[i])).body.data.r).toEqual({ ...r, message: r.message.replace('"a-1"', '"a-never"') });
    }
  });

  it("cannot see, apply, delete or follow a's snapshots and operations unless a shared one", async () => {
    expect(
      (await as(KEY_B, `query($id: ID!) { snapshot(id: $id) { id } operation(id: $id) { id } }`, { id: aSnapshot })).body.data,
    ).toEqual({ snapshot: null, operation: null });
    expect((await as(KEY_B, `query($id: ID!) { operation(id: $id) { id } }`, { id: aOperation })).body.data.operation).toBeNull();
    const apply = `mutation($s: ID!) { applySnapshot(input: { snapshotId: $s, target: { provider: "local", collectionId: "b-copy" } }) { ${E} } }`;
    expect((await as(KEY_B, apply, { s: aSnapshot })).body.data.applySnapshot.__typename).toBe('SnapshotNotFound');
    const del = `mutation($s: ID!) { deleteSnapshot(input: { snapshotId: $s }) { ${E} } }`;
    expect((await as(KEY_B, del, { s: aSnapshot })).body.data.deleteSnapshot.__typename).toBe('SnapshotNotFound');
    expect((await as(KEY_B, del, { s: aSnapshotShared })).body.data.deleteSnapshot.__typename).toBe('Forbidden');
    const client = wsClient(gw.wsUrl, { apiKey: KEY_B });
    await expect(
      collectSubscription(client, `subscription($id: ID!) { snapshotProgress(operationId: $id) { status } }`, { id: aOperation }),
    ).rejects.toThrow(/does not exist/);
    await client.dispose();
    const listed = await as(KEY_B, '{ snapshots(first: 50) { edges { node { id } } } }');
    expect(listed.body.data.snapshots.edges.map((e: any) => e.node.id)).toEqual([aSnapshotShared]);

    // A snapshot whose applyScope names b: b may apply it into its own collections only.
    expect((await as(KEY_B, apply, { s: aSnapshotShared })).body.data.applySnapshot.__typename).toBe('ApplySnapshotAccepted');
    const intoA = `mutation($s: ID!) { applySnapshot(input: { snapshotId: $s, target: { provider: "local", collectionId: "a-2" } }) { ${E} } }`;
    expect((await as(KEY_B, intoA, { s: aSnapshotShared })).body.data.applySnapshot.__typename).toBe('InvalidInput');
  });
});
