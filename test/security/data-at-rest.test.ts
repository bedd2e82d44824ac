/**
 * Biometric data at rest and in memory, on gateways of their own:
 *
 * - The data directory the gateway creates is 0700 and the SQLite database
 *   with its -wal and -shm are 0600, even under a umask of 000.
 * - A deleted photo's bytes leave the files: a photo carrying a unique
 *   marker (a JPEG comment) is indexed and snapshotted, then deleted
 *   (deleteFaces; deleteCollection with deleteSnapshots), and the marker is
 *   looked for in the bytes of the database, its WAL and shared memory, as
 *   the call answers and after the gateway stopped.
 * - The engine's detection cache is per collection and tenant and forgets
 *   the images of deleted faces: counted by the engine's inference metric,
 *   a repeat by the same tenant is served from the cache, the same photo
 *   from another tenant is inferred again (its timing tells it nothing),
 *   and after deleteFaces / deleteCollection the photo is inferred again.
 *
 * Every check is made while a legitimate client is served: the same photo
 * indexes and searches again afterwards.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { metricSum, removeDataDir, startGateway, type GatewayProcess } from '../support/gateway.js';
import { PHOTOS } from '../support/photos.js';
import { until } from '../support/wait.js';

const E = '__typename ... on Error { code message }';
const started: GatewayProcess[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const gw of started) await gw.stop();
  for (const dir of dirs) removeDataDir(dir);
});

async function post(gw: GatewayProcess, query: string, variables?: Record<string, unknown>, key?: string): Promise<any> {
  const res = await fetch(gw.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** `jpeg` with a COM segment holding `marker` right after SOI: a valid JPEG whose bytes carry the marker. */
function withMarker(jpeg: Buffer, marker: string): Buffer {
  const text = Buffer.from(marker, 'latin1');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(text.length + 2);
  return Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xfe]), length, text, jpeg.subarray(2)]);
}

const STORE_FILES = ['facegate.db', 'facegate.db-wal', 'facegate.db-shm'];

/** The store files (of those that exist) whose bytes contain `marker`. */
function filesHolding(dataDir: string, marker: string): string[] {
  const needle = Buffer.from(marker, 'latin1');
  return STORE_FILES.filter((f) => existsSync(path.join(dataDir, f)) && readFileSync(path.join(dataDir, f)).includes(needle));
}

const mode = (file: string) => statSync(file).mode & 0o777;

describe('store files', () => {
  it('creates the data directory 0700 and the database, WAL and shared memory 0600 under umask 000', async () => {
    const parent = mkdtempSync(path.join(tmpdir(), 'facegate-at-rest-'));
    dirs.push(parent);
    const dataDir = path.join(parent, 'nested', 'data');
    const previous = process.umask(0o000);
    let gw: GatewayProcess;
    try {
      gw = await startGateway({ dataDir });
    } finally {
      process.umask(previous);
    }
    started.push(gw);
    // A legitimate client writes and reads; the WAL exists from the first write.
    const c = { provider: 'local', collectionId: `modes-${randomUUID().slice(0, 8)}` };
    expect(
      (await post(gw, `mutation($c: CollectionRef!) { createCollection(input: { collection: $c }) { ${E} } }`, { c })).createCollection
        .__typename,
    ).toBe('CreateCollectionSuccess');
    expect((await post(gw, `query($c: CollectionRef!) { collection(ref: $c) { collectionId } }`, { c })).collection.collectionId).toBe(
      c.collectionId,
    );

    expect(mode(dataDir)).toBe(0o700);
    for (const f of STORE_FILES) expect([f, mode(path.join(dataDir, f))]).toEqual([f, 0o600]);
  });
});

describe('erasure on disk', () => {
  it('leaves no byte of a deleted photo, nor of its snapshots, in the database, WAL or shared memory', async () => {
    const gw = await startGateway();
    started.push(gw);
    dirs.push(gw.dataDir);
    const photo = readFileSync(PHOTOS.franck[0]);
    const markerA = `FACEGATE-ERASE-ME-${randomUUID()}`;
    const markerB = `FACEGATE-ERASE-ME-${randomUUID()}`;
    const c = { provider: 'local', collectionId: 'erasure' };
    await post(gw, `mutation($c: CollectionRef!) { createCollection(input: { collection: $c }) { ${E} } }`, { c });
    const index = async (bytes: Buffer) =>
      (
        await post(
          gw,
          `mutation($c: CollectionRef!, $img: String!) { indexFaces(input: { collection: $c, image: { base64: $img } }) {
          ${E} ... on IndexFacesSuccess { faces { faceId } } } }`,
          { c, img: bytes.toString('base64') },
        )
      ).indexFaces;

    // deleteFaces: the retained image goes with its last face, and its bytes with it.
    const a = await index(withMarker(photo, markerA));
    expect(a.__typename).toBe('IndexFacesSuccess');
    expect(filesHolding(gw.dataDir, markerA).length).toBeGreaterThan(0); // the scan finds what is there
    const deleted = await post(
      gw,
      `mutation($c: CollectionRef!, $f: [String!]!) { deleteFaces(input: { collection: $c, faceIds: $f }) { ${E} ... on DeleteFacesSuccess { deletedFaceIds } } }`,
      { c, f: a.faces.map((f: { faceId: string }) => f.faceId) },
    );
    expect(deleted.deleteFaces.deletedFaceIds).toHaveLength(a.faces.length);
    expect(filesHolding(gw.dataDir, markerA)).toEqual([]);

    // deleteCollection with deleteSnapshots: the collection's image and the snapshot's copy of it go.
    expect((await index(withMarker(photo, markerB))).__typename).toBe('IndexFacesSuccess');
    const take = await post(
      gw,
      `mutation($c: CollectionRef!) { takeSnapshot(input: { collection: $c }) { ${E} ... on TakeSnapshotAccepted { operation { id } } } }`,
      { c },
    );
    const opId = take.takeSnapshot.operation.id as string;
    const ended = await until(async () => {
      const { status } = (await post(gw, `query($id: ID!) { operation(id: $id) { status } }`, { id: opId })).operation;
      return status === 'SUCCEEDED' || status === 'FAILED' ? status : null;
    }, 'the take to end');
    expect(ended).toBe('SUCCEEDED');
    const gone = await post(
      gw,
      `mutation($c: CollectionRef!) { deleteCollection(input: { collection: $c, deleteSnapshots: true }) { ${E} } }`,
      { c },
    );
    expect(gone.deleteCollection.__typename).toBe('DeleteCollectionSuccess');
    expect(filesHolding(gw.dataDir, markerB)).toEqual([]);

    // The legitimate client is still served: the same photo indexes again in a new collection.
    const again = { provider: 'local', collectionId: 'erasure-again' };
    await post(gw, `mutation($c: CollectionRef!) { createCollection(input: { collection: $c }) { ${E} } }`, { c: again });
    const reindexed = await post(
      gw,
      `mutation($c: CollectionRef!, $img: String!) { indexFaces(input: { collection: $c, image: { base64: $img } }) { ${E} } }`,
      { c: again, img: photo.toString('base64') },
    );
    expect(reindexed.indexFaces.__typename).toBe('IndexFacesSuccess');

    // After a stop (a checkpoint, the WAL removed) the markers are still nowhere.
    expect(await gw.stop()).toBe(0);
    expect(filesHolding(gw.dataDir, markerA)).toEqual([]);
    expect(filesHolding(gw.dataDir, markerB)).toEqual([]);
  });
});

describe('detection cache', () => {
  const KEY_A = 'key-for-tenant-a-0123456789';
  const KEY_B = 'key-for-tenant-b-0123456789';
  const sha = (k: string) => createHash('sha256').update(k).digest('hex');

  it('serves a tenant its own repeats, never another tenant, and forgets the photos of deleted faces and collections', async () => {
    const gw = await startGateway({
      config: {
        auth: {
          apiKeys: [
            { tenant: 'a', sha256: sha(KEY_A) },
            { tenant: 'b', sha256: sha(KEY_B) },
          ],
        },
        tenants: {
          a: { providers: ['local'], collections: ['a-*', 'shared'] },
          b: { providers: ['local'], collections: ['b-*', 'shared'] },
        },
      },
    });
    started.push(gw);
    dirs.push(gw.dataDir);
    const img = readFileSync(PHOTOS.audrey[0]).toString('base64');
    const inferences = () => metricSum(gw.url, 'facegate_engine_inference_seconds_count', { outcome: 'ok' });
    const create = (key: string, collectionId: string) =>
      post(
        gw,
        `mutation($c: CollectionRef!) { createCollection(input: { collection: $c }) { ${E} } }`,
        { c: { provider: 'local', collectionId } },
        key,
      );
    const index = async (key: string, collectionId: string): Promise<string[]> => {
      const data = await post(
        gw,
        `mutation($c: CollectionRef!, $img: String!) { indexFaces(input: { collection: $c, image: { base64: $img } }) {
        ${E} ... on IndexFacesSuccess { faces { faceId } } } }`,
        { c: { provider: 'local', collectionId }, img },
        key,
      );
      expect(data.indexFaces.__typename).toBe('IndexFacesSuccess');
      return data.indexFaces.faces.map((f: { faceId: string }) => f.faceId);
    };
    const search = async (key: string, collectionId: string) => {
      const data = await post(
        gw,
        `query($c: CollectionRef!, $img: String!) { searchUsersByImage(input: { collection: $c, image: { base64: $img } }) { ${E} } }`,
        { c: { provider: 'local', collectionId }, img },
        key,
      );
      expect(data.searchUsersByImage.__typename).toBe('SearchUsersByImageSuccess');
    };
    for (const [key, id] of [
      [KEY_A, 'a-1'],
      [KEY_B, 'b-1'],
      [KEY_A, 'shared'],
    ] as const)
      await create(key, id);

    const faces = await index(KEY_A, 'a-1');
    expect(await inferences()).toBe(1);
    // The legitimate repeat: tenant a searching with the photo it just indexed pays no inference.
    await search(KEY_A, 'a-1');
    expect(await inferences()).toBe(1);
    // Tenant b with the same bytes is inferred anew, in its own collection and in one both are granted.
    await search(KEY_B, 'b-1');
    expect(await inferences()).toBe(2);
    await search(KEY_A, 'shared');
    expect(await inferences()).toBe(3);
    await search(KEY_B, 'shared');
    expect(await inferences()).toBe(4);

    // deleteFaces drops what was remembered of the photo in that collection.
    await post(
      gw,
      `mutation($c: CollectionRef!, $f: [String!]!) { deleteFaces(input: { collection: $c, faceIds: $f }) { ${E} } }`,
      { c: { provider: 'local', collectionId: 'a-1' }, f: faces },
      KEY_A,
    );
    await search(KEY_A, 'a-1');
    expect(await inferences()).toBe(5);
    await search(KEY_A, 'a-1');
    expect(await inferences()).toBe(5);

    // deleteCollection drops the collection's entries: re-created, the photo is inferred again.
    await post(
      gw,
      `mutation { deleteCollection(input: { collection: { provider: "local", collectionId: "a-1" } }) { ${E} } }`,
      undefined,
      KEY_A,
    );
    await create(KEY_A, 'a-1');
    await index(KEY_A, 'a-1');
    expect(await inferences()).toBe(6);
  });
});
