/**
 * Snapshots through the running gateway: take and apply of real faces with
 * live progress over graphql-ws, expiry, conflicts, deletion, and crashes.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { collectSubscription, gqlData, removeDataDir, startGateway, wsClient } from '../support/gateway.js';
import { collectionCounts, createCollection, createUsers, ERROR_FIELDS, ref, uniqueCollectionId } from '../support/fixtures.js';
import { PHOTOS } from '../support/photos.js';
import { until } from '../support/wait.js';
import { admin, DATABASE_URL, holdTable, pgAvailable, schemaName } from '../postgres/support.js';

const url = inject('gatewayUrl');
const wsUrl = inject('gatewayWsUrl');
const source = uniqueCollectionId('snap-src');
/** The store's id of an operation from its global id (base64url of ["Operation", id]). */
const localId = (globalId: string): string => String((JSON.parse(Buffer.from(globalId, 'base64url').toString()) as unknown[])[1]);
const b64 = (file: string) => readFileSync(file).toString('base64');

const PROGRESS = `subscription($id: ID!) { snapshotProgress(operationId: $id) {
  operationId kind status percent processedItems totalItems message at snapshot { id userCount faceCount } } }`;
const TAKE = `mutation($c: CollectionRef!, $scope: [String!], $data: String) {
  takeSnapshot(input: { collection: $c, applyScope: $scope, userData: $data }) {
    __typename ... on TakeSnapshotAccepted { operation { id kind status percent snapshot { id } } } ${ERROR_FIELDS} } }`;
const APPLY = `mutation($s: ID!, $t: CollectionRef!) { applySnapshot(input: { snapshotId: $s, target: $t }) {
  __typename ... on ApplySnapshotAccepted { operation { id kind status targetCollection { collectionId } } }
  ... on SnapshotExpired { snapshotId expiredAt } ... on CollectionAlreadyExists { collectionId } ${ERROR_FIELDS} } }`;
const DELETE = `mutation($s: ID!) { deleteSnapshot(input: { snapshotId: $s }) { __typename ... on DeleteSnapshotSuccess { snapshotId } ... on Error { code message } } }`;
const SEARCH = `query($c: CollectionRef!, $img: String!) { searchUsersByImage(input: { collection: $c, image: { base64: $img } }) {
  ... on SearchUsersByImageSuccess { userMatches { similarity user { userId } } } } }`;

type Progress = {
  snapshotProgress: {
    status: string;
    percent: number;
    processedItems: number;
    snapshot: { id: string; userCount: number; faceCount: number } | null;
    message: string | null;
  };
};

async function take(gatewayUrl: string, collectionId: string, extra: Record<string, unknown> = {}) {
  const data = await gqlData(gatewayUrl, TAKE, { c: ref(collectionId), ...extra });
  expect(data.takeSnapshot.__typename).toBe('TakeSnapshotAccepted');
  return data.takeSnapshot.operation as { id: string; status: string; snapshot: { id: string } };
}

async function follow(gatewayWsUrl: string, operationId: string, onEvent?: (p: Progress) => void): Promise<Progress[]> {
  const client = wsClient(gatewayWsUrl);
  try {
    return await collectSubscription<Progress>(client, PROGRESS, { id: operationId }, onEvent);
  } finally {
    await client.dispose();
  }
}

function expectOrdered(events: Progress[]): void {
  const rank = { NOT_STARTED: 0, RUNNING: 1, SUCCEEDED: 2, FAILED: 2 } as Record<string, number>;
  for (let i = 1; i < events.length; i++) {
    const [a, b] = [events[i - 1].snapshotProgress, events[i].snapshotProgress];
    expect(rank[b.status]).toBeGreaterThanOrEqual(rank[a.status]);
    if (a.status === b.status) expect(b.processedItems).toBeGreaterThanOrEqual(a.processedItems);
  }
  expect(['SUCCEEDED', 'FAILED']).toContain(events.at(-1)!.snapshotProgress.status);
}

beforeAll(async () => {
  await createCollection(url, source);
  await createUsers(url, source, ['franck', 'audrey', 'nobody-yet']);
  const index = async (file: string, ext: string) => {
    const d = await gqlData(
      url,
      `mutation($c: CollectionRef!, $img: String!, $ext: String) { indexFaces(input: { collection: $c, image: { base64: $img }, externalImageId: $ext, maxFaces: 1 }) {
      ... on IndexFacesSuccess { faces { faceId } } } }`,
      { c: ref(source), img: b64(file), ext },
    );
    return d.indexFaces.faces[0].faceId as string;
  };
  const f1 = await index(PHOTOS.franck[0], 'f1');
  const f2 = await index(PHOTOS.franck[1], 'f2');
  const a1 = await index(PHOTOS.audrey[0], 'a1');
  for (const [user, faces] of [
    ['franck', [f1, f2]],
    ['audrey', [a1]],
  ] as const) {
    const d = await gqlData(
      url,
      `mutation($c: CollectionRef!, $u: String!, $f: [String!]!) { associateFaces(input: { collection: $c, userId: $u, faceIds: $f }) { __typename } }`,
      {
        c: ref(source),
        u: user,
        f: faces,
      },
    );
    expect(d.associateFaces.__typename).toBe('AssociateFacesSuccess');
  }
});

describe('take and apply', () => {
  let snapshotId: string;

  it('takes a snapshot, streaming ordered progress that ends with SUCCEEDED', async () => {
    const op = await take(url, source, { scope: ['team-b'], data: 'nightly' });
    expect(op.status).toBe('NOT_STARTED');
    const events = await follow(wsUrl, op.id);
    expectOrdered(events);
    const last = events.at(-1)!.snapshotProgress;
    expect(last).toMatchObject({ status: 'SUCCEEDED', percent: 100, snapshot: { userCount: 3, faceCount: 3 } });
    snapshotId = last.snapshot!.id;

    const s = await gqlData(
      url,
      `query($id: ID!) { snapshot(id: $id) { id source { provider collectionId } applyScope userData userCount faceCount createdAt expiresAt }
      snapshots(first: 500) { edges { node { id } } } node(id: $id) { ... on Snapshot { faceCount } } }`,
      { id: snapshotId },
    );
    expect(s.snapshot).toMatchObject({ source: { provider: 'local', collectionId: source }, applyScope: ['team-b'], userData: 'nightly' });
    expect(new Date(s.snapshot.expiresAt).getTime() - new Date(s.snapshot.createdAt).getTime()).toBe(48 * 3600 * 1000);
    expect(s.snapshots.edges.map((e: any) => e.node.id)).toContain(snapshotId);
    expect(s.node.faceCount).toBe(3);
  });

  it('gives a late subscriber the current (terminal) state, then completes', async () => {
    const op = await take(url, source);
    await follow(wsUrl, op.id);
    const late = await follow(wsUrl, op.id);
    expect(late).toHaveLength(1);
    expect(late[0].snapshotProgress.status).toBe('SUCCEEDED');
  });

  it('applies to a new collection that answers searches like the source, seen by two subscribers alike', async () => {
    const target = uniqueCollectionId('snap-dst');
    const res = await gqlData(url, APPLY, { s: snapshotId, t: ref(target) });
    expect(res.applySnapshot.__typename).toBe('ApplySnapshotAccepted');
    const [a, b] = await Promise.all([follow(wsUrl, res.applySnapshot.operation.id), follow(wsUrl, res.applySnapshot.operation.id)]);
    expectOrdered(a);
    expectOrdered(b);
    expect(a.at(-1)!.snapshotProgress.status).toBe('SUCCEEDED');
    expect(b.at(-1)).toEqual(a.at(-1));

    expect(await collectionCounts(url, target)).toEqual({ userCount: 3, faceCount: 3 });
    const users = await gqlData(
      url,
      `query($c: CollectionRef!) { collection(ref: $c) { users(first: 10) { edges { node { userId status faceCount } } } } }`,
      { c: ref(target) },
    );
    expect(users.collection.users.edges.map((e: any) => e.node)).toEqual([
      { userId: 'franck', status: 'ACTIVE', faceCount: 2 },
      { userId: 'audrey', status: 'ACTIVE', faceCount: 1 },
      { userId: 'nobody-yet', status: 'CREATED', faceCount: 0 },
    ]);
    const img = b64(PHOTOS.franck[3]);
    const [fromSource, fromTarget] = await Promise.all([
      gqlData(url, SEARCH, { c: ref(source), img }),
      gqlData(url, SEARCH, { c: ref(target), img }),
    ]);
    expect(fromTarget.searchUsersByImage.userMatches).toEqual(fromSource.searchUsersByImage.userMatches);
    expect(fromTarget.searchUsersByImage.userMatches[0].user.userId).toBe('franck');

    const op = await gqlData(url, `query($id: ID!) { operation(id: $id) { status percent targetCollection { collectionId faceCount } } }`, {
      id: res.applySnapshot.operation.id,
    });
    expect(op.operation).toEqual({ status: 'SUCCEEDED', percent: 100, targetCollection: { collectionId: target, faceCount: 3 } });
  });

  it('refuses to apply onto an existing collection (CREATE_NEW)', async () => {
    const res = await gqlData(url, APPLY, { s: snapshotId, t: ref(source) });
    expect(res.applySnapshot).toMatchObject({ __typename: 'CollectionAlreadyExists', collectionId: source });
  });

  it('refuses unknown snapshots, collections and operations with typed errors', async () => {
    expect((await gqlData(url, APPLY, { s: 'bogus', t: ref('x-new') })).applySnapshot.__typename).toBe('SnapshotNotFound');
    expect((await gqlData(url, TAKE, { c: ref('does-not-exist') })).takeSnapshot.__typename).toBe('CollectionNotFound');
    expect((await gqlData(url, TAKE, { c: ref(source), scope: ['bad tenant!'] })).takeSnapshot).toMatchObject({
      __typename: 'InvalidInput',
      field: 'input.applyScope[0]',
    });
    await expect(follow(wsUrl, 'bogus-operation')).rejects.toThrow(/OPERATION_NOT_FOUND|does not exist/);
  });

  it('deletes a snapshot: it can no longer be read or applied', async () => {
    const op = await take(url, source);
    const events = await follow(wsUrl, op.id);
    const id = events.at(-1)!.snapshotProgress.snapshot!.id;
    expect((await gqlData(url, DELETE, { s: id })).deleteSnapshot).toEqual({ __typename: 'DeleteSnapshotSuccess', snapshotId: id });
    expect((await gqlData(url, DELETE, { s: id })).deleteSnapshot.__typename).toBe('SnapshotNotFound');
    expect((await gqlData(url, APPLY, { s: id, t: ref(uniqueCollectionId()) })).applySnapshot.__typename).toBe('SnapshotNotFound');
    expect((await gqlData(url, `query($id: ID!) { snapshot(id: $id) { id } }`, { id })).snapshot).toBeNull();
  });
});

/**
 * The order is forced, not hoped for: the apply waits at its first chunk for a lock the test holds on the
 * store's users table (PostgreSQL; reads and the snapshot's deletion go on), the snapshot is deleted, then
 * the lock is released. Each chunk checks the snapshot first, so the apply must end FAILED, its target gone.
 */
describe.skipIf(!pgAvailable)('an apply whose snapshot is deleted mid-way (own gateway on PostgreSQL)', () => {
  it('ends FAILED with no partial target', async () => {
    const schema = schemaName('facegate_snapdel');
    const gw = await startGateway({ env: { DATABASE_URL, FACEGATE_DB_SCHEMA: schema } });
    try {
      await createCollection(gw.url, 'big');
      for (let i = 0; i < 4; i++)
        await createUsers(
          gw.url,
          'big',
          Array.from({ length: 500 }, (_, j) => `u${i}-${j}`),
        );
      const id = (await follow(gw.wsUrl, (await take(gw.url, 'big')).id)).at(-1)!.snapshotProgress.snapshot!.id;
      const held = await holdTable(schema, 'users');
      let opId: string;
      try {
        opId = (await gqlData(gw.url, APPLY, { s: id, t: ref('big-copy') })).applySnapshot.operation.id;
        await until(() => held.waiting(), "the apply's first chunk to wait for the users table");
        expect((await gqlData(gw.url, DELETE, { s: id })).deleteSnapshot.__typename).toBe('DeleteSnapshotSuccess');
      } finally {
        await held.release();
      }
      const last = (await follow(gw.wsUrl, opId)).at(-1)!.snapshotProgress;
      expect(last.status).toBe('FAILED');
      expect(last.message).toMatch(/deleted/);
      expect(await collectionCounts(gw.url, 'big-copy')).toBeNull();
    } finally {
      await gw.stop();
      removeDataDir(gw.dataDir);
      await admin((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    }
  });
});

describe('expiry and crashes (own gateway)', () => {
  it('refuses to apply an expired snapshot with SnapshotExpired', async () => {
    const gw = await startGateway({ env: { FACEGATE_SNAPSHOT_TTL_SECONDS: '1' } });
    try {
      await createCollection(gw.url, 'exp');
      const op = await take(gw.url, 'exp');
      const id = (await follow(gw.wsUrl, op.id)).at(-1)!.snapshotProgress.snapshot!.id;
      // The gateway's clock is this machine's: once it has passed expiresAt (TTL 1 s), the snapshot is expired.
      const { snapshot } = await gqlData(gw.url, `query($s: ID!) { snapshot(id: $s) { expiresAt } }`, { s: id });
      const expiresAt = new Date(snapshot.expiresAt).getTime();
      await until(() => Date.now() > expiresAt, 'the clock past the snapshot’s expiresAt');
      const res = await gqlData(gw.url, APPLY, { s: id, t: ref('exp-copy') });
      expect(res.applySnapshot).toMatchObject({ __typename: 'SnapshotExpired', code: 'SNAPSHOT_EXPIRED', snapshotId: id });
      expect(new Date(res.applySnapshot.expiredAt).getTime()).toBeLessThanOrEqual(Date.now());
    } finally {
      await gw.stop();
      removeDataDir(gw.dataDir);
    }
  });
});

/**
 * The order is forced, not hoped for: the apply waits at its first chunk for a lock the test holds on the
 * store's users table (PostgreSQL, so the gateway's event loop runs on), with the next take queued behind
 * it; under the lock the store must say the apply is RUNNING and the take NOT_STARTED, and the gateway is
 * killed before the lock is let go.
 */
describe.skipIf(!pgAvailable)('kill -9 mid-apply (own gateway on PostgreSQL)', () => {
  it('a restarted gateway fails the apply (removing its target) and re-runs the queued take', async () => {
    const schema = schemaName('facegate_snapkill');
    const env = { DATABASE_URL, FACEGATE_DB_SCHEMA: schema };
    const gw = await startGateway({ env });
    let applyId: string;
    let takeId: string;
    try {
      await createCollection(gw.url, 'crash');
      for (let i = 0; i < 4; i++)
        await createUsers(
          gw.url,
          'crash',
          Array.from({ length: 500 }, (_, j) => `u${i}-${j}`),
        );
      const first = await take(gw.url, 'crash');
      const id = (await follow(gw.wsUrl, first.id)).at(-1)!.snapshotProgress.snapshot!.id;
      const held = await holdTable(schema, 'users');
      try {
        applyId = (await gqlData(gw.url, APPLY, { s: id, t: ref('crash-copy') })).applySnapshot.operation.id;
        takeId = (await take(gw.url, 'crash')).id; // queued behind the apply (one job at a time)
        await until(() => held.waiting(), "the apply's first chunk to wait for the users table");
        const statuses = await admin((c) =>
          c.query<{ id: string; status: string }>(`SELECT id, status FROM "${schema}".operations WHERE id = ANY($1)`, [
            [localId(applyId), localId(takeId)],
          ]),
        );
        const status = (opId: string) => statuses.rows.find((r) => r.id === localId(opId))?.status;
        expect([status(applyId), status(takeId)]).toEqual(['RUNNING', 'NOT_STARTED']);
        await gw.kill();
      } finally {
        await held.release();
      }
    } finally {
      await gw.kill();
    }
    const again = await startGateway({ env, dataDir: gw.dataDir });
    try {
      const apply = await follow(again.wsUrl, applyId);
      expectOrdered(apply);
      expect(apply.at(-1)!.snapshotProgress).toMatchObject({ status: 'FAILED', message: expect.stringMatching(/interrupted/) });
      expect(await collectionCounts(again.url, 'crash-copy')).toBeNull();
      const retaken = await follow(again.wsUrl, takeId);
      expectOrdered(retaken);
      expect(retaken.at(-1)!.snapshotProgress).toMatchObject({ status: 'SUCCEEDED', snapshot: { userCount: 2000 } });
    } finally {
      await again.stop();
      removeDataDir(gw.dataDir);
      await admin((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    }
  });
});
