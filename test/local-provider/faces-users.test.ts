/**
 * LocalProvider: indexFaces, deleteFaces, associate/disassociate,
 * searchUsersByImage and atomicity, with a fake engine whose descriptors
 * are chosen so similarities are known (see support.ts).
 */
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalProvider as LocalProviderType } from '../../src/datasources/local/local-provider.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { EngineError, FakeEngine, LocalProvider, descriptor, face, openSqliteStore, similarity, tempDir } from './support.js';

const tmp = tempDir('faces');
let store: SqliteStore;
const engine = new FakeEngine();
let local: LocalProviderType;

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

beforeAll(async () => {
  store = await openSqliteStore(tmp.dir);
  local = new LocalProvider({ name: 'local', store, engine });
});
afterAll(async () => {
  await local.close();
  await store.close();
  tmp.remove();
});

/** Indexes one image of `person` (variant) and returns the face id. */
async function indexOne(collectionId: string, person: number, variant = 0, name = `${collectionId}-${person}-${variant}`) {
  const { faces } = await local.indexFaces({ collectionId, image: engine.image(name, [face(person, { variant })]) });
  expect(faces).toHaveLength(1);
  return faces[0].faceId;
}

/** Every domain row, to prove a failed call wrote nothing. */
function snapshot(): Record<string, unknown[]> {
  const db = new Database(store.file, { readonly: true });
  try {
    const out: Record<string, unknown[]> = {};
    for (const table of ['collections', 'users', 'faces', 'images']) {
      out[table] = db.prepare(`SELECT * FROM ${table} ORDER BY 1`).all();
    }
    return out;
  } finally {
    db.close();
  }
}

describe('indexFaces', () => {
  beforeAll(async () => {
    await local.createCollection('idx');
  });

  it('indexes unassociated faces largest first with random v4 ids', async () => {
    const image = engine.image('group.jpg', [face(1, { px: 80, slot: 1 }), face(2, { px: 200, slot: 2 }), face(3, { px: 120, slot: 3 })]);
    const out = await local.indexFaces({ collectionId: 'idx', image, externalImageId: 'group' });
    expect(out.faceModelVersion).toBe('fake-1.0');
    expect(out.unindexedFaces).toEqual([]);
    expect(out.faces.map((f) => f.boundingBox?.width)).toEqual([0.2, 0.12, 0.08]);
    for (const f of out.faces) {
      expect(f.faceId).toMatch(UUID_V4);
      expect(f).toMatchObject({ collectionId: 'idx', userId: null, externalImageId: 'group', confidence: 99.5 });
      expect(f.indexedAt).toBeInstanceOf(Date);
    }
    expect(new Set(out.faces.map((f) => f.faceId)).size).toBe(3);
    expect((await local.getCollections(['idx']))[0]?.faceCount).toBe(3);
  });

  it('caps at maxFaces (EXCEEDS_MAX_FACES), refuses faces under 40×40 px (SMALL_BOUNDING_BOX) and, under AUTO, faces too small to recognise (LOW_FACE_QUALITY)', async () => {
    const image = engine.image('crowd.jpg', [
      face(10, { px: 300, slot: 0 }),
      face(11, { px: 39, slot: 1 }),
      face(12, { px: 150, slot: 2 }),
      face(13, { px: 40, slot: 3 }),
    ]);
    const out = await local.indexFaces({ collectionId: 'idx', image, maxFaces: 1 });
    expect(out.faces.map((f) => f.boundingBox?.width)).toEqual([0.3]);
    expect(out.unindexedFaces).toEqual([
      { boundingBox: expect.objectContaining({ width: 0.15 }), reasons: ['EXCEEDS_MAX_FACES'] },
      // The quality bar removes it before MaxFaces keeps the largest of the rest (Rekognition IndexFaces: QualityFilter, MaxFaces).
      { boundingBox: expect.objectContaining({ width: 0.04 }), reasons: ['LOW_FACE_QUALITY'] },
      { boundingBox: expect.objectContaining({ width: 0.039 }), reasons: ['SMALL_BOUNDING_BOX'] },
    ]);
  });

  it('returns empty faces for an image without faces (not an error) and stores nothing', async () => {
    const before = snapshot();
    const out = await local.indexFaces({ collectionId: 'idx', image: engine.image('empty.jpg', []) });
    expect(out).toEqual({ faces: [], faceDetails: [], unindexedFaces: [], faceModelVersion: 'fake-1.0' });
    expect(snapshot()).toEqual(before);
  });

  it('does not save duplicate faces for the same image + externalImageId', async () => {
    const image = engine.image('dup.jpg', [face(20, { px: 200, slot: 0 }), face(21, { px: 100, slot: 1 })]);
    const first = await local.indexFaces({ collectionId: 'idx', image, externalImageId: 'dup', maxFaces: 1 });
    const again = await local.indexFaces({ collectionId: 'idx', image, externalImageId: 'dup', maxFaces: 1 });
    expect(again.faces).toEqual(first.faces);
    // A higher maxFaces adds only the face not indexed before.
    const more = await local.indexFaces({ collectionId: 'idx', image, externalImageId: 'dup' });
    expect(more.faces[0]).toEqual(first.faces[0]);
    expect(more.faces).toHaveLength(2);
    expect((await local.listFaces('idx', {}, { limit: 100 })).items.filter((f) => f.externalImageId === 'dup')).toHaveLength(2);
    // Another externalImageId is another indexing.
    const other = await local.indexFaces({ collectionId: 'idx', image, externalImageId: 'dup-2' });
    expect(other.faces.map((f) => f.faceId)).not.toContain(first.faces[0].faceId);
  });

  it('retains the source image while faces reference it, deletes it with the last face', async () => {
    await local.createCollection('retain');
    const bytes = engine.image('retained.jpg', [face(30, { slot: 0 }), face(31, { slot: 5 })]);
    const { faces } = await local.indexFaces({ collectionId: 'retain', image: bytes });
    const sha = createHash('sha256').update(bytes).digest('hex');
    expect(await store.getImage(sha)).toEqual(new Uint8Array(bytes));
    await local.deleteFaces('retain', [faces[0].faceId]);
    expect(await store.getImage(sha)).not.toBeNull();
    await local.deleteFaces('retain', [faces[1].faceId]);
    expect(await store.getImage(sha)).toBeNull();
  });

  it('maps engine errors to domain errors that name the provider', async () => {
    const image = engine.image('bad.jpg', []);
    engine.failWith = new EngineError('INVALID_IMAGE', 'expected JPEG or PNG bytes, got 3 bytes of text');
    await expect(local.indexFaces({ collectionId: 'idx', image })).rejects.toMatchObject({
      code: 'INVALID_IMAGE',
      details: { field: 'image', provider: 'local' },
      message: expect.stringContaining('expected JPEG or PNG bytes, got 3 bytes of text'),
    });
    engine.failWith = new EngineError('QUEUE_FULL', 'expected ≤ 64 queued images, got 64', 250);
    await expect(local.searchUsersByImage({ collectionId: 'idx', image, userMatchThreshold: 80, maxUsers: 5 })).rejects.toMatchObject({
      code: 'THROTTLED',
      details: { retryAfterMs: 250, provider: 'local' },
    });
    engine.failWith = new EngineError('UNAVAILABLE', 'engine closed');
    await expect(local.indexFaces({ collectionId: 'idx', image })).rejects.toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
      details: { provider: 'local' },
    });
    engine.failWith = null;
  });
});

describe('deleteFaces', () => {
  it('deletes unassociated faces; FACE_NOT_FOUND and ASSOCIATED_TO_AN_EXISTING_USER otherwise', async () => {
    await local.createCollection('del');
    const free = await indexOne('del', 1);
    const owned = await indexOne('del', 2);
    await local.createUser({ collectionId: 'del', userId: 'owner' });
    await local.associateFaces({ collectionId: 'del', userId: 'owner', faceIds: [owned], userMatchThreshold: 75 });
    const missing = '00000000-0000-4000-8000-000000000000';
    const out = await local.deleteFaces('del', [free, owned, missing]);
    expect(out).toEqual({
      deletedFaceIds: [free],
      unsuccessfulFaceDeletions: [
        { faceId: owned, userId: 'owner', reasons: ['ASSOCIATED_TO_AN_EXISTING_USER'] },
        { faceId: missing, userId: null, reasons: ['FACE_NOT_FOUND'] },
      ],
    });
    expect(await local.getFaces('del', [free, owned])).toEqual([null, expect.objectContaining({ faceId: owned })]);
    expect((await local.getCollections(['del']))[0]?.faceCount).toBe(1);
  });
});

describe('associateFaces / disassociateFaces', () => {
  let f: Record<string, string>;

  beforeAll(async () => {
    await local.createCollection('assoc');
    await local.createUser({ collectionId: 'assoc', userId: 'ann' });
    await local.createUser({ collectionId: 'assoc', userId: 'ben' });
    f = {
      ann0: await indexOne('assoc', 40, 0),
      ann1: await indexOne('assoc', 40, 1),
      ann5: await indexOne('assoc', 40, 5), // ≈ 86 to ann0: passes 75
      ann6: await indexOne('assoc', 40, 6), // ≈ 45 to ann0: fails 75
      ben0: await indexOne('assoc', 41, 0),
      ben1: await indexOne('assoc', 41, 1),
    };
  });

  it('USER_NOT_FOUND for an unknown user', async () => {
    await expect(
      local.associateFaces({ collectionId: 'assoc', userId: 'nobody', faceIds: [f.ann0], userMatchThreshold: 75 }),
    ).rejects.toMatchObject({ code: 'USER_NOT_FOUND', details: { userId: 'nobody' } });
    await expect(local.disassociateFaces({ collectionId: 'assoc', userId: 'nobody', faceIds: [f.ann0] })).rejects.toMatchObject({
      code: 'USER_NOT_FOUND',
    });
  });

  it('first faces skip the match check; status goes CREATED → ACTIVE', async () => {
    expect((await local.getUsers('assoc', ['ann']))[0]?.status).toBe('CREATED');
    const out = await local.associateFaces({
      collectionId: 'assoc',
      userId: 'ann',
      faceIds: [f.ann0, f.ben0],
      userMatchThreshold: 75,
    });
    // With no faces yet there is nothing to match against: both go in.
    expect(out).toEqual({ associatedFaceIds: [f.ann0, f.ben0], unsuccessfulFaceAssociations: [], userStatus: 'ACTIVE' });
    await local.disassociateFaces({ collectionId: 'assoc', userId: 'ann', faceIds: [f.ben0] });
  });

  it('checks new faces against the user’s faces: LOW_MATCH_CONFIDENCE with the best similarity', async () => {
    const missing = '00000000-0000-4000-8000-00000000beef';
    await local.associateFaces({ collectionId: 'assoc', userId: 'ben', faceIds: [f.ben0], userMatchThreshold: 75 });
    const out = await local.associateFaces({
      collectionId: 'assoc',
      userId: 'ann',
      faceIds: [f.ann0, f.ann1, f.ann5, f.ann6, f.ben0, missing, f.ben1],
      userMatchThreshold: 75,
    });
    expect(out.associatedFaceIds).toEqual([f.ann1, f.ann5]);
    expect(out.userStatus).toBe('ACTIVE');
    const byFace = Object.fromEntries(out.unsuccessfulFaceAssociations.map((u) => [u.faceId, u]));
    expect(byFace[f.ann0]).toBeUndefined(); // already ann's: silently ignored
    expect(byFace[f.ann6]).toMatchObject({ reasons: ['LOW_MATCH_CONFIDENCE'], userId: null });
    expect(byFace[f.ann6].confidence).toBeCloseTo(similarity(descriptor(40, 6), descriptor(40, 0)), 6);
    expect(byFace[f.ben0]).toEqual({ faceId: f.ben0, userId: 'ben', confidence: null, reasons: ['ASSOCIATED_TO_A_DIFFERENT_USER'] });
    expect(byFace[missing]).toEqual({ faceId: missing, userId: null, confidence: null, reasons: ['FACE_NOT_FOUND'] });
    expect(byFace[f.ben1]).toMatchObject({ reasons: ['LOW_MATCH_CONFIDENCE'] });
    expect(byFace[f.ben1].confidence).toBeLessThan(1);
    // Matched against every face ann has now, ann6 is Δ1 from ann5 (≈ 100).
    const low = await local.associateFaces({ collectionId: 'assoc', userId: 'ann', faceIds: [f.ann6], userMatchThreshold: 90 });
    expect(low.associatedFaceIds).toEqual([f.ann6]);
    expect(await local.countUserFaces('assoc', ['ann', 'ben', 'ghost'])).toEqual([4, 1, 0]);
    const listed = await local.listUserFaces('assoc', ['ann', 'ghost']);
    expect(listed[0].map((x) => x.faceId)).toEqual([f.ann0, f.ann1, f.ann5, f.ann6]);
    expect(listed[1]).toEqual([]);
    expect((await local.listFaces('assoc', { userId: 'ann' }, { limit: 10 })).items).toHaveLength(4);
    expect((await local.listFaces('assoc', { unassociated: true }, { limit: 10 })).items.map((x) => x.faceId)).toEqual([f.ben1]);
  });

  it('disassociates: ignores unassociated faces, reports other users’ and unknown faces; status back to CREATED', async () => {
    const missing = '00000000-0000-4000-8000-00000000cafe';
    const out = await local.disassociateFaces({
      collectionId: 'assoc',
      userId: 'ann',
      faceIds: [f.ann0, f.ben1, f.ben0, missing],
    });
    expect(out).toEqual({
      disassociatedFaceIds: [f.ann0],
      unsuccessfulFaceDisassociations: [
        { faceId: f.ben0, userId: 'ben', reasons: ['ASSOCIATED_TO_A_DIFFERENT_USER'] },
        { faceId: missing, userId: null, reasons: ['FACE_NOT_FOUND'] },
      ],
      userStatus: 'ACTIVE',
    });
    const rest = await local.disassociateFaces({ collectionId: 'assoc', userId: 'ann', faceIds: [f.ann1, f.ann5, f.ann6] });
    expect(rest.userStatus).toBe('CREATED');
    expect((await local.getUsers('assoc', ['ann']))[0]?.status).toBe('CREATED');
  });

  it('deleteUser disassociates the user’s faces first (they survive, unassociated)', async () => {
    await local.deleteUser({ collectionId: 'assoc', userId: 'ben' });
    expect((await local.getFaces('assoc', [f.ben0]))[0]).toMatchObject({ faceId: f.ben0, userId: null });
  });

  it('replays associateFaces by token (same outcome even after state changed) and detects conflicts', async () => {
    await local.createUser({ collectionId: 'assoc', userId: 'cy' });
    const input = { collectionId: 'assoc', userId: 'cy', faceIds: [f.ben0], userMatchThreshold: 75, clientRequestToken: 'assoc-1' };
    const first = await local.associateFaces(input);
    expect(first.associatedFaceIds).toEqual([f.ben0]);
    await local.disassociateFaces({ collectionId: 'assoc', userId: 'cy', faceIds: [f.ben0] });
    expect(await local.associateFaces(input)).toEqual(first);
    expect((await local.getFaces('assoc', [f.ben0]))[0]?.userId).toBeNull(); // replayed, not re-run
    await expect(local.associateFaces({ ...input, userMatchThreshold: 80 })).rejects.toMatchObject({
      code: 'IDEMPOTENCY_CONFLICT',
      details: { clientRequestToken: 'assoc-1' },
    });
    await expect(local.associateFaces({ ...input, faceIds: [f.ben1] })).rejects.toMatchObject({ code: 'IDEMPOTENCY_CONFLICT' });

    const dis = { collectionId: 'assoc', userId: 'cy', faceIds: [f.ben1], clientRequestToken: 'dis-1' };
    const d1 = await local.disassociateFaces(dis);
    expect(await local.disassociateFaces(dis)).toEqual(d1);
    await expect(local.disassociateFaces({ ...dis, userId: 'ann' })).rejects.toMatchObject({ code: 'IDEMPOTENCY_CONFLICT' });
  });
});

describe('100 faces per user', () => {
  it('fails the whole call with QUOTA_EXCEEDED when it would pass 100, writing nothing', async () => {
    await local.createCollection('quota');
    await local.createUser({ collectionId: 'quota', userId: 'many' });
    const faces = Array.from({ length: 102 }, (_, i) => face(50, { variant: (i % 3) * 0.1, slot: i, px: 60 }));
    const image = engine.image('quota.jpg', faces);
    const { faces: indexed } = await local.indexFaces({ collectionId: 'quota', image });
    expect(indexed).toHaveLength(100); // IndexFaces' own default cap
    const extra = await local.indexFaces({
      collectionId: 'quota',
      image: engine.image('quota-2.jpg', [face(50, { slot: 3 }), face(50, { slot: 7 })]),
    });
    const ids = indexed.map((x) => x.faceId);

    const first = await local.associateFaces({ collectionId: 'quota', userId: 'many', faceIds: ids.slice(0, 99), userMatchThreshold: 75 });
    expect(first.associatedFaceIds).toHaveLength(99);

    const before = snapshot();
    const token = 'quota-tok';
    const call = () =>
      local.associateFaces({
        collectionId: 'quota',
        userId: 'many',
        faceIds: [ids[99], ...extra.faces.map((x) => x.faceId)],
        userMatchThreshold: 75,
        clientRequestToken: token,
      });
    await expect(call()).rejects.toMatchObject({
      code: 'QUOTA_EXCEEDED',
      details: { userId: 'many', collectionId: 'quota' },
      message: expect.stringMatching(/expected at most 100 after associating, got 102/),
    });
    expect(snapshot()).toEqual(before);
    // The failure is replayed for its token, even once there would be room.
    await local.disassociateFaces({ collectionId: 'quota', userId: 'many', faceIds: ids.slice(0, 5) });
    await expect(call()).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' });

    // Exactly 100 is allowed; already-owned faces do not count twice.
    const fill = await local.associateFaces({
      collectionId: 'quota',
      userId: 'many',
      faceIds: [...ids.slice(0, 5), ids[99], ids[10]],
      userMatchThreshold: 75,
    });
    expect(fill.associatedFaceIds).toHaveLength(6);
    expect(await local.countUserFaces('quota', ['many'])).toEqual([100]);
  });

  it('holds under concurrent calls (transactions are serialized)', async () => {
    await local.createCollection('quota-race');
    await local.createUser({ collectionId: 'quota-race', userId: 'u' });
    const { faces } = await local.indexFaces({
      collectionId: 'quota-race',
      image: engine.image(
        'race.jpg',
        Array.from({ length: 100 }, (_, i) => face(60, { slot: i, px: 50 })),
      ),
    });
    const { faces: more } = await local.indexFaces({
      collectionId: 'quota-race',
      image: engine.image(
        'race-2.jpg',
        Array.from({ length: 10 }, (_, i) => face(60, { slot: i, px: 50 })),
      ),
    });
    const ids = [...faces, ...more].map((x) => x.faceId);
    const results = await Promise.allSettled([
      local.associateFaces({ collectionId: 'quota-race', userId: 'u', faceIds: ids.slice(0, 60), userMatchThreshold: 75 }),
      local.associateFaces({ collectionId: 'quota-race', userId: 'u', faceIds: ids.slice(60, 110), userMatchThreshold: 75 }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((await local.countUserFaces('quota-race', ['u']))[0]).toBeLessThanOrEqual(100);
  });
});

describe('atomicity', () => {
  it('failed calls leave the store unchanged', async () => {
    await local.createCollection('atomic');
    await local.createUser({ collectionId: 'atomic', userId: 'a' });
    const faceId = await indexOne('atomic', 70);
    await local.associateFaces({
      collectionId: 'atomic',
      userId: 'a',
      faceIds: [faceId],
      userMatchThreshold: 75,
      clientRequestToken: 't1',
    });
    const before = snapshot();
    const failures = [
      local.createUser({ collectionId: 'atomic', userId: 'a' }),
      local.deleteUser({ collectionId: 'atomic', userId: 'zz' }),
      local.associateFaces({ collectionId: 'atomic', userId: 'zz', faceIds: [faceId], userMatchThreshold: 75 }),
      local.associateFaces({ collectionId: 'atomic', userId: 'a', faceIds: [faceId], userMatchThreshold: 10, clientRequestToken: 't1' }),
      local.disassociateFaces({ collectionId: 'atomic', userId: 'zz', faceIds: [faceId] }),
      local.createCollection('atomic'),
      local.deleteCollection('nope'),
      local.indexFaces({ collectionId: 'nope', image: engine.image('x.jpg', [face(1)]) }),
      local.listUsers('atomic', { limit: 5, after: 'bad-token' }),
    ];
    const settled = await Promise.allSettled(failures);
    expect(settled.every((s) => s.status === 'rejected')).toBe(true);
    expect(snapshot()).toEqual(before);
  });
});

describe('searchUsersByImage', () => {
  beforeAll(async () => {
    await local.createCollection('search');
    for (const [userId, person] of [
      ['dora', 80],
      ['eli', 81],
      ['fay', 82],
    ] as const) {
      await local.createUser({ collectionId: 'search', userId });
      const ids = [await indexOne('search', person, 0), await indexOne('search', person, 3)];
      await local.associateFaces({ collectionId: 'search', userId, faceIds: ids, userMatchThreshold: 0 });
    }
    await indexOne('search', 83); // unassociated: never matched
    await local.createUser({ collectionId: 'search', userId: 'gil' }); // no faces
  });

  const search = (image: Uint8Array, userMatchThreshold = 80, maxUsers = 10) =>
    local.searchUsersByImage({ collectionId: 'search', image, userMatchThreshold, maxUsers });

  it('matches the largest face against users’ faces, best face per user, highest first', async () => {
    const image = engine.image('probe-dora.jpg', [face(81, { px: 60, slot: 1 }), face(80, { variant: 1, px: 180, slot: 2 })]);
    const out = await search(image, 0, 10);
    expect(out.searchedFace).toEqual({ boundingBox: expect.objectContaining({ width: 0.18 }), confidence: 99.5 });
    expect(out.userMatches[0]).toMatchObject({ user: { collectionId: 'search', userId: 'dora', status: 'ACTIVE' } });
    expect(out.userMatches[0].similarity).toBeGreaterThan(99.9); // variant 1 vs variant 0
    expect(out.userMatches.map((m) => m.user.userId).sort()).toEqual(['dora', 'eli', 'fay']);
    const sims = out.userMatches.map((m) => m.similarity);
    expect(sims).toEqual([...sims].sort((a, b) => b - a));
  });

  it('applies the threshold and maxUsers', async () => {
    const image = engine.image('probe-eli.jpg', [face(81, { variant: 8 })]); // Δ5 to eli's variant 3 → ≈ 86
    const strict = await search(image, 99, 10);
    expect(strict.userMatches).toEqual([]);
    const loose = await search(image, 80, 10);
    expect(loose.userMatches.map((m) => m.user.userId)).toEqual(['eli']);
    expect(loose.userMatches[0].similarity).toBeCloseTo(similarity(descriptor(81, 8), descriptor(81, 3)), 6);
    const capped = await search(image, 0, 2);
    expect(capped.userMatches).toHaveLength(2);
    expect(capped.userMatches[0].user.userId).toBe('eli');
  });

  it('returns no matches and no searchedFace when the image has no (usable) face', async () => {
    expect(await search(engine.image('nobody.jpg', []))).toEqual({ userMatches: [], searchedFace: null, unsearchedFaces: [] });
    // The tiny face is not searched: it is reported unsearched.
    expect(await search(engine.image('tiny.jpg', [face(80, { px: 30 })]))).toMatchObject({
      userMatches: [],
      searchedFace: null,
      unsearchedFaces: [{ boundingBox: { width: 0.03 } }],
    });
  });

  it('follows associations, disassociations and user deletion right away', async () => {
    const probe = engine.image('probe-new.jpg', [face(84, { variant: 1 })]);
    expect((await search(probe)).userMatches).toEqual([]);
    await local.createUser({ collectionId: 'search', userId: 'hal' });
    const id = await indexOne('search', 84);
    await local.associateFaces({ collectionId: 'search', userId: 'hal', faceIds: [id], userMatchThreshold: 75 });
    expect((await search(probe)).userMatches.map((m) => m.user.userId)).toEqual(['hal']);
    await local.disassociateFaces({ collectionId: 'search', userId: 'hal', faceIds: [id] });
    expect((await search(probe)).userMatches).toEqual([]);
    await local.associateFaces({ collectionId: 'search', userId: 'hal', faceIds: [id], userMatchThreshold: 75 });
    await local.deleteUser({ collectionId: 'search', userId: 'hal' });
    expect((await search(probe)).userMatches).toEqual([]);
  });

  it('loads its index lazily from the store (a fresh instance finds what another wrote)', async () => {
    const fresh = new LocalProvider({ name: 'local', store, engine });
    const image = engine.image('probe-fay.jpg', [face(82, { variant: 2 })]);
    const out = await fresh.searchUsersByImage({ collectionId: 'search', image, userMatchThreshold: 80, maxUsers: 5 });
    expect(out.userMatches.map((m) => m.user.userId)).toEqual(['fay']);
    await fresh.close();
  });

  it('loses the index with its collection: a recreated collection starts empty', async () => {
    await local.createCollection('ephemeral');
    await local.createUser({ collectionId: 'ephemeral', userId: 'ivy' });
    const id = await indexOne('ephemeral', 90);
    await local.associateFaces({ collectionId: 'ephemeral', userId: 'ivy', faceIds: [id], userMatchThreshold: 75 });
    const probe = engine.image('probe-ivy.jpg', [face(90, { variant: 1 })]);
    const q = () => local.searchUsersByImage({ collectionId: 'ephemeral', image: probe, userMatchThreshold: 80, maxUsers: 5 });
    expect((await q()).userMatches).toHaveLength(1);
    await local.deleteCollection('ephemeral');
    await local.createCollection('ephemeral');
    await local.createUser({ collectionId: 'ephemeral', userId: 'ivy' });
    expect((await q()).userMatches).toEqual([]);
  });
});

describe('inference discipline', () => {
  it('calls engine.detect only for image operations', async () => {
    const calls = engine.detectCalls;
    await local.createCollection('no-inference');
    await local.createUser({ collectionId: 'no-inference', userId: 'x' });
    await local.listUsers('no-inference', { limit: 10 });
    await local.listFaces('no-inference', {}, { limit: 10 });
    await local.deleteUser({ collectionId: 'no-inference', userId: 'x' });
    await local.deleteCollection('no-inference');
    expect(engine.detectCalls).toBe(calls);
  });
});
