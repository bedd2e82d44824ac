/**
 * The fake Azure AI Face on its own: wire protocol (auth, error shape,
 * headers), every route it serves, field rules, training gating, detection
 * rules, fault injection and the call log — over plain fetch, and with the
 * real `@azure-rest/ai-vision-face` client (including its LRO poller on
 * training).
 */
import createClient, { getLongRunningPoller, isUnexpected } from '@azure-rest/ai-vision-face';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { until } from '../../support/wait.js';
import { fakePng, startFakeAzureFace, type DeclaredFace, type FakeAzureFace } from './server.js';

let fake: FakeAzureFace;

beforeAll(async () => {
  fake = await startFakeAzureFace({ trainingMs: 1000 });
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => fake.reset({ images: true }));

interface Res {
  status: number;
  headers: Headers;
  json: any;
}

async function call(
  method: string,
  path: string,
  options: { body?: unknown; image?: Uint8Array; key?: string | null; raw?: string; version?: 'v1.0'; signal?: AbortSignal } = {},
): Promise<Res> {
  const headers: Record<string, string> = {};
  if (options.key !== null) headers['Ocp-Apim-Subscription-Key'] = options.key ?? fake.apiKey;
  let body: BodyInit | undefined;
  if (options.image) {
    headers['Content-Type'] = 'application/octet-stream';
    body = new Uint8Array(options.image);
  } else if (options.raw !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = options.raw;
  } else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const res = await fetch(`${fake.url}/face/${options.version ?? 'v1.2'}${path}`, { method, headers, body, signal: options.signal });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : null };
}

function expectError(res: Res, status: number, code: string, message?: string | RegExp): void {
  expect(res.status).toBe(status);
  expect(res.json.error.code).toBe(code);
  expect(res.headers.get('x-ms-error-code')).toBe(code);
  if (message !== undefined) expect(res.json.error.message).toMatch(message);
}

let labels = 0;
const png = (faces?: DeclaredFace[], size?: { width: number; height: number }) => fakePng({ label: `i-${++labels}`, faces, ...size });

async function group(id = 'g1', recognitionModel = 'recognition_04'): Promise<void> {
  expect((await call('PUT', `/largepersongroups/${id}`, { body: { name: id, recognitionModel } })).status).toBe(200);
}

async function person(groupId: string, name = 'p'): Promise<string> {
  const res = await call('POST', `/largepersongroups/${groupId}/persons`, { body: { name } });
  expect(res.status).toBe(200);
  return res.json.personId as string;
}

async function detectIds(image: Uint8Array, model = 'recognition_04'): Promise<string[]> {
  const res = await call('POST', `/detect?returnFaceId=true&recognitionModel=${model}&detectionModel=detection_03`, { image });
  expect(res.status).toBe(200);
  return (res.json as { faceId: string }[]).map((f) => f.faceId);
}

describe('wire protocol', () => {
  it('requires Ocp-Apim-Subscription-Key: 401 with code "401", x-ms-error-code and the documented message', async () => {
    for (const key of [null, 'wrong-key']) {
      const res = await call('GET', '/largepersongroups', { key });
      expectError(res, 401, '401', /^Access denied due to invalid subscription key or wrong API endpoint/);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('apim-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('answers 404 "Resource not found" outside /face/v1.2 and on unknown routes, 405 on a known path with another method', async () => {
    const outside = await fetch(`${fake.url}/face/v1.0/largepersongroups`, { headers: { 'Ocp-Apim-Subscription-Key': fake.apiKey } });
    expect(outside.status).toBe(404);
    expect(((await outside.json()) as { error: { code: string } }).error.code).toBe('404');
    expectError(await call('GET', '/snapshots'), 404, '404', 'Resource not found');
    expect((await call('POST', '/largepersongroups/g1')).status).toBe(405);
  });

  it('refuses malformed and empty JSON bodies with BadArgument', async () => {
    expectError(await call('PUT', '/largepersongroups/g1', { raw: '{not json' }), 400, 'BadArgument', 'JSON parsing error.');
    expectError(await call('PUT', '/largepersongroups/g1', { raw: '' }), 400, 'BadArgument', 'Request body is invalid.');
    expectError(await call('PUT', '/largepersongroups/g1', { raw: '[1]' }), 400, 'BadArgument', 'Request body is invalid.');
  });
});

describe('LargePersonGroup', () => {
  it('creates, reads (recognitionModel on request), updates and deletes; 404/409 with the container codes', async () => {
    expect((await call('PUT', '/largepersongroups/g1', { body: { name: 'G', userData: 'u' } })).status).toBe(200);
    expectError(await call('PUT', '/largepersongroups/g1', { body: { name: 'G' } }), 409, 'LargePersonGroupExists');
    expect((await call('GET', '/largepersongroups/g1')).json).toEqual({ largePersonGroupId: 'g1', name: 'G', userData: 'u' });
    expect((await call('GET', '/largepersongroups/g1?returnRecognitionModel=true')).json.recognitionModel).toBe('recognition_01');
    expect((await call('PATCH', '/largepersongroups/g1', { body: { userData: 'v' } })).status).toBe(200);
    expect((await call('GET', '/largepersongroups/g1')).json).toMatchObject({ name: 'G', userData: 'v' });
    expectError(await call('PATCH', '/largepersongroups/g1', { body: {} }), 400, 'BadArgument', "Both 'name' and 'userData' are empty.");
    expect((await call('DELETE', '/largepersongroups/g1')).status).toBe(200);
    expectError(await call('GET', '/largepersongroups/g1'), 404, 'LargePersonGroupNotFound');
    expectError(await call('DELETE', '/largepersongroups/g1'), 404, 'LargePersonGroupNotFound');
  });

  it('validates id (lowercase, digits, - and _, 1..64), name, userData and recognitionModel', async () => {
    for (const id of ['BAD', 'a.b', 'x'.repeat(65), 'caf%C3%A9']) {
      expectError(
        await call('PUT', `/largepersongroups/${id}`, { body: { name: 'n' } }),
        400,
        'BadArgument',
        'Large person group ID is invalid.',
      );
    }
    expect((await call('PUT', `/largepersongroups/${'a'.repeat(64)}`, { body: { name: 'n' } })).status).toBe(200);
    expect((await call('PUT', '/largepersongroups/ok_1-2', { body: { name: 'n' } })).status).toBe(200);
    expectError(await call('PUT', '/largepersongroups/g2', { body: {} }), 400, 'BadArgument', "'name' is empty.");
    expectError(await call('PUT', '/largepersongroups/g2', { body: { name: 'n'.repeat(129) } }), 400, 'BadArgument', "'name' is too long.");
    expectError(
      await call('PUT', '/largepersongroups/g2', { body: { name: 'n', userData: 'u'.repeat(16385) } }),
      400,
      'BadArgument',
      "'userData' is too long.",
    );
    expectError(
      await call('PUT', '/largepersongroups/g2', { body: { name: 'n', recognitionModel: 'recognition_09' } }),
      400,
      'BadArgument',
      "'recognitionModel' is invalid.",
    );
  });

  it('lists in id order after `start`, at most `top` (1..1000); start ≤ 64 characters', async () => {
    for (const id of ['c', 'a', 'e', 'b', 'd']) await group(id);
    const ids = async (q: string) =>
      ((await call('GET', `/largepersongroups${q}`)).json as { largePersonGroupId: string }[]).map((g) => g.largePersonGroupId);
    expect(await ids('')).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(await ids('?top=2')).toEqual(['a', 'b']);
    expect(await ids('?start=b&top=2')).toEqual(['c', 'd']);
    expect(await ids('?start=e')).toEqual([]);
    expect((await call('GET', '/largepersongroups?top=1&returnRecognitionModel=true')).json[0].recognitionModel).toBe('recognition_04');
    for (const top of ['0', '1001', 'x'])
      expectError(await call('GET', `/largepersongroups?top=${top}`), 400, 'BadArgument', "'top' is invalid.");
    expectError(await call('GET', `/largepersongroups?start=${'a'.repeat(65)}`), 400, 'BadArgument', "'start' is too long.");
  });

  it('holds persons (listed by personId, paged) and their persisted faces', async () => {
    await group();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await person('g1', `p${i}`));
    const sorted = [...ids].sort();
    const list = await call('GET', '/largepersongroups/g1/persons?top=3');
    expect((list.json as { personId: string }[]).map((p) => p.personId)).toEqual(sorted.slice(0, 3));
    const next = await call('GET', `/largepersongroups/g1/persons?start=${sorted[2]}`);
    expect((next.json as { personId: string }[]).map((p) => p.personId)).toEqual(sorted.slice(3));

    const pid = ids[0];
    const image = png([{ identity: 'ann' }]);
    const added = await call(
      'POST',
      `/largepersongroups/g1/persons/${pid}/persistedfaces?userData=${encodeURIComponent('{"f":1}')}&detectionModel=detection_03`,
      { image },
    );
    expect(added.status).toBe(200);
    const pfid = added.json.persistedFaceId as string;
    expect(pfid).toMatch(/^[0-9a-f-]{36}$/);
    expect((await call('GET', `/largepersongroups/g1/persons/${pid}`)).json).toEqual({
      personId: pid,
      name: 'p0',
      persistedFaceIds: [pfid],
    });
    expect((await call('GET', `/largepersongroups/g1/persons/${pid}/persistedfaces/${pfid}`)).json).toEqual({
      persistedFaceId: pfid,
      userData: '{"f":1}',
    });
    expect((await call('PATCH', `/largepersongroups/g1/persons/${pid}/persistedfaces/${pfid}`, { body: { userData: 'x' } })).status).toBe(
      200,
    );
    expect((await call('PATCH', `/largepersongroups/g1/persons/${pid}`, { body: { name: 'renamed', userData: 'ud' } })).status).toBe(200);
    expect((await call('GET', `/largepersongroups/g1/persons/${pid}`)).json).toMatchObject({ name: 'renamed', userData: 'ud' });
    expect((await call('DELETE', `/largepersongroups/g1/persons/${pid}/persistedfaces/${pfid}`)).status).toBe(200);
    expectError(await call('GET', `/largepersongroups/g1/persons/${pid}/persistedfaces/${pfid}`), 404, 'PersistedFaceNotFound');
    expect((await call('DELETE', `/largepersongroups/g1/persons/${pid}`)).status).toBe(200);
    expectError(await call('GET', `/largepersongroups/g1/persons/${pid}`), 404, 'PersonNotFound');
    expectError(await call('GET', '/largepersongroups/g1/persons/not-a-uuid'), 404, 'PersonNotFound', 'Person ID is invalid.');
    expectError(await call('POST', '/largepersongroups/nope/persons', { body: { name: 'x' } }), 404, 'LargePersonGroupNotFound');
  });
});

describe('adding faces', () => {
  it('takes the face under targetFace (IoU ≥ 0.5), else refuses; without targetFace the image must hold exactly one face', async () => {
    await group();
    const pid = await person('g1');
    const two = png([
      { identity: 'a', box: { left: 0, top: 0, width: 0.4, height: 0.4 } },
      { identity: 'b', box: { left: 0.5, top: 0.5, width: 0.3, height: 0.3 } },
    ]);
    const path = `/largepersongroups/g1/persons/${pid}/persistedfaces`;
    expectError(await call('POST', path, { image: two }), 400, 'InvalidImage', 'There is more than 1 face in the image.');
    expect((await call('POST', `${path}?targetFace=500,500,300,300`, { image: two })).status).toBe(200);
    expectError(
      await call('POST', `${path}?targetFace=0,600,100,100`, { image: two }),
      400,
      'InvalidImage',
      'No face detected in the image.',
    );
    expectError(
      await call('POST', `${path}?targetFace=900,900,200,200`, { image: two }),
      400,
      'BadArgument',
      'Argument targetFace out of range.',
    );
    expectError(await call('POST', `${path}?targetFace=1,2,3`, { image: two }), 400, 'BadArgument', 'Invalid argument targetFace.');
    expectError(await call('POST', path, { image: png([]) }), 400, 'InvalidImage', 'No face detected in the image.');
    expectError(
      await call('POST', `${path}?detectionModel=detection_9`, { image: png() }),
      400,
      'BadArgument',
      "'detectionModel' is invalid.",
    );
    expectError(
      await call('POST', `${path}?userData=${'u'.repeat(1025)}`, { image: png() }),
      400,
      'BadArgument',
      "'userData' is too long.",
    );
  });

  it('refuses images outside 1 KB..6 MB (InvalidImageSize), undecodable bytes (InvalidImage) and URLs it cannot fetch (InvalidURL)', async () => {
    await group();
    const pid = await person('g1');
    const path = `/largepersongroups/g1/persons/${pid}/persistedfaces`;
    expectError(await call('POST', path, { image: new Uint8Array(500) }), 400, 'InvalidImageSize', 'Image size is too small.');
    const huge = new Uint8Array(6 * 1024 * 1024 + 1);
    expectError(await call('POST', path, { image: huge }), 400, 'InvalidImageSize', 'Image size is too big.');
    expectError(
      await call('POST', path, { image: new Uint8Array(2000).fill(7) }),
      400,
      'InvalidImage',
      'Decoding error, image format unsupported.',
    );
    expectError(await call('POST', path, { body: { url: 'https://example.com/a.jpg' } }), 400, 'InvalidURL');
    // GIF and BMP are accepted (one default face).
    const gif = Buffer.alloc(1500);
    gif.write('GIF89a', 0, 'latin1');
    gif.writeUInt16LE(400, 6);
    gif.writeUInt16LE(300, 8);
    expect((await call('POST', path, { image: gif })).status).toBe(200);
  });

  it('caps persisted faces per person (403 QuotaExceeded) and person count per group', async () => {
    const small = await startFakeAzureFace({ limits: { facesPerPerson: 2, personsPerGroup: 1 } });
    try {
      const h = { 'Ocp-Apim-Subscription-Key': small.apiKey, 'Content-Type': 'application/json' };
      await fetch(`${small.url}/face/v1.2/largepersongroups/g`, { method: 'PUT', headers: h, body: JSON.stringify({ name: 'g' }) });
      const created = await fetch(`${small.url}/face/v1.2/largepersongroups/g/persons`, {
        method: 'POST',
        headers: h,
        body: '{"name":"p"}',
      });
      const { personId } = (await created.json()) as { personId: string };
      const second = await fetch(`${small.url}/face/v1.2/largepersongroups/g/persons`, {
        method: 'POST',
        headers: h,
        body: '{"name":"q"}',
      });
      expect(second.status).toBe(403);
      expect(((await second.json()) as { error: { code: string } }).error.code).toBe('QuotaExceeded');
      const add = () =>
        fetch(`${small.url}/face/v1.2/largepersongroups/g/persons/${personId}/persistedfaces`, {
          method: 'POST',
          headers: { 'Ocp-Apim-Subscription-Key': small.apiKey, 'Content-Type': 'application/octet-stream' },
          body: new Uint8Array(png()),
        });
      expect((await add()).status).toBe(200);
      expect((await add()).status).toBe(200);
      const third = await add();
      expect(third.status).toBe(403);
      expect(await third.json()).toEqual({ error: { code: 'QuotaExceeded', message: 'Persisted face number reached limit.' } });
    } finally {
      await small.stop();
    }
  });
});

describe('LargeFaceList', () => {
  it('creates, lists faces with userData in persistedFaceId order (start/top), updates and deletes faces', async () => {
    expect((await call('PUT', '/largefacelists/l1', { body: { name: 'L', recognitionModel: 'recognition_04' } })).status).toBe(200);
    expectError(await call('PUT', '/largefacelists/l1', { body: { name: 'L' } }), 409, 'LargeFaceListExists');
    expectError(await call('PUT', '/largefacelists/L1', { body: { name: 'L' } }), 400, 'BadArgument', 'Large face list ID is invalid.');
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await call('POST', `/largefacelists/l1/persistedfaces?userData=n${i}`, { image: png() });
      ids.push(res.json.persistedFaceId as string);
    }
    const sorted = [...ids].sort();
    const first = (await call('GET', '/largefacelists/l1/persistedfaces?top=2')).json as { persistedFaceId: string; userData: string }[];
    expect(first.map((f) => f.persistedFaceId)).toEqual(sorted.slice(0, 2));
    expect(first[0].userData).toBe(`n${ids.indexOf(sorted[0])}`);
    const rest = (await call('GET', `/largefacelists/l1/persistedfaces?start=${sorted[1]}`)).json as { persistedFaceId: string }[];
    expect(rest.map((f) => f.persistedFaceId)).toEqual(sorted.slice(2));
    expect((await call('PATCH', `/largefacelists/l1/persistedfaces/${ids[0]}`, { body: { userData: 'changed' } })).status).toBe(200);
    expect((await call('GET', `/largefacelists/l1/persistedfaces/${ids[0]}`)).json.userData).toBe('changed');
    expect((await call('DELETE', `/largefacelists/l1/persistedfaces/${ids[0]}`)).status).toBe(200);
    expectError(await call('DELETE', `/largefacelists/l1/persistedfaces/${ids[0]}`), 404, 'PersistedFaceNotFound');
    expect((await call('GET', '/largefacelists')).json).toEqual([{ largeFaceListId: 'l1', name: 'L' }]);
    expect((await call('DELETE', '/largefacelists/l1')).status).toBe(200);
    expectError(await call('GET', '/largefacelists/l1'), 404, 'LargeFaceListNotFound');
  });
});

describe('detect', () => {
  it('returns faces largest first with pixel rectangles, faceIds and the requested attributes; faces under 36 px are not found', async () => {
    const image = png(
      [
        { identity: 'small', box: { left: 0, top: 0, width: 0.1, height: 0.1 } },
        { identity: 'big', box: { left: 0.5, top: 0.5, width: 0.4, height: 0.4 }, quality: 'medium' },
        { identity: 'tiny', box: { left: 0.9, top: 0, width: 0.03, height: 0.03 } },
      ],
      { width: 1000, height: 500 },
    );
    const res = await call(
      'POST',
      '/detect?returnFaceId=true&recognitionModel=recognition_04&returnRecognitionModel=true&returnFaceAttributes=qualityForRecognition,headPose&detectionModel=detection_03',
      {
        image,
      },
    );
    expect(res.status).toBe(200);
    expect(res.json).toHaveLength(2);
    expect(res.json[0]).toMatchObject({
      recognitionModel: 'recognition_04',
      faceRectangle: { left: 500, top: 250, width: 400, height: 200 },
      faceAttributes: { qualityForRecognition: 'medium', headPose: { pitch: 0, roll: 0, yaw: 0 } },
    });
    expect(res.json[0].faceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.json[1].faceRectangle).toEqual({ top: 0, left: 0, width: 100, height: 50 });
    const noIds = await call('POST', '/detect?returnFaceId=false', { image });
    expect(noIds.json[0].faceId).toBeUndefined();
  });

  it('validates models, attributes and faceIdTimeToLive', async () => {
    const image = png();
    expectError(
      await call('POST', '/detect?recognitionModel=recognition_7', { image }),
      400,
      'BadArgument',
      "'recognitionModel' is invalid.",
    );
    expectError(await call('POST', '/detect?detectionModel=detection_02&returnFaceAttributes=headPose', { image }), 400, 'BadArgument');
    expectError(await call('POST', '/detect?returnFaceAttributes=emotion', { image }), 400, 'BadArgument');
    expectError(
      await call('POST', '/detect?returnFaceAttributes=qualityForRecognition', { image }),
      400,
      'BadArgument',
      /recognition_03 or recognition_04/,
    );
    expectError(await call('POST', '/detect?faceIdTimeToLive=59', { image }), 400, 'BadArgument');
  });

  it('faceIds expire after faceIdTimeToLive (fake clock)', async () => {
    await group();
    const pid = await person('g1');
    await call('POST', `/largepersongroups/g1/persons/${pid}/persistedfaces`, { image: png([{ identity: 'ann' }]) });
    await call('POST', '/largepersongroups/g1/train');
    fake.advanceClock(1000);
    const res = await call('POST', '/detect?returnFaceId=true&recognitionModel=recognition_04&faceIdTimeToLive=60', {
      image: png([{ identity: 'ann' }]),
    });
    const faceId = res.json[0].faceId as string;
    expect((await call('POST', '/identify', { body: { faceIds: [faceId], largePersonGroupId: 'g1' } })).status).toBe(200);
    fake.advanceClock(60_000);
    expectError(await call('POST', '/identify', { body: { faceIds: [faceId], largePersonGroupId: 'g1' } }), 400, 'FaceNotFound');
    expectError(await call('POST', '/verify', { body: { faceId, personId: pid, largePersonGroupId: 'g1' } }), 404, 'FaceNotFound');
  });
});

describe('training and identify', () => {
  it('gates identify on training: 400 NotTrained before, 409 while running, then sees the trained snapshot only', async () => {
    await group();
    const ann = await person('g1', 'ann');
    await call('POST', `/largepersongroups/g1/persons/${ann}/persistedfaces`, { image: png([{ identity: 'ann' }]) });
    const [probe] = await detectIds(png([{ identity: 'ann' }]));
    const identify = (faceId = probe) =>
      call('POST', '/identify', { body: { faceIds: [faceId], largePersonGroupId: 'g1', maxNumOfCandidatesReturned: 5 } });

    expectError(await identify(), 400, 'LargePersonGroupNotTrained');
    expectError(await call('GET', '/largepersongroups/g1/training'), 404, 'LargePersonGroupNotTrained');
    const train = await call('POST', '/largepersongroups/g1/train');
    expect(train.status).toBe(202);
    expect(train.headers.get('operation-location')).toBe(`${fake.url}/face/v1.2/largepersongroups/g1/training`);
    expect((await call('GET', '/largepersongroups/g1/training')).json).toMatchObject({
      status: 'running',
      lastSuccessfulTrainingDateTime: null,
    });
    expectError(await identify(), 409, 'LargePersonGroupTrainingNotFinished');
    expectError(await call('POST', '/largepersongroups/g1/train'), 409, 'LargePersonGroupTrainingNotFinished');
    fake.advanceClock(1000);
    const status = (await call('GET', '/largepersongroups/g1/training')).json;
    expect(status.status).toBe('succeeded');
    expect(Date.parse(status.lastSuccessfulTrainingDateTime)).toBe(Date.parse(status.lastActionDateTime));
    const found = await identify();
    expect(found.status).toBe(200);
    expect(found.json[0].candidates).toHaveLength(1);
    expect(found.json[0].candidates[0].personId).toBe(ann);
    expect(found.json[0].candidates[0].confidence).toBeGreaterThanOrEqual(0.99);

    // A person added after training is invisible until the next training.
    const bob = await person('g1', 'bob');
    await call('POST', `/largepersongroups/g1/persons/${bob}/persistedfaces`, { image: png([{ identity: 'bob' }]) });
    const [bobProbe] = await detectIds(png([{ identity: 'bob' }]));
    expect((await identify(bobProbe)).json[0].candidates).toEqual([]);
    fake.advanceClock(60_000);
    await call('POST', '/largepersongroups/g1/train');
    fake.advanceClock(1000);
    expect((await identify(bobProbe)).json[0].candidates.map((c: { personId: string }) => c.personId)).toEqual([bob]);
    // createdDateTime is the group's creation time (TrainingResultOutput), not the training's: it stays.
    const again = (await call('GET', '/largepersongroups/g1/training')).json;
    expect(again.createdDateTime).toBe(status.createdDateTime);
    expect(Date.parse(again.lastSuccessfulTrainingDateTime)).toBeGreaterThan(Date.parse(status.lastSuccessfulTrainingDateTime) + 60_000);
  });

  it('a failed training keeps the previous model; the status says failed with a message', async () => {
    await group();
    const ann = await person('g1', 'ann');
    await call('POST', `/largepersongroups/g1/persons/${ann}/persistedfaces`, { image: png([{ identity: 'ann' }]) });
    fake.failNextTraining('g1', 'boom');
    await call('POST', '/largepersongroups/g1/train');
    fake.advanceClock(1000);
    expect((await call('GET', '/largepersongroups/g1/training')).json).toMatchObject({
      status: 'failed',
      message: 'boom',
      lastSuccessfulTrainingDateTime: null,
    });
    const [probe] = await detectIds(png([{ identity: 'ann' }]));
    expectError(
      await call('POST', '/identify', { body: { faceIds: [probe], largePersonGroupId: 'g1' } }),
      400,
      'LargePersonGroupNotTrained',
    );
  });

  it('validates identify scopes, candidate counts and the recognition model', async () => {
    await group();
    await call('POST', '/largepersongroups/g1/train');
    fake.advanceClock(1000);
    const [probe] = await detectIds(png());
    const [old] = await detectIds(png(), 'recognition_01');
    const identify = (body: object) => call('POST', '/identify', { body });
    expectError(await identify({ faceIds: [probe] }), 400, 'PersonGroupIdAndLargePersonGroupIdBothNull');
    expectError(
      await identify({ faceIds: [probe], largePersonGroupId: 'g1', personGroupId: 'g1' }),
      400,
      'PersonGroupIdAndLargePersonGroupIdBothNotNull',
    );
    expectError(await identify({ faceIds: [probe], largePersonGroupId: 'nope' }), 400, 'LargePersonGroupNotFound');
    // Ranges and wording of the error-code reference ("Face Identify error codes").
    const length = 'The length of faceIds is not in a valid range.';
    expectError(await identify({ faceIds: [], largePersonGroupId: 'g1' }), 400, 'BadArgument', length);
    expectError(await identify({ faceIds: Array(11).fill(probe), largePersonGroupId: 'g1' }), 400, 'BadArgument', length);
    expect((await identify({ faceIds: Array(10).fill(probe), largePersonGroupId: 'g1' })).status).toBe(200);
    for (const max of [0, 101]) {
      expectError(
        await identify({ faceIds: [probe], largePersonGroupId: 'g1', maxNumOfCandidatesReturned: max }),
        400,
        'BadArgument',
        'The argument maxNumOfCandidatesReturned is not valid.',
      );
    }
    expect((await identify({ faceIds: [probe], largePersonGroupId: 'g1', maxNumOfCandidatesReturned: 100 })).status).toBe(200);
    for (const threshold of [-0.1, 2]) {
      expectError(
        await identify({ faceIds: [probe], largePersonGroupId: 'g1', confidenceThreshold: threshold }),
        400,
        'BadArgument',
        'The argument confidenceThreshold is not valid.',
      );
    }
    expectError(await identify({ faceIds: [old], largePersonGroupId: 'g1' }), 400, 'BadArgument', "'recognitionModel' is incompatible.");
    expectError(await identify({ faceIds: ['00000000-0000-4000-8000-000000000000'], largePersonGroupId: 'g1' }), 400, 'FaceNotFound');
    expect((await identify({ faceIds: [probe], largePersonGroupId: 'g1' })).json).toEqual([{ faceId: probe, candidates: [] }]);
  });

  it('verify compares a face with a person’s current faces (no training needed)', async () => {
    await group();
    const ann = await person('g1', 'ann');
    const empty = await person('g1', 'empty');
    await call('POST', `/largepersongroups/g1/persons/${ann}/persistedfaces`, { image: png([{ identity: 'ann' }]) });
    const [same] = await detectIds(png([{ identity: 'ann' }]));
    const [other] = await detectIds(png([{ identity: 'zed' }]));
    const verify = (faceId: string, personId: string) => call('POST', '/verify', { body: { faceId, personId, largePersonGroupId: 'g1' } });
    const yes = await verify(same, ann);
    expect(yes.json.isIdentical).toBe(true);
    expect(yes.json.confidence).toBeGreaterThanOrEqual(0.99);
    const no = await verify(other, ann);
    expect(no.json.isIdentical).toBe(false);
    expect(no.json.confidence).toBeLessThan(0.5);
    expectError(await verify(same, empty), 404, 'PersistedFaceNotFound', 'No persisted face of the person is found.');
    expectError(await verify(same, '00000000-0000-4000-8000-000000000000'), 404, 'PersonNotFound');
    const faceToFace = await call('POST', '/verify', { body: { faceId1: same, faceId2: other } });
    expect(faceToFace.json.isIdentical).toBe(false);
  });

  it('without Limited Access approval, faceIds, identify and verify are 403 UnsupportedFeature', async () => {
    const closed = await startFakeAzureFace({ identification: false });
    try {
      const res = await fetch(`${closed.url}/face/v1.2/detect?returnFaceId=true`, {
        method: 'POST',
        headers: { 'Ocp-Apim-Subscription-Key': closed.apiKey, 'Content-Type': 'application/octet-stream' },
        body: new Uint8Array(png()),
      });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UnsupportedFeature');
      const plain = await fetch(`${closed.url}/face/v1.2/detect?returnFaceId=false`, {
        method: 'POST',
        headers: { 'Ocp-Apim-Subscription-Key': closed.apiKey, 'Content-Type': 'application/octet-stream' },
        body: new Uint8Array(png()),
      });
      expect(plain.status).toBe(200);
    } finally {
      await closed.stop();
    }
  });
});

describe('fault injection and call log', () => {
  it('throttles with 429 + Retry-After in both body shapes, then serves', async () => {
    fake.inject({ op: 'GetLargePersonGroups', kind: 'throttle', times: 1, retryAfterSeconds: 3 });
    fake.inject({ op: 'GetLargePersonGroups', kind: 'throttle-legacy', times: 1 });
    const first = await call('GET', '/largepersongroups');
    expectError(first, 429, '429', /Rate limit is exceeded/);
    expect(first.headers.get('retry-after')).toBe('3');
    const second = await call('GET', '/largepersongroups');
    expect(second.status).toBe(429);
    expect(second.json).toEqual({ error: { statusCode: 429, message: 'Rate limit is exceeded. Try again later.' } });
    expect(second.headers.get('retry-after')).toBe('1');
    expect((await call('GET', '/largepersongroups')).status).toBe(200);
    expect(fake.callsTo('GetLargePersonGroups').map((c) => [c.fault, c.status])).toEqual([
      ['throttle', 429],
      ['throttle-legacy', 429],
      [null, 200],
    ]);
  });

  it('injects 500/503/any error, latency, dropped connections, and lost answers (phase after)', async () => {
    fake.inject({ kind: '500', times: 1 });
    expectError(await call('GET', '/largepersongroups'), 500, 'InternalServerError');
    fake.inject({ kind: '503', times: 1 });
    expectError(await call('GET', '/largepersongroups'), 503, 'ServiceUnavailable');
    fake.inject({ op: 'Detect', kind: 'error', times: 1, error: { status: 400, code: 'InvalidImage', message: 'nope' } });
    expectError(await call('POST', '/detect', { image: png() }), 400, 'InvalidImage', 'nope');
    // Latency holds the answer: the call is logged and stays unanswered until the client gives up.
    fake.clearCalls();
    fake.inject({ kind: 'latency', times: 1, latencyMs: 5_000 });
    const abort = new AbortController();
    const held = call('GET', '/largepersongroups', { signal: abort.signal });
    held.catch(() => undefined); // awaited below; not unhandled if an assertion fails first
    const delayed = await until(() => fake.calls[0], 'the delayed call in the log');
    expect(delayed).toMatchObject({ op: 'GetLargePersonGroups', fault: 'latency', status: null });
    abort.abort();
    await expect(held).rejects.toThrow(/abort/i);
    await until(() => delayed.clientAborted, 'the fake to see the client give up');
    expect(delayed.status).toBeNull();
    fake.inject({ kind: 'drop', times: 1 });
    await expect(call('GET', '/largepersongroups')).rejects.toThrow();
    fake.inject({ op: 'CreateLargePersonGroup', kind: '500', times: 1, phase: 'after' });
    expectError(await call('PUT', '/largepersongroups/late', { body: { name: 'x' } }), 500, 'InternalServerError');
    expect((await call('GET', '/largepersongroups/late')).status).toBe(200);
    expect(() => fake.inject({ kind: '500', times: 0 })).toThrow(/times/);
    expect(() => fake.inject({ op: 'Nope' as never, kind: '500', times: 1 })).toThrow(/op/);
  });

  it('logs every call with its operation, query, summarised body and outcome', async () => {
    fake.clearCalls();
    await group('g9');
    await call('POST', '/detect?returnFaceId=false', { image: png() });
    const [create, detect] = fake.calls;
    expect(create).toMatchObject({
      op: 'CreateLargePersonGroup',
      method: 'PUT',
      path: '/largepersongroups/g9',
      status: 200,
      errorCode: null,
    });
    expect(create.body).toEqual({ name: 'g9', recognitionModel: 'recognition_04' });
    expect(detect).toMatchObject({ op: 'Detect', query: { returnFaceId: 'false' }, status: 200 });
    expect(detect.body).toMatchObject({ byteLength: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('declared images override embedded faces; undeclared images are one face whose identity is their sha256', async () => {
    await group();
    const image = png([{ identity: 'embedded' }]);
    fake.declareImage(image, [
      { identity: 'x', box: { left: 0, top: 0, width: 0.2, height: 0.2 } },
      { identity: 'y', box: { left: 0.5, top: 0.5, width: 0.2, height: 0.2 } },
    ]);
    expect((await call('POST', '/detect?returnFaceId=false', { image })).json).toHaveLength(2);
    const plain = fakePng({ label: 'plain' });
    expect(plain.byteLength).toBeGreaterThanOrEqual(1024);
    expect((await call('POST', '/detect?returnFaceId=false', { image: fakePng({ width: 200, height: 200 }) })).json).toEqual([
      { faceRectangle: { top: 50, left: 50, width: 100, height: 100 } },
    ]);
  });
});

describe('the real @azure-rest/ai-vision-face client against the fake', () => {
  it('creates a group, adds a person face from bytes, trains with the LRO poller, identifies', async () => {
    const client = createClient(fake.url, { key: fake.apiKey }, { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } });
    fake.setTrainingMs(0);
    const created = await client
      .path('/largepersongroups/{largePersonGroupId}', 'sdk')
      .put({ body: { name: 'sdk', recognitionModel: 'recognition_04' } });
    expect(created.status).toBe('200');
    const p = await client.path('/largepersongroups/{largePersonGroupId}/persons', 'sdk').post({ body: { name: 'ann' } });
    if (isUnexpected(p)) throw new Error(p.body.error.message);
    const face = await client
      .path('/largepersongroups/{largePersonGroupId}/persons/{personId}/persistedfaces', 'sdk', p.body.personId)
      .post({
        contentType: 'application/octet-stream',
        body: png([{ identity: 'ann' }]),
        queryParameters: { detectionModel: 'detection_03' },
      });
    if (isUnexpected(face)) throw new Error(face.body.error.message);
    const train = await client.path('/largepersongroups/{largePersonGroupId}/train', 'sdk').post();
    expect(train.status).toBe('202');
    const poller = await getLongRunningPoller(client, train, { intervalInMs: 10 });
    await poller.pollUntilDone();
    expect(poller.getOperationState().status).toBe('succeeded');
    const detected = await client.path('/detect').post({
      contentType: 'application/octet-stream',
      body: png([{ identity: 'ann' }]),
      queryParameters: { returnFaceId: true, recognitionModel: 'recognition_04', detectionModel: 'detection_03' },
    });
    if (isUnexpected(detected)) throw new Error(detected.body.error.message);
    const identified = await client
      .path('/identify')
      .post({ body: { faceIds: [detected.body[0].faceId as string], largePersonGroupId: 'sdk' } });
    if (isUnexpected(identified)) throw new Error(identified.body.error.message);
    expect(identified.body[0].candidates[0].personId).toBe(p.body.personId);

    const missing = await client.path('/largepersongroups/{largePersonGroupId}', 'missing').get();
    expect(isUnexpected(missing)).toBe(true);
    if (isUnexpected(missing)) {
      expect(missing.status).toBe('404');
      expect(missing.body.error.code).toBe('LargePersonGroupNotFound');
      expect(missing.headers['x-ms-error-code']).toBe('LargePersonGroupNotFound');
    }
    const wrongKey = createClient(fake.url, { key: 'nope' }, { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } });
    const denied = await wrongKey.path('/largepersongroups').get();
    expect(denied.status).toBe('401');
  });
});

describe('v1.0 Snapshot API (retired; §B.3)', () => {
  const v10 = { version: 'v1.0' as const };
  const scope = ['6f0c1c52-9d2b-4a36-9f4e-0d2a3b4c5d6e'];
  const operationOf = (res: Res) => {
    expect(res.status).toBe(202);
    const location = res.headers.get('operation-location') ?? '';
    expect(location).toMatch(/^\/operations\/[0-9a-f-]{36}$/);
    return location.slice('/operations/'.length);
  };
  const statusOf = async (op: string) => (await call('GET', `/operations/${op}`, v10)).json;

  it('take → notstarted/running → succeeded with resourceLocation; apply copies the group with its ids; 48 h later the snapshot is gone', async () => {
    fake.setSnapshotMs(1000);
    await group('src');
    const person = (await call('POST', '/largepersongroups/src/persons', { body: { name: 'p' } })).json.personId;
    expect(
      await call('POST', '/snapshots', { ...v10, key: null, body: { type: 'LargePersonGroup', objectId: 'src', applyScope: scope } }),
    ).toMatchObject({ status: 401 });
    expectError(
      await call('POST', '/snapshots', { ...v10, body: { type: 'LargePersonGroup', objectId: 'src', applyScope: [] } }),
      400,
      'BadArgument',
    );
    expectError(
      await call('POST', '/snapshots', { ...v10, body: { type: 'LargePersonGroup', objectId: 'nope', applyScope: scope } }),
      404,
      'LargePersonGroupNotFound',
    );

    const take = operationOf(
      await call('POST', '/snapshots', { ...v10, body: { type: 'LargePersonGroup', objectId: 'src', applyScope: scope } }),
    );
    expect((await statusOf(take)).status).toBe('notstarted');
    fake.advanceClock(500);
    expect((await statusOf(take)).status).toBe('running');
    fake.advanceClock(500);
    const done = await statusOf(take);
    expect(done).toMatchObject({ status: 'succeeded', resourceLocation: expect.stringMatching(/^\/snapshots\/[0-9a-f-]{36}$/) });
    const snapshotId = done.resourceLocation.slice('/snapshots/'.length);
    expect((await call('GET', `/snapshots/${snapshotId}`, v10)).json).toMatchObject({
      id: snapshotId,
      type: 'LargePersonGroup',
      applyScope: scope,
    });

    const apply = operationOf(await call('POST', `/snapshots/${snapshotId}/apply`, { ...v10, body: { objectId: 'dst' } }));
    expectError(await call('GET', '/largepersongroups/dst'), 404, 'LargePersonGroupNotFound');
    fake.advanceClock(1000);
    expect(await statusOf(apply)).toMatchObject({ status: 'succeeded', resourceLocation: 'dst' });
    expect((await call('GET', `/largepersongroups/dst/persons/${person}`)).json).toMatchObject({ personId: person, name: 'p' });
    expectError(await call('POST', `/snapshots/${snapshotId}/apply`, { ...v10, body: { objectId: 'dst' } }), 409, 'LargePersonGroupExists');
    expectError(
      await call('POST', `/snapshots/${snapshotId}/apply`, { ...v10, body: { objectId: 'x', mode: 'Replace' } }),
      400,
      'BadArgument',
    );

    fake.advanceClock(48 * 60 * 60 * 1000);
    expectError(await call('GET', `/snapshots/${snapshotId}`, v10), 404, 'SnapshotNotFound');
    expectError(await call('POST', `/snapshots/${snapshotId}/apply`, { ...v10, body: { objectId: 'late' } }), 404, 'SnapshotNotFound');
    expectError(await call('GET', `/operations/${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}`, v10), 404, 'OperationNotFound');
  });

  it('Apply needs the caller’s subscription in applyScope (403 Forbidden otherwise); a take past the quota is 403 QuotaExceeded, with no operation', async () => {
    fake.setSnapshotMs(0);
    await group('scoped');
    const take = async (applyScope: string[]) =>
      call('POST', '/snapshots', { ...v10, body: { type: 'LargePersonGroup', objectId: 'scoped', applyScope } });
    const snapshotOf = async (op: string) => ((await statusOf(op)).resourceLocation as string).slice('/snapshots/'.length);

    const elsewhere = await snapshotOf(operationOf(await take(['11111111-2222-4333-8444-555555555555'])));
    expectError(await call('POST', `/snapshots/${elsewhere}/apply`, { ...v10, body: { objectId: 'scoped-a' } }), 403, 'Forbidden');
    expectError(await call('GET', '/largepersongroups/scoped-a'), 404, 'LargePersonGroupNotFound');
    const shared = await snapshotOf(operationOf(await take(['11111111-2222-4333-8444-555555555555', fake.subscriptionId.toUpperCase()])));
    operationOf(await call('POST', `/snapshots/${shared}/apply`, { ...v10, body: { objectId: 'scoped-b' } }));

    fake.setSnapshotTakeQuota(1);
    operationOf(await take(scope));
    expectError(await take(scope), 403, 'QuotaExceeded');
    fake.advanceClock(24 * 60 * 60 * 1000 + 1);
    operationOf(await take(scope)); // a day later the quota allows one again
    fake.setSnapshotTakeQuota(100);
  });
});
