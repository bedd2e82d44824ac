/**
 * RekognitionProvider against the fake Rekognition: every contract method,
 * what it sends, how it maps the answers, and pagination across pages
 * (including limits above an operation's MaxResults cap and the emulated
 * unassociated-faces listing).
 */
import { randomUUID } from 'node:crypto';
import {
  AssociateFacesCommand,
  CreateCollectionCommand,
  CreateUserCommand,
  IndexFacesCommand,
  type RekognitionClient,
} from '@aws-sdk/client-rekognition';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakePng, startFakeRekognition, type DeclaredFace, type FakeRekognition } from '../fakes/rekognition/server.js';
import {
  CAPABILITIES,
  expectDomainError,
  providerFor,
  rawClient,
  rekognitionDefinition,
  uniqueId,
  wireCall,
  type Provider,
} from './support.js';

let fake: FakeRekognition;
let provider: Provider;
let raw: RekognitionClient;

beforeAll(async () => {
  fake = await startFakeRekognition();
  provider = providerFor(fake);
  raw = rawClient(fake);
});
afterAll(async () => {
  await provider.close();
  raw.destroy();
  await fake.stop();
});
beforeEach(() => fake.reset({ images: true }));

let labels = 0;
const png = (faces?: DeclaredFace[]) => fakePng({ label: `p-${++labels}`, faces });
const opCalls = (op: string) => fake.callsTo(op).length;

async function collectionWithFaces(n: number, identity = 'person'): Promise<{ id: string; faces: string[] }> {
  const id = uniqueId();
  await provider.createCollection(id);
  const faces: string[] = [];
  for (let i = 0; i < n; i++) faces.push((await provider.indexFaces({ collectionId: id, image: png([{ identity }]) })).faces[0].faceId);
  return { id, faces };
}

/** Indexes `n` faces (100 an image) straight through the SDK; returns their ids in index order. */
async function bulkFaces(collectionId: string, n: number, identity: string): Promise<string[]> {
  const ids: string[] = [];
  for (let done = 0; done < n; done += 100) {
    const count = Math.min(100, n - done);
    const faces = Array.from({ length: count }, (_, i) => ({
      identity,
      box: { left: (i % 10) / 10, top: Math.floor(i / 10) / 10, width: 0.05, height: 0.05 },
    }));
    const out = await raw.send(new IndexFacesCommand({ CollectionId: collectionId, Image: { Bytes: png(faces) }, MaxFaces: 100 }));
    ids.push(...(out.FaceRecords ?? []).map((r) => r.Face?.FaceId as string));
  }
  return ids;
}

describe('identity and capabilities', () => {
  it('is kind REKOGNITION with the user/face capabilities (unassociated listing emulated), the seven face operations and every attribute but LIVENESS; no descriptors, and snapshots only with retainImages', () => {
    expect(provider.kind).toBe('REKOGNITION');
    expect(provider.name).toBe('aws-test');
    const absent = ['EXPORT_DESCRIPTORS', 'TAKE_SNAPSHOT', 'APPLY_SNAPSHOT', 'TRAIN_COLLECTION', 'FACE_ATTRIBUTE_LIVENESS'];
    expect([...provider.capabilities].sort()).toEqual(CAPABILITIES.filter((c) => !absent.includes(c)).sort());
    expect(provider.capabilities.has('LIST_UNASSOCIATED_FACES')).toBe(true);
    // Without retainImages (the default) the snapshot methods refuse, as the capabilities say.
    expect(provider.capabilities.has('TAKE_SNAPSHOT')).toBe(false);
  });

  it('the definition parses options strictly and creates a working provider', async () => {
    const { options, create, kind } = rekognitionDefinition;
    expect(kind).toBe('rekognition');
    expect(options.parse({})).toEqual({ maxAttempts: 3, retainImages: false });
    expect(options.safeParse({ retainImages: 'yes' }).success).toBe(false);
    expect(options.safeParse({ region: 'eu-west-1', endpoint: fake.url, maxAttempts: 5, requestTimeoutMs: 1000 }).success).toBe(true);
    expect(options.safeParse({ endpoint: 'not a url' }).success).toBe(false);
    expect(options.safeParse({ maxAttempts: 0 }).success).toBe(false);
    expect(options.safeParse({ bucket: 'x' }).success).toBe(false);
    const halfCredentials = options.safeParse({ accessKeyId: 'AKID' });
    expect(halfCredentials.success).toBe(false);
    expect(JSON.stringify(halfCredentials.error?.issues)).toContain('default credential chain');
    expect(options.safeParse({ sessionToken: 't' }).success).toBe(false);
    const parsed = options.parse({ region: 'us-east-1', endpoint: fake.url, accessKeyId: 'AKIDX', secretAccessKey: 'sx', maxAttempts: 1 });
    const made = create('aws-made', parsed, {} as never);
    expect(made.kind).toBe('REKOGNITION');
    expect(made.name).toBe('aws-made');
    const id = uniqueId();
    expect((await made.createCollection(id)).collectionId).toBe(id);
    await made.close();
  });
});

describe('collections', () => {
  it('createCollection = CreateCollection + DescribeCollection, with counts and creation time', async () => {
    const id = uniqueId();
    const record = await provider.createCollection(id);
    expect(record).toMatchObject({ collectionId: id, faceModelVersion: '7.0', faceCount: 0, userCount: 0 });
    expect(record.createdAt).toBeInstanceOf(Date);
    expect(Math.abs((record.createdAt as Date).getTime() - Date.now())).toBeLessThan(60_000);
    expect(fake.calls.map((c) => c.op)).toEqual(['CreateCollection', 'DescribeCollection']);
  });

  it('a failing DescribeCollection after a successful create still returns the (empty) record', async () => {
    fake.inject({ op: 'DescribeCollection', kind: '500', times: 1 });
    const id = uniqueId();
    expect(await provider.createCollection(id)).toEqual({
      collectionId: id,
      faceModelVersion: '7.0',
      faceCount: 0,
      userCount: 0,
      createdAt: null,
    });
  });

  it('getCollections: DescribeCollection per id, null for unknown ones, counts included', async () => {
    const { id } = await collectionWithFaces(2);
    await provider.createUser({ collectionId: id, userId: 'u' });
    const other = uniqueId();
    await provider.createCollection(other);
    fake.clearCalls();
    const records = await provider.getCollections([id, 'missing', other]);
    expect(records.map((r) => r && [r.collectionId, r.faceCount, r.userCount])).toEqual([[id, 2, 1], null, [other, 0, 0]]);
    expect(opCalls('DescribeCollection')).toBe(3);
  });

  it('listCollections pages with our tokens over NextToken, then describes each', async () => {
    const ids = Array.from({ length: 5 }, () => uniqueId('list'));
    for (const id of ids) await provider.createCollection(id);
    fake.clearCalls();
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await provider.listCollections({ limit: 2, after });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((c) => c.collectionId));
      expect(page.items.every((c) => c.faceModelVersion === '7.0' && c.createdAt instanceof Date)).toBe(true);
      after = page.nextToken;
      pages++;
    } while (after);
    expect(seen).toEqual(ids);
    expect(pages).toBe(3);
    expect(fake.callsTo('ListCollections').map((c) => c.params.MaxResults)).toEqual([2, 2, 2]);
    expect(opCalls('DescribeCollection')).toBe(5);
    const all = await provider.listCollections({ limit: 100 });
    expect(all.items.map((c) => c.collectionId)).toEqual(ids);
    expect(all.nextToken).toBeUndefined();
  });

  it('deleteCollection removes it; a second delete is COLLECTION_NOT_FOUND', async () => {
    const id = uniqueId();
    await provider.createCollection(id);
    await provider.deleteCollection(id);
    expect(await provider.getCollections([id])).toEqual([null]);
    await expectDomainError(provider.deleteCollection(id), 'COLLECTION_NOT_FOUND', { collectionId: id });
  });
});

describe('users', () => {
  let id: string;
  beforeEach(async () => {
    id = uniqueId();
    await provider.createCollection(id);
  });

  it("createUser / deleteUser / listUsers (in Rekognition's key order: compared as sets) with statuses", async () => {
    expect(await provider.createUser({ collectionId: id, userId: 'zoe' })).toEqual({ collectionId: id, userId: 'zoe', status: 'CREATED' });
    await provider.createUser({ collectionId: id, userId: 'adam', clientRequestToken: 'create-adam' });
    expect(fake.callsTo('CreateUser')[1].params).toMatchObject({ CollectionId: id, UserId: 'adam', ClientRequestToken: 'create-adam' });
    const face = (await provider.indexFaces({ collectionId: id, image: png() })).faces[0].faceId;
    await provider.associateFaces({ collectionId: id, userId: 'adam', faceIds: [face], userMatchThreshold: 75 });
    const page = await provider.listUsers(id, { limit: 10 });
    expect(page.nextToken).toBeUndefined();
    expect(page.items).toHaveLength(2);
    expect(page.items).toEqual(
      expect.arrayContaining([
        { collectionId: id, userId: 'zoe', status: 'CREATED' },
        { collectionId: id, userId: 'adam', status: 'ACTIVE' },
      ]),
    );
    await provider.deleteUser({ collectionId: id, userId: 'adam', clientRequestToken: 'del-adam' });
    expect((await provider.listUsers(id, { limit: 10 })).items.map((u) => u.userId)).toEqual(['zoe']);
    // DeleteUser disassociated the face.
    expect((await provider.getFaces(id, [face]))[0]?.userId).toBeNull();
  });

  it("listUsers: a limit above ListUsers' 500 cap reads several pages; tokens continue exactly", async () => {
    const users = Array.from({ length: 503 }, (_, i) => `u${String(i).padStart(3, '0')}`);
    for (const u of users) await wireCall(fake, 'CreateUser', { CollectionId: id, UserId: u });
    // Rekognition's order is its system key's: learn it from the service, then check the adapter keeps it exactly.
    const order: string[] = [];
    for (let token: string | undefined, first = true; first || token !== undefined; first = false) {
      const page = await wireCall(fake, 'ListUsers', { CollectionId: id, ...(token ? { NextToken: token } : {}) });
      order.push(...(page.Users as { UserId: string }[]).map((u) => u.UserId));
      token = page.NextToken as string | undefined;
    }
    expect([...order].sort()).toEqual(users);
    fake.clearCalls();
    const first = await provider.listUsers(id, { limit: 501 });
    expect(first.items.map((u) => u.userId)).toEqual(order.slice(0, 501));
    expect(fake.callsTo('ListUsers').map((c) => c.params.MaxResults)).toEqual([500, 1]);
    expect(first.nextToken).toBeDefined();
    const rest = await provider.listUsers(id, { limit: 501, after: first.nextToken });
    expect(rest.items.map((u) => u.userId)).toEqual(order.slice(501));
    expect(rest.nextToken).toBeUndefined();

    // getUsers scans ListUsers (500 a call) until every id is found.
    fake.clearCalls();
    expect(await provider.getUsers(id, [order[0]])).toEqual([{ collectionId: id, userId: order[0], status: 'CREATED' }]);
    expect(opCalls('ListUsers')).toBe(1);
    fake.clearCalls();
    const found = await provider.getUsers(id, [order[502], 'nobody', order[1]]);
    expect(found.map((u) => u?.userId ?? null)).toEqual([order[502], null, order[1]]);
    expect(opCalls('ListUsers')).toBe(2);
  });
});

describe('faces', () => {
  it('indexFaces sends AUTO quality filtering by default and DEFAULT attributes, and maps records, details and every unindexed reason', async () => {
    const id = uniqueId();
    await provider.createCollection(id);
    const image = png();
    fake.declareImage(image, [
      { identity: 'a', box: { left: 0.1, top: 0.1, width: 0.4, height: 0.5 }, confidence: 99.1 },
      { identity: 'b', box: { left: 0.6, top: 0.1, width: 0.3, height: 0.3 } },
      { identity: 'c', box: { left: 0.6, top: 0.6, width: 0.2, height: 0.2 } },
      { identity: 'd', box: { left: 0.9, top: 0.9, width: 0.01, height: 0.01 } },
      { identity: 'e', box: { left: 0, top: 0.7, width: 0.15, height: 0.15 }, qualityIssues: ['LOW_SHARPNESS', 'EXTREME_POSE'] },
    ]);
    const out = await provider.indexFaces({ collectionId: id, image, externalImageId: 'photo:1', maxFaces: 2 });
    expect(fake.callsTo('IndexFaces')[0].params).toMatchObject({
      MaxFaces: 2,
      QualityFilter: 'AUTO',
      ExternalImageId: 'photo:1',
      DetectionAttributes: ['DEFAULT'],
    });
    expect(out.faceModelVersion).toBe('7.0');
    expect(out.faces).toHaveLength(2);
    expect(out.faces[0]).toMatchObject({
      collectionId: id,
      userId: null,
      externalImageId: 'photo:1',
      boundingBox: { left: 0.1, top: 0.1, width: 0.4, height: 0.5 },
      confidence: 99.1,
      indexedAt: null,
    });
    expect(out.faces[0].faceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.unindexedFaces).toEqual([
      { boundingBox: { left: 0.6, top: 0.6, width: 0.2, height: 0.2 }, reasons: ['EXCEEDS_MAX_FACES'] },
      // Every Rekognition reason is kept (no longer collapsed into LOW_CONFIDENCE).
      { boundingBox: { left: 0, top: 0.7, width: 0.15, height: 0.15 }, reasons: ['LOW_SHARPNESS', 'EXTREME_POSE'] },
      { boundingBox: { left: 0.9, top: 0.9, width: 0.01, height: 0.01 }, reasons: ['SMALL_BOUNDING_BOX'] },
    ]);
    const defaults = await provider.indexFaces({ collectionId: id, image: png([]) });
    expect(out.faceDetails.map((d) => d.boundingBox)).toEqual(out.faces.map((f) => f.boundingBox));
    expect(out.faceDetails[0]).toMatchObject({ confidence: 99.1, pose: { roll: 0, yaw: 0, pitch: 0 }, ageRange: null });
    expect(defaults).toEqual({ faces: [], faceDetails: [], unindexedFaces: [], faceModelVersion: '7.0' });
    expect(fake.callsTo('IndexFaces')[1].params.MaxFaces).toBe(100);
    await expectDomainError(provider.indexFaces({ collectionId: id, image, maxFaces: 0 }), 'INVALID_INPUT', { field: 'maxFaces' });
    expect(opCalls('IndexFaces')).toBe(2);
  });

  it('listFaces: all, by user, pages, and tokens bound to their filter', async () => {
    const { id, faces } = await collectionWithFaces(5);
    await provider.createUser({ collectionId: id, userId: 'u' });
    await provider.associateFaces({ collectionId: id, userId: 'u', faceIds: [faces[1], faces[3]], userMatchThreshold: 75 });
    const all = await provider.listFaces(id, {}, { limit: 100 });
    expect(all.items.map((f) => f.faceId)).toEqual(faces);
    expect(all.items[1].userId).toBe('u');
    const mine = await provider.listFaces(id, { userId: 'u' }, { limit: 1 });
    expect(mine.items.map((f) => f.faceId)).toEqual([faces[1]]);
    expect(fake.callsTo('ListFaces').at(-1)?.params).toMatchObject({ UserId: 'u', MaxResults: 1 });
    const mine2 = await provider.listFaces(id, { userId: 'u' }, { limit: 1, after: mine.nextToken });
    expect(mine2.items.map((f) => f.faceId)).toEqual([faces[3]]);
    expect(mine2.nextToken).toBeUndefined();
    await expectDomainError(provider.listFaces(id, {}, { limit: 1, after: mine.nextToken }), 'INVALID_INPUT', { field: 'after' });
    await expectDomainError(provider.listFaces(id, { userId: 'v' }, { limit: 1, after: mine.nextToken }), 'INVALID_INPUT', {
      field: 'after',
    });
    await expectDomainError(provider.listFaces(id, {}, { limit: 0 }), 'INVALID_INPUT', { field: 'limit' });
    await expectDomainError(provider.listFaces(id, { userId: 'u', unassociated: true }, { limit: 1 }), 'INVALID_INPUT', {
      field: 'unassociated',
    });
    const paged: string[] = [];
    let after: string | undefined;
    do {
      const page = await provider.listFaces(id, {}, { limit: 2, after });
      paged.push(...page.items.map((f) => f.faceId));
      after = page.nextToken;
    } while (after);
    expect(paged).toEqual(faces);
  });

  it('listFaces unassociated (emulated): filters UserId, stops mid-page and resumes exactly', async () => {
    const { id, faces } = await collectionWithFaces(12);
    await provider.createUser({ collectionId: id, userId: 'u' });
    const owned = [faces[0], faces[2], faces[3], faces[7], faces[11]];
    await provider.associateFaces({ collectionId: id, userId: 'u', faceIds: owned, userMatchThreshold: 75 });
    const free = faces.filter((f) => !owned.includes(f));
    fake.clearCalls();
    const pages: string[][] = [];
    let after: string | undefined;
    do {
      const page = await provider.listFaces(id, { unassociated: true }, { limit: 3, after });
      expect(page.items.every((f) => f.userId === null)).toBe(true);
      pages.push(page.items.map((f) => f.faceId));
      after = page.nextToken;
    } while (after);
    expect(pages).toEqual([free.slice(0, 3), free.slice(3, 6), free.slice(6)]);
    // One (re-)read of the single page per call.
    expect(opCalls('ListFaces')).toBe(3);

    // The last face handed out is gone before the next call: continue after its position.
    const first = await provider.listFaces(id, { unassociated: true }, { limit: 2 });
    expect(first.items.map((f) => f.faceId)).toEqual(free.slice(0, 2));
    await provider.deleteFaces(id, [free[1]]);
    const next = await provider.listFaces(id, { unassociated: true }, { limit: 2, after: first.nextToken });
    expect(next.items.map((f) => f.faceId)).toEqual(free.slice(2, 4));
  });

  it('listFaces unassociated across ListFaces pages (500 faces a scan page)', async () => {
    const id = uniqueId();
    await provider.createCollection(id);
    const faces = await bulkFaces(id, 620, 'crowd');
    for (let u = 0; u < 5; u++) {
      await raw.send(new CreateUserCommand({ CollectionId: id, UserId: `u${u}` }));
      await raw.send(new AssociateFacesCommand({ CollectionId: id, UserId: `u${u}`, FaceIds: faces.slice(u * 100 + 10, u * 100 + 110) }));
    }
    // Unassociated: the first 10, then the last 110 (after the 500 associated ones).
    const free = [...faces.slice(0, 10), ...faces.slice(510)];
    fake.clearCalls();
    const all = await provider.listFaces(id, { unassociated: true }, { limit: 4096 });
    expect(all.items.map((f) => f.faceId)).toEqual(free);
    expect(all.nextToken).toBeUndefined();
    expect(fake.callsTo('ListFaces').map((c) => c.params.MaxResults)).toEqual([4096]);

    fake.clearCalls();
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = await provider.listFaces(id, { unassociated: true }, { limit: 50, after });
      seen.push(...page.items.map((f) => f.faceId));
      after = page.nextToken;
    } while (after);
    expect(seen).toEqual(free);
    expect(fake.callsTo('ListFaces').every((c) => c.params.MaxResults === 500)).toBe(true);
  });

  it('getFaces: ListFaces with FaceIds, chunked at 4096 ids; null for unknown ids', async () => {
    const { id, faces } = await collectionWithFaces(3);
    fake.clearCalls();
    const missing = randomUUID();
    const got = await provider.getFaces(id, [faces[2], missing, faces[0]]);
    expect(got.map((f) => f?.faceId ?? null)).toEqual([faces[2], null, faces[0]]);
    expect(opCalls('ListFaces')).toBe(1);
    fake.clearCalls();
    const many = [...Array.from({ length: 5000 }, () => randomUUID()), faces[1]];
    const result = await provider.getFaces(id, many);
    expect(result.filter((f) => f !== null).map((f) => f?.faceId)).toEqual([faces[1]]);
    expect(fake.callsTo('ListFaces').map((c) => (c.params.FaceIds as string[]).length)).toEqual([4096, 905]);
  });

  it('countUserFaces / listUserFaces: one ListFaces per distinct user; 0 and [] for unknown users', async () => {
    const { id, faces } = await collectionWithFaces(3, 'same');
    for (const u of ['a', 'b']) await provider.createUser({ collectionId: id, userId: u });
    await provider.associateFaces({ collectionId: id, userId: 'a', faceIds: [faces[0], faces[2]], userMatchThreshold: 75 });
    fake.clearCalls();
    expect(await provider.countUserFaces(id, ['a', 'b', 'ghost', 'a'])).toEqual([2, 0, 0, 2]);
    expect(fake.callsTo('ListFaces').map((c) => c.params.UserId)).toEqual(['a', 'b', 'ghost']);
    const lists = await provider.listUserFaces(id, ['b', 'a']);
    expect(lists.map((l) => l.map((f) => f.faceId))).toEqual([[], [faces[0], faces[2]]]);
    expect(lists[1][0]).toMatchObject({ collectionId: id, userId: 'a' });
    expect(await provider.countUserFaces(id, [])).toEqual([]);
  });

  it('deleteFaces maps deleted and unsuccessful faces', async () => {
    const { id, faces } = await collectionWithFaces(2);
    await provider.createUser({ collectionId: id, userId: 'u' });
    await provider.associateFaces({ collectionId: id, userId: 'u', faceIds: [faces[1]], userMatchThreshold: 75 });
    const missing = randomUUID();
    expect(await provider.deleteFaces(id, [faces[0], faces[1], missing])).toEqual({
      deletedFaceIds: [faces[0]],
      unsuccessfulFaceDeletions: [
        { faceId: faces[1], userId: 'u', reasons: ['ASSOCIATED_TO_AN_EXISTING_USER'], providerReasons: [] },
        { faceId: missing, userId: null, reasons: ['FACE_NOT_FOUND'], providerReasons: [] },
      ],
    });
  });
});

describe('associations', () => {
  let id: string;
  let alice: string[];
  let bob: string;
  beforeEach(async () => {
    id = uniqueId();
    await provider.createCollection(id);
    alice = [];
    for (let i = 0; i < 2; i++)
      alice.push((await provider.indexFaces({ collectionId: id, image: png([{ identity: 'alice' }]) })).faces[0].faceId);
    bob = (await provider.indexFaces({ collectionId: id, image: png([{ identity: 'bob' }]) })).faces[0].faceId;
    for (const u of ['alice', 'other']) await provider.createUser({ collectionId: id, userId: u });
  });

  it('associateFaces maps every outcome list and passes threshold and token through', async () => {
    expect(await provider.associateFaces({ collectionId: id, userId: 'alice', faceIds: [alice[0]], userMatchThreshold: 75 })).toEqual({
      associatedFaceIds: [alice[0]],
      unsuccessfulFaceAssociations: [],
      userStatus: 'ACTIVE',
    });
    const missing = randomUUID();
    const out = await provider.associateFaces({
      collectionId: id,
      userId: 'alice',
      faceIds: [alice[1], bob, missing, alice[0]],
      userMatchThreshold: 90,
      clientRequestToken: 'assoc-1',
    });
    expect(fake.callsTo('AssociateFaces')[1].params).toMatchObject({ UserMatchThreshold: 90, ClientRequestToken: 'assoc-1' });
    expect(out.associatedFaceIds).toEqual([alice[1]]);
    expect(out.unsuccessfulFaceAssociations.map((u) => [u.faceId, u.userId, u.reasons])).toEqual([
      [bob, null, ['LOW_MATCH_CONFIDENCE']],
      [missing, null, ['FACE_NOT_FOUND']],
    ]);
    expect(out.unsuccessfulFaceAssociations[0].confidence).toBeLessThan(50);
    expect(out.unsuccessfulFaceAssociations[1].confidence).toBeNull();
    // Same token and input: the same outcome, although alice[1] is hers by now.
    const replay = await provider.associateFaces({
      collectionId: id,
      userId: 'alice',
      faceIds: [alice[1], bob, missing, alice[0]],
      userMatchThreshold: 90,
      clientRequestToken: 'assoc-1',
    });
    expect(replay).toEqual(out);
    await provider.associateFaces({ collectionId: id, userId: 'other', faceIds: [bob], userMatchThreshold: 75 });
    const taken = await provider.associateFaces({ collectionId: id, userId: 'alice', faceIds: [bob], userMatchThreshold: 0 });
    expect(taken.unsuccessfulFaceAssociations).toEqual([
      { faceId: bob, userId: 'other', confidence: null, reasons: ['ASSOCIATED_TO_A_DIFFERENT_USER'], providerReasons: [] },
    ]);
  });

  it('disassociateFaces maps its outcome and user status', async () => {
    await provider.associateFaces({ collectionId: id, userId: 'alice', faceIds: [alice[0]], userMatchThreshold: 75 });
    await provider.associateFaces({ collectionId: id, userId: 'other', faceIds: [bob], userMatchThreshold: 75 });
    const missing = randomUUID();
    const out = await provider.disassociateFaces({
      collectionId: id,
      userId: 'alice',
      faceIds: [alice[0], bob, alice[1], missing],
      clientRequestToken: 'dis-1',
    });
    expect(out).toEqual({
      disassociatedFaceIds: [alice[0]],
      unsuccessfulFaceDisassociations: [
        { faceId: bob, userId: 'other', reasons: ['ASSOCIATED_TO_A_DIFFERENT_USER'], providerReasons: [] },
        { faceId: missing, userId: null, reasons: ['FACE_NOT_FOUND'], providerReasons: [] },
      ],
      userStatus: 'CREATED',
    });
    expect(fake.callsTo('DisassociateFaces')[0].params.ClientRequestToken).toBe('dis-1');
  });

  it('searchUsersByImage maps matches and the searched face; no face → empty and null', async () => {
    await provider.associateFaces({ collectionId: id, userId: 'alice', faceIds: alice, userMatchThreshold: 75 });
    await provider.associateFaces({ collectionId: id, userId: 'other', faceIds: [bob], userMatchThreshold: 75 });
    const out = await provider.searchUsersByImage({
      collectionId: id,
      image: png([{ identity: 'alice' }]),
      userMatchThreshold: 80,
      maxUsers: 10,
    });
    // Rekognition's own default for SearchUsersByImage is NONE, and so is the contract's.
    expect(fake.callsTo('SearchUsersByImage')[0].params).toMatchObject({ UserMatchThreshold: 80, MaxUsers: 10, QualityFilter: 'NONE' });
    expect(out.userMatches.map((m) => m.user)).toEqual([{ collectionId: id, userId: 'alice', status: 'ACTIVE' }]);
    expect(out.userMatches[0].similarity).toBeGreaterThanOrEqual(99);
    expect(out.searchedFace).toEqual({ boundingBox: { left: 0.25, top: 0.25, width: 0.5, height: 0.5 }, confidence: 99.9 });
    const all = await provider.searchUsersByImage({
      collectionId: id,
      image: png([{ identity: 'bob' }]),
      userMatchThreshold: 0,
      maxUsers: 1,
    });
    expect(all.userMatches.map((m) => m.user.userId)).toEqual(['other']);
    expect(await provider.searchUsersByImage({ collectionId: id, image: png([]), userMatchThreshold: 80, maxUsers: 10 })).toEqual({
      userMatches: [],
      searchedFace: null,
      unsearchedFaces: [],
    });
    // Too small to search under the AUTO filter when asked; searched under the default NONE. The other faces are unsearched.
    const tiny = png([
      { identity: 'alice', box: { left: 0, top: 0, width: 0.02, height: 0.02 } },
      { identity: 'bob', box: { left: 0.5, top: 0.5, width: 0.01, height: 0.01 } },
    ]);
    const auto = await provider.searchUsersByImage({
      collectionId: id,
      image: tiny,
      userMatchThreshold: 80,
      maxUsers: 10,
      qualityFilter: 'AUTO',
    });
    expect(fake.callsTo('SearchUsersByImage').at(-1)?.params.QualityFilter).toBe('AUTO');
    expect(auto.searchedFace).toBeNull();
    expect(auto.unsearchedFaces.map((f) => f.boundingBox.width)).toEqual([0.02, 0.01]);
    expect(auto.unsearchedFaces[0].landmarks?.map((l) => l.type)).toEqual(['EYE_LEFT', 'EYE_RIGHT', 'NOSE', 'MOUTH_LEFT', 'MOUTH_RIGHT']);
    const none = await provider.searchUsersByImage({ collectionId: id, image: tiny, userMatchThreshold: 80, maxUsers: 10 });
    expect(none.userMatches.map((m) => m.user.userId)).toEqual(['alice']);
    expect(none.unsearchedFaces.map((f) => f.boundingBox.width)).toEqual([0.01]);
  });
});

describe('close', () => {
  it('later calls fail with PROVIDER_UNAVAILABLE', async () => {
    const closing = providerFor(fake);
    await closing.close();
    await expectDomainError(closing.listCollections({ limit: 1 }), 'PROVIDER_UNAVAILABLE', { provider: 'aws-test' });
    expect(fake.calls).toEqual([]);
  });
});

describe('raw SDK arrangement sanity', () => {
  it('a collection made through the SDK is visible to the provider', async () => {
    const id = uniqueId();
    await raw.send(new CreateCollectionCommand({ CollectionId: id }));
    expect((await provider.getCollections([id]))[0]?.collectionId).toBe(id);
  });
});

describe("failure reasons Rekognition adds later (the fake's test-only setExtraFailureReasons)", () => {
  it('an unknown reason is left out of reasons, kept verbatim in providerReasons, and logged', async () => {
    const logged: unknown[] = [];
    const logger = { warn: (obj: unknown) => logged.push(obj) } as never;
    const withLog = providerFor(fake, { logger });
    try {
      const { id, faces } = await collectionWithFaces(2);
      await withLog.createUser({ collectionId: id, userId: 'u' });
      await withLog.createUser({ collectionId: id, userId: 'v' });
      await withLog.associateFaces({ collectionId: id, userId: 'v', faceIds: [faces[1]], userMatchThreshold: 0 });
      fake.setExtraFailureReasons(['FACE_IN_ANOTHER_REGION']);
      const missing = randomUUID();
      const associated = await withLog.associateFaces({
        collectionId: id,
        userId: 'u',
        faceIds: [faces[1], missing],
        userMatchThreshold: 0,
      });
      expect(associated.unsuccessfulFaceAssociations.map((u) => [u.faceId, u.reasons, u.providerReasons])).toEqual([
        [faces[1], ['ASSOCIATED_TO_A_DIFFERENT_USER'], ['FACE_IN_ANOTHER_REGION']],
        [missing, ['FACE_NOT_FOUND'], ['FACE_IN_ANOTHER_REGION']],
      ]);
      const disassociated = await withLog.disassociateFaces({ collectionId: id, userId: 'u', faceIds: [faces[1]] });
      expect(disassociated.unsuccessfulFaceDisassociations).toEqual([
        { faceId: faces[1], userId: 'v', reasons: ['ASSOCIATED_TO_A_DIFFERENT_USER'], providerReasons: ['FACE_IN_ANOTHER_REGION'] },
      ]);
      const deleted = await withLog.deleteFaces(id, [missing]);
      expect(deleted.unsuccessfulFaceDeletions).toEqual([
        { faceId: missing, userId: null, reasons: ['FACE_NOT_FOUND'], providerReasons: ['FACE_IN_ANOTHER_REGION'] },
      ]);
      expect(logged).toHaveLength(4);
      expect(logged[0]).toMatchObject({
        provider: 'aws-test',
        operation: 'AssociateFaces',
        faceId: faces[1],
        providerReasons: ['FACE_IN_ANOTHER_REGION'],
      });
      expect(logged[3]).toMatchObject({ operation: 'DeleteFaces', faceId: missing });
    } finally {
      await withLog.close();
    }
  });
});
