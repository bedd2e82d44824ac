/**
 * LocalProvider's face operations (detect, compare, verify, search faces,
 * search users, identify) and IndexFaces' quality filter and face details,
 * on a fake engine whose faces carry chosen landmarks, pose, quality and
 * attributes, so the mapping and the rules are checked without inference
 * (the accuracy on real photos is test/conformance's and
 * test/local-provider/real-photos.test.ts's).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalProvider as LocalProviderType } from '../../src/datasources/local/local-provider.js';
import type { DetectedFace, EngineAttribute } from '../../src/engine/types.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { FakeEngine, LocalProvider, face, openSqliteStore, similarity, descriptor, tempDir } from './support.js';

/** A fake engine with age, gender and expression networks. */
class AttributeEngine extends FakeEngine {
  readonly attributes: ReadonlySet<EngineAttribute> = new Set(['age', 'gender', 'expressions']);
}

const tmp = tempDir('face-ops');
let store: SqliteStore;
const engine = new AttributeEngine();
let local: LocalProviderType;

/** A face with everything the engine can measure: sharp, well lit, frontal, unless told otherwise. */
function measured(
  person: number,
  opts: Parameters<typeof face>[1] & { brightness?: number; sharpness?: number; yaw?: number } = {},
): DetectedFace {
  return {
    ...face(person, opts),
    landmarks: [
      { x: 0.3, y: 0.3 },
      { x: 0.5, y: 0.3 },
      { x: 0.4, y: 0.4 },
      { x: 0.32, y: 0.5 },
      { x: 0.48, y: 0.5 },
    ],
    pose: { roll: 1.04, yaw: opts.yaw ?? -2, pitch: 3 },
    quality: { brightness: opts.brightness ?? 60, sharpness: opts.sharpness ?? 70 },
    attributes: {
      age: 31.4,
      gender: { value: 'female', probability: 0.93 },
      expressions: { neutral: 0.1, happy: 0.05, sad: 0.01, angry: 0.02, fearful: 0.7, disgusted: 0.02, surprised: 0.1 },
    },
  };
}

beforeAll(async () => {
  store = await openSqliteStore(tmp.dir);
  local = new LocalProvider({ name: 'local', store, engine });
});
afterAll(async () => {
  await local.close();
  await store.close();
  tmp.remove();
});

describe('capabilities', () => {
  it('advertises the seven operations and exactly the attributes its engine fills', () => {
    for (const op of [
      'DETECT_FACES',
      'COMPARE_FACES',
      'VERIFY_USER',
      'SEARCH_FACES',
      'SEARCH_FACES_BY_IMAGE',
      'SEARCH_USERS',
      'IDENTIFY_FACES',
    ]) {
      expect(local.capabilities.has(op as never)).toBe(true);
    }
    expect([...local.capabilities].filter((c) => c.startsWith('FACE_ATTRIBUTE_')).sort()).toEqual([
      'FACE_ATTRIBUTE_AGE_RANGE',
      'FACE_ATTRIBUTE_EMOTIONS',
      'FACE_ATTRIBUTE_GENDER',
    ]);
  });
});

describe('detectFaces', () => {
  it('maps landmarks, pose, quality and the attributes asked for; nothing else', async () => {
    const image = engine.image('detect-1', [measured(1, { px: 200 }), face(2, { px: 60, slot: 2 })]);
    const { faces } = await local.detectFaces({ image, attributes: new Set(['AGE_RANGE', 'GENDER', 'EMOTIONS']) });
    expect(faces).toHaveLength(2);
    const [big, small] = faces;
    expect(big.landmarks?.map((l) => l.type)).toEqual(['EYE_LEFT', 'EYE_RIGHT', 'NOSE', 'MOUTH_LEFT', 'MOUTH_RIGHT']);
    expect(big.landmarks?.[2]).toEqual({ type: 'NOSE', x: 0.4, y: 0.4 });
    expect(big.pose).toEqual({ roll: 1, yaw: -2, pitch: 3 });
    expect(big.quality).toEqual({ brightness: 60, sharpness: 70, forRecognition: 'HIGH' });
    expect(big.ageRange).toEqual({ low: 26, high: 37 });
    expect(big.gender).toEqual({ value: 'FEMALE', confidence: 93 });
    expect(big.emotions?.map((e) => e.type)).toEqual(['FEAR', 'CALM', 'SURPRISED', 'HAPPY', 'ANGRY', 'DISGUSTED', 'SAD']);
    expect(big.emotions?.[0]).toEqual({ type: 'FEAR', confidence: 70 });
    expect(big.smile ?? null).toBeNull();
    // The engine gave no attributes for the second face: null, not guessed (its DEFAULT set is always measured).
    expect(small).toMatchObject({ ageRange: null, gender: null, emotions: null });
    expect(small.landmarks).toHaveLength(5);
  });

  it('leaves attributes out when not asked for, and answers [] for an image without a face', async () => {
    const [only] = (await local.detectFaces({ image: engine.image('detect-2', [measured(1)]), attributes: new Set() })).faces;
    expect(only.ageRange).toBeUndefined();
    expect(only.emotions).toBeUndefined();
    expect((await local.detectFaces({ image: engine.image('detect-none', []), attributes: new Set() })).faces).toEqual([]);
  });

  it('grades forRecognition by its lowest measure', async () => {
    const image = engine.image('detect-3', [
      measured(1, { slot: 1, brightness: 5 }),
      measured(2, { slot: 2, sharpness: 20 }),
      measured(3, { slot: 3, yaw: 70 }),
    ]);
    const grades = (await local.detectFaces({ image, attributes: new Set() })).faces.map((f) => f.quality?.forRecognition);
    expect(grades).toEqual(['LOW', 'MEDIUM', 'LOW']);
  });
});

describe('compareFaces', () => {
  it('matches the same person at or above the threshold, highest first, and leaves the others unmatched', async () => {
    const sourceImage = engine.image('cmp-src', [face(5, { px: 150 }), face(6, { px: 90, slot: 2 })]);
    const targetImage = engine.image('cmp-tgt', [
      face(6, { slot: 1 }),
      face(5, { variant: 4, slot: 2 }),
      face(5, { variant: 1, slot: 3, px: 100 }),
    ]);
    const out = await local.compareFaces({ sourceImage, targetImage, similarityThreshold: 80, qualityFilter: 'NONE' });
    expect(out.sourceFace.boundingBox.width).toBeCloseTo(0.15);
    expect(out.faceMatches.map((m) => m.similarity)).toEqual(
      [similarity(descriptor(5), descriptor(5, 1)), similarity(descriptor(5), descriptor(5, 4))].sort((a, b) => b - a),
    );
    expect(out.unmatchedFaces).toHaveLength(1);
  });

  it('answers NO_FACE_DETECTED for a source without a face, and no matches for a target without one', async () => {
    const none = engine.image('cmp-none', []);
    const one = engine.image('cmp-one', [face(5)]);
    await expect(
      local.compareFaces({ sourceImage: none, targetImage: one, similarityThreshold: 80, qualityFilter: 'NONE' }),
    ).rejects.toMatchObject({
      code: 'NO_FACE_DETECTED',
    });
    expect(await local.compareFaces({ sourceImage: one, targetImage: none, similarityThreshold: 80, qualityFilter: 'NONE' })).toMatchObject(
      {
        faceMatches: [],
        unmatchedFaces: [],
      },
    );
  });

  it('leaves target faces below the quality filter out of both lists', async () => {
    const sourceImage = engine.image('cmp-q-src', [measured(7)]);
    const targetImage = engine.image('cmp-q-tgt', [measured(7, { slot: 1 }), measured(8, { slot: 2, sharpness: 2 })]);
    const out = await local.compareFaces({ sourceImage, targetImage, similarityThreshold: 80, qualityFilter: 'MEDIUM' });
    expect(out.faceMatches).toHaveLength(1);
    expect(out.unmatchedFaces).toEqual([]);
  });
});

describe('on an enrolled collection', () => {
  const faceIds: Record<string, string> = {};
  beforeAll(async () => {
    await local.createCollection('ops');
    // Users a (person 10, two faces), b (person 11), c (person 10 again, a near twin of a), an unassociated face of 12.
    const index = async (key: string, person: number, variant = 0) => {
      const { faces } = await local.indexFaces({ collectionId: 'ops', image: engine.image(`ops-${key}`, [face(person, { variant })]) });
      faceIds[key] = faces[0].faceId;
    };
    await index('a1', 10);
    await index('a2', 10, 2);
    await index('b1', 11);
    await index('c1', 10, 4);
    await index('loose', 12);
    for (const [user, keys] of [
      ['a', ['a1', 'a2']],
      ['b', ['b1']],
      ['c', ['c1']],
      ['empty', []],
    ] as const) {
      await local.createUser({ collectionId: 'ops', userId: user });
      if (keys.length)
        await local.associateFaces({ collectionId: 'ops', userId: user, faceIds: keys.map((k) => faceIds[k]), userMatchThreshold: 0 });
    }
  });

  it('verifyUser: the best similarity to the user, isMatch by threshold; 0 for a user without faces; USER_NOT_FOUND', async () => {
    const image = engine.image('verify-1', [face(10, { variant: 1 })]);
    const out = await local.verifyUser({ collectionId: 'ops', userId: 'a', image, userMatchThreshold: 80 });
    expect(out).toMatchObject({ isMatch: true, user: { userId: 'a' } });
    expect(out.similarity).toBe(similarity(descriptor(10, 1), descriptor(10)));
    expect(await local.verifyUser({ collectionId: 'ops', userId: 'b', image, userMatchThreshold: 80 })).toMatchObject({ isMatch: false });
    expect(await local.verifyUser({ collectionId: 'ops', userId: 'empty', image, userMatchThreshold: 0 })).toMatchObject({
      isMatch: false,
      similarity: 0,
    });
    await expect(local.verifyUser({ collectionId: 'ops', userId: 'nobody', image, userMatchThreshold: 80 })).rejects.toMatchObject({
      code: 'USER_NOT_FOUND',
    });
    await expect(
      local.verifyUser({ collectionId: 'ops', userId: 'a', image: engine.image('verify-none', []), userMatchThreshold: 80 }),
    ).rejects.toMatchObject({
      code: 'NO_FACE_DETECTED',
    });
  });

  it('searchFaces: every face like the searched one but itself, associated or not, highest first', async () => {
    const out = await local.searchFaces({ collectionId: 'ops', faceId: faceIds.a1, maxFaces: 10, faceMatchThreshold: 80 });
    expect(out.searchedFaceId).toBe(faceIds.a1);
    expect(out.faceMatches.map((m) => m.face.faceId)).toEqual([faceIds.a2, faceIds.c1]);
    expect(
      (await local.searchFaces({ collectionId: 'ops', faceId: faceIds.a1, maxFaces: 1, faceMatchThreshold: 0 })).faceMatches,
    ).toHaveLength(1);
    await expect(
      local.searchFaces({ collectionId: 'ops', faceId: '00000000-0000-4000-8000-000000000000', maxFaces: 10, faceMatchThreshold: 80 }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { field: 'input.faceId' } });
    await expect(
      local.searchFaces({ collectionId: 'missing', faceId: faceIds.a1, maxFaces: 10, faceMatchThreshold: 80 }),
    ).rejects.toMatchObject({
      code: 'COLLECTION_NOT_FOUND',
    });
  });

  it('searchFacesByImage: the largest face against every face, unassociated ones included', async () => {
    const out = await local.searchFacesByImage({
      collectionId: 'ops',
      image: engine.image('sfbi-1', [face(12, { variant: 1, px: 200 }), face(10, { slot: 3 })]),
      maxFaces: 10,
      faceMatchThreshold: 80,
      qualityFilter: 'NONE',
    });
    expect(out.faceMatches.map((m) => m.face.faceId)).toEqual([faceIds.loose]);
    expect(out.searchedFace.boundingBox.width).toBeCloseTo(0.2);
  });

  it('searchUsers: by user, the other users like it; by face, the users like the face (its own user included)', async () => {
    const byUser = await local.searchUsers({ collectionId: 'ops', userId: 'a', maxUsers: 10, userMatchThreshold: 80 });
    expect(byUser).toMatchObject({ searchedUserId: 'a', searchedFaceId: null });
    expect(byUser.userMatches.map((m) => m.user.userId)).toEqual(['c']);
    const byFace = await local.searchUsers({ collectionId: 'ops', faceId: faceIds.a2, maxUsers: 10, userMatchThreshold: 80 });
    expect(byFace).toMatchObject({ searchedUserId: null, searchedFaceId: faceIds.a2 });
    expect(byFace.userMatches.map((m) => m.user.userId)).toEqual(['a', 'c']);
    await expect(local.searchUsers({ collectionId: 'ops', userId: 'nobody', maxUsers: 10, userMatchThreshold: 80 })).rejects.toMatchObject({
      code: 'USER_NOT_FOUND',
    });
  });

  it('identifyFaces: each face largest first with its users; small, filtered and surplus faces unsearched', async () => {
    const image = engine.image('identify-1', [
      measured(11, { px: 300, slot: 1 }),
      measured(10, { px: 250, slot: 2, variant: 1 }),
      measured(13, { px: 200, slot: 3 }),
      measured(10, { px: 180, slot: 4, sharpness: 1 }),
      face(11, { px: 20, slot: 5 }),
    ]);
    const out = await local.identifyFaces({
      collectionId: 'ops',
      image,
      maxFaces: 2,
      maxUsersPerFace: 2,
      userMatchThreshold: 80,
      qualityFilter: 'LOW',
    });
    expect(out.faces.map((f) => f.userMatches.map((m) => m.user.userId))).toEqual([['b'], ['a', 'c']]);
    expect(out.unsearchedFaces.map((f) => f.boundingBox.width)).toEqual([0.2, 0.18, 0.02]);
    const all = await local.identifyFaces({
      collectionId: 'ops',
      image,
      maxFaces: 10,
      maxUsersPerFace: 1,
      userMatchThreshold: 80,
      qualityFilter: 'MEDIUM',
    });
    expect(all.faces.map((f) => f.userMatches.map((m) => m.user.userId))).toEqual([['b'], ['a'], []]);
    expect(all.unsearchedFaces).toHaveLength(2);
    expect(
      (
        await local.identifyFaces({
          collectionId: 'ops',
          image: engine.image('identify-none', []),
          maxFaces: 10,
          maxUsersPerFace: 1,
          userMatchThreshold: 80,
          qualityFilter: 'NONE',
        })
      ).faces,
    ).toEqual([]);
  });

  it('searchUsersByImage: the other faces are unsearched; a largest face below the filter is not searched', async () => {
    const image = engine.image('subi-1', [measured(11, { px: 300, sharpness: 5 }), measured(10, { px: 100, slot: 2 })]);
    const none = await local.searchUsersByImage({
      collectionId: 'ops',
      image,
      maxUsers: 10,
      userMatchThreshold: 80,
      qualityFilter: 'MEDIUM',
    });
    expect(none).toMatchObject({ searchedFace: null, userMatches: [] });
    expect(none.unsearchedFaces).toHaveLength(2);
    const some = await local.searchUsersByImage({ collectionId: 'ops', image, maxUsers: 10, userMatchThreshold: 80 });
    expect(some.userMatches.map((m) => m.user.userId)).toEqual(['b']);
    expect(some.unsearchedFaces.map((f) => f.boundingBox.width)).toEqual([0.1]);
  });
});

describe('indexFaces', () => {
  beforeAll(async () => {
    await local.createCollection('quality');
  });

  it('refuses faces below the filter with the measures that failed (AUTO by default) and details the indexed ones', async () => {
    const image = engine.image('q-1', [
      measured(20, { px: 300, slot: 1 }),
      measured(21, { px: 250, slot: 2, brightness: 3 }),
      measured(22, { px: 200, slot: 3, sharpness: 2, yaw: 80 }),
      measured(23, { px: 150, slot: 4, sharpness: 30 }),
    ]);
    const out = await local.indexFaces({ collectionId: 'quality', image, detectionAttributes: new Set(['EMOTIONS']) });
    expect(out.faces).toHaveLength(2);
    expect(out.faceDetails).toHaveLength(2);
    expect(out.faceDetails[0]).toMatchObject({ quality: { forRecognition: 'HIGH' }, emotions: expect.any(Array) });
    expect(out.faceDetails[1].quality?.forRecognition).toBe('MEDIUM');
    expect(out.unindexedFaces.map((u) => u.reasons)).toEqual([['LOW_BRIGHTNESS'], ['EXTREME_POSE', 'LOW_SHARPNESS']]);
    const high = await local.indexFaces({
      collectionId: 'quality',
      image: engine.image('q-2', [measured(23, { sharpness: 30 })]),
      qualityFilter: 'HIGH',
    });
    expect(high.unindexedFaces).toEqual([{ boundingBox: expect.any(Object), reasons: ['LOW_SHARPNESS'] }]);
    const none = await local.indexFaces({
      collectionId: 'quality',
      image: engine.image('q-3', [measured(24, { brightness: 1 })]),
      qualityFilter: 'NONE',
    });
    expect(none.faces).toHaveLength(1);
  });
});
