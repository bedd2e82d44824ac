/**
 * Biometric data does not linger, checked in the store itself (SQLite and
 * PostgreSQL), through a real gateway: deleteFaces / deleteCollection remove
 * descriptors and retained images; deleteUser removes the user and leaves
 * its faces unassociated (Rekognition semantics) unless asked to delete
 * them too (deleteFaces: true); a snapshot's copy of users, faces, descriptors and images
 * goes when the snapshot is deleted, and when it expires (its record stays,
 * so an apply answers SnapshotExpired). deleteCollection with deleteSnapshots
 * erases the collection's snapshots with it (also once the collection is gone).
 *
 * One photo is indexed per backend (~1 s of inference each).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_URL, admin, pgAvailable, schemaName } from '../postgres/support.js';
import { collectSubscription, gqlData, removeDataDir, startGateway, wsClient, type GatewayProcess } from '../support/gateway.js';
import { PHOTOS } from '../support/photos.js';
import { until } from '../support/wait.js';

const TTL_SECONDS = 10;
const TABLES = ['faces', 'images', 'users', 'snapshot_users', 'snapshot_faces', 'snapshot_images'] as const;
type Counts = Record<(typeof TABLES)[number], number>;

interface Backend {
  name: string;
  env: () => Record<string, string>;
  counts: (gw: GatewayProcess) => Promise<Counts>;
  cleanup: () => Promise<void>;
}

const pgSchema = schemaName('facegate_purge');

const BACKENDS: Backend[] = [
  {
    name: 'sqlite',
    env: () => ({}),
    counts: async (gw) => {
      const db = new Database(path.join(gw.dataDir, 'facegate.db'), { readonly: true });
      try {
        return Object.fromEntries(
          TABLES.map((t) => [t, (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n]),
        ) as Counts;
      } finally {
        db.close();
      }
    },
    cleanup: async () => undefined,
  },
  {
    name: 'postgres',
    env: () => ({ DATABASE_URL, FACEGATE_DB_SCHEMA: pgSchema }),
    counts: async () => {
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      try {
        const out: Partial<Counts> = {};
        for (const t of TABLES) out[t] = Number((await client.query(`SELECT count(*) AS n FROM "${pgSchema}".${t}`)).rows[0].n);
        return out as Counts;
      } finally {
        await client.end();
      }
    },
    cleanup: () => admin((c) => c.query(`DROP SCHEMA IF EXISTS "${pgSchema}" CASCADE`)).then(() => undefined),
  },
];

const E = '__typename ... on Error { code message }';
const c = (collectionId: string) => ({ provider: 'local', collectionId });

describe.each(BACKENDS)('$name store', (backend) => {
  let gw: GatewayProcess;
  const skip = backend.name === 'postgres' && !pgAvailable;

  beforeAll(async () => {
    if (skip) return;
    gw = await startGateway({ env: { ...backend.env(), FACEGATE_SNAPSHOT_TTL_SECONDS: String(TTL_SECONDS) } });
  });

  afterAll(async () => {
    await gw?.stop();
    if (gw) removeDataDir(gw.dataDir);
    if (!skip) await backend.cleanup();
  });

  async function take(collectionId: string): Promise<string> {
    const t = await gqlData(
      gw.url,
      `mutation($c: CollectionRef!) { takeSnapshot(input: { collection: $c }) { ${E} ... on TakeSnapshotAccepted { operation { id } } } }`,
      {
        c: c(collectionId),
      },
    );
    const client = wsClient(gw.wsUrl);
    try {
      const events = await collectSubscription<any>(
        client,
        `subscription($id: ID!) { snapshotProgress(operationId: $id) { status snapshot { id } } }`,
        {
          id: t.takeSnapshot.operation.id,
        },
      );
      expect(events.at(-1).snapshotProgress.status).toBe('SUCCEEDED');
      return events.at(-1).snapshotProgress.snapshot.id;
    } finally {
      await client.dispose();
    }
  }

  /** A user `userId` holding the one face of franck's first photo; its face id. */
  async function userWithFace(collectionId: string, userId: string): Promise<string> {
    await gqlData(gw.url, `mutation($c: CollectionRef!, $u: String!) { createUser(input: { collection: $c, userId: $u }) { ${E} } }`, {
      c: c(collectionId),
      u: userId,
    });
    const indexed = await gqlData(
      gw.url,
      `mutation($c: CollectionRef!, $img: String!) { indexFaces(input: { collection: $c, image: { base64: $img } }) {
      ${E} ... on IndexFacesSuccess { faces { faceId } } } }`,
      { c: c(collectionId), img: readFileSync(PHOTOS.franck[0]).toString('base64') },
    );
    const faceId = indexed.indexFaces.faces[0].faceId as string;
    await gqlData(
      gw.url,
      `mutation($c: CollectionRef!, $u: String!, $f: [String!]!) { associateFaces(input: { collection: $c, userId: $u, faceIds: $f }) { ${E} } }`,
      {
        c: c(collectionId),
        u: userId,
        f: [faceId],
      },
    );
    return faceId;
  }

  it.skipIf(skip)('deleteUser, deleteFaces, deleteCollection and snapshot deletion and expiry leave no biometric rows behind', async () => {
    const col = `purge-${backend.name}`;
    await gqlData(gw.url, `mutation($c: CollectionRef!) { createCollection(input: { collection: $c }) { ${E} } }`, { c: c(col) });
    const faceId = await userWithFace(col, 'ann');
    expect(await backend.counts(gw)).toMatchObject({ faces: 1, images: 1, users: 1 });

    // Two snapshots hold their own copies of the face, descriptor and image.
    const kept = await take(col);
    const deleted = await take(col);
    expect(await backend.counts(gw)).toMatchObject({ snapshot_users: 2, snapshot_faces: 2, snapshot_images: 2 });

    // deleteUser: the user goes; its face stays, unassociated (Rekognition semantics).
    await gqlData(gw.url, `mutation($c: CollectionRef!) { deleteUser(input: { collection: $c, userId: "ann" }) { ${E} } }`, { c: c(col) });
    const unassociated = await gqlData(
      gw.url,
      `query($c: CollectionRef!) { collection(ref: $c) { faces(first: 10) { edges { node { faceId user { userId } } } } } }`,
      {
        c: c(col),
      },
    );
    expect(unassociated.collection.faces.edges).toEqual([{ node: { faceId, user: null } }]);
    expect(await backend.counts(gw)).toMatchObject({ users: 0, faces: 1, images: 1 });

    // deleteFaces: the descriptor and the retained image go with the last face of the image.
    await gqlData(gw.url, `mutation($c: CollectionRef!, $f: [String!]!) { deleteFaces(input: { collection: $c, faceIds: $f }) { ${E} } }`, {
      c: c(col),
      f: [faceId],
    });
    expect(await backend.counts(gw)).toMatchObject({ faces: 0, images: 0 });

    // deleteUser with deleteFaces: the user, its face, descriptor and image all go.
    const bobFace = await userWithFace(col, 'bob');
    expect(await backend.counts(gw)).toMatchObject({ users: 1, faces: 1, images: 1 });
    const gone = await gqlData(
      gw.url,
      `mutation($c: CollectionRef!) { deleteUser(input: { collection: $c, userId: "bob", deleteFaces: true }) {
      ${E} ... on DeleteUserSuccess { userId deletedFaceIds } } }`,
      { c: c(col) },
    );
    expect(gone.deleteUser).toEqual({ __typename: 'DeleteUserSuccess', userId: 'bob', deletedFaceIds: [bobFace] });
    expect(await backend.counts(gw)).toMatchObject({ users: 0, faces: 0, images: 0 });

    // deleteCollection of a collection holding a face: nothing of it remains.
    await gqlData(
      gw.url,
      `mutation($c: CollectionRef!, $img: String!) { indexFaces(input: { collection: $c, image: { base64: $img } }) { ${E} } }`,
      {
        c: c(col),
        img: readFileSync(PHOTOS.franck[0]).toString('base64'),
      },
    );
    expect(await backend.counts(gw)).toMatchObject({ faces: 1, images: 1 });
    await gqlData(gw.url, `mutation($c: CollectionRef!) { deleteCollection(input: { collection: $c }) { ${E} } }`, { c: c(col) });
    expect(await backend.counts(gw)).toMatchObject({ faces: 0, images: 0, users: 0 });

    // The snapshots still hold their copies; deleting one removes its copy only.
    await gqlData(gw.url, `mutation($s: ID!) { deleteSnapshot(input: { snapshotId: $s }) { ${E} } }`, { s: deleted });
    expect(await backend.counts(gw)).toMatchObject({ snapshot_users: 1, snapshot_faces: 1, snapshot_images: 1 });

    // Expiry empties the other one; its record stays and an apply answers SnapshotExpired.
    const counts = await until(
      async () => {
        const now = await backend.counts(gw);
        return now.snapshot_faces + now.snapshot_images + now.snapshot_users === 0 ? now : null;
      },
      'the expired snapshot emptied',
      (TTL_SECONDS + 10) * 1000,
    );
    expect(counts).toMatchObject({ snapshot_users: 0, snapshot_faces: 0, snapshot_images: 0 });
    const apply = await gqlData(
      gw.url,
      `mutation($s: ID!, $t: CollectionRef!) { applySnapshot(input: { snapshotId: $s, target: $t }) { ${E} } }`,
      {
        s: kept,
        t: c(`${col}-copy`),
      },
    );
    expect(apply.applySnapshot).toMatchObject({ __typename: 'SnapshotExpired', code: 'SNAPSHOT_EXPIRED' });
    expect(gw.logs.some((l) => l.msg === 'expired snapshots emptied (users, faces, descriptors, images)')).toBe(true);
  });
  it.skipIf(skip)('deleteCollection with deleteSnapshots erases the collection’s snapshots, even once the collection is gone', async () => {
    const [a, b] = [`erase-a-${backend.name}`, `erase-b-${backend.name}`];
    const exists = async (snapshotId: string) =>
      (await gqlData(gw.url, `query($s: ID!) { snapshot(id: $s) { id } }`, { s: snapshotId })).snapshot !== null;
    const deleteCollection = async (col: string, deleteSnapshots?: boolean) =>
      (
        await gqlData(
          gw.url,
          `mutation($c: CollectionRef!, $d: Boolean!) { deleteCollection(input: { collection: $c, deleteSnapshots: $d }) { ${E} } }`,
          { c: c(col), d: deleteSnapshots ?? false },
        )
      ).deleteCollection.__typename;
    for (const col of [a, b]) {
      await gqlData(gw.url, `mutation($c: CollectionRef!) { createCollection(input: { collection: $c }) { ${E} } }`, { c: c(col) });
      await userWithFace(col, 'ann');
    }
    const [snapA, snapB] = [await take(a), await take(b)];

    // Without the flag the snapshot is the backup: it outlives its collection.
    expect(await deleteCollection(a)).toBe('DeleteCollectionSuccess');
    expect(await exists(snapA)).toBe(true);
    // The erasure of a collection already gone still erases its snapshots (and answers that the collection is gone).
    expect(await deleteCollection(a, true)).toBe('CollectionNotFound');
    expect(await exists(snapA)).toBe(false);
    expect(await exists(snapB)).toBe(true);

    // With the flag on a live collection: the collection and its snapshot go; an apply finds nothing.
    expect(await deleteCollection(b, true)).toBe('DeleteCollectionSuccess');
    expect(await exists(snapB)).toBe(false);
    expect(await backend.counts(gw)).toMatchObject({ faces: 0, images: 0, snapshot_users: 0, snapshot_faces: 0, snapshot_images: 0 });
    const apply = await gqlData(
      gw.url,
      `mutation($s: ID!, $t: CollectionRef!) { applySnapshot(input: { snapshotId: $s, target: $t }) { ${E} } }`,
      { s: snapB, t: c(`${b}-copy`) },
    );
    expect(apply.applySnapshot.__typename).toBe('SnapshotNotFound');
  });
});
