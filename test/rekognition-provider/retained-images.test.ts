/**
 * `retainImages` on the Rekognition adapter, with a real SQLite gateway
 * store: off by default (nothing kept, no snapshot capabilities, a take
 * refused); on, the image of each indexed face is kept, erased with its
 * last face and with its collection (overwritten in the database file, not
 * just unlinked: the store's secure_delete), and a take refuses a face
 * whose image the gateway never had (indexed outside facegate).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IndexFacesCommand } from '@aws-sdk/client-rekognition';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { fakePng, startFakeRekognition, type FakeRekognition } from '../fakes/rekognition/server.js';
import { openSqliteStore, tempDir } from '../local-provider/support.js';
import { expectDomainError, providerFor, rawClient, uniqueId, type Provider } from './support.js';

let fake: FakeRekognition;
let store: Store;
const tmp = tempDir('rekognition-images');
const opened: Provider[] = [];

beforeAll(async () => {
  fake = await startFakeRekognition();
  store = (await openSqliteStore(tmp.dir)) as Store;
});
afterAll(async () => {
  for (const p of opened) await p.close();
  await store.close();
  await fake.stop();
  tmp.remove();
});

const provider = (retainImages: boolean): Provider => {
  const p = providerFor(fake, { name: retainImages ? 'aws-retain' : 'aws-plain', store, retainImages });
  opened.push(p);
  return p;
};
/** An image with a distinctive marker in its bytes (the label's tEXt chunk), to look for in the database file. */
const marked = (marker: string, identities: string[]) =>
  fakePng({
    label: marker,
    faces: identities.map((identity, i) => ({ identity, box: { left: 0.05 + i * 0.5, top: 0.25, width: 0.4, height: 0.4 } })),
  });
const imagesOf = async (name: string, collectionId: string, bytes: Uint8Array) => {
  const { createHash } = await import('node:crypto');
  return store.getProviderImage({ provider: name, collectionId }, createHash('sha256').update(bytes).digest('hex'));
};
/** Whether the marker's bytes are anywhere in the database file or its WAL. */
const inDatabaseFiles = (marker: string) =>
  ['facegate.db', 'facegate.db-wal'].some((f) => {
    try {
      return readFileSync(join(tmp.dir, f)).includes(Buffer.from(marker));
    } catch {
      return false;
    }
  });

describe('retainImages', () => {
  it('off (the default): keeps nothing, lists no snapshot capability, and a take answers UnsupportedOperation', async () => {
    const plain = provider(false);
    expect(plain.capabilities.has('TAKE_SNAPSHOT')).toBe(false);
    expect(plain.capabilities.has('APPLY_SNAPSHOT')).toBe(false);
    const id = uniqueId();
    await plain.createCollection(id);
    const image = marked(`plain-${id}`, ['alice']);
    expect((await plain.indexFaces({ collectionId: id, image })).faces).toHaveLength(1);
    expect(await imagesOf('aws-plain', id, image)).toBeNull();
    await expectDomainError(
      plain.exportToSnapshot(id, 'no-such-snapshot', () => {}),
      'UNSUPPORTED_OPERATION',
      { provider: 'aws-plain', operation: 'TAKE_SNAPSHOT' },
    );
  });

  it('on: an image is kept while a face uses it, and erased (overwritten) with its last face and with its collection', async () => {
    const retain = provider(true);
    expect(retain.capabilities.has('TAKE_SNAPSHOT')).toBe(true);
    expect(retain.capabilities.has('APPLY_SNAPSHOT')).toBe(true);
    const id = uniqueId();
    await retain.createCollection(id);
    const marker = `two-faces-${id}`;
    const image = marked(marker, ['alice', 'bob']);
    const faces = (await retain.indexFaces({ collectionId: id, image })).faces.map((f) => f.faceId);
    expect(faces).toHaveLength(2);
    expect(await imagesOf('aws-retain', id, image)).toEqual(new Uint8Array(image));
    await retain.deleteFaces(id, [faces[0]]);
    expect(await imagesOf('aws-retain', id, image)).not.toBeNull();
    await retain.deleteFaces(id, [faces[1]]);
    expect(await imagesOf('aws-retain', id, image)).toBeNull();
    expect(inDatabaseFiles(marker)).toBe(false);

    const other = marked(`collection-${id}`, ['carol']);
    await retain.indexFaces({ collectionId: id, image: other });
    expect(await imagesOf('aws-retain', id, other)).not.toBeNull();
    expect(inDatabaseFiles(`collection-${id}`)).toBe(true);
    await retain.deleteCollection(id);
    expect(await imagesOf('aws-retain', id, other)).toBeNull();
    expect(inDatabaseFiles(`collection-${id}`)).toBe(false);
  });

  it('a take refuses a face indexed outside facegate (no retained image), naming it', async () => {
    const retain = provider(true);
    const id = uniqueId();
    await retain.createCollection(id);
    await retain.indexFaces({ collectionId: id, image: marked(`ours-${id}`, ['alice']) });
    const raw = rawClient(fake);
    const out = await raw.send(new IndexFacesCommand({ CollectionId: id, Image: { Bytes: marked(`theirs-${id}`, ['bob']) } }));
    raw.destroy();
    const theirs = out.FaceRecords![0].Face!.FaceId!;
    const err = await expectDomainError(
      retain.exportToSnapshot(id, 'unused', () => {}),
      'UNSUPPORTED_OPERATION',
      {
        operation: 'TAKE_SNAPSHOT',
      },
    );
    expect(err.message).toContain(theirs);
  });
});

describe('a snapshot taken from and applied to AWS (provider level)', () => {
  it('re-indexes each image once, keeps the face at the snapshot box, deletes the other faces AWS found there, and associates', async () => {
    const retain = provider(true);
    const source = uniqueId();
    await retain.createCollection(source);
    await retain.createUser({ collectionId: source, userId: 'alice' });
    // Two faces in the image, alice's the larger: only hers is indexed (maxFaces 1).
    const image = fakePng({
      label: `pair-${source}`,
      faces: [
        { identity: 'alice', box: { left: 0.05, top: 0.2, width: 0.5, height: 0.5 } },
        { identity: 'bob', box: { left: 0.65, top: 0.3, width: 0.3, height: 0.3 } },
      ],
    });
    const [face] = (await retain.indexFaces({ collectionId: source, image, maxFaces: 1, externalImageId: 'pair' })).faces;
    await retain.associateFaces({ collectionId: source, userId: 'alice', faceIds: [face.faceId], userMatchThreshold: 75 });

    const snapshotId = randomUUID();
    const now = new Date();
    await store.transaction(async (tx) => {
      await tx.insertSnapshot({
        id: snapshotId,
        owner: 't',
        source: { provider: 'aws-retain', collectionId: source },
        applyScope: [],
        userData: null,
        state: 'TAKING',
        userCount: 0,
        faceCount: 0,
        createdAt: now,
        lastUpdatedAt: now,
        expiresAt: new Date(now.getTime() + 3_600_000),
      });
    });
    expect(await retain.exportToSnapshot(source, snapshotId, () => {})).toEqual({ userCount: 1, faceCount: 1 });
    await store.transaction((tx) => tx.updateSnapshot(snapshotId, { state: 'READY', userCount: 1, faceCount: 1, lastUpdatedAt: now }));

    const target = uniqueId();
    fake.clearCalls();
    const progress: number[] = [];
    expect(await retain.importFromSnapshot(snapshotId, target, async (p) => void progress.push(p.processed))).toEqual({
      userCount: 1,
      faceCount: 1,
    });
    expect(progress).toEqual([1, 2]);
    expect(fake.callsTo('IndexFaces')).toHaveLength(1);
    expect(fake.callsTo('IndexFaces')[0].params).toMatchObject({ MaxFaces: 100, QualityFilter: 'NONE', ExternalImageId: 'pair' });
    expect(fake.callsTo('DeleteFaces')).toHaveLength(1);
    const faces = (await retain.listFaces(target, {}, { limit: 10 })).items;
    expect(faces).toHaveLength(1);
    expect(faces[0]).toMatchObject({ userId: 'alice', externalImageId: 'pair' });
    expect(faces[0].faceId).not.toBe(face.faceId);
    expect(faces[0].boundingBox!.left).toBeCloseTo(0.05);
    // The new collection's face has its image retained too (so it can be snapshotted again).
    expect(await imagesOf('aws-retain', target, image)).not.toBeNull();
  });
});
