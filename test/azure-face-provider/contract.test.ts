/**
 * AzureFaceProvider against the fake Azure Face: every contract method,
 * what it leaves in Azure (the mapping of providers.md §D), pagination,
 * training and UserStatus, idempotency, and rebuilding the index from
 * Azure alone in a fresh provider.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakePng, startFakeAzureFace, type DeclaredFace, type FakeAzureFace } from '../fakes/azure-face/server.js';
import { fakePng as rekognitionPng } from '../fakes/rekognition/server.js';
import {
  azureFaceDefinition,
  CAPABILITIES,
  expectDomainError,
  InMemoryRetainedImages,
  providerFor,
  rest,
  uniqueId,
  type Provider,
} from './support.js';
import { until } from '../support/wait.js';
import { openSqliteStore, tempDir } from '../local-provider/support.js';

let fake: FakeAzureFace;
let provider: Provider;

beforeAll(async () => {
  fake = await startFakeAzureFace({ trainingMs: 10 });
  provider = providerFor(fake);
});
afterAll(async () => {
  await provider.close();
  await fake.stop();
});
beforeEach(() => fake.clearCalls());

let labels = 0;
const png = (faces?: DeclaredFace[]) => fakePng({ label: `p-${++labels}`, faces });
const face = (identity: string, left = 0.25, width = 0.5): DeclaredFace => ({ identity, box: { left, top: 0.25, width, height: width } });

async function collection(): Promise<string> {
  const id = uniqueId();
  await provider.createCollection(id);
  return id;
}

/** Indexes one face of `identity` and returns its id. */
async function indexOne(collectionId: string, identity: string, externalImageId?: string): Promise<string> {
  const out = await provider.indexFaces({ collectionId, image: png([face(identity)]), externalImageId });
  expect(out.faces).toHaveLength(1);
  return out.faces[0].faceId;
}

async function userWithFace(collectionId: string, userId: string, identity: string): Promise<string> {
  await provider.createUser({ collectionId, userId });
  const faceId = await indexOne(collectionId, identity);
  const out = await provider.associateFaces({ collectionId, userId, faceIds: [faceId], userMatchThreshold: 75 });
  expect(out.associatedFaceIds).toEqual([faceId]);
  return faceId;
}

describe('identity, capabilities and definition', () => {
  it('is kind AZURE_FACE with the user/face capabilities and training; no descriptors or mixed-case ids, no snapshots without a store', () => {
    expect(provider.kind).toBe('AZURE_FACE');
    expect(provider.name).toBe('azure-test');
    // detection_03 (the default) fills FACE_OCCLUDED (from mask) only; searchUsers has no Azure counterpart.
    const attributes = CAPABILITIES.filter((c) => c.startsWith('FACE_ATTRIBUTE_') && c !== 'FACE_ATTRIBUTE_FACE_OCCLUDED');
    const absent = ['EXPORT_DESCRIPTORS', 'TAKE_SNAPSHOT', 'APPLY_SNAPSHOT', 'MIXED_CASE_COLLECTION_IDS', 'SEARCH_USERS', ...attributes];
    expect([...provider.capabilities].sort()).toEqual(CAPABILITIES.filter((c) => !absent.includes(c)).sort());
    // Gateway snapshots live in the gateway store; a provider built without one cannot take or apply them.
    expect(provider.capabilities.has('TAKE_SNAPSHOT')).toBe(false);
  });

  it('the definition parses options strictly, with defaults, and creates a working provider', async () => {
    const { options, create, kind } = azureFaceDefinition;
    expect(kind).toBe('azure-face');
    const parsed = options.parse({ endpoint: fake.url, apiKey: fake.apiKey });
    expect(parsed).toMatchObject({ maxAttempts: 4, maxRetryAfterMs: 30_000, trainDebounceMs: 2000, detectionModel: 'detection_03' });
    // Training: twice Azure's documented 30 minutes; v1.0 snapshots: their own 24 h, below Azure's 48 h lifetime.
    expect(parsed).toMatchObject({ trainingTimeoutMs: 60 * 60 * 1000, snapshotTimeoutMs: 24 * 60 * 60 * 1000 });
    expect(options.safeParse({ endpoint: fake.url, apiKey: 'k', snapshotTimeoutMs: 48 * 60 * 60 * 1000 }).success).toBe(false);
    expect(options.safeParse({ endpoint: 'not a url', apiKey: 'k' }).success).toBe(false);
    expect(options.safeParse({ endpoint: fake.url }).success).toBe(false);
    expect(options.safeParse({ endpoint: fake.url, apiKey: '' }).success).toBe(false);
    expect(options.safeParse({ endpoint: fake.url, apiKey: 'k', region: 'x' }).success).toBe(false);
    expect(options.safeParse({ endpoint: fake.url, apiKey: 'k', detectionModel: 'detection_02' }).success).toBe(false);
    const made = create('azure-made', options.parse({ endpoint: fake.url, apiKey: fake.apiKey, maxAttempts: 1 }), {} as never);
    expect(made.kind).toBe('AZURE_FACE');
    expect(made.name).toBe('azure-made');
    const id = uniqueId();
    expect((await made.createCollection(id)).collectionId).toBe(id);
    await made.close();
  });
});

describe('collections', () => {
  it('creates a LargePersonGroup (recognition_04, name = id) and its companion LargeFaceList of the same id', async () => {
    const id = uniqueId();
    const before = Date.now();
    const rec = await provider.createCollection(id);
    expect(rec).toMatchObject({ collectionId: id, faceModelVersion: 'recognition_04', faceCount: 0, userCount: 0 });
    expect(rec.createdAt?.getTime()).toBeGreaterThanOrEqual(before);
    const group = (await rest(fake, 'GET', `/largepersongroups/${id}?returnRecognitionModel=true`)).json as Record<string, string>;
    expect(group).toMatchObject({ largePersonGroupId: id, name: id, recognitionModel: 'recognition_04' });
    expect(JSON.parse(group.userData)).toMatchObject({ v: 1, kind: 'facegate-collection' });
    const list = (await rest(fake, 'GET', `/largefacelists/${id}?returnRecognitionModel=true`)).json as Record<string, string>;
    expect(list).toMatchObject({ largeFaceListId: id, recognitionModel: 'recognition_04' });
    expect(JSON.parse(list.userData)).toMatchObject({ kind: 'facegate-faces' });
    await expectDomainError(provider.createCollection(id), 'COLLECTION_ALREADY_EXISTS', {
      collectionId: id,
      providerCode: 'LargePersonGroupExists',
    });
  });

  it('refuses ids Azure cannot hold with INVALID_INPUT — never case-folded — without calling Azure', async () => {
    const upper = await expectDomainError(provider.createCollection('MyFaces'), 'INVALID_INPUT', { field: 'collectionId' });
    expect(upper.message).toMatch(/lowercase/);
    expect(upper.message).toContain('not case-folded: use "myfaces" explicitly');
    await expectDomainError(provider.createCollection('a.b'), 'INVALID_INPUT', { field: 'collectionId' });
    await expectDomainError(provider.createCollection('x'.repeat(65)), 'INVALID_INPUT', { field: 'collectionId' });
    await expectDomainError(provider.listUsers('Has.Dots', { limit: 5 }), 'INVALID_INPUT', { field: 'collectionId' });
    await expectDomainError(provider.deleteCollection('UPPER'), 'INVALID_INPUT');
    expect(await provider.getCollections(['UPPER'])).toEqual([null]);
    expect(fake.calls).toHaveLength(0);
  });

  it('getCollections: records with counts for existing ids, null for unknown ones', async () => {
    const id = await collection();
    await provider.createUser({ collectionId: id, userId: 'u1' });
    await indexOne(id, 'a');
    const [found, missing] = await provider.getCollections([id, uniqueId('missing')]);
    expect(found).toMatchObject({ collectionId: id, userCount: 1, faceCount: 1 });
    expect(missing).toBeNull();
  });

  it('lists collections in id order across pages; a foreign token is INVALID_INPUT', async () => {
    const isolated = await startFakeAzureFace();
    const p = providerFor(isolated);
    try {
      for (const id of ['e', 'a', 'd', 'c', 'b']) await p.createCollection(id);
      const first = await p.listCollections({ limit: 2 });
      expect(first.items.map((c) => c.collectionId)).toEqual(['a', 'b']);
      const second = await p.listCollections({ limit: 2, after: first.nextToken });
      expect(second.items.map((c) => c.collectionId)).toEqual(['c', 'd']);
      const third = await p.listCollections({ limit: 2, after: second.nextToken });
      expect(third).toEqual({ items: [expect.objectContaining({ collectionId: 'e' })] });
      expect((await p.listCollections({ limit: 5 })).nextToken).toBeUndefined();
      const users = await p.listUsers('a', { limit: 1 });
      expect(users.nextToken).toBeUndefined();
      await expectDomainError(p.listCollections({ limit: 2, after: 'bm90LWEtdG9rZW4' }), 'INVALID_INPUT', { field: 'after' });
      await expectDomainError(p.listCollections({ limit: 0 }), 'INVALID_INPUT', { field: 'limit' });
    } finally {
      await p.close();
      await isolated.stop();
    }
  });

  it('deletes the group and its face list; afterwards the collection is not found', async () => {
    const id = await collection();
    await userWithFace(id, 'u1', 'a');
    await provider.deleteCollection(id);
    expect((await rest(fake, 'GET', `/largepersongroups/${id}`)).status).toBe(404);
    expect((await rest(fake, 'GET', `/largefacelists/${id}`)).status).toBe(404);
    await expectDomainError(provider.deleteCollection(id), 'COLLECTION_NOT_FOUND', { collectionId: id });
    await expectDomainError(provider.listUsers(id, { limit: 5 }), 'COLLECTION_NOT_FOUND');
    await expectDomainError(provider.indexFaces({ collectionId: id, image: png() }), 'COLLECTION_NOT_FOUND');
    // Recreating starts empty.
    expect(await provider.createCollection(id)).toMatchObject({ userCount: 0, faceCount: 0 });
  });

  it('a leftover face list of an interrupted delete is replaced on create; someone else’s list is refused', async () => {
    const id = uniqueId();
    await rest(fake, 'PUT', `/largefacelists/${id}`, { name: 'x', userData: JSON.stringify({ v: 1, kind: 'facegate-faces', n: 'old' }) });
    expect((await provider.createCollection(id)).collectionId).toBe(id);
    const foreign = uniqueId();
    await rest(fake, 'PUT', `/largefacelists/${foreign}`, { name: 'theirs' });
    await expectDomainError(provider.createCollection(foreign), 'COLLECTION_ALREADY_EXISTS', { providerCode: 'LargeFaceListExists' });
    expect((await rest(fake, 'GET', `/largepersongroups/${foreign}`)).status).toBe(404); // rolled back
  });
});

describe('users', () => {
  it('creates persons named after the user, lists users in creation order across pages', async () => {
    const id = await collection();
    const ids = ['zed', 'amy', 'mid', 'bob', 'kay'];
    for (const userId of ids)
      expect(await provider.createUser({ collectionId: id, userId })).toEqual({ collectionId: id, userId, status: 'CREATED' });
    const persons = (await rest(fake, 'GET', `/largepersongroups/${id}/persons`)).json as { name: string; userData: string }[];
    expect(persons.map((p) => p.name).sort()).toEqual([...ids].sort());
    expect(JSON.parse(persons[0].userData)).toMatchObject({ v: 1, u: persons[0].name });
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = await provider.listUsers(id, { limit: 2, after });
      seen.push(...page.items.map((u) => u.userId));
      after = page.nextToken;
    } while (after);
    expect(seen).toEqual(ids);
    await expectDomainError(provider.createUser({ collectionId: id, userId: 'amy' }), 'USER_ALREADY_EXISTS', { userId: 'amy' });
    expect(await provider.getUsers(id, ['bob', 'nobody'])).toEqual([{ collectionId: id, userId: 'bob', status: 'CREATED' }, null]);
    await expectDomainError(
      provider.listUsers(id, { limit: 2, after: (await provider.listFaces(id, {}, { limit: 1 })).nextToken ?? 'x' }),
      'INVALID_INPUT',
    );
  });

  it('deleteUser: the user goes, its faces stay as unassociated faces with the same ids', async () => {
    const id = await collection();
    const faceId = await userWithFace(id, 'u1', 'a');
    await provider.deleteUser({ collectionId: id, userId: 'u1' });
    expect(await provider.getUsers(id, ['u1'])).toEqual([null]);
    const [rec] = await provider.getFaces(id, [faceId]);
    expect(rec).toMatchObject({ faceId, userId: null });
    expect((await rest(fake, 'GET', `/largepersongroups/${id}/persons`)).json).toEqual([]);
    await expectDomainError(provider.deleteUser({ collectionId: id, userId: 'u1' }), 'USER_NOT_FOUND', { userId: 'u1' });
  });
});

describe('faces', () => {
  it('indexFaces: largest first up to maxFaces, small and low-quality faces unindexed, ratio boxes, registry entries in the list', async () => {
    const id = await collection();
    const image = png([
      { identity: 'big', box: { left: 0.1, top: 0.1, width: 0.4, height: 0.4 } },
      { identity: 'mid', box: { left: 0.6, top: 0.1, width: 0.3, height: 0.3 } },
      { identity: 'third', box: { left: 0.6, top: 0.6, width: 0.2, height: 0.2 } },
      { identity: 'small', box: { left: 0, top: 0.9, width: 0.038, height: 0.038 } },
      { identity: 'blurry', box: { left: 0.1, top: 0.6, width: 0.25, height: 0.25 }, quality: 'low' },
    ]);
    const out = await provider.indexFaces({ collectionId: id, image, externalImageId: 'img:1', maxFaces: 2 });
    expect(out.faceModelVersion).toBe('recognition_04');
    expect(out.faces.map((f) => f.boundingBox)).toEqual([
      { left: 0.1, top: 0.1, width: 0.4, height: 0.4 },
      { left: 0.6, top: 0.1, width: 0.3, height: 0.3 },
    ]);
    expect(out.faces[0]).toMatchObject({ collectionId: id, userId: null, externalImageId: 'img:1', confidence: null });
    expect(out.faces[0].faceId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(out.faces[0].indexedAt).toBeInstanceOf(Date);
    expect(out.unindexedFaces.map((u) => u.reasons)).toEqual([['LOW_FACE_QUALITY'], ['EXCEEDS_MAX_FACES'], ['SMALL_BOUNDING_BOX']]);
    const entries = (await rest(fake, 'GET', `/largefacelists/${id}/persistedfaces`)).json as {
      persistedFaceId: string;
      userData: string;
    }[];
    expect(entries.map((e) => e.persistedFaceId).sort()).toEqual(out.faces.map((f) => f.faceId).sort());
    expect(JSON.parse(entries[0].userData)).toMatchObject({ v: 1, x: 'img:1', d: [1000, 1000] });
    expect(fake.callsTo('AddLargeFaceListFace')[0].query).toMatchObject({ detectionModel: 'detection_03' });
    expect(fake.callsTo('AddLargeFaceListFace')[0].query.targetFace).toMatch(/^\d+,\d+,\d+,\d+$/);

    // The same image with the same externalImageId returns the same faces.
    const again = await provider.indexFaces({ collectionId: id, image, externalImageId: 'img:1', maxFaces: 2 });
    expect(again.faces.map((f) => f.faceId)).toEqual(out.faces.map((f) => f.faceId));
    expect((await provider.getCollections([id]))[0]?.faceCount).toBe(2);
  });

  it('indexFaces refuses bytes that are no image (INVALID_IMAGE) and maps Azure image errors', async () => {
    const id = await collection();
    await expectDomainError(provider.indexFaces({ collectionId: id, image: new Uint8Array(2000) }), 'INVALID_IMAGE', { field: 'image' });
    await expectDomainError(provider.indexFaces({ collectionId: id, image: png(), maxFaces: 0 }), 'INVALID_INPUT', { field: 'maxFaces' });
    // A readable PNG under Azure's 1 KB minimum: Azure's InvalidImageSize.
    const small = rekognitionPng({ width: 16, height: 16 });
    expect(small.byteLength).toBeLessThan(1024);
    await expectDomainError(provider.indexFaces({ collectionId: id, image: small }), 'INVALID_IMAGE', {
      providerCode: 'InvalidImageSize',
      field: 'image',
    });
  });

  it('lists faces in index order with filters (all, unassociated, one user) and filter-bound tokens', async () => {
    const id = await collection();
    const f1 = await indexOne(id, 'a');
    const f2 = await userWithFace(id, 'u1', 'b');
    const f3 = await indexOne(id, 'c');
    const all: string[] = [];
    let after: string | undefined;
    do {
      const page = await provider.listFaces(id, {}, { limit: 2, after });
      all.push(...page.items.map((f) => f.faceId));
      after = page.nextToken;
    } while (after);
    expect(all).toEqual([f1, f2, f3]);
    const unassociated = await provider.listFaces(id, { unassociated: true }, { limit: 1 });
    expect(unassociated.items.map((f) => f.faceId)).toEqual([f1]);
    expect(
      (await provider.listFaces(id, { unassociated: true }, { limit: 1, after: unassociated.nextToken })).items.map((f) => f.faceId),
    ).toEqual([f3]);
    await expectDomainError(provider.listFaces(id, {}, { limit: 1, after: unassociated.nextToken }), 'INVALID_INPUT', { field: 'after' });
    expect((await provider.listFaces(id, { userId: 'u1' }, { limit: 10 })).items).toEqual([
      expect.objectContaining({ faceId: f2, userId: 'u1' }),
    ]);
    expect((await provider.listFaces(id, { userId: 'nobody' }, { limit: 10 })).items).toEqual([]);
    await expectDomainError(provider.listFaces(id, { userId: 'u1', unassociated: true }, { limit: 1 }), 'INVALID_INPUT');
    expect(await provider.countUserFaces(id, ['u1', 'nobody'])).toEqual([1, 0]);
    expect((await provider.listUserFaces(id, ['u1', 'nobody'])).map((l) => l.map((f) => f.faceId))).toEqual([[f2], []]);
    expect((await provider.getFaces(id, [f3, '00000000-0000-4000-8000-000000000000'])).map((f) => f?.faceId ?? null)).toEqual([f3, null]);
  });

  it('deleteFaces: unassociated faces go, associated ones are refused, unknown ones are FACE_NOT_FOUND', async () => {
    const id = await collection();
    const loose = await indexOne(id, 'a');
    const owned = await userWithFace(id, 'u1', 'b');
    const unknown = '00000000-0000-4000-8000-000000000000';
    const out = await provider.deleteFaces(id, [loose, owned, unknown, loose]);
    expect(out).toEqual({
      deletedFaceIds: [loose],
      unsuccessfulFaceDeletions: [
        { faceId: owned, userId: 'u1', reasons: ['ASSOCIATED_TO_AN_EXISTING_USER'] },
        { faceId: unknown, userId: null, reasons: ['FACE_NOT_FOUND'] },
      ],
    });
    expect((await rest(fake, 'GET', `/largefacelists/${id}/persistedfaces/${loose}`)).status).toBe(404);
    // Gone behind the adapter's back: FACE_NOT_FOUND, and forgotten.
    const ghost = await indexOne(id, 'g');
    await rest(fake, 'DELETE', `/largefacelists/${id}/persistedfaces/${ghost}`);
    expect((await provider.deleteFaces(id, [ghost])).unsuccessfulFaceDeletions).toEqual([
      { faceId: ghost, userId: null, reasons: ['FACE_NOT_FOUND'] },
    ]);
    expect(await provider.getFaces(id, [ghost])).toEqual([null]);
  });
});

describe('associations', () => {
  it('associate copies the face into the person from the retained image; the face id stays; verify gates later faces', async () => {
    const id = await collection();
    await provider.createUser({ collectionId: id, userId: 'ann' });
    const first = await indexOne(id, 'ann');
    const out = await provider.associateFaces({ collectionId: id, userId: 'ann', faceIds: [first], userMatchThreshold: 75 });
    expect(out).toEqual({ associatedFaceIds: [first], unsuccessfulFaceAssociations: [], userStatus: 'UPDATING' });
    expect(fake.callsTo('Verify')).toHaveLength(0); // nothing to compare with yet
    const [person] = (await rest(fake, 'GET', `/largepersongroups/${id}/persons`)).json as {
      personId: string;
      persistedFaceIds: string[];
    }[];
    expect(person.persistedFaceIds).toHaveLength(1);
    const copy = (
      await rest(fake, 'GET', `/largepersongroups/${id}/persons/${person.personId}/persistedfaces/${person.persistedFaceIds[0]}`)
    ).json as { userData: string };
    expect(JSON.parse(copy.userData)).toMatchObject({ v: 1, f: first });
    expect((await provider.getFaces(id, [first]))[0]).toMatchObject({ faceId: first, userId: 'ann' });

    const same = await indexOne(id, 'ann');
    const other = await indexOne(id, 'zed');
    const taken = await userWithFace(id, 'bob', 'bob');
    const unknown = '00000000-0000-4000-8000-000000000000';
    fake.clearCalls();
    const second = await provider.associateFaces({
      collectionId: id,
      userId: 'ann',
      faceIds: [same, other, taken, unknown, first],
      userMatchThreshold: 80,
    });
    expect(second.associatedFaceIds).toEqual([same]);
    expect(second.unsuccessfulFaceAssociations).toEqual([
      { faceId: taken, userId: 'bob', confidence: null, reasons: ['ASSOCIATED_TO_A_DIFFERENT_USER'] },
      { faceId: unknown, userId: null, confidence: null, reasons: ['FACE_NOT_FOUND'] },
      { faceId: other, userId: null, confidence: expect.any(Number), reasons: ['LOW_MATCH_CONFIDENCE'] },
    ]);
    expect(second.unsuccessfulFaceAssociations[2].confidence).toBeLessThan(50);
    expect(fake.callsTo('Verify')).toHaveLength(2);
    expect(await provider.countUserFaces(id, ['ann'])).toEqual([2]);
    await expectDomainError(
      provider.associateFaces({ collectionId: id, userId: 'ghost', faceIds: [other], userMatchThreshold: 75 }),
      'USER_NOT_FOUND',
      {
        userId: 'ghost',
      },
    );
  });

  it('UserStatus: CREATED without faces, UPDATING until a training includes the change, then ACTIVE', async () => {
    const id = await collection();
    expect((await provider.createUser({ collectionId: id, userId: 'u' })).status).toBe('CREATED');
    const faceId = await indexOne(id, 'u');
    expect((await provider.associateFaces({ collectionId: id, userId: 'u', faceIds: [faceId], userMatchThreshold: 75 })).userStatus).toBe(
      'UPDATING',
    );
    expect(await provider.getUsers(id, ['u'])).toEqual([expect.objectContaining({ status: 'UPDATING' })]);
    await until(async () => (await provider.getUsers(id, ['u']))[0]?.status === 'ACTIVE', 'the user to be ACTIVE once trained');
    expect(fake.inspectGroup(id)?.trainingStatus).toBe('succeeded');
    expect((await provider.disassociateFaces({ collectionId: id, userId: 'u', faceIds: [faceId] })).userStatus).toBe('CREATED');
  });

  it('a burst of changes is trained once (debounced)', async () => {
    const slow = providerFor(fake, { trainDebounceMs: 1_500 });
    try {
      const id = uniqueId();
      await slow.createCollection(id);
      await slow.createUser({ collectionId: id, userId: 'u' });
      const faces: string[] = [];
      for (let i = 0; i < 3; i++) faces.push((await slow.indexFaces({ collectionId: id, image: png([face('u')]) })).faces[0].faceId);
      fake.clearCalls();
      for (const f of faces) await slow.associateFaces({ collectionId: id, userId: 'u', faceIds: [f], userMatchThreshold: 0 });
      const trainings = () => fake.callsTo('TrainLargePersonGroup').filter((c) => c.path.includes(id));
      expect(trainings()).toHaveLength(0);
      await until(async () => (await slow.getUsers(id, ['u']))[0]?.status === 'ACTIVE', 'the user to be ACTIVE once trained');
      expect(trainings()).toHaveLength(1);
    } finally {
      await slow.close();
    }
  });

  it('disassociate deletes the person’s copy; the face keeps its id and metadata, and can be associated again', async () => {
    const id = await collection();
    const faceId = await userWithFace(id, 'u1', 'a');
    await provider.createUser({ collectionId: id, userId: 'u2' });
    const unknown = '00000000-0000-4000-8000-000000000000';
    const loose = await indexOne(id, 'x');
    await expectDomainError(provider.disassociateFaces({ collectionId: id, userId: 'nobody', faceIds: [faceId] }), 'USER_NOT_FOUND');
    const wrongUser = await provider.disassociateFaces({ collectionId: id, userId: 'u2', faceIds: [faceId, unknown, loose] });
    expect(wrongUser).toEqual({
      disassociatedFaceIds: [],
      unsuccessfulFaceDisassociations: [
        { faceId, userId: 'u1', reasons: ['ASSOCIATED_TO_A_DIFFERENT_USER'] },
        { faceId: unknown, userId: null, reasons: ['FACE_NOT_FOUND'] },
      ],
      userStatus: 'CREATED',
    });
    const before = (await provider.getFaces(id, [faceId]))[0];
    const out = await provider.disassociateFaces({ collectionId: id, userId: 'u1', faceIds: [faceId] });
    expect(out).toEqual({ disassociatedFaceIds: [faceId], unsuccessfulFaceDisassociations: [], userStatus: 'CREATED' });
    expect((await rest(fake, 'GET', `/largepersongroups/${id}/persons`)).json).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'u1', persistedFaceIds: [] })]),
    );
    expect((await provider.getFaces(id, [faceId]))[0]).toEqual({ ...before, userId: null });
    expect(
      (await provider.associateFaces({ collectionId: id, userId: 'u2', faceIds: [faceId], userMatchThreshold: 75 })).associatedFaceIds,
    ).toEqual([faceId]);
  });

  it('disassociate throttled part-way and retried with the same token completes and answers as one call would have', async () => {
    const id = await collection();
    await provider.createUser({ collectionId: id, userId: 'u' });
    const faceIds = [await indexOne(id, 'u'), await indexOne(id, 'u'), await indexOne(id, 'u')];
    expect((await provider.associateFaces({ collectionId: id, userId: 'u', faceIds, userMatchThreshold: 0 })).associatedFaceIds).toEqual(
      faceIds,
    );
    const input = { collectionId: id, userId: 'u', faceIds, clientRequestToken: 'tok-dis' };
    fake.inject({ op: 'DeleteLargePersonGroupPersonFace', kind: 'throttle', skip: 1, times: 1 }); // the second face's DELETE
    await expectDomainError(provider.disassociateFaces(input), 'THROTTLED');
    expect(await provider.countUserFaces(id, ['u'])).toEqual([2]); // Azure has no transaction: the first face is out
    const retried = await provider.disassociateFaces(input);
    expect(retried.disassociatedFaceIds).toEqual(faceIds);
    expect(retried.unsuccessfulFaceDisassociations).toEqual([]);
    expect(await provider.countUserFaces(id, ['u'])).toEqual([0]);
    expect(await provider.disassociateFaces(input)).toEqual(retried); // and replays from then on
  });

  it('caps a user at 100 faces: the call that would pass it fails as a whole (QUOTA_EXCEEDED)', async () => {
    const id = await collection();
    await provider.createUser({ collectionId: id, userId: 'u' });
    // Azure detects at most 100 faces an image: two images.
    const grid = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        identity: 'u',
        box: { left: (i % 10) * 0.1, top: Math.floor(i / 10) * 0.1, width: 0.05, height: 0.05 },
      }));
    const ids: string[] = [];
    for (const [label, n] of [
      ['many-a', 60],
      ['many-b', 41],
    ] as const) {
      const out = await provider.indexFaces({
        collectionId: id,
        image: fakePng({ label, faces: grid(n), width: 2000, height: 2000 }),
        maxFaces: 100,
      });
      expect(out.faces).toHaveLength(n);
      ids.push(...out.faces.map((f) => f.faceId));
    }
    await expectDomainError(
      provider.associateFaces({ collectionId: id, userId: 'u', faceIds: ids, userMatchThreshold: 0 }),
      'QUOTA_EXCEEDED',
      { userId: 'u' },
    );
    expect(await provider.countUserFaces(id, ['u'])).toEqual([0]);
    expect(fake.callsTo('AddLargePersonGroupPersonFace')).toHaveLength(0);
  });

  it('ClientRequestToken: the same input replays the first outcome, other input is IDEMPOTENCY_CONFLICT', async () => {
    const id = await collection();
    const created = await provider.createUser({ collectionId: id, userId: 'u', clientRequestToken: 'tok-1' });
    expect(await provider.createUser({ collectionId: id, userId: 'u', clientRequestToken: 'tok-1' })).toEqual(created);
    await expectDomainError(provider.createUser({ collectionId: id, userId: 'v', clientRequestToken: 'tok-1' }), 'IDEMPOTENCY_CONFLICT', {
      clientRequestToken: 'tok-1',
    });
    expect(fake.callsTo('CreateLargePersonGroupPerson')).toHaveLength(1);
    const faceId = await indexOne(id, 'u');
    const input = { collectionId: id, userId: 'u', faceIds: [faceId], userMatchThreshold: 75, clientRequestToken: 'tok-2' };
    const first = await provider.associateFaces(input);
    expect(await provider.associateFaces(input)).toEqual(first);
    expect(fake.callsTo('AddLargePersonGroupPersonFace')).toHaveLength(1);
    // A remembered failure replays too.
    await expectDomainError(provider.deleteUser({ collectionId: id, userId: 'nobody', clientRequestToken: 'tok-3' }), 'USER_NOT_FOUND');
    await provider.createUser({ collectionId: id, userId: 'nobody' });
    await expectDomainError(provider.deleteUser({ collectionId: id, userId: 'nobody', clientRequestToken: 'tok-3' }), 'USER_NOT_FOUND');
  });
});

describe('ClientRequestToken records in the gateway store', () => {
  it('are shared by replicas and outlive a restart: the same token replays on another provider, other input conflicts there', async () => {
    const tmp = tempDir('azure-idempotency');
    const store = await openSqliteStore(tmp.dir);
    const images = new InMemoryRetainedImages();
    const a = providerFor(fake, { store, retainedImages: images });
    const b = providerFor(fake, { store, retainedImages: images });
    try {
      const id = uniqueId();
      await a.createCollection(id);
      const created = await a.createUser({ collectionId: id, userId: 'u', clientRequestToken: 'tok-r' });
      await a.close(); // a restart: nothing of a's memory is left
      fake.clearCalls();
      expect(await b.createUser({ collectionId: id, userId: 'u', clientRequestToken: 'tok-r' })).toEqual(created);
      expect(fake.callsTo('CreateLargePersonGroupPerson')).toHaveLength(0);
      await expectDomainError(b.createUser({ collectionId: id, userId: 'v', clientRequestToken: 'tok-r' }), 'IDEMPOTENCY_CONFLICT');
      // Deleting the collection forgets its tokens.
      await b.deleteCollection(id);
      await b.createCollection(id);
      expect((await b.createUser({ collectionId: id, userId: 'v', clientRequestToken: 'tok-r' })).userId).toBe('v');
    } finally {
      await a.close();
      await b.close();
      await store.close();
      tmp.remove();
    }
  });
});

describe('searchUsersByImage', () => {
  it('detect → identify: finds the user (similarity ×100), right after the association (waits for training)', async () => {
    const id = await collection();
    await userWithFace(id, 'ann', 'ann');
    await userWithFace(id, 'bob', 'bob');
    const out = await provider.searchUsersByImage({
      collectionId: id,
      image: png([face('ann', 0.1, 0.6), face('bob', 0.75, 0.2)]),
      userMatchThreshold: 80,
      maxUsers: 10,
    });
    expect(out.userMatches).toHaveLength(1);
    expect(out.userMatches[0].user).toEqual({ collectionId: id, userId: 'ann', status: 'ACTIVE' });
    expect(out.userMatches[0].similarity).toBeGreaterThanOrEqual(99);
    expect(out.searchedFace).toEqual({ boundingBox: { left: 0.1, top: 0.25, width: 0.6, height: 0.6 }, confidence: 100 });
    const identify = fake.callsTo('Identify').at(-1);
    expect(identify?.body).toMatchObject({ largePersonGroupId: id, maxNumOfCandidatesReturned: 10, confidenceThreshold: 0.8 });
  });

  it('maxUsers over 100 (identify’s candidate ceiling) is InvalidInput naming the limit, before any Azure call — not a silent cap', async () => {
    const id = await collection();
    await userWithFace(id, 'ann', 'ann');
    fake.clearCalls();
    const refused = await expectDomainError(
      provider.searchUsersByImage({ collectionId: id, image: png([face('ann')]), userMatchThreshold: 80, maxUsers: 101 }),
      'INVALID_INPUT',
    );
    expect(refused.details.field).toBe('input.maxUsers');
    expect(refused.message).toMatch(/1\.\.100/);
    expect(fake.callsTo('Detect')).toHaveLength(0);
    const ok = await provider.searchUsersByImage({ collectionId: id, image: png([face('ann')]), userMatchThreshold: 80, maxUsers: 100 });
    expect(ok.userMatches.map((m) => m.user.userId)).toEqual(['ann']);
  });

  it('threshold 0 returns other users too, highest first, at most maxUsers', async () => {
    const id = await collection();
    await userWithFace(id, 'ann', 'ann');
    await userWithFace(id, 'bob', 'bob');
    await userWithFace(id, 'cat', 'cat');
    const out = await provider.searchUsersByImage({ collectionId: id, image: png([face('ann')]), userMatchThreshold: 0, maxUsers: 2 });
    expect(out.userMatches).toHaveLength(2);
    expect(out.userMatches[0].user.userId).toBe('ann');
    expect(out.userMatches[0].similarity).toBeGreaterThan(out.userMatches[1].similarity);
  });

  it('no face → no matches and searchedFace null; no user with faces → no identify call', async () => {
    const id = await collection();
    expect(await provider.searchUsersByImage({ collectionId: id, image: png([]), userMatchThreshold: 80, maxUsers: 5 })).toEqual({
      userMatches: [],
      searchedFace: null,
      unsearchedFaces: [],
    });
    await provider.createUser({ collectionId: id, userId: 'u' });
    await indexOne(id, 'u');
    const out = await provider.searchUsersByImage({ collectionId: id, image: png([face('u')]), userMatchThreshold: 80, maxUsers: 5 });
    expect(out.userMatches).toEqual([]);
    expect(out.searchedFace).not.toBeNull();
    expect(fake.callsTo('Identify')).toHaveLength(0);
    expect(fake.callsTo('TrainLargePersonGroup').filter((c) => c.path.includes(id))).toHaveLength(0);
    await expectDomainError(
      provider.searchUsersByImage({ collectionId: id, image: png(), userMatchThreshold: 101, maxUsers: 5 }),
      'INVALID_INPUT',
    );
    await expectDomainError(
      provider.searchUsersByImage({ collectionId: id, image: png(), userMatchThreshold: 80, maxUsers: 0 }),
      'INVALID_INPUT',
    );
  });

  it('a deleted user is not returned even before the next training', async () => {
    const id = await collection();
    await userWithFace(id, 'ann', 'ann');
    expect(
      (await provider.searchUsersByImage({ collectionId: id, image: png([face('ann')]), userMatchThreshold: 80, maxUsers: 5 })).userMatches,
    ).toHaveLength(1);
    await provider.deleteUser({ collectionId: id, userId: 'ann' });
    await userWithFace(id, 'bob', 'bob');
    expect(
      (await provider.searchUsersByImage({ collectionId: id, image: png([face('ann')]), userMatchThreshold: 80, maxUsers: 5 })).userMatches,
    ).toEqual([]);
  });
});

describe('rebuilding from Azure', () => {
  it('a fresh provider sees the same collections, users (creation order), faces, ids, associations and statuses', async () => {
    const id = await collection();
    await provider.createUser({ collectionId: id, userId: 'zed' });
    const annFace = await userWithFace(id, 'ann', 'ann');
    const loose = await indexOne(id, 'x', 'ext-1');
    await provider.searchUsersByImage({ collectionId: id, image: png([face('ann')]), userMatchThreshold: 80, maxUsers: 5 }); // trained
    const fresh = providerFor(fake);
    try {
      expect(await fresh.listUsers(id, { limit: 10 })).toEqual(await provider.listUsers(id, { limit: 10 }));
      expect((await fresh.listFaces(id, {}, { limit: 10 })).items).toEqual((await provider.listFaces(id, {}, { limit: 10 })).items);
      expect((await fresh.getFaces(id, [annFace, loose])).map((f) => [f?.userId, f?.externalImageId])).toEqual([
        ['ann', null],
        [null, 'ext-1'],
      ]);
      expect((await fresh.getUsers(id, ['ann']))[0]?.status).toBe('ACTIVE');
      expect(
        (
          await fresh.searchUsersByImage({ collectionId: id, image: png([face('ann')]), userMatchThreshold: 80, maxUsers: 5 })
        ).userMatches.map((m) => m.user.userId),
      ).toEqual(['ann']);
      // Disassociation needs no image; associating an old face does, and this process never saw it.
      await fresh.disassociateFaces({ collectionId: id, userId: 'ann', faceIds: [annFace] });
      const refused = await expectDomainError(
        fresh.associateFaces({ collectionId: id, userId: 'zed', faceIds: [loose], userMatchThreshold: 75 }),
        'UNSUPPORTED_OPERATION',
      );
      expect(refused.message).toMatch(/no longer retains the source image/);
      expect(await fresh.countUserFaces(id, ['zed'])).toEqual([0]);
    } finally {
      await fresh.close();
    }
  });

  it('a rebuild after a successful training trains nothing again: users stay ACTIVE (Azure’s lastSuccessfulTrainingDateTime, not the group’s createdDateTime)', async () => {
    const images = new InMemoryRetainedImages();
    const first = providerFor(fake, { retainedImages: images });
    const fresh = providerFor(fake, { retainedImages: images });
    try {
      const id = uniqueId();
      await first.createCollection(id);
      await first.createUser({ collectionId: id, userId: 'ann' });
      const [annFace, loose] = (
        await first.indexFaces({ collectionId: id, image: png([face('ann', 0.1, 0.3), face('x', 0.6, 0.3)]) })
      ).faces.map((f) => f.faceId);
      await first.associateFaces({ collectionId: id, userId: 'ann', faceIds: [annFace], userMatchThreshold: 75 });
      await first.searchUsersByImage({ collectionId: id, image: png([face('ann')]), userMatchThreshold: 80, maxUsers: 5 }); // group trained
      await first.searchFaces({ collectionId: id, faceId: loose, faceMatchThreshold: 80, maxFaces: 5 }); // list trained
      fake.clearCalls();
      expect((await fresh.getUsers(id, ['ann']))[0]?.status).toBe('ACTIVE');
      await fresh.searchUsersByImage({ collectionId: id, image: png([face('ann')]), userMatchThreshold: 80, maxUsers: 5 });
      await fresh.searchFaces({ collectionId: id, faceId: loose, faceMatchThreshold: 80, maxFaces: 5 });
      expect(fake.callsTo('TrainLargePersonGroup').filter((c) => c.path.includes(id))).toHaveLength(0);
      expect(fake.callsTo('TrainLargeFaceList').filter((c) => c.path.includes(id))).toHaveLength(0);
    } finally {
      await first.close();
      await fresh.close();
    }
  });

  it('with a shared RetainedImages store, a fresh provider can associate faces indexed by another', async () => {
    const images = new InMemoryRetainedImages();
    const a = providerFor(fake, { retainedImages: images });
    const b = providerFor(fake, { retainedImages: images });
    try {
      const id = uniqueId();
      await a.createCollection(id);
      await a.createUser({ collectionId: id, userId: 'u' });
      const faceId = (await a.indexFaces({ collectionId: id, image: png([face('u')]) })).faces[0].faceId;
      expect(images.size).toBe(1);
      expect(
        (await b.associateFaces({ collectionId: id, userId: 'u', faceIds: [faceId], userMatchThreshold: 75 })).associatedFaceIds,
      ).toEqual([faceId]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('repairs a missing link from the person side (an association whose registry update was lost)', async () => {
    const id = await collection();
    fake.inject({ op: 'UpdateLargeFaceListFace', kind: '500', times: 1 });
    const faceId = await userWithFace(id, 'u', 'u');
    const fresh = providerFor(fake);
    try {
      fake.clearCalls();
      expect((await fresh.getFaces(id, [faceId]))[0]?.userId).toBe('u');
      expect(fake.callsTo('GetLargePersonGroupPersonFace')).toHaveLength(1);
      // Written back in the background: wait for the write, then check it was the only one.
      await until(() => fake.callsTo('UpdateLargeFaceListFace').length > 0, 'the link to be written back');
      expect(fake.callsTo('UpdateLargeFaceListFace')).toHaveLength(1);
    } finally {
      await fresh.close();
    }
  });

  it('persons and faces made by other tools are listed; their faces cannot leave the person (FACE_ONLY_IN_USER), the call’s other faces do', async () => {
    const id = await collection();
    const { json } = await rest(fake, 'POST', `/largepersongroups/${id}/persons`, { name: 'legacy-user' });
    const personId = (json as { personId: string }).personId;
    const added = await fetch(`${fake.url}/face/v1.2/largepersongroups/${id}/persons/${personId}/persistedfaces`, {
      method: 'POST',
      headers: { 'Ocp-Apim-Subscription-Key': fake.apiKey, 'Content-Type': 'application/octet-stream' },
      body: new Uint8Array(png([face('legacy')])),
    });
    const { persistedFaceId } = (await added.json()) as { persistedFaceId: string };
    const fresh = providerFor(fake);
    try {
      expect((await fresh.getUsers(id, ['legacy-user']))[0]).toMatchObject({ userId: 'legacy-user' });
      expect((await fresh.getFaces(id, [persistedFaceId]))[0]).toMatchObject({ userId: 'legacy-user', boundingBox: null, indexedAt: null });
      const ours = (await fresh.indexFaces({ collectionId: id, image: png([face('ours')]) })).faces[0].faceId;
      await fresh.associateFaces({ collectionId: id, userId: 'legacy-user', faceIds: [ours], userMatchThreshold: 0 });
      expect(await fresh.disassociateFaces({ collectionId: id, userId: 'legacy-user', faceIds: [persistedFaceId, ours] })).toEqual({
        disassociatedFaceIds: [ours],
        unsuccessfulFaceDisassociations: [{ faceId: persistedFaceId, userId: 'legacy-user', reasons: ['FACE_ONLY_IN_USER'] }],
        userStatus: 'UPDATING',
      });
      expect((await fresh.getFaces(id, [persistedFaceId, ours])).map((f) => f?.userId)).toEqual(['legacy-user', null]);
      await expectDomainError(fresh.deleteUser({ collectionId: id, userId: 'legacy-user' }), 'UNSUPPORTED_OPERATION');
    } finally {
      await fresh.close();
    }
  });

  it('a group made outside facegate with its own recognition model: searches detect with that model (not recognition_04)', async () => {
    const id = uniqueId('ext');
    expect((await rest(fake, 'PUT', `/largepersongroups/${id}`, { name: id, recognitionModel: 'recognition_03' })).status).toBe(200);
    const { json } = await rest(fake, 'POST', `/largepersongroups/${id}/persons`, { name: 'legacy-user' });
    const personId = (json as { personId: string }).personId;
    const added = await fetch(`${fake.url}/face/v1.2/largepersongroups/${id}/persons/${personId}/persistedfaces`, {
      method: 'POST',
      headers: { 'Ocp-Apim-Subscription-Key': fake.apiKey, 'Content-Type': 'application/octet-stream' },
      body: new Uint8Array(png([face('legacy')])),
    });
    expect(added.status).toBe(200);
    expect((await rest(fake, 'POST', `/largepersongroups/${id}/train`)).status).toBe(202);
    const fresh = providerFor(fake);
    try {
      fake.clearCalls();
      const found = await fresh.searchUsersByImage({ collectionId: id, image: png([face('legacy')]), userMatchThreshold: 80, maxUsers: 5 });
      expect(found.userMatches.map((m) => m.user.userId)).toEqual(['legacy-user']);
      const identified = await fresh.identifyFaces({
        collectionId: id,
        image: png([face('legacy')]),
        maxFaces: 1,
        maxUsersPerFace: 1,
        userMatchThreshold: 80,
        qualityFilter: 'NONE',
      });
      expect(identified.faces[0].userMatches.map((m) => m.user.userId)).toEqual(['legacy-user']);
      expect(
        (await fresh.verifyUser({ collectionId: id, userId: 'legacy-user', image: png([face('legacy')]), userMatchThreshold: 80 })).isMatch,
      ).toBe(true);
      expect(fake.callsTo('Detect').map((c) => c.query.recognitionModel)).toEqual(['recognition_03', 'recognition_03', 'recognition_03']);
      // Faces indexed into it go to a companion list of the same model, so searching faces works too.
      const loose = (await fresh.indexFaces({ collectionId: id, image: png([face('y')]) })).faces[0].faceId;
      const similar = await fresh.searchFacesByImage({
        collectionId: id,
        image: png([face('y')]),
        maxFaces: 5,
        faceMatchThreshold: 80,
        qualityFilter: 'NONE',
      });
      expect(similar.faceMatches.map((m) => m.face.faceId)).toEqual([loose]);
    } finally {
      await fresh.close();
    }
  });

  it('replicas sharing a change feed drop and rebuild a collection another replica changed', async () => {
    const handlers: ((key: string, payload: string) => void)[] = [];
    const feed = {
      publish: (key: string, payload: string) => handlers.forEach((h) => h(key, payload)),
      onMessage: (h: (key: string, payload: string) => void) => void handlers.push(h),
      onReconnect: () => undefined,
    };
    const images = new InMemoryRetainedImages();
    const a = providerFor(fake, { changes: feed, retainedImages: images });
    const b = providerFor(fake, { changes: feed, retainedImages: images });
    const unshared = providerFor(fake, { retainedImages: images });
    try {
      const id = uniqueId();
      await a.createCollection(id);
      expect(await b.getUsers(id, ['u'])).toEqual([null]);
      expect(await unshared.getUsers(id, ['u'])).toEqual([null]);
      await a.createUser({ collectionId: id, userId: 'u' });
      const faceId = (await a.indexFaces({ collectionId: id, image: png([face('u')]) })).faces[0].faceId;
      expect(await b.getUsers(id, ['u'])).toEqual([expect.objectContaining({ userId: 'u' })]);
      expect(await unshared.getUsers(id, ['u'])).toEqual([null]); // its cached index (no feed, no indexMaxAgeMs)
      await b.associateFaces({ collectionId: id, userId: 'u', faceIds: [faceId], userMatchThreshold: 75 });
      expect((await a.getFaces(id, [faceId]))[0]?.userId).toBe('u');
    } finally {
      await a.close();
      await b.close();
      await unshared.close();
    }
  });

  it('indexMaxAgeMs re-reads a collection from Azure when its index is older', async () => {
    let now = Date.now();
    const reader = providerFor(fake, { indexMaxAgeMs: 1_000, now: () => now });
    try {
      const id = await collection();
      expect(await reader.getUsers(id, ['late'])).toEqual([null]);
      await provider.createUser({ collectionId: id, userId: 'late' });
      expect(await reader.getUsers(id, ['late'])).toEqual([null]);
      now += 1_001;
      expect(await reader.getUsers(id, ['late'])).toEqual([expect.objectContaining({ userId: 'late' })]);
    } finally {
      await reader.close();
    }
  });

  it('closed providers refuse calls with PROVIDER_UNAVAILABLE', async () => {
    const p = providerFor(fake);
    await p.close();
    await expectDomainError(p.listCollections({ limit: 1 }), 'PROVIDER_UNAVAILABLE');
  });
});
