/**
 * The fake Azure AI Face's detect attributes and landmarks per detection
 * model, the Limited Access and retired attributes, and findsimilars
 * against a LargeFaceList (training gating, modes, ranges), over plain
 * fetch.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakePng, LANDMARK_NAMES, startFakeAzureFace, type DeclaredFace, type FakeAzureFace } from './server.js';

let fake: FakeAzureFace;
let approved: FakeAzureFace;

beforeAll(async () => {
  fake = await startFakeAzureFace({ trainingMs: 1000 });
  approved = await startFakeAzureFace({ limitedAttributes: true });
});
afterAll(async () => {
  await fake.stop();
  await approved.stop();
});
beforeEach(() => fake.reset({ images: true }));

interface Res {
  status: number;
  json: any;
}

async function call(method: string, path: string, options: { body?: unknown; image?: Uint8Array; on?: FakeAzureFace } = {}): Promise<Res> {
  const target = options.on ?? fake;
  const headers: Record<string, string> = { 'Ocp-Apim-Subscription-Key': target.apiKey };
  let body: BodyInit | undefined;
  if (options.image) {
    headers['Content-Type'] = 'application/octet-stream';
    body = new Uint8Array(options.image);
  } else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const res = await fetch(`${target.url}/face/v1.2${path}`, { method, headers, body });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

function expectError(res: Res, status: number, code: string, message?: string | RegExp): void {
  expect(res.status).toBe(status);
  expect(res.json.error.code).toBe(code);
  if (message !== undefined) expect(res.json.error.message).toMatch(message);
}

let labels = 0;
const png = (faces?: DeclaredFace[]) => fakePng({ label: `d-${++labels}`, faces, width: 1000, height: 500 });
const detect = (query: string, image: Uint8Array, on?: FakeAzureFace) => call('POST', `/detect?${query}`, { image, on });
const D3 = 'recognitionModel=recognition_04&detectionModel=detection_03';
const D1 = 'recognitionModel=recognition_04&detectionModel=detection_01';

describe('detect: attributes and landmarks', () => {
  it('detection_03 returns the declared headPose, mask, blur and qualityForRecognition; neutral values otherwise', async () => {
    const image = png([
      {
        identity: 'a',
        box: { left: 0.1, top: 0.1, width: 0.4, height: 0.6 },
        headPose: { pitch: -5, roll: 3.5, yaw: 40 },
        mask: { type: 'faceMask', noseAndMouthCovered: true },
        blur: { blurLevel: 'high', value: 0.9 },
        quality: 'low',
      },
      { identity: 'b', box: { left: 0.6, top: 0.1, width: 0.2, height: 0.4 } },
    ]);
    const res = await detect(`returnFaceId=false&${D3}&returnFaceAttributes=headPose,mask,blur,qualityForRecognition`, image);
    expect(res.status).toBe(200);
    expect(res.json[0].faceAttributes).toEqual({
      headPose: { pitch: -5, roll: 3.5, yaw: 40 },
      mask: { type: 'faceMask', noseAndMouthCovered: true },
      blur: { blurLevel: 'high', value: 0.9 },
      qualityForRecognition: 'low',
    });
    expect(res.json[1].faceAttributes).toEqual({
      headPose: { pitch: 0, roll: 0, yaw: 0 },
      mask: { type: 'noMask', noseAndMouthCovered: false },
      blur: { blurLevel: 'low', value: 0.05 },
      qualityForRecognition: 'high',
    });
  });

  it('detection_01 returns glasses, occlusion, exposure and noise; detection_03 refuses them with the service wording', async () => {
    const image = png([
      {
        identity: 'a',
        glasses: 'sunglasses',
        occlusion: { foreheadOccluded: true, eyeOccluded: false, mouthOccluded: true },
        exposure: { exposureLevel: 'underExposure', value: 0.1 },
        noise: { noiseLevel: 'medium', value: 0.4 },
      },
    ]);
    const res = await detect(`returnFaceId=false&${D1}&returnFaceAttributes=glasses,occlusion,exposure,noise,headPose,blur`, image);
    expect(res.status).toBe(200);
    expect(res.json[0].faceAttributes).toMatchObject({
      glasses: 'sunglasses',
      occlusion: { foreheadOccluded: true, eyeOccluded: false, mouthOccluded: true },
      exposure: { exposureLevel: 'underExposure', value: 0.1 },
      noise: { noiseLevel: 'medium', value: 0.4 },
    });
    for (const attribute of ['glasses', 'occlusion', 'exposure', 'noise', 'accessories']) {
      expectError(
        await detect(`returnFaceId=false&${D3}&returnFaceAttributes=${attribute}`, image),
        400,
        'BadArgument',
        /^Only face attributes 'headpose,mask,blur,qualityforrecognition' are supported by detection_03\.$/,
      );
    }
    expectError(await detect(`returnFaceId=false&${D1}&returnFaceAttributes=mask`, image), 400, 'BadArgument', /mask/);
    expectError(
      await detect('returnFaceId=false&detectionModel=detection_02&returnFaceLandmarks=true', image),
      400,
      'BadArgument',
      "'returnLandmarks' is not supported by detection_02.",
    );
  });

  it('refuses the retired emotion and gender (and makeup) as invalid, and Limited Access attributes without approval', async () => {
    const image = png([{ identity: 'a' }]);
    for (const retired of ['emotion', 'gender', 'makeup']) {
      for (const model of [D1, D3]) {
        expectError(
          await detect(`returnFaceId=false&${model}&returnFaceAttributes=headPose,${retired}`, image),
          400,
          'BadArgument',
          'Invalid argument returnFaceAttributes.',
        );
      }
    }
    for (const limited of ['age', 'smile', 'facialHair', 'hair']) {
      expectError(await detect(`returnFaceId=false&${D1}&returnFaceAttributes=${limited}`, image), 403, 'UnsupportedFeature', /approval/);
      expectError(await detect(`returnFaceId=false&${D3}&returnFaceAttributes=${limited}`, image), 400, 'BadArgument', /detection_03/);
    }
    const withApproval = await detect(`returnFaceId=false&${D1}&returnFaceAttributes=age,smile`, image, approved);
    expect(withApproval.status).toBe(200);
    expect(Object.keys(withApproval.json[0].faceAttributes).sort()).toEqual(['age', 'smile']);
  });

  it('returns the 27 landmarks in pixels: declared ones where declared, the rest inside the face rectangle', async () => {
    const image = png([
      { identity: 'a', box: { left: 0.2, top: 0.2, width: 0.4, height: 0.6 }, landmarks: { noseTip: { x: 0.41, y: 0.52 } } },
    ]);
    const res = await detect(`returnFaceId=false&${D3}&returnFaceLandmarks=true`, image);
    const landmarks = res.json[0].faceLandmarks as Record<string, { x: number; y: number }>;
    expect(Object.keys(landmarks).sort()).toEqual([...LANDMARK_NAMES].sort());
    expect(landmarks.noseTip).toEqual({ x: 410, y: 260 });
    expect(landmarks.pupilLeft.x).toBeGreaterThan(200);
    expect(landmarks.pupilLeft.x).toBeLessThan(landmarks.pupilRight.x);
    expect((await detect(`returnFaceId=false&${D3}`, image)).json[0].faceLandmarks).toBeUndefined();
  });
});

describe('findsimilars against a LargeFaceList', () => {
  async function listWith(faces: { identity: string }[]): Promise<string[]> {
    expect((await call('PUT', '/largefacelists/l1', { body: { name: 'l1', recognitionModel: 'recognition_04' } })).status).toBe(200);
    const ids: string[] = [];
    for (const f of faces) {
      const res = await call('POST', '/largefacelists/l1/persistedfaces?detectionModel=detection_03', { image: png([f]) });
      expect(res.status).toBe(200);
      ids.push(res.json.persistedFaceId as string);
    }
    return ids;
  }
  const probe = async (identity: string) => (await detect(`returnFaceId=true&${D3}`, png([{ identity }]))).json[0].faceId as string;
  const similar = (body: object) => call('POST', '/findsimilars', { body });

  it('needs a finished training and sees only what it included: 400 NotTrained, 409 while training, then the trained faces', async () => {
    const [ann1, , ann2] = await listWith([{ identity: 'ann' }, { identity: 'bob' }, { identity: 'ann' }]);
    const faceId = await probe('ann');
    expectError(await similar({ faceId, largeFaceListId: 'l1' }), 400, 'LargeFaceListNotTrained', 'Large face list is not trained.');
    expect((await call('POST', '/largefacelists/l1/train')).status).toBe(202);
    expectError(await similar({ faceId, largeFaceListId: 'l1' }), 409, 'LargeFaceListTrainingNotFinished');
    fake.advanceClock(1000);
    const res = await similar({ faceId, largeFaceListId: 'l1' });
    expect(res.status).toBe(200);
    expect(res.json.map((m: { persistedFaceId: string }) => m.persistedFaceId).sort()).toEqual([ann1, ann2].sort());
    expect(res.json[0].confidence).toBeGreaterThanOrEqual(res.json[1].confidence);

    // A face added after the training is not seen until the next one.
    const ann3 = (await call('POST', '/largefacelists/l1/persistedfaces', { image: png([{ identity: 'ann' }]) })).json.persistedFaceId;
    expect((await similar({ faceId, largeFaceListId: 'l1' })).json).toHaveLength(2);
    await call('POST', '/largefacelists/l1/train');
    fake.advanceClock(1000);
    expect((await similar({ faceId, largeFaceListId: 'l1' })).json.map((m: { persistedFaceId: string }) => m.persistedFaceId)).toContain(
      ann3,
    );
  });

  it('matchPerson keeps the same person, matchFace ranks every face; maxNumOfCandidatesReturned caps the answer', async () => {
    await listWith([{ identity: 'ann' }, { identity: 'bob' }, { identity: 'cy' }]);
    await call('POST', '/largefacelists/l1/train');
    fake.advanceClock(1000);
    const faceId = await probe('ann');
    expect((await similar({ faceId, largeFaceListId: 'l1' })).json).toHaveLength(1);
    const all = (await similar({ faceId, largeFaceListId: 'l1', mode: 'matchFace' })).json as { confidence: number }[];
    expect(all).toHaveLength(3);
    expect(all[0].confidence).toBeGreaterThan(0.99);
    expect(all[2].confidence).toBeLessThan(0.5);
    expect((await similar({ faceId, largeFaceListId: 'l1', mode: 'matchFace', maxNumOfCandidatesReturned: 2 })).json).toHaveLength(2);
  });

  it('validates scope, mode, ranges and ids with the documented errors', async () => {
    await listWith([{ identity: 'ann' }]);
    const faceId = await probe('ann');
    const bad = (body: object, message: string | RegExp) => similar(body).then((r) => expectError(r, 400, 'BadArgument', message));
    await bad({ faceId }, 'LargeFaceListId, faceListId and faceIds are all null.');
    await bad({ faceId, largeFaceListId: 'l1', faceListId: 'f1' }, '2 or more of largeFaceListId, faceListId and faceIds are not null.');
    await bad({ faceId, largeFaceListId: 'l1', mode: 'matchAll' }, 'Mode is invalid.');
    for (const n of [0, 1001, 1.5]) {
      await bad({ faceId, largeFaceListId: 'l1', maxNumOfCandidatesReturned: n }, 'The argument maxNumOfCandidatesReturned is not valid.');
    }
    // 1 and 1000 pass validation (the untrained list answers next).
    for (const n of [1, 1000]) {
      expectError(await similar({ faceId, largeFaceListId: 'l1', maxNumOfCandidatesReturned: n }), 400, 'LargeFaceListNotTrained');
    }
    await bad({ faceId, faceIds: [] }, 'The length of faceIds is not in a valid range.');
    await bad({ faceId, largeFaceListId: 'L1' }, 'Large face list ID is invalid.');
    await bad({ faceId: 'nope', largeFaceListId: 'l1' }, 'Face ID is invalid.');
    expectError(await similar({ faceId, largeFaceListId: 'l2' }), 400, 'LargeFaceListNotFound');
    expectError(await similar({ faceId: '00000000-0000-0000-0000-000000000000', largeFaceListId: 'l1' }), 400, 'FaceNotFound');
    fake.advanceClock(86_400_000);
    expectError(await similar({ faceId, largeFaceListId: 'l1' }), 400, 'FaceNotFound');
  });

  it('compares with detect faceIds too (faceId answers)', async () => {
    const faceId = await probe('ann');
    const other = await probe('ann');
    const stranger = await probe('zed');
    const res = await similar({ faceId, faceIds: [other, stranger], mode: 'matchFace' });
    expect(res.status).toBe(200);
    expect(res.json.map((m: { faceId: string }) => m.faceId)).toEqual([other, stranger]);
  });
});
