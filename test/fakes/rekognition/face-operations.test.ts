/**
 * The fake Rekognition's face operations driven by the real SDK:
 * DetectFaces, CompareFaces, SearchFaces, SearchFacesByImage, SearchUsers,
 * their documented constraints and errors, FaceDetail attributes, the
 * quality bars of QualityFilter on IndexFaces and SearchUsersByImage, and
 * faces seen in a crop of a fakePng (face-codes.ts).
 */
import {
  AssociateFacesCommand,
  CompareFacesCommand,
  CreateCollectionCommand,
  CreateUserCommand,
  DetectFacesCommand,
  ImageTooLargeException,
  IndexFacesCommand,
  InvalidImageFormatException,
  InvalidParameterException,
  RekognitionClient,
  ResourceNotFoundException,
  SearchFacesByImageCommand,
  SearchFacesCommand,
  SearchUsersByImageCommand,
  SearchUsersCommand,
} from '@aws-sdk/client-rekognition';
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakePng, startFakeRekognition, type DeclaredFace, type FakeRekognition } from './server.js';

let fake: FakeRekognition;
let client: RekognitionClient;

beforeAll(async () => {
  fake = await startFakeRekognition();
  client = new RekognitionClient({
    endpoint: fake.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake-secret' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client.destroy();
  await fake.stop();
});
beforeEach(() => fake.reset({ images: true }));

let labels = 0;
const png = (faces?: DeclaredFace[], size?: number) => fakePng({ label: `ops-${++labels}`, faces, width: size, height: size });

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection, got success');
}

async function collection(): Promise<string> {
  const id = `c-${randomUUID().slice(0, 8)}`;
  await client.send(new CreateCollectionCommand({ CollectionId: id }));
  return id;
}

async function indexOne(id: string, identity: string): Promise<string> {
  const out = await client.send(new IndexFacesCommand({ CollectionId: id, Image: { Bytes: png([{ identity }]) } }));
  return out.FaceRecords?.[0].Face?.FaceId as string;
}

/** A user with one face of `identity`; returns the face id. */
async function userWithFace(id: string, userId: string, identity = userId): Promise<string> {
  await client.send(new CreateUserCommand({ CollectionId: id, UserId: userId }));
  const face = await indexOne(id, identity);
  await client.send(new AssociateFacesCommand({ CollectionId: id, UserId: userId, FaceIds: [face] }));
  return face;
}

const SIDE = { left: 0.05, top: 0.05, width: 0.3, height: 0.3 };
const BIG = { left: 0.45, top: 0.45, width: 0.5, height: 0.5 };

describe('DetectFaces', () => {
  it('DEFAULT: box, confidence, landmarks, pose, quality of every face, largest first; declared values as declared', async () => {
    const image = png([
      { identity: 'a', box: SIDE, pose: { roll: 5, yaw: -40, pitch: 10 }, qualityScores: { brightness: 12.5, sharpness: 33 } },
      { identity: 'b', box: BIG, landmarks: [{ type: 'nose', x: 0.7, y: 0.7 }] },
    ]);
    const out = await client.send(new DetectFacesCommand({ Image: { Bytes: image } }));
    const [big, side] = out.FaceDetails ?? [];
    expect(big.BoundingBox).toEqual({ Left: 0.45, Top: 0.45, Width: 0.5, Height: 0.5 });
    expect(big.Landmarks).toEqual([{ Type: 'nose', X: 0.7, Y: 0.7 }]);
    expect(side.Pose).toEqual({ Roll: 5, Yaw: -40, Pitch: 10 });
    expect(side.Quality).toEqual({ Brightness: 12.5, Sharpness: 33 });
    expect(side.Landmarks?.map((l) => l.Type)).toEqual(expect.arrayContaining(['eyeLeft', 'eyeRight', 'nose', 'mouthLeft', 'mouthRight']));
    expect(side.AgeRange).toBeUndefined();
    expect(side.Emotions).toBeUndefined();
    // ["DEFAULT"] is the same as no Attributes.
    const again = await client.send(new DetectFacesCommand({ Image: { Bytes: image }, Attributes: ['DEFAULT'] }));
    expect(again.FaceDetails).toEqual(out.FaceDetails);
  });

  it('named attributes come on top of DEFAULT; ALL (with or without DEFAULT) gives every one', async () => {
    const image = png([
      { identity: 'a', attributes: { smile: { value: true, confidence: 91 }, gender: { value: 'Male', confidence: 88 } } },
    ]);
    const some = (await client.send(new DetectFacesCommand({ Image: { Bytes: image }, Attributes: ['SMILE', 'FACE_OCCLUDED'] })))
      .FaceDetails?.[0];
    expect(some?.Smile).toEqual({ Value: true, Confidence: 91 });
    expect(some?.FaceOccluded).toEqual({ Value: false, Confidence: 99 });
    expect(some?.Gender).toBeUndefined();
    expect(some?.Pose).toBeDefined();
    const all = (await client.send(new DetectFacesCommand({ Image: { Bytes: image }, Attributes: ['ALL', 'DEFAULT'] }))).FaceDetails?.[0];
    for (const key of [
      'AgeRange',
      'Smile',
      'Eyeglasses',
      'Sunglasses',
      'Gender',
      'Beard',
      'Mustache',
      'EyesOpen',
      'MouthOpen',
      'Emotions',
      'FaceOccluded',
      'EyeDirection',
    ]) {
      expect(all, key).toHaveProperty(key);
    }
    expect(all?.Gender).toEqual({ Value: 'Male', Confidence: 88 });
    expect(all?.Emotions?.length).toBe(8);
  });

  it('no face → empty FaceDetails; bad attribute, bad image, huge image and over-5-MiB bytes are refused', async () => {
    expect((await client.send(new DetectFacesCommand({ Image: { Bytes: png([]) } }))).FaceDetails).toEqual([]);
    const bad = await failure(client.send(new DetectFacesCommand({ Image: { Bytes: png() }, Attributes: ['AGE' as never] })));
    expect(bad).toBeInstanceOf(InvalidParameterException);
    expect(bad.message).toMatch(
      /at 'attributes' failed to satisfy constraint: Member must satisfy constraint: \[Member must satisfy enum value set/,
    );
    expect(await failure(client.send(new DetectFacesCommand({ Image: { Bytes: new Uint8Array([1, 2, 3]) } })))).toBeInstanceOf(
      InvalidImageFormatException,
    );
    const huge = png();
    fake.declareImage(huge, [{ identity: 'x' }], { width: 20_000 });
    expect(await failure(client.send(new DetectFacesCommand({ Image: { Bytes: huge } })))).toBeInstanceOf(ImageTooLargeException);
    const tooBig = new Uint8Array(5 * 1024 * 1024 + 1);
    tooBig.set(png(), 0);
    const over = await failure(client.send(new DetectFacesCommand({ Image: { Bytes: tooBig } })));
    expect(over.message).toMatch(/at 'image.bytes' failed to satisfy constraint: Member must have length less than or equal to 5242880/);
  });
});

describe('CompareFaces', () => {
  it("the source's largest face against each target face: matches ≥ threshold best first, the rest unmatched", async () => {
    const source = png([
      { identity: 'ann', box: BIG },
      { identity: 'bob', box: SIDE },
    ]);
    const target = png([
      { identity: 'bob', box: BIG },
      { identity: 'ann', box: SIDE },
      { identity: 'ann', box: { left: 0.05, top: 0.6, width: 0.2, height: 0.2 } },
    ]);
    const out = await client.send(new CompareFacesCommand({ SourceImage: { Bytes: source }, TargetImage: { Bytes: target } }));
    expect(out.SourceImageFace).toEqual({ BoundingBox: { Left: 0.45, Top: 0.45, Width: 0.5, Height: 0.5 }, Confidence: 99.9 });
    const sims = out.FaceMatches?.map((m) => m.Similarity as number) ?? [];
    expect(sims).toHaveLength(2);
    expect(sims[0]).toBeGreaterThanOrEqual(sims[1]);
    expect(sims[1]).toBeGreaterThanOrEqual(99);
    expect(out.FaceMatches?.[0].Face?.Landmarks?.length).toBeGreaterThan(0);
    expect(out.UnmatchedFaces?.map((f) => f.BoundingBox?.Width)).toEqual([0.5]);
    const all = await client.send(
      new CompareFacesCommand({ SourceImage: { Bytes: source }, TargetImage: { Bytes: target }, SimilarityThreshold: 0 }),
    );
    expect(all.FaceMatches).toHaveLength(3);
    expect(all.UnmatchedFaces).toEqual([]);
  });

  it('QualityFilter leaves filtered target faces out of both lists; no face in either image is InvalidParameterException', async () => {
    const source = png([{ identity: 'ann' }]);
    const target = png([
      { identity: 'ann', box: BIG, qualityBar: 'LOW' },
      { identity: 'ann', box: SIDE },
    ]);
    const send = (q?: 'NONE' | 'HIGH' | 'MEDIUM') =>
      client.send(new CompareFacesCommand({ SourceImage: { Bytes: source }, TargetImage: { Bytes: target }, QualityFilter: q }));
    expect((await send()).FaceMatches).toHaveLength(2);
    const high = await send('HIGH');
    expect(high.FaceMatches?.map((m) => m.Face?.BoundingBox?.Width)).toEqual([0.3]);
    expect(high.UnmatchedFaces).toEqual([]);
    for (const [s, t] of [
      [png([]), target],
      [source, png([])],
    ]) {
      const e = await failure(client.send(new CompareFacesCommand({ SourceImage: { Bytes: s }, TargetImage: { Bytes: t } })));
      expect(e).toBeInstanceOf(InvalidParameterException);
      expect(e.message).toMatch(/no faces in the image/);
    }
    const range = await failure(
      client.send(new CompareFacesCommand({ SourceImage: { Bytes: source }, TargetImage: { Bytes: target }, SimilarityThreshold: 101 })),
    );
    expect(range.message).toMatch(
      /at 'similarityThreshold' failed to satisfy constraint: Member must have value less than or equal to 100/,
    );
    const badTarget = await failure(
      client.send(new CompareFacesCommand({ SourceImage: { Bytes: source }, TargetImage: { Bytes: new Uint8Array([9]) } })),
    );
    expect(badTarget).toBeInstanceOf(InvalidImageFormatException);
  });
});

describe('SearchFaces / SearchFacesByImage', () => {
  it('SearchFaces: the faces like the searched one, best first, never itself; MaxFaces and threshold apply', async () => {
    const id = await collection();
    const [a1, a2, a3, b1] = [await indexOne(id, 'ann'), await indexOne(id, 'ann'), await indexOne(id, 'ann'), await indexOne(id, 'bob')];
    const out = await client.send(new SearchFacesCommand({ CollectionId: id, FaceId: a1 }));
    expect(out.SearchedFaceId).toBe(a1);
    expect(out.FaceMatches?.map((m) => m.Face?.FaceId).sort()).toEqual([a2, a3].sort());
    const sims = out.FaceMatches?.map((m) => m.Similarity as number) ?? [];
    expect(sims[0]).toBeGreaterThanOrEqual(sims[1]);
    expect((await client.send(new SearchFacesCommand({ CollectionId: id, FaceId: a1, MaxFaces: 1 }))).FaceMatches).toHaveLength(1);
    const everyone = await client.send(new SearchFacesCommand({ CollectionId: id, FaceId: a1, FaceMatchThreshold: 0 }));
    expect(everyone.FaceMatches?.map((m) => m.Face?.FaceId)).toContain(b1);
  });

  it('SearchFaces errors: unknown face → InvalidParameterException; MaxFaces 0 / 4097 and threshold −1 → validation; unknown collection', async () => {
    const id = await collection();
    const face = await indexOne(id, 'ann');
    const unknown = await failure(client.send(new SearchFacesCommand({ CollectionId: id, FaceId: randomUUID() })));
    expect(unknown).toBeInstanceOf(InvalidParameterException);
    expect(unknown.message).toBe('faceId was not found in the collection');
    for (const [extra, message] of [
      [{ MaxFaces: 0 }, /at 'maxFaces' failed to satisfy constraint: Member must have value greater than or equal to 1/],
      [{ MaxFaces: 4097 }, /at 'maxFaces' failed to satisfy constraint: Member must have value less than or equal to 4096/],
      [{ FaceMatchThreshold: -1 }, /at 'faceMatchThreshold' failed to satisfy constraint/],
    ] as const) {
      expect((await failure(client.send(new SearchFacesCommand({ CollectionId: id, FaceId: face, ...extra })))).message).toMatch(message);
    }
    expect(await failure(client.send(new SearchFacesCommand({ CollectionId: 'nope', FaceId: face })))).toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('SearchFacesByImage: the largest (passing) face is searched; box and confidence only; no face is InvalidParameterException', async () => {
    const id = await collection();
    const ann = await indexOne(id, 'ann');
    await indexOne(id, 'bob');
    const image = png([
      { identity: 'ann', box: BIG, confidence: 97.5 },
      { identity: 'bob', box: SIDE },
    ]);
    const out = await client.send(new SearchFacesByImageCommand({ CollectionId: id, Image: { Bytes: image } }));
    expect(out.SearchedFaceBoundingBox).toEqual({ Left: 0.45, Top: 0.45, Width: 0.5, Height: 0.5 });
    expect(out.SearchedFaceConfidence).toBe(97.5);
    expect(out.FaceMatches?.map((m) => m.Face?.FaceId)).toEqual([ann]);
    const filtered = png([
      { identity: 'ann', box: BIG, qualityIssues: ['LOW_SHARPNESS'] },
      { identity: 'bob', box: SIDE },
    ]);
    const auto = await client.send(new SearchFacesByImageCommand({ CollectionId: id, Image: { Bytes: filtered }, QualityFilter: 'AUTO' }));
    expect(auto.SearchedFaceBoundingBox?.Width).toBe(0.3);
    const none = await failure(client.send(new SearchFacesByImageCommand({ CollectionId: id, Image: { Bytes: png([]) } })));
    expect(none).toBeInstanceOf(InvalidParameterException);
    const bar = await failure(
      client.send(
        new SearchFacesByImageCommand({
          CollectionId: id,
          Image: { Bytes: png([{ identity: 'x', qualityBar: 'LOW' }]) },
          QualityFilter: 'HIGH',
        }),
      ),
    );
    expect(bar).toBeInstanceOf(InvalidParameterException);
    const q = await failure(
      client.send(new SearchFacesByImageCommand({ CollectionId: id, Image: { Bytes: image }, QualityFilter: 'BEST' as never })),
    );
    expect(q.message).toMatch(
      /at 'qualityFilter' failed to satisfy constraint: Member must satisfy enum value set: \[NONE, AUTO, LOW, MEDIUM, HIGH\]/,
    );
  });
});

describe('SearchUsers', () => {
  it('by UserId: other users best first, never itself nor users without faces; by FaceId: every user with faces', async () => {
    const id = await collection();
    await userWithFace(id, 'ann');
    await userWithFace(id, 'ann2', 'ann');
    await userWithFace(id, 'bob');
    await client.send(new CreateUserCommand({ CollectionId: id, UserId: 'empty' }));
    const byUser = await client.send(new SearchUsersCommand({ CollectionId: id, UserId: 'ann' }));
    expect(byUser.SearchedUser).toEqual({ UserId: 'ann' });
    expect(byUser.SearchedFace).toBeUndefined();
    expect(byUser.UserMatches?.map((m) => m.User)).toEqual([{ UserId: 'ann2', UserStatus: 'ACTIVE' }]);
    const all = await client.send(new SearchUsersCommand({ CollectionId: id, UserId: 'ann', UserMatchThreshold: 0 }));
    expect(all.UserMatches?.map((m) => m.User?.UserId)).toEqual(['ann2', 'bob']);
    expect(
      (await client.send(new SearchUsersCommand({ CollectionId: id, UserId: 'ann', UserMatchThreshold: 0, MaxUsers: 1 }))).UserMatches,
    ).toHaveLength(1);
    const loose = await indexOne(id, 'bob');
    const byFace = await client.send(new SearchUsersCommand({ CollectionId: id, FaceId: loose }));
    expect(byFace.SearchedFace).toEqual({ FaceId: loose });
    expect(byFace.UserMatches?.map((m) => m.User?.UserId)).toEqual(['bob']);
  });

  it('errors: unknown UserId or FaceId, neither or both, MaxUsers 0 / 501, threshold 100.5, unknown collection', async () => {
    const id = await collection();
    const face = await userWithFace(id, 'ann');
    const noUser = await failure(client.send(new SearchUsersCommand({ CollectionId: id, UserId: 'nobody' })));
    expect(noUser).toBeInstanceOf(InvalidParameterException);
    expect(noUser.message).toBe('userId was not found in the collection');
    expect((await failure(client.send(new SearchUsersCommand({ CollectionId: id, FaceId: randomUUID() })))).message).toBe(
      'faceId was not found in the collection',
    );
    for (const input of [{}, { UserId: 'ann', FaceId: face }]) {
      const e = await failure(client.send(new SearchUsersCommand({ CollectionId: id, ...input })));
      expect(e).toBeInstanceOf(InvalidParameterException);
      expect(e.message).toMatch(/exactly one of UserId or FaceId/);
    }
    for (const [extra, message] of [
      [{ MaxUsers: 0 }, /at 'maxUsers' failed to satisfy constraint: Member must have value greater than or equal to 1/],
      [{ MaxUsers: 501 }, /at 'maxUsers' failed to satisfy constraint: Member must have value less than or equal to 500/],
      [{ UserMatchThreshold: 100.5 }, /at 'userMatchThreshold' failed to satisfy constraint/],
    ] as const) {
      expect((await failure(client.send(new SearchUsersCommand({ CollectionId: id, UserId: 'ann', ...extra })))).message).toMatch(message);
    }
    expect(await failure(client.send(new SearchUsersCommand({ CollectionId: 'nope', UserId: 'ann' })))).toBeInstanceOf(
      ResourceNotFoundException,
    );
  });
});

describe('quality bars and attributes on IndexFaces and SearchUsersByImage', () => {
  it('IndexFaces: a face under the bar is LOW_FACE_QUALITY (AUTO = MEDIUM), declared issues keep their names; DetectionAttributes fill FaceDetail', async () => {
    const id = await collection();
    const image = png([
      { identity: 'low', box: BIG, qualityBar: 'LOW' },
      { identity: 'mid', box: SIDE, qualityBar: 'MEDIUM' },
      { identity: 'dark', box: { left: 0.05, top: 0.6, width: 0.2, height: 0.2 }, qualityIssues: ['LOW_BRIGHTNESS'] },
    ]);
    const index = (QualityFilter: 'LOW' | 'AUTO' | 'HIGH', ExternalImageId: string) =>
      client.send(
        new IndexFacesCommand({
          CollectionId: id,
          Image: { Bytes: image },
          QualityFilter,
          ExternalImageId,
          DetectionAttributes: ['AGE_RANGE'],
        }),
      );
    const auto = await index('AUTO', 'a');
    expect(auto.FaceRecords?.map((r) => r.FaceDetail?.BoundingBox?.Width)).toEqual([0.3]);
    expect(auto.FaceRecords?.[0].FaceDetail?.AgeRange).toEqual({ Low: 25, High: 35 });
    expect(auto.UnindexedFaces?.map((u) => u.Reasons)).toEqual([['LOW_FACE_QUALITY'], ['LOW_BRIGHTNESS']]);
    expect(auto.UnindexedFaces?.[0].FaceDetail?.AgeRange).toEqual({ Low: 25, High: 35 });
    expect((await index('LOW', 'b')).FaceRecords).toHaveLength(2);
    expect((await index('HIGH', 'c')).UnindexedFaces?.map((u) => u.Reasons)).toEqual([
      ['LOW_FACE_QUALITY'],
      ['LOW_FACE_QUALITY'],
      ['LOW_BRIGHTNESS'],
    ]);
  });

  it('SearchUsersByImage: QualityFilter default NONE searches a low-quality face; a bar refuses it with its reason in UnsearchedFaces', async () => {
    const id = await collection();
    await userWithFace(id, 'ann');
    const image = png([{ identity: 'ann', qualityBar: 'LOW', qualityIssues: ['EXTREME_POSE'] }]);
    const none = await client.send(new SearchUsersByImageCommand({ CollectionId: id, Image: { Bytes: image } }));
    expect(none.UserMatches?.map((m) => m.User?.UserId)).toEqual(['ann']);
    const medium = await client.send(new SearchUsersByImageCommand({ CollectionId: id, Image: { Bytes: image }, QualityFilter: 'MEDIUM' }));
    expect(medium.SearchedFace).toBeUndefined();
    expect(medium.UnsearchedFaces?.[0].Reasons).toEqual(['EXTREME_POSE', 'LOW_FACE_QUALITY']);
    expect(medium.UnsearchedFaces?.[0].FaceDetails?.Landmarks?.length).toBeGreaterThan(0);
  });
});

describe('faces in a crop of a fakePng (face-codes.ts)', () => {
  it("a sharp crop keeps the face it holds: same identity, box in the crop's terms; a face cut to nothing is not seen", async () => {
    const id = await collection();
    await userWithFace(id, 'ann');
    const image = png(
      [
        { identity: 'ann', box: { left: 0.1, top: 0.1, width: 0.3, height: 0.3 } },
        { identity: 'bob', box: { left: 0.6, top: 0.6, width: 0.3, height: 0.3 } },
      ],
      200,
    );
    // The fake learns the faces' codes when it reads the original's faces chunk, as a client's DetectFaces does first.
    expect((await client.send(new DetectFacesCommand({ Image: { Bytes: image } }))).FaceDetails).toHaveLength(2);
    const crop = await sharp(image).extract({ left: 10, top: 10, width: 80, height: 80 }).png().toBuffer();
    const detail = (await client.send(new DetectFacesCommand({ Image: { Bytes: crop } }))).FaceDetails;
    expect(detail?.map((f) => f.BoundingBox)).toEqual([{ Left: 0.125, Top: 0.125, Width: 0.75, Height: 0.75 }]);
    const search = await client.send(new SearchUsersByImageCommand({ CollectionId: id, Image: { Bytes: crop } }));
    expect(search.UserMatches?.map((m) => m.User?.UserId)).toEqual(['ann']);
    // A crop holding only a 3-pixel sliver of bob (no whole 6×6 tile) shows ann alone.
    const sliver = await sharp(image).extract({ left: 0, top: 0, width: 123, height: 123 }).png().toBuffer();
    const seen = (await client.send(new DetectFacesCommand({ Image: { Bytes: sliver } }))).FaceDetails;
    expect(seen).toHaveLength(1);
    expect(
      (await client.send(new SearchUsersByImageCommand({ CollectionId: id, Image: { Bytes: sliver } }))).UserMatches?.map(
        (m) => m.User?.UserId,
      ),
    ).toEqual(['ann']);
  });
});
