/**
 * AzureFaceProvider's face details against the fake Azure Face: what
 * detectFaces asks Azure for and how Azure's answer becomes a FaceDetail
 * on each detection model (27 landmarks → 5, headPose → pose, blur →
 * sharpness, exposure → brightness, qualityForRecognition, mask /
 * occlusion → faceOccluded, glasses → eyeglasses / sunglasses), the
 * capabilities each model advertises, and indexFaces' quality filter,
 * unindexed reasons and faceDetails.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakePng, startFakeAzureFace, type DeclaredFace, type FakeAzureFace } from '../fakes/azure-face/server.js';
import { CAPABILITIES, expectDomainError, providerFor, uniqueId, type Provider } from './support.js';

let fake: FakeAzureFace;
let d03: Provider;
let d01: Provider;

beforeAll(async () => {
  fake = await startFakeAzureFace({ trainingMs: 10 });
  d03 = providerFor(fake);
  d01 = providerFor(fake, { name: 'azure-d01', detectionModel: 'detection_01' });
});
afterAll(async () => {
  await d03.close();
  await d01.close();
  await fake.stop();
});
beforeEach(() => fake.clearCalls());

let labels = 0;
const png = (faces?: DeclaredFace[]) => fakePng({ label: `fd-${++labels}`, faces, width: 1000, height: 800 });
const NONE: ReadonlySet<never> = new Set();
const attrs = (...names: ('FACE_OCCLUDED' | 'EYEGLASSES' | 'SUNGLASSES')[]) => new Set(names);

describe('capabilities follow the detection model', () => {
  it('detection_03 advertises FACE_OCCLUDED only; detection_01 EYEGLASSES, SUNGLASSES and FACE_OCCLUDED; never age, gender, emotions, smile', () => {
    const attributesOf = (p: Provider) => [...p.capabilities].filter((c) => c.startsWith('FACE_ATTRIBUTE_')).sort();
    expect(attributesOf(d03)).toEqual(['FACE_ATTRIBUTE_FACE_OCCLUDED']);
    expect(attributesOf(d01)).toEqual(['FACE_ATTRIBUTE_EYEGLASSES', 'FACE_ATTRIBUTE_FACE_OCCLUDED', 'FACE_ATTRIBUTE_SUNGLASSES']);
    for (const p of [d03, d01]) {
      for (const op of [
        'DETECT_FACES',
        'COMPARE_FACES',
        'VERIFY_USER',
        'SEARCH_FACES',
        'SEARCH_FACES_BY_IMAGE',
        'IDENTIFY_FACES',
      ] as const) {
        expect(p.capabilities.has(op)).toBe(true);
      }
      expect(p.capabilities.has('SEARCH_USERS')).toBe(false);
    }
    expect(CAPABILITIES).toContain('FACE_ATTRIBUTE_AGE_RANGE');
  });
});

describe('detectFaces', () => {
  it('detection_03: asks for landmarks, headPose, blur and qualityForRecognition (mask only when FACE_OCCLUDED is asked), without faceIds', async () => {
    await d03.detectFaces({ image: png(), attributes: NONE });
    await d03.detectFaces({ image: png(), attributes: attrs('FACE_OCCLUDED') });
    const [plain, occluded] = fake.callsTo('Detect').map((c) => c.query);
    expect(plain).toMatchObject({
      returnFaceId: 'false',
      returnFaceLandmarks: 'true',
      detectionModel: 'detection_03',
      recognitionModel: 'recognition_04',
      returnFaceAttributes: 'headPose,blur,qualityForRecognition',
    });
    expect(plain.faceIdTimeToLive).toBeUndefined();
    expect(occluded.returnFaceAttributes).toBe('headPose,blur,qualityForRecognition,mask');
  });

  it('maps landmarks 27 → 5 as ratios, headPose → pose, blur → sharpness, qualityForRecognition; confidence 100; largest first', async () => {
    const image = png([
      { identity: 'small', box: { left: 0.7, top: 0.1, width: 0.1, height: 0.1 } },
      {
        identity: 'big',
        box: { left: 0.1, top: 0.1, width: 0.5, height: 0.5 },
        landmarks: {
          pupilLeft: { x: 0.25, y: 0.3 },
          pupilRight: { x: 0.45, y: 0.31 },
          noseTip: { x: 0.35, y: 0.4 },
          mouthLeft: { x: 0.28, y: 0.5 },
          mouthRight: { x: 0.42, y: 0.5 },
          eyebrowLeftOuter: { x: 0.2, y: 0.2 },
        },
        headPose: { pitch: -4.5, roll: 2, yaw: 31 },
        blur: { blurLevel: 'medium', value: 0.4 },
        quality: 'medium',
        mask: { type: 'faceMask', noseAndMouthCovered: true },
      },
    ]);
    const { faces } = await d03.detectFaces({ image, attributes: NONE });
    expect(faces).toHaveLength(2);
    const [big, small] = faces;
    expect(big.boundingBox).toEqual({ left: 0.1, top: 0.1, width: 0.5, height: 0.5 });
    expect(big.confidence).toBe(100);
    expect(big.landmarks?.map((l) => l.type)).toEqual(['EYE_LEFT', 'EYE_RIGHT', 'NOSE', 'MOUTH_LEFT', 'MOUTH_RIGHT']);
    const at = Object.fromEntries((big.landmarks ?? []).map((l) => [l.type, [l.x, l.y]]));
    expect(at.EYE_LEFT[0]).toBeCloseTo(0.25, 6);
    expect(at.EYE_RIGHT[1]).toBeCloseTo(0.31, 6);
    expect(at.NOSE).toEqual([expect.closeTo(0.35, 6), expect.closeTo(0.4, 6)]);
    expect(at.MOUTH_RIGHT[0]).toBeCloseTo(0.42, 6);
    expect(big.pose).toEqual({ roll: 2, yaw: 31, pitch: -4.5 });
    expect(big.quality).toEqual({ sharpness: 60, brightness: null, forRecognition: 'MEDIUM' });
    // Not asked for: null or absent, never guessed.
    expect(big.faceOccluded ?? null).toBeNull();
    expect(big.ageRange ?? null).toBeNull();
    expect(small.quality).toEqual({ sharpness: 95, brightness: null, forRecognition: 'HIGH' });
    expect(small.boundingBox.left).toBeCloseTo(0.7, 6);
    expect((await d03.detectFaces({ image: png([]), attributes: NONE })).faces).toEqual([]);
  });

  it('detection_03 FACE_OCCLUDED comes from mask: covered → true, none → false, uncertain → confidence 50', async () => {
    const image = png([
      { identity: 'a', box: { left: 0, top: 0, width: 0.4, height: 0.4 }, mask: { type: 'faceMask', noseAndMouthCovered: true } },
      { identity: 'b', box: { left: 0.5, top: 0, width: 0.3, height: 0.3 } },
      { identity: 'c', box: { left: 0, top: 0.5, width: 0.2, height: 0.2 }, mask: { type: 'uncertain', noseAndMouthCovered: false } },
    ]);
    const { faces } = await d03.detectFaces({ image, attributes: attrs('FACE_OCCLUDED') });
    expect(faces.map((f) => f.faceOccluded)).toEqual([
      { value: true, confidence: 100 },
      { value: false, confidence: 100 },
      { value: false, confidence: 50 },
    ]);
  });

  it('detection_01: exposure → brightness, glasses → eyeglasses/sunglasses, occlusion of eyes or mouth → faceOccluded', async () => {
    const image = png([
      {
        identity: 'a',
        box: { left: 0, top: 0, width: 0.4, height: 0.4 },
        glasses: 'sunglasses',
        exposure: { exposureLevel: 'underExposure', value: 0.2 },
        occlusion: { foreheadOccluded: false, eyeOccluded: true, mouthOccluded: false },
      },
      {
        identity: 'b',
        box: { left: 0.5, top: 0, width: 0.3, height: 0.3 },
        glasses: 'readingGlasses',
        occlusion: { foreheadOccluded: true, eyeOccluded: false, mouthOccluded: false },
      },
      { identity: 'c', box: { left: 0, top: 0.5, width: 0.2, height: 0.2 }, glasses: 'swimmingGoggles' },
    ]);
    const { faces } = await d01.detectFaces({ image, attributes: attrs('EYEGLASSES', 'SUNGLASSES', 'FACE_OCCLUDED') });
    expect(fake.callsTo('Detect')[0].query).toMatchObject({
      detectionModel: 'detection_01',
      returnFaceAttributes: 'headPose,blur,qualityForRecognition,exposure,occlusion,glasses',
    });
    expect(faces[0].quality).toEqual({ brightness: 20, sharpness: 95, forRecognition: 'HIGH' });
    expect(faces[1].quality?.brightness).toBe(50);
    const flags = faces.map((f) => [f.eyeglasses?.value, f.sunglasses?.value, f.faceOccluded?.value]);
    expect(flags).toEqual([
      [true, true, true],
      [true, false, false],
      [false, false, false],
    ]);
  });

  it('refuses an unreadable image before any call (INVALID_IMAGE) and maps Azure’s image errors', async () => {
    await expectDomainError(d03.detectFaces({ image: new Uint8Array([1, 2, 3]), attributes: NONE }), 'INVALID_IMAGE');
    expect(fake.callsTo('Detect')).toHaveLength(0);
    fake.inject({
      op: 'Detect',
      kind: 'error',
      times: 1,
      error: { status: 400, code: 'InvalidImageSize', message: 'Image size is too big.' },
    });
    await expectDomainError(d03.detectFaces({ image: png(), attributes: NONE }), 'INVALID_IMAGE');
  });
});

describe('indexFaces: quality filter, every unindexed reason, faceDetails', () => {
  const collection = async (p: Provider) => {
    const id = uniqueId('fd');
    await p.createCollection(id);
    return id;
  };

  it('AUTO (default): quality low is LOW_FACE_QUALITY, with LOW_SHARPNESS for heavy blur; small boxes SMALL_BOUNDING_BOX', async () => {
    const id = await collection(d03);
    const out = await d03.indexFaces({
      collectionId: id,
      image: png([
        { identity: 'ok', box: { left: 0, top: 0, width: 0.4, height: 0.4 }, quality: 'medium' },
        {
          identity: 'blurry',
          box: { left: 0.5, top: 0, width: 0.3, height: 0.3 },
          quality: 'low',
          blur: { blurLevel: 'high', value: 0.9 },
        },
        { identity: 'dim', box: { left: 0, top: 0.5, width: 0.25, height: 0.25 }, quality: 'low' },
        { identity: 'tiny', box: { left: 0.6, top: 0.6, width: 0.038, height: 0.049 } },
      ]),
    });
    expect(out.faces).toHaveLength(1);
    expect(out.unindexedFaces.map((u) => u.reasons)).toEqual([
      ['LOW_FACE_QUALITY', 'LOW_SHARPNESS'],
      ['LOW_FACE_QUALITY'],
      ['SMALL_BOUNDING_BOX'],
    ]);
    expect(out.faceDetails).toHaveLength(1);
    expect(out.faceDetails[0]).toMatchObject({
      boundingBox: out.faces[0].boundingBox,
      confidence: 100,
      quality: { forRecognition: 'MEDIUM' },
    });
    expect(out.faceDetails[0].landmarks).toHaveLength(5);
  });

  it('detection_01 adds LOW_BRIGHTNESS for under-exposure; HIGH refuses medium; NONE indexes every detected face', async () => {
    const id = await collection(d01);
    const image = png([
      {
        identity: 'dark',
        box: { left: 0, top: 0, width: 0.4, height: 0.4 },
        quality: 'low',
        exposure: { exposureLevel: 'underExposure', value: 0.1 },
      },
      { identity: 'mid', box: { left: 0.5, top: 0, width: 0.3, height: 0.3 }, quality: 'medium' },
      { identity: 'tiny', box: { left: 0.6, top: 0.6, width: 0.038, height: 0.049 } },
    ]);
    const high = await d01.indexFaces({ collectionId: id, image, qualityFilter: 'HIGH' });
    expect(high.faces).toHaveLength(0);
    expect(high.unindexedFaces.map((u) => u.reasons)).toEqual([
      ['LOW_FACE_QUALITY', 'LOW_BRIGHTNESS'],
      ['LOW_FACE_QUALITY'],
      ['SMALL_BOUNDING_BOX'],
    ]);
    const none = await d01.indexFaces({
      collectionId: id,
      image,
      qualityFilter: 'NONE',
      detectionAttributes: attrs('FACE_OCCLUDED', 'EYEGLASSES'),
    });
    expect(none.faces).toHaveLength(3);
    expect(none.unindexedFaces).toEqual([]);
    expect(none.faceDetails.map((d) => d.boundingBox)).toEqual(none.faces.map((f) => f.boundingBox));
    expect(none.faceDetails[0]).toMatchObject({
      quality: { brightness: 10 },
      faceOccluded: { value: false },
      eyeglasses: { value: false },
    });
  });
});
