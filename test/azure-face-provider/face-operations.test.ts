/**
 * AzureFaceProvider's face operations against the fake Azure Face:
 * compareFaces (Verify face-to-face per target face), verifyUser (Verify
 * face-to-person), searchFaces / searchFacesByImage (FindSimilar in the
 * face list, which is trained on demand after changes), identifyFaces
 * (Identify in batches of 10 faceIds), searchUsersByImage's quality filter
 * and unsearched faces, searchUsers' refusal — with the Azure calls each
 * one makes and its domain errors.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakePng, startFakeAzureFace, type DeclaredFace, type FakeAzureFace } from '../fakes/azure-face/server.js';
import { expectDomainError, InMemoryRetainedImages, providerFor, uniqueId, type Provider } from './support.js';

let fake: FakeAzureFace;
let provider: Provider;
/** Source images shared by every provider of a test, as the gateway store shares them between replicas. */
const retainedImages = new InMemoryRetainedImages();

beforeAll(async () => {
  fake = await startFakeAzureFace({ trainingMs: 10 });
  provider = providerFor(fake, { retainedImages });
});
afterAll(async () => {
  await provider.close();
  await fake.stop();
});
beforeEach(() => fake.clearCalls());

let labels = 0;
const png = (faces?: DeclaredFace[]) => fakePng({ label: `fo-${++labels}`, faces });
/** A face of `identity` in column `col` and row `row` of a 4 × 4 grid, smaller in reading order (so largest-first is reading order). */
const at = (identity: string, col = 0, row = 0, extra: Partial<DeclaredFace> = {}): DeclaredFace => {
  const side = 0.24 - (row * 4 + col) * 0.01;
  return { identity, box: { left: col * 0.25, top: row * 0.25, width: side, height: side }, ...extra };
};
const solo = (identity: string, extra: Partial<DeclaredFace> = {}) => png([{ identity, ...extra }]);

async function collection(): Promise<string> {
  const id = uniqueId('fo');
  await provider.createCollection(id);
  return id;
}

async function indexOne(collectionId: string, identity: string): Promise<string> {
  const out = await provider.indexFaces({ collectionId, image: solo(identity) });
  expect(out.faces).toHaveLength(1);
  return out.faces[0].faceId;
}

async function userWithFace(collectionId: string, userId: string, identity = userId): Promise<string> {
  await provider.createUser({ collectionId, userId });
  const faceId = await indexOne(collectionId, identity);
  expect((await provider.associateFaces({ collectionId, userId, faceIds: [faceId], userMatchThreshold: 75 })).associatedFaceIds).toEqual([
    faceId,
  ]);
  return faceId;
}

/** Trainings of collection `id`'s face list (other tests' background trainings are left out). */
const listTrainings = (id: string) => fake.callsTo('TrainLargeFaceList').filter((c) => c.path.includes(`/${id}/`));

const defaults = { similarityThreshold: 80, qualityFilter: 'NONE' as const };

describe('compareFaces', () => {
  it('verifies the source’s largest face against every target face: matches (≥ threshold, highest first) and unmatched', async () => {
    const source = png([at('ann'), at('zed', 2, 2)]);
    const target = png([at('bob'), at('ann', 1), at('cy', 2)]);
    const out = await provider.compareFaces({ sourceImage: source, targetImage: target, ...defaults });
    expect(out.sourceFace.boundingBox).toMatchObject({ left: 0, top: 0 });
    expect(out.faceMatches).toHaveLength(1);
    expect(out.faceMatches[0].similarity).toBeGreaterThanOrEqual(99);
    expect(out.faceMatches[0].face.boundingBox.left).toBeCloseTo(0.25, 6);
    expect(out.unmatchedFaces.map((f) => f.boundingBox.left)).toEqual([0, 0.5]);
    // Two detects with faceIds, one Verify face-to-face per target face.
    expect(fake.callsTo('Detect').map((c) => c.query.returnFaceId)).toEqual(['true', 'true']);
    const verifies = fake.callsTo('Verify');
    expect(verifies).toHaveLength(3);
    expect(
      verifies.every(
        (c) =>
          Object.keys(c.body as object)
            .sort()
            .join() === 'faceId1,faceId2',
      ),
    ).toBe(true);
    const zero = await provider.compareFaces({ sourceImage: source, targetImage: target, similarityThreshold: 0, qualityFilter: 'NONE' });
    expect(zero.faceMatches).toHaveLength(3);
    expect(zero.faceMatches[0].similarity).toBeGreaterThan(zero.faceMatches[1].similarity);
  });

  it('target faces below the quality bar are left out of both lists (and never verified)', async () => {
    const target = png([at('ann', 0, 0, { quality: 'medium' }), at('bob', 1, 0, { quality: 'high' })]);
    const out = await provider.compareFaces({
      sourceImage: solo('ann'),
      targetImage: target,
      similarityThreshold: 80,
      qualityFilter: 'HIGH',
    });
    expect(out.faceMatches).toEqual([]);
    expect(out.unmatchedFaces).toHaveLength(1);
    expect(fake.callsTo('Verify')).toHaveLength(1);
  });

  it('NO_FACE_DETECTED for a source without faces; an empty target is no match', async () => {
    await expectDomainError(provider.compareFaces({ sourceImage: png([]), targetImage: solo('a'), ...defaults }), 'NO_FACE_DETECTED', {
      field: 'sourceImage',
    });
    expect(await provider.compareFaces({ sourceImage: solo('a'), targetImage: png([]), ...defaults })).toMatchObject({
      faceMatches: [],
      unmatchedFaces: [],
    });
  });
});

describe('verifyUser', () => {
  it('Verify face-to-person of the largest face: similarity ×100, isMatch against the threshold, no training needed', async () => {
    // A provider whose debounced training never starts during the test: verify must not need one.
    const untrained = providerFor(fake, { trainDebounceMs: 600_000, retainedImages });
    try {
      const id = uniqueId('fo');
      await untrained.createCollection(id);
      await untrained.createUser({ collectionId: id, userId: 'ann' });
      const faceId = (await untrained.indexFaces({ collectionId: id, image: solo('ann') })).faces[0].faceId;
      await untrained.associateFaces({ collectionId: id, userId: 'ann', faceIds: [faceId], userMatchThreshold: 75 });
      fake.clearCalls();
      const yes = await untrained.verifyUser({
        collectionId: id,
        userId: 'ann',
        image: png([at('ann'), at('bob', 2, 2)]),
        userMatchThreshold: 80,
      });
      expect(yes.isMatch).toBe(true);
      expect(yes.similarity).toBeGreaterThanOrEqual(99);
      expect(yes.user).toMatchObject({ collectionId: id, userId: 'ann', status: 'UPDATING' });
      expect(yes.searchedFace.boundingBox).toMatchObject({ left: 0, top: 0 });
      expect(fake.callsTo('Verify')[0].body).toMatchObject({ largePersonGroupId: id });
      expect(fake.callsTo('TrainLargePersonGroup')).toHaveLength(0);
      const no = await untrained.verifyUser({ collectionId: id, userId: 'ann', image: solo('bob'), userMatchThreshold: 80 });
      expect(no.isMatch).toBe(false);
      expect(no.similarity).toBeLessThan(50);
      const strict = await untrained.verifyUser({ collectionId: id, userId: 'ann', image: solo('ann'), userMatchThreshold: 100 });
      expect(strict.isMatch).toBe(false);
    } finally {
      await untrained.close();
    }
  });

  it('a user without faces is similarity 0 and no Verify call; USER_NOT_FOUND, NO_FACE_DETECTED, COLLECTION_NOT_FOUND', async () => {
    const id = await collection();
    await provider.createUser({ collectionId: id, userId: 'empty' });
    const out = await provider.verifyUser({ collectionId: id, userId: 'empty', image: solo('x'), userMatchThreshold: 0 });
    expect(out).toMatchObject({ isMatch: true, similarity: 0 });
    expect(fake.callsTo('Verify')).toHaveLength(0);
    await expectDomainError(
      provider.verifyUser({ collectionId: id, userId: 'nobody', image: solo('x'), userMatchThreshold: 80 }),
      'USER_NOT_FOUND',
    );
    await expectDomainError(
      provider.verifyUser({ collectionId: id, userId: 'empty', image: png([]), userMatchThreshold: 80 }),
      'NO_FACE_DETECTED',
    );
    await expectDomainError(
      provider.verifyUser({ collectionId: uniqueId('gone'), userId: 'u', image: solo('x'), userMatchThreshold: 80 }),
      'COLLECTION_NOT_FOUND',
    );
  });
});

describe('searchFaces and searchFacesByImage (FindSimilar in the face list)', () => {
  it('trains the face list on demand, then finds like faces (never the searched one), matchFace, maxFaces + 1 candidates', async () => {
    const id = await collection();
    const ann1 = await indexOne(id, 'ann');
    const ann2 = await indexOne(id, 'ann');
    await indexOne(id, 'bob');
    fake.clearCalls();
    const out = await provider.searchFaces({ collectionId: id, faceId: ann1, maxFaces: 10, faceMatchThreshold: 80 });
    expect(out.searchedFaceId).toBe(ann1);
    expect(out.faceMatches.map((m) => m.face.faceId)).toEqual([ann2]);
    expect(out.faceMatches[0].similarity).toBeGreaterThanOrEqual(99);
    expect(out.faceMatches[0].face).toMatchObject({ collectionId: id, userId: null });
    expect(listTrainings(id)).toHaveLength(1);
    expect(fake.callsTo('FindSimilar')[0].body).toMatchObject({ largeFaceListId: id, mode: 'matchFace', maxNumOfCandidatesReturned: 11 });
    // Nothing changed: no second training.
    const all = await provider.searchFaces({ collectionId: id, faceId: ann1, maxFaces: 1, faceMatchThreshold: 0 });
    expect(all.faceMatches).toHaveLength(1);
    expect(all.faceMatches[0].face.faceId).toBe(ann2);
    expect(listTrainings(id)).toHaveLength(1);
  });

  it('a face indexed or deleted after the training is seen only after the next one, which the search starts itself', async () => {
    const id = await collection();
    const ann1 = await indexOne(id, 'ann');
    await provider.searchFaces({ collectionId: id, faceId: ann1, maxFaces: 10, faceMatchThreshold: 80 });
    const ann2 = await indexOne(id, 'ann');
    const after = await provider.searchFaces({ collectionId: id, faceId: ann1, maxFaces: 10, faceMatchThreshold: 80 });
    expect(after.faceMatches.map((m) => m.face.faceId)).toEqual([ann2]);
    expect(listTrainings(id)).toHaveLength(2);
    await provider.deleteFaces(id, [ann2]);
    expect((await provider.searchFaces({ collectionId: id, faceId: ann1, maxFaces: 10, faceMatchThreshold: 80 })).faceMatches).toEqual([]);
    expect(listTrainings(id)).toHaveLength(3);
  });

  it('searchFacesByImage: the largest face against the list; below the quality bar → NO_FACE_DETECTED; empty collection → no call', async () => {
    const id = await collection();
    await expect(
      provider.searchFacesByImage({ collectionId: id, image: solo('ann'), maxFaces: 5, faceMatchThreshold: 80, qualityFilter: 'NONE' }),
    ).resolves.toMatchObject({
      faceMatches: [],
    });
    expect(fake.callsTo('FindSimilar')).toHaveLength(0);
    const ann = await indexOne(id, 'ann');
    await indexOne(id, 'bob');
    const out = await provider.searchFacesByImage({
      collectionId: id,
      image: png([at('ann'), at('bob', 2, 2)]),
      maxFaces: 5,
      faceMatchThreshold: 80,
      qualityFilter: 'NONE',
    });
    expect(out.faceMatches.map((m) => m.face.faceId)).toEqual([ann]);
    expect(out.searchedFace.boundingBox).toMatchObject({ left: 0, top: 0 });
    expect(fake.callsTo('FindSimilar').at(-1)?.body).toMatchObject({ maxNumOfCandidatesReturned: 5 });
    await expectDomainError(
      provider.searchFacesByImage({
        collectionId: id,
        image: solo('ann', { quality: 'low' }),
        maxFaces: 5,
        faceMatchThreshold: 80,
        qualityFilter: 'AUTO',
      }),
      'NO_FACE_DETECTED',
    );
    await expectDomainError(
      provider.searchFacesByImage({ collectionId: id, image: png([]), maxFaces: 5, faceMatchThreshold: 80, qualityFilter: 'NONE' }),
      'NO_FACE_DETECTED',
    );
  });

  it('a fresh provider reads the list’s training status once and trains only when a face is newer than the last training', async () => {
    const id = await collection();
    const ann1 = await indexOne(id, 'ann');
    await indexOne(id, 'ann');
    await provider.searchFaces({ collectionId: id, faceId: ann1, maxFaces: 10, faceMatchThreshold: 80 });
    fake.clearCalls();
    // Without the source image, a face cannot be shown to Azure again.
    const forgetful = providerFor(fake);
    await expectDomainError(
      forgetful.searchFaces({ collectionId: id, faceId: ann1, maxFaces: 10, faceMatchThreshold: 80 }),
      'UNSUPPORTED_OPERATION',
    );
    await forgetful.close();
    const fresh = providerFor(fake, { retainedImages });
    try {
      expect((await fresh.searchFaces({ collectionId: id, faceId: ann1, maxFaces: 10, faceMatchThreshold: 80 })).faceMatches).toHaveLength(
        1,
      );
      expect(fake.callsTo('GetLargeFaceListTrainingStatus')).toHaveLength(1);
      expect(listTrainings(id)).toHaveLength(0);
      await fresh.searchFaces({ collectionId: id, faceId: ann1, maxFaces: 10, faceMatchThreshold: 80 });
      expect(fake.callsTo('GetLargeFaceListTrainingStatus')).toHaveLength(1);
    } finally {
      await fresh.close();
    }
    // Never trained (a list trained by nobody): the fresh provider trains it.
    const other = await collection();
    const bob = await indexOne(other, 'bob');
    const fresh2 = providerFor(fake, { retainedImages });
    try {
      await fresh2.searchFaces({ collectionId: other, faceId: bob, maxFaces: 10, faceMatchThreshold: 80 });
      expect(listTrainings(other)).toHaveLength(1);
    } finally {
      await fresh2.close();
    }
  });

  it('INVALID_INPUT for a face not in the collection; THROTTLED when the list’s training outlasts the wait', async () => {
    const id = await collection();
    const ann = await indexOne(id, 'ann');
    await expectDomainError(
      provider.searchFaces({ collectionId: id, faceId: 'f-unknown', maxFaces: 5, faceMatchThreshold: 80 }),
      'INVALID_INPUT',
      {
        field: 'input.faceId',
      },
    );
    fake.setTrainingMs(60_000);
    const impatient = providerFor(fake, { searchTrainingWaitMs: 100, retainedImages });
    try {
      await expectDomainError(impatient.searchFaces({ collectionId: id, faceId: ann, maxFaces: 5, faceMatchThreshold: 80 }), 'THROTTLED', {
        providerCode: 'LargeFaceListTrainingNotFinished',
      });
    } finally {
      fake.setTrainingMs(10);
      fake.advanceClock(60_000);
      await impatient.close();
    }
  });
});

describe('identifyFaces', () => {
  it('identifies every face in batches of 10 faceIds; faces beyond maxFaces are unsearched', async () => {
    const id = await collection();
    const people = Array.from({ length: 12 }, (_, i) => `p${i}`);
    for (const p of people) await userWithFace(id, p);
    fake.clearCalls();
    const image = png(people.map((p, i) => at(p, i % 4, Math.floor(i / 4))));
    const out = await provider.identifyFaces({
      collectionId: id,
      image,
      maxFaces: 11,
      maxUsersPerFace: 1,
      userMatchThreshold: 80,
      qualityFilter: 'NONE',
    });
    expect(out.faces).toHaveLength(11);
    expect(out.faces.map((f) => f.userMatches.map((m) => m.user.userId))).toEqual(people.slice(0, 11).map((p) => [p]));
    expect(out.faces[0].userMatches[0].similarity).toBeGreaterThanOrEqual(99);
    expect(out.unsearchedFaces).toHaveLength(1);
    const identifies = fake.callsTo('Identify').map((c) => (c.body as { faceIds: string[] }).faceIds.length);
    expect(identifies).toEqual([10, 1]);
    expect(fake.callsTo('Identify')[0].body).toMatchObject({
      largePersonGroupId: id,
      maxNumOfCandidatesReturned: 1,
      confidenceThreshold: 0.8,
    });
    const ttl = Number(fake.callsTo('Detect')[0].query.faceIdTimeToLive);
    expect(ttl).toBeGreaterThanOrEqual(60);
    expect(ttl).toBeLessThanOrEqual(86_400);
  });

  it('faces below the quality bar are unsearched; strangers get no match; no user with faces → no Identify call', async () => {
    const id = await collection();
    await provider.createUser({ collectionId: id, userId: 'nobody-yet' });
    const image = png([at('ann', 0, 0, { quality: 'low' }), at('zed', 1, 0)]);
    const before = await provider.identifyFaces({
      collectionId: id,
      image,
      maxFaces: 10,
      maxUsersPerFace: 3,
      userMatchThreshold: 80,
      qualityFilter: 'NONE',
    });
    expect(before.faces.map((f) => f.userMatches)).toEqual([[], []]);
    expect(fake.callsTo('Identify')).toHaveLength(0);
    await userWithFace(id, 'ann');
    const out = await provider.identifyFaces({
      collectionId: id,
      image,
      maxFaces: 10,
      maxUsersPerFace: 3,
      userMatchThreshold: 80,
      qualityFilter: 'AUTO',
    });
    expect(out.faces).toHaveLength(1);
    expect(out.faces[0].userMatches).toEqual([]);
    expect(out.unsearchedFaces).toHaveLength(1);
    expect(out.unsearchedFaces[0].quality?.forRecognition).toBe('LOW');
    expect(
      (
        await provider.identifyFaces({
          collectionId: id,
          image: png([]),
          maxFaces: 10,
          maxUsersPerFace: 1,
          userMatchThreshold: 80,
          qualityFilter: 'NONE',
        })
      ).faces,
    ).toEqual([]);
  });
});

describe('searchUsersByImage and searchUsers', () => {
  it('searchUsersByImage: the other faces are unsearched; a largest face below the quality bar is not searched at all', async () => {
    const id = await collection();
    await userWithFace(id, 'ann');
    const image = png([at('ann', 0, 0, { quality: 'medium' }), at('bob', 2, 2)]);
    const out = await provider.searchUsersByImage({ collectionId: id, image, userMatchThreshold: 80, maxUsers: 5 });
    expect(out.userMatches.map((m) => m.user.userId)).toEqual(['ann']);
    expect(out.unsearchedFaces).toHaveLength(1);
    expect(out.unsearchedFaces[0].boundingBox.left).toBeCloseTo(0.5, 6);
    const high = await provider.searchUsersByImage({ collectionId: id, image, userMatchThreshold: 80, maxUsers: 5, qualityFilter: 'HIGH' });
    expect(high).toMatchObject({ userMatches: [], searchedFace: null });
    expect(high.unsearchedFaces).toHaveLength(2);
  });

  it('searchUsers is UNSUPPORTED_OPERATION without any Azure call', async () => {
    const id = await collection();
    await provider.createUser({ collectionId: id, userId: 'u' });
    fake.clearCalls();
    await expectDomainError(
      provider.searchUsers({ collectionId: id, userId: 'u', maxUsers: 10, userMatchThreshold: 80 }),
      'UNSUPPORTED_OPERATION',
    );
    // No call of this collection, and no recognition call (background trainings of earlier tests may run).
    expect(fake.calls.filter((c) => c.path.includes(`/${id}`) || ['Detect', 'Identify', 'Verify', 'FindSimilar'].includes(c.op))).toEqual(
      [],
    );
  });
});

describe('errors of the face operations', () => {
  it('a wrong key (401) and a resource without Limited Access approval (403) are FORBIDDEN; detect needs no approval', async () => {
    const wrong = providerFor(fake, { apiKey: 'wrong-key' });
    const closed = await startFakeAzureFace({ identification: false });
    const unapproved = providerFor(closed);
    try {
      await expectDomainError(wrong.detectFaces({ image: solo('a'), attributes: new Set() }), 'FORBIDDEN', { providerCode: '401' });
      expect((await unapproved.detectFaces({ image: solo('a'), attributes: new Set() })).faces).toHaveLength(1);
      const id = uniqueId('fo');
      await unapproved.createCollection(id);
      await unapproved.createUser({ collectionId: id, userId: 'u' });
      const forbidden = { providerCode: 'UnsupportedFeature' };
      await expectDomainError(
        unapproved.compareFaces({ sourceImage: solo('a'), targetImage: solo('a'), ...defaults }),
        'FORBIDDEN',
        forbidden,
      );
      await expectDomainError(
        unapproved.verifyUser({ collectionId: id, userId: 'u', image: solo('a'), userMatchThreshold: 80 }),
        'FORBIDDEN',
        forbidden,
      );
      await expectDomainError(
        unapproved.searchFacesByImage({ collectionId: id, image: solo('a'), maxFaces: 5, faceMatchThreshold: 80, qualityFilter: 'NONE' }),
        'FORBIDDEN',
        forbidden,
      );
      await expectDomainError(
        unapproved.identifyFaces({
          collectionId: id,
          image: solo('a'),
          maxFaces: 5,
          maxUsersPerFace: 1,
          userMatchThreshold: 80,
          qualityFilter: 'NONE',
        }),
        'FORBIDDEN',
        forbidden,
      );
    } finally {
      await wrong.close();
      await unapproved.close();
      await closed.stop();
    }
  });

  it('COLLECTION_NOT_FOUND for an unknown collection; PROVIDER_UNAVAILABLE when FindSimilar fails; THROTTLED on 429', async () => {
    for (const op of [
      (c: string) =>
        provider.identifyFaces({
          collectionId: c,
          image: solo('a'),
          maxFaces: 5,
          maxUsersPerFace: 1,
          userMatchThreshold: 80,
          qualityFilter: 'NONE',
        }),
      (c: string) =>
        provider.searchFacesByImage({ collectionId: c, image: solo('a'), maxFaces: 5, faceMatchThreshold: 80, qualityFilter: 'NONE' }),
      (c: string) => provider.searchFaces({ collectionId: c, faceId: 'f', maxFaces: 5, faceMatchThreshold: 80 }),
    ]) {
      await expectDomainError(op(uniqueId('gone')), 'COLLECTION_NOT_FOUND');
    }
    const id = await collection();
    const ann = await indexOne(id, 'ann');
    fake.inject({ op: 'FindSimilar', kind: '500', times: 1 });
    await expectDomainError(
      provider.searchFaces({ collectionId: id, faceId: ann, maxFaces: 5, faceMatchThreshold: 80 }),
      'PROVIDER_UNAVAILABLE',
      {
        operation: 'FindSimilarFromLargeFaceList',
      },
    );
    fake.inject({ op: 'Verify', kind: 'throttle', times: 1 });
    await expectDomainError(provider.compareFaces({ sourceImage: solo('a'), targetImage: solo('a'), ...defaults }), 'THROTTLED');
  });
});
