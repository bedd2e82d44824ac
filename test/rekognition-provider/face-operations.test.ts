/**
 * RekognitionProvider's face operations against the fake Rekognition with
 * the real SDK: what each sends (attributes, thresholds, quality filters,
 * calls made), how it maps FaceDetail and the answers, how identify and
 * verify are built, and how their failures map to domain errors.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakePng, startFakeRekognition, type DeclaredFace, type FakeRekognition } from '../fakes/rekognition/server.js';
import { expectDomainError, providerFor, uniqueId, type Provider } from './support.js';

let fake: FakeRekognition;
let provider: Provider;

beforeAll(async () => {
  fake = await startFakeRekognition();
  provider = providerFor(fake);
});
afterAll(async () => {
  await provider.close();
  await fake.stop();
});
beforeEach(() => fake.reset({ images: true }));

let labels = 0;
const png = (faces?: DeclaredFace[]) => fakePng({ label: `fo-${++labels}`, faces });
const ops = () => fake.calls.map((c) => c.op);
const NONE = new Set<never>();

const BIG = { left: 0.5, top: 0.5, width: 0.4, height: 0.4 };
const MID = { left: 0.05, top: 0.05, width: 0.3, height: 0.3 };
const SMALL = { left: 0.05, top: 0.6, width: 0.2, height: 0.2 };

/** A collection with users `ann` and `bob` (one face each) and `empty` (none). */
async function enrolled(): Promise<{ id: string; annFace: string; bobFace: string }> {
  const id = uniqueId();
  await provider.createCollection(id);
  const faceOf = async (identity: string) => (await provider.indexFaces({ collectionId: id, image: png([{ identity }]) })).faces[0].faceId;
  const [annFace, bobFace] = [await faceOf('ann'), await faceOf('bob')];
  for (const [userId, faceId] of [
    ['ann', annFace],
    ['bob', bobFace],
  ]) {
    await provider.createUser({ collectionId: id, userId });
    await provider.associateFaces({ collectionId: id, userId, faceIds: [faceId], userMatchThreshold: 75 });
  }
  await provider.createUser({ collectionId: id, userId: 'empty' });
  fake.clearCalls();
  return { id, annFace, bobFace };
}

describe('detectFaces and the FaceDetail mapping', () => {
  it('sends DEFAULT (+ the attributes asked); maps box, confidence, five landmarks in order, pose, quality; largest first', async () => {
    const image = png([
      { identity: 'a', box: MID, pose: { roll: 1, yaw: -20, pitch: 5 }, qualityScores: { brightness: 70, sharpness: 88 } },
      { identity: 'b', box: BIG, confidence: 98.5 },
    ]);
    const out = await provider.detectFaces({ image, attributes: NONE });
    expect(fake.callsTo('DetectFaces')[0].params.Attributes).toEqual(['DEFAULT']);
    expect(out.faces.map((f) => f.boundingBox)).toEqual([BIG, MID]);
    expect(out.faces[0].confidence).toBe(98.5);
    const mid = out.faces[1];
    // The fake answers eight wire landmarks (eyeLeft, eyeRight, mouthLeft, mouthRight, nose, …): the five are kept, in the contract's order.
    expect(mid.landmarks).toEqual([
      { type: 'EYE_LEFT', x: 0.05 + 0.3 * 0.3, y: 0.05 + 0.38 * 0.3 },
      { type: 'EYE_RIGHT', x: 0.05 + 0.7 * 0.3, y: 0.05 + 0.38 * 0.3 },
      { type: 'NOSE', x: 0.05 + 0.5 * 0.3, y: 0.05 + 0.58 * 0.3 },
      { type: 'MOUTH_LEFT', x: 0.05 + 0.36 * 0.3, y: 0.05 + 0.76 * 0.3 },
      { type: 'MOUTH_RIGHT', x: 0.05 + 0.64 * 0.3, y: 0.05 + 0.76 * 0.3 },
    ]);
    expect(mid.pose).toEqual({ roll: 1, yaw: -20, pitch: 5 });
    expect(mid.quality).toEqual({ brightness: 70, sharpness: 88, forRecognition: 'HIGH' });
    expect(mid).toMatchObject({ ageRange: null, gender: null, emotions: null, smile: null, faceOccluded: null, liveness: null });
    expect((await provider.detectFaces({ image: png([]), attributes: NONE })).faces).toEqual([]);
  });

  it('maps every attribute asked for: age range, gender, emotions (highest first), the yes/no attributes', async () => {
    const image = png([
      {
        identity: 'a',
        attributes: {
          ageRange: { low: 30, high: 40 },
          gender: { value: 'Male', confidence: 97 },
          emotions: [
            { type: 'SAD', confidence: 10 },
            { type: 'HAPPY', confidence: 80 },
            { type: 'CALM', confidence: 10.5 },
          ],
          smile: { value: true, confidence: 93 },
          eyeglasses: { value: true, confidence: 91 },
          beard: { value: true, confidence: 81 },
          faceOccluded: { value: true, confidence: 77 },
        },
      },
    ]);
    const all = new Set([
      'AGE_RANGE',
      'GENDER',
      'EMOTIONS',
      'SMILE',
      'EYEGLASSES',
      'SUNGLASSES',
      'EYES_OPEN',
      'MOUTH_OPEN',
      'BEARD',
      'MUSTACHE',
      'FACE_OCCLUDED',
    ] as const);
    const [face] = (await provider.detectFaces({ image, attributes: all })).faces;
    expect(fake.callsTo('DetectFaces')[0].params.Attributes).toEqual(['DEFAULT', ...all]);
    expect(face).toMatchObject({
      ageRange: { low: 30, high: 40 },
      gender: { value: 'MALE', confidence: 97 },
      emotions: [
        { type: 'HAPPY', confidence: 80 },
        { type: 'CALM', confidence: 10.5 },
        { type: 'SAD', confidence: 10 },
      ],
      smile: { value: true, confidence: 93 },
      eyeglasses: { value: true, confidence: 91 },
      sunglasses: { value: false, confidence: 99.5 },
      eyesOpen: { value: true, confidence: 98.5 },
      mouthOpen: { value: false, confidence: 96.5 },
      beard: { value: true, confidence: 81 },
      mustache: { value: false, confidence: 95 },
      faceOccluded: { value: true, confidence: 77 },
      liveness: null,
    });
    const some = (await provider.detectFaces({ image, attributes: new Set(['SMILE'] as const) })).faces[0];
    expect(fake.callsTo('DetectFaces')[1].params.Attributes).toEqual(['DEFAULT', 'SMILE']);
    expect(some).toMatchObject({ smile: { value: true, confidence: 93 }, gender: null, emotions: null });
  });

  it('quality.forRecognition is derived from sharpness, brightness and pose (LOW, MEDIUM, HIGH)', async () => {
    const image = png([
      { identity: 'blurred', box: { left: 0, top: 0, width: 0.3, height: 0.3 }, qualityScores: { brightness: 60, sharpness: 10 } },
      { identity: 'turned', box: { left: 0.35, top: 0, width: 0.29, height: 0.29 }, pose: { roll: 0, yaw: 35, pitch: 0 } },
      { identity: 'profile', box: { left: 0.7, top: 0, width: 0.28, height: 0.28 }, pose: { roll: 0, yaw: 0, pitch: -50 } },
      { identity: 'dark', box: { left: 0, top: 0.5, width: 0.27, height: 0.27 }, qualityScores: { brightness: 5, sharpness: 90 } },
      { identity: 'good', box: { left: 0.5, top: 0.5, width: 0.26, height: 0.26 } },
    ]);
    const faces = (await provider.detectFaces({ image, attributes: NONE })).faces;
    expect(faces.map((f) => f.quality?.forRecognition)).toEqual(['LOW', 'MEDIUM', 'LOW', 'LOW', 'HIGH']);
  });
});

describe('indexFaces with quality filters and detection attributes', () => {
  it('passes QualityFilter and DetectionAttributes through; LOW_FACE_QUALITY and other reasons are kept; details carry the attributes', async () => {
    const id = uniqueId();
    await provider.createCollection(id);
    const image = png([
      { identity: 'a', box: BIG, attributes: { gender: { value: 'Female', confidence: 96 } } },
      { identity: 'b', box: MID, qualityBar: 'MEDIUM' },
      { identity: 'c', box: SMALL, qualityIssues: ['LOW_BRIGHTNESS'] },
    ]);
    const out = await provider.indexFaces({
      collectionId: id,
      image,
      qualityFilter: 'HIGH',
      detectionAttributes: new Set(['GENDER'] as const),
    });
    expect(fake.callsTo('IndexFaces')[0].params).toMatchObject({ QualityFilter: 'HIGH', DetectionAttributes: ['DEFAULT', 'GENDER'] });
    expect(out.faces.map((f) => f.boundingBox)).toEqual([BIG]);
    expect(out.faceDetails).toHaveLength(1);
    expect(out.faceDetails[0]).toMatchObject({ boundingBox: BIG, gender: { value: 'FEMALE', confidence: 96 } });
    expect(out.unindexedFaces).toEqual([
      { boundingBox: MID, reasons: ['LOW_FACE_QUALITY'] },
      { boundingBox: SMALL, reasons: ['LOW_BRIGHTNESS'] },
    ]);
    const none = await provider.indexFaces({ collectionId: id, image, qualityFilter: 'NONE', externalImageId: 'again' });
    expect(none.faces).toHaveLength(3);
    expect(fake.callsTo('IndexFaces')[1].params.QualityFilter).toBe('NONE');
  });
});

describe('compareFaces', () => {
  it('passes threshold and filter; maps source face, matches (highest first, with details) and unmatched faces', async () => {
    const source = png([{ identity: 'ann', box: BIG }]);
    const target = png([
      { identity: 'bob', box: BIG },
      { identity: 'ann', box: MID, pose: { roll: 0, yaw: 12, pitch: 0 } },
      { identity: 'ann', box: SMALL, qualityBar: 'LOW' },
    ]);
    const out = await provider.compareFaces({ sourceImage: source, targetImage: target, similarityThreshold: 80, qualityFilter: 'NONE' });
    expect(fake.callsTo('CompareFaces')[0].params).toMatchObject({ SimilarityThreshold: 80, QualityFilter: 'NONE' });
    expect(out.sourceFace).toEqual({ boundingBox: BIG, confidence: 99.9, landmarks: null, pose: null, quality: null });
    expect(out.faceMatches.map((m) => m.face.boundingBox).sort((a, b) => b.width - a.width)).toEqual([MID, SMALL]);
    expect(out.faceMatches[0].similarity).toBeGreaterThanOrEqual(out.faceMatches[1].similarity);
    expect(out.faceMatches.every((m) => m.similarity >= 99)).toBe(true);
    expect(out.faceMatches.find((m) => m.face.boundingBox.width === 0.3)?.face.pose).toEqual({ roll: 0, yaw: 12, pitch: 0 });
    expect(out.unmatchedFaces.map((f) => f.boundingBox)).toEqual([BIG]);
    const high = await provider.compareFaces({ sourceImage: source, targetImage: target, similarityThreshold: 0, qualityFilter: 'HIGH' });
    expect(fake.callsTo('CompareFaces')[1].params).toMatchObject({ SimilarityThreshold: 0, QualityFilter: 'HIGH' });
    expect(high.faceMatches).toHaveLength(2);
    expect(high.unmatchedFaces).toEqual([]);
  });

  it('no face in the source → NO_FACE_DETECTED on sourceImage; none in the target → empty lists (DetectFaces tells which, only then)', async () => {
    const face = png([{ identity: 'ann' }]);
    await expectDomainError(
      provider.compareFaces({ sourceImage: png([]), targetImage: face, similarityThreshold: 80, qualityFilter: 'NONE' }),
      'NO_FACE_DETECTED',
      { field: 'sourceImage', providerCode: 'InvalidParameterException' },
    );
    expect(ops()).toEqual(['CompareFaces', 'DetectFaces']);
    fake.clearCalls();
    const empty = await provider.compareFaces({ sourceImage: face, targetImage: png([]), similarityThreshold: 80, qualityFilter: 'NONE' });
    expect(empty).toMatchObject({
      sourceFace: { boundingBox: { left: 0.25, top: 0.25, width: 0.5, height: 0.5 } },
      faceMatches: [],
      unmatchedFaces: [],
    });
    expect(ops()).toEqual(['CompareFaces', 'DetectFaces', 'DetectFaces']);
    await expectDomainError(
      provider.compareFaces({ sourceImage: face, targetImage: new Uint8Array([1, 2, 3]), similarityThreshold: 80, qualityFilter: 'NONE' }),
      'INVALID_IMAGE',
    );
  });
});

describe('searchFaces / searchFacesByImage', () => {
  it('searchFaces passes MaxFaces and threshold, maps matches best first without the searched face', async () => {
    const { id, annFace } = await enrolled();
    const more = (await provider.indexFaces({ collectionId: id, image: png([{ identity: 'ann' }]) })).faces[0].faceId;
    const out = await provider.searchFaces({ collectionId: id, faceId: annFace, maxFaces: 5, faceMatchThreshold: 70 });
    expect(fake.callsTo('SearchFaces')[0].params).toMatchObject({ FaceId: annFace, MaxFaces: 5, FaceMatchThreshold: 70 });
    expect(out.searchedFaceId).toBe(annFace);
    expect(out.faceMatches.map((m) => [m.face.faceId, m.face.userId])).toEqual([[more, null]]);
    const all = await provider.searchFaces({ collectionId: id, faceId: annFace, maxFaces: 100, faceMatchThreshold: 0 });
    expect(all.faceMatches.map((m) => m.similarity)).toEqual([...all.faceMatches.map((m) => m.similarity)].sort((a, b) => b - a));
    expect(all.faceMatches.map((m) => m.face.faceId)).not.toContain(annFace);
  });

  it('searchFaces: an unknown face → INVALID_INPUT on input.faceId; an unknown collection → COLLECTION_NOT_FOUND', async () => {
    const { id } = await enrolled();
    const unknown = '00000000-0000-4000-8000-000000000000';
    await expectDomainError(
      provider.searchFaces({ collectionId: id, faceId: unknown, maxFaces: 10, faceMatchThreshold: 80 }),
      'INVALID_INPUT',
      {
        field: 'input.faceId',
        providerCode: 'InvalidParameterException',
      },
    );
    await expectDomainError(
      provider.searchFaces({ collectionId: 'nope', faceId: unknown, maxFaces: 10, faceMatchThreshold: 80 }),
      'COLLECTION_NOT_FOUND',
    );
  });

  it('searchFacesByImage passes filter and limits; the searched face has box and confidence only; no face → NO_FACE_DETECTED', async () => {
    const { id, bobFace } = await enrolled();
    const image = png([
      { identity: 'ann', box: BIG, qualityIssues: ['EXTREME_POSE'] },
      { identity: 'bob', box: MID, confidence: 97 },
    ]);
    const out = await provider.searchFacesByImage({ collectionId: id, image, maxFaces: 3, faceMatchThreshold: 80, qualityFilter: 'AUTO' });
    expect(fake.callsTo('SearchFacesByImage')[0].params).toMatchObject({ MaxFaces: 3, FaceMatchThreshold: 80, QualityFilter: 'AUTO' });
    expect(out.searchedFace).toEqual({ boundingBox: MID, confidence: 97, landmarks: null, pose: null, quality: null });
    expect(out.faceMatches.map((m) => [m.face.faceId, m.face.userId])).toEqual([[bobFace, 'bob']]);
    await expectDomainError(
      provider.searchFacesByImage({ collectionId: id, image: png([]), maxFaces: 3, faceMatchThreshold: 80, qualityFilter: 'NONE' }),
      'NO_FACE_DETECTED',
      { field: 'image' },
    );
  });
});

describe('searchUsers', () => {
  it('by user: other users best first, never itself; by face: the users like it', async () => {
    const { id, bobFace } = await enrolled();
    const ann2 = (await provider.indexFaces({ collectionId: id, image: png([{ identity: 'ann' }]) })).faces[0].faceId;
    await provider.createUser({ collectionId: id, userId: 'ann-twin' });
    await provider.associateFaces({ collectionId: id, userId: 'ann-twin', faceIds: [ann2], userMatchThreshold: 75 });
    fake.clearCalls();
    const byUser = await provider.searchUsers({ collectionId: id, userId: 'ann', maxUsers: 10, userMatchThreshold: 0 });
    expect(fake.callsTo('SearchUsers')[0].params).toMatchObject({ UserId: 'ann', MaxUsers: 10, UserMatchThreshold: 0 });
    expect(byUser.searchedUserId).toBe('ann');
    expect(byUser.searchedFaceId).toBeNull();
    expect(byUser.userMatches.map((m) => m.user.userId)).toEqual(['ann-twin', 'bob']);
    expect(byUser.userMatches[0].user).toEqual({ collectionId: id, userId: 'ann-twin', status: 'ACTIVE' });
    const byFace = await provider.searchUsers({ collectionId: id, faceId: bobFace, maxUsers: 1, userMatchThreshold: 80 });
    expect(byFace).toEqual({
      searchedUserId: null,
      searchedFaceId: bobFace,
      userMatches: [{ similarity: expect.any(Number), user: { collectionId: id, userId: 'bob', status: 'ACTIVE' } }],
    });
  });

  it('unknown user → USER_NOT_FOUND; unknown face → INVALID_INPUT on input.faceId; unknown collection → COLLECTION_NOT_FOUND', async () => {
    const { id } = await enrolled();
    await expectDomainError(
      provider.searchUsers({ collectionId: id, userId: 'ghost', maxUsers: 10, userMatchThreshold: 80 }),
      'USER_NOT_FOUND',
      {
        collectionId: id,
        userId: 'ghost',
      },
    );
    await expectDomainError(
      provider.searchUsers({ collectionId: id, faceId: '00000000-0000-4000-8000-000000000000', maxUsers: 10, userMatchThreshold: 80 }),
      'INVALID_INPUT',
      { field: 'input.faceId' },
    );
    await expectDomainError(
      provider.searchUsers({ collectionId: 'nope', userId: 'ann', maxUsers: 10, userMatchThreshold: 80 }),
      'COLLECTION_NOT_FOUND',
    );
  });
});

describe('identifyFaces (DetectFaces + SearchUsersByImage per padded crop)', () => {
  const scene = () =>
    png([
      { identity: 'ann', box: BIG },
      { identity: 'bob', box: MID },
      { identity: 'stranger', box: SMALL, qualityBar: 'LOW' },
      { identity: 'bob', box: { left: 0.55, top: 0.05, width: 0.1, height: 0.1 } },
    ]);

  it('names each searched face, largest first; faces beyond maxFaces are unsearched; one SearchUsersByImage per searched face', async () => {
    const { id } = await enrolled();
    const out = await provider.identifyFaces({
      collectionId: id,
      image: scene(),
      maxFaces: 3,
      maxUsersPerFace: 2,
      userMatchThreshold: 80,
      qualityFilter: 'NONE',
    });
    expect(ops()).toEqual(['DetectFaces', 'SearchUsersByImage', 'SearchUsersByImage', 'SearchUsersByImage']);
    expect(fake.callsTo('SearchUsersByImage').map((c) => [c.params.MaxUsers, c.params.UserMatchThreshold, c.params.QualityFilter])).toEqual(
      [
        [2, 80, 'NONE'],
        [2, 80, 'NONE'],
        [2, 80, 'NONE'],
      ],
    );
    // The largest face is searched on the scene itself (Rekognition searches an image's largest face); each other on a crop of its own.
    const sceneSha = (fake.callsTo('DetectFaces')[0].params.Image as { Bytes: { sha256: string } }).Bytes.sha256;
    const searchedImages = fake.callsTo('SearchUsersByImage').map((c) => (c.params.Image as { Bytes: { sha256: string } }).Bytes.sha256);
    expect(new Set(searchedImages).size).toBe(3);
    expect(searchedImages.filter((sha) => sha === sceneSha)).toHaveLength(1);
    expect(out.faces.map((f) => [f.face.boundingBox, f.userMatches.map((m) => m.user.userId)])).toEqual([
      [BIG, ['ann']],
      [MID, ['bob']],
      [SMALL, []],
    ]);
    expect(out.faces[0].userMatches[0].similarity).toBeGreaterThanOrEqual(99);
    expect(out.faces[0].face.landmarks).toHaveLength(5);
    expect(out.unsearchedFaces.map((f) => f.boundingBox.width)).toEqual([0.1]);
  });

  it('QualityFilter is applied by Rekognition to each crop: a face under the bar is unsearched', async () => {
    const { id } = await enrolled();
    const out = await provider.identifyFaces({
      collectionId: id,
      image: scene(),
      maxFaces: 10,
      maxUsersPerFace: 1,
      userMatchThreshold: 80,
      qualityFilter: 'MEDIUM',
    });
    expect(fake.callsTo('SearchUsersByImage').every((c) => c.params.QualityFilter === 'MEDIUM')).toBe(true);
    expect(out.faces.map((f) => f.userMatches.map((m) => m.user.userId))).toEqual([['ann'], ['bob'], ['bob']]);
    expect(out.unsearchedFaces.map((f) => f.boundingBox)).toEqual([SMALL]);
  });

  it("a crop Rekognition answers for a neighbour (ours under the bar) leaves ours unsearched, never named with the neighbour's users", async () => {
    const { id } = await enrolled();
    const image = png([
      { identity: 'ann', box: { left: 0.3, top: 0.3, width: 0.3, height: 0.3 }, qualityBar: 'LOW' },
      // Inside the padding of ann's crop (which reaches 0.675), wholly seen there.
      { identity: 'bob', box: { left: 0.62, top: 0.35, width: 0.1, height: 0.1 } },
    ]);
    const input = { maxFaces: 10, maxUsersPerFace: 1, userMatchThreshold: 80, qualityFilter: 'MEDIUM' as const };
    const out = await provider.identifyFaces({ collectionId: id, image, ...input });
    expect(out.faces.map((f) => [f.face.boundingBox.width, f.userMatches.map((m) => m.user.userId)])).toEqual([[0.1, ['bob']]]);
    expect(out.unsearchedFaces.map((f) => f.boundingBox.width)).toEqual([0.3]);
  });

  it('no face → empty lists; no face and no collection → COLLECTION_NOT_FOUND; a bad image → INVALID_IMAGE', async () => {
    const { id } = await enrolled();
    const input = { maxFaces: 10, maxUsersPerFace: 1, userMatchThreshold: 80, qualityFilter: 'NONE' as const };
    expect(await provider.identifyFaces({ collectionId: id, image: png([]), ...input })).toEqual({ faces: [], unsearchedFaces: [] });
    await expectDomainError(provider.identifyFaces({ collectionId: 'nope', image: png([]), ...input }), 'COLLECTION_NOT_FOUND', {
      collectionId: 'nope',
    });
    await expectDomainError(provider.identifyFaces({ collectionId: 'nope', image: scene(), ...input }), 'COLLECTION_NOT_FOUND');
    await expectDomainError(
      provider.identifyFaces({ collectionId: id, image: new Uint8Array([0xff, 0xd8, 0xff, 0]), ...input }),
      'INVALID_IMAGE',
    );
  });
});

describe('verifyUser (SearchUsersByImage at threshold 0, MaxUsers 500)', () => {
  it("the user's own similarity from one call: a match at or above the threshold, a stranger's low similarity below it", async () => {
    const { id } = await enrolled();
    const ann = png([
      { identity: 'ann', box: BIG },
      { identity: 'bob', box: SMALL },
    ]);
    const yes = await provider.verifyUser({ collectionId: id, userId: 'ann', image: ann, userMatchThreshold: 80 });
    expect(ops()).toEqual(['SearchUsersByImage']);
    expect(fake.callsTo('SearchUsersByImage')[0].params).toMatchObject({ UserMatchThreshold: 0, MaxUsers: 500, QualityFilter: 'NONE' });
    expect(yes).toMatchObject({ isMatch: true, user: { collectionId: id, userId: 'ann', status: 'ACTIVE' } });
    expect(yes.similarity).toBeGreaterThanOrEqual(99);
    expect(yes.searchedFace).toMatchObject({ boundingBox: BIG, pose: { roll: 0, yaw: 0, pitch: 0 } });
    // The similarity Rekognition computed for bob, below the threshold (the fake's strangers are under 50).
    const no = await provider.verifyUser({ collectionId: id, userId: 'bob', image: ann, userMatchThreshold: 80 });
    expect(no.isMatch).toBe(false);
    expect(no.similarity).toBeGreaterThan(0);
    expect(no.similarity).toBeLessThan(50);
    const strict = await provider.verifyUser({ collectionId: id, userId: 'ann', image: ann, userMatchThreshold: 100 });
    expect(strict.isMatch).toBe(false);
    expect(strict.similarity).toBe(yes.similarity);
  });

  it('a user without faces → similarity 0 (ListUsers tells it exists); unknown user → USER_NOT_FOUND; no face → NO_FACE_DETECTED', async () => {
    const { id } = await enrolled();
    const face = png([{ identity: 'ann' }]);
    expect(await provider.verifyUser({ collectionId: id, userId: 'empty', image: face, userMatchThreshold: 80 })).toMatchObject({
      isMatch: false,
      similarity: 0,
      user: { userId: 'empty', status: 'CREATED' },
    });
    expect(ops()).toEqual(['SearchUsersByImage', 'ListUsers']);
    await expectDomainError(
      provider.verifyUser({ collectionId: id, userId: 'ghost', image: face, userMatchThreshold: 80 }),
      'USER_NOT_FOUND',
      {
        userId: 'ghost',
      },
    );
    await expectDomainError(
      provider.verifyUser({ collectionId: id, userId: 'ann', image: png([]), userMatchThreshold: 80 }),
      'NO_FACE_DETECTED',
      {
        field: 'image',
      },
    );
    await expectDomainError(
      provider.verifyUser({ collectionId: id, userId: 'ghost', image: png([]), userMatchThreshold: 80 }),
      'USER_NOT_FOUND',
    );
    await expectDomainError(
      provider.verifyUser({ collectionId: 'nope', userId: 'ann', image: face, userMatchThreshold: 80 }),
      'COLLECTION_NOT_FOUND',
    );
  });
});

describe('refusals of the service → domain errors, on every face operation', () => {
  const image = () => png([{ identity: 'ann' }]);
  const calls: [string, string, (id: string) => Promise<unknown>][] = [
    ['detectFaces', 'DetectFaces', () => provider.detectFaces({ image: image(), attributes: NONE })],
    [
      'compareFaces',
      'CompareFaces',
      () => provider.compareFaces({ sourceImage: image(), targetImage: image(), similarityThreshold: 80, qualityFilter: 'NONE' }),
    ],
    [
      'verifyUser',
      'SearchUsersByImage',
      (id) => provider.verifyUser({ collectionId: id, userId: 'ann', image: image(), userMatchThreshold: 80 }),
    ],
    [
      'searchFaces',
      'SearchFaces',
      (id) =>
        provider.searchFaces({ collectionId: id, faceId: '00000000-0000-4000-8000-000000000000', maxFaces: 1, faceMatchThreshold: 80 }),
    ],
    [
      'searchFacesByImage',
      'SearchFacesByImage',
      (id) => provider.searchFacesByImage({ collectionId: id, image: image(), maxFaces: 1, faceMatchThreshold: 80, qualityFilter: 'NONE' }),
    ],
    ['searchUsers', 'SearchUsers', (id) => provider.searchUsers({ collectionId: id, userId: 'ann', maxUsers: 1, userMatchThreshold: 80 })],
    [
      'identifyFaces',
      'DetectFaces',
      (id) =>
        provider.identifyFaces({
          collectionId: id,
          image: image(),
          maxFaces: 1,
          maxUsersPerFace: 1,
          userMatchThreshold: 80,
          qualityFilter: 'NONE',
        }),
    ],
    [
      'searchUsersByImage',
      'SearchUsersByImage',
      (id) => provider.searchUsersByImage({ collectionId: id, image: image(), userMatchThreshold: 80, maxUsers: 1 }),
    ],
  ];

  it.each(calls)('%s: AccessDeniedException, a bare 403 and a 401 → FORBIDDEN; throttling → THROTTLED', async (_name, op, run) => {
    const { id } = await enrolled();
    fake.inject({ op, kind: 'error', times: 1, error: { type: 'AccessDeniedException' } });
    await expectDomainError(run(id), 'FORBIDDEN', { providerCode: 'AccessDeniedException', operation: op });
    fake.inject({ op, kind: 'error', times: 1, error: { type: 'SomethingNewException', status: 403 } });
    await expectDomainError(run(id), 'FORBIDDEN');
    fake.inject({ op, kind: 'error', times: 1, error: { type: 'UnrecognizedClientException', status: 401 } });
    await expectDomainError(run(id), 'FORBIDDEN');
    fake.inject({ op, kind: 'throttle', times: 1 });
    await expectDomainError(run(id), 'THROTTLED', { retryAfterMs: 1000 });
  });
});
