/**
 * Faces, associations and search on real photos through the running gateway:
 * every reachable member of the associateFaces and disassociateFaces unions.
 * One collection is enrolled once for the whole file (inference ~0.6 s/image).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import sharp from 'sharp';
import {
  AssociateFacesDocument,
  DeleteFacesDocument,
  DisassociateFacesDocument,
  IndexFacesDocument,
  SearchUsersByImageDocument,
} from '../generated/graphql.js';
import { request } from '../support/gateway.js';
import { collectionCounts, createCollection, createUsers, ref, uniqueCollectionId } from '../support/fixtures.js';
import { PHOTOS } from '../support/photos.js';

const photoPath = (who: 'franck' | 'audrey', i: number): string => PHOTOS[who][i];

const url = inject('gatewayUrl');
const collectionId = uniqueCollectionId('faces');
const c = ref(collectionId);
const b64 = (file: string) => readFileSync(file).toString('base64');

async function indexOne(file: string, externalImageId: string): Promise<string> {
  const data = await request(url, IndexFacesDocument, {
    input: { collection: c, image: { base64: b64(file) }, externalImageId, maxFaces: 1 },
  });
  if (data.indexFaces.__typename !== 'IndexFacesSuccess') throw new Error(JSON.stringify(data.indexFaces));
  expect(data.indexFaces.faces).toHaveLength(1);
  return data.indexFaces.faces[0].faceId;
}

const associate = (userId: string, faceIds: string[], extra: { clientRequestToken?: string; userMatchThreshold?: number } = {}) =>
  request(url, AssociateFacesDocument, { input: { collection: c, userId, faceIds, ...extra } }).then((d) => d.associateFaces);
const disassociate = (userId: string, faceIds: string[], extra: { clientRequestToken?: string; collection?: typeof c } = {}) =>
  request(url, DisassociateFacesDocument, { input: { collection: c, userId, faceIds, ...extra } }).then((d) => d.disassociateFaces);

let franck1: string, franck2: string, franck3: string, audrey1: string;

beforeAll(async () => {
  await createCollection(url, collectionId);
  await createUsers(url, collectionId, ['franck', 'audrey', 'quota']);
  franck1 = await indexOne(photoPath('franck', 0), 'franck-1');
  franck2 = await indexOne(photoPath('franck', 1), 'franck-2');
  franck3 = await indexOne(photoPath('franck', 2), 'franck-3');
  audrey1 = await indexOne(photoPath('audrey', 0), 'audrey-1');
});

describe('indexFaces', () => {
  it('indexes unassociated faces with a bounding box, confidence and externalImageId', async () => {
    const data = await request(url, IndexFacesDocument, {
      input: { collection: c, image: { base64: b64(photoPath('franck', 0)) }, externalImageId: 'franck-1' },
    });
    if (data.indexFaces.__typename !== 'IndexFacesSuccess') throw new Error(data.indexFaces.__typename);
    // same image + same externalImageId: no duplicate face metadata
    expect(data.indexFaces.faces.map((f) => f.faceId)).toEqual([franck1]);
    const face = data.indexFaces.faces[0];
    expect(face).toMatchObject({ externalImageId: 'franck-1', user: null });
    expect(face.confidence).toBeGreaterThan(50);
    for (const v of Object.values(face.boundingBox!)) expect(v).toBeGreaterThanOrEqual(0);
    expect(data.indexFaces.faceModelVersion).toBeTruthy();
  });

  it('gives InvalidImage for bytes that are not an image and InvalidInput for malformed base64, writing nothing', async () => {
    const before = await collectionCounts(url, collectionId);
    const garbage = await request(url, IndexFacesDocument, {
      input: { collection: c, image: { base64: Buffer.from('not an image at all').toString('base64') } },
    });
    expect(garbage.indexFaces).toMatchObject({ __typename: 'InvalidImage', code: 'INVALID_IMAGE' });
    const malformed = await request(url, IndexFacesDocument, { input: { collection: c, image: { base64: '@@@not base64@@@' } } });
    expect(malformed.indexFaces).toMatchObject({ __typename: 'InvalidInput', field: 'input.image.base64' });
    const url_ = await request(url, IndexFacesDocument, { input: { collection: c, image: { url: 'https://example.com/a.jpg' } } });
    expect(url_.indexFaces).toMatchObject({ __typename: 'InvalidInput', field: 'input.image.url' });
    expect(await collectionCounts(url, collectionId)).toEqual(before);
  });

  it('indexes nothing from an image without a face', async () => {
    const blank = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 120, g: 160, b: 200 } } })
      .png()
      .toBuffer();
    const data = await request(url, IndexFacesDocument, { input: { collection: c, image: { base64: blank.toString('base64') } } });
    expect(data.indexFaces).toMatchObject({ __typename: 'IndexFacesSuccess', faces: [] });
  });
});

describe('associateFaces', () => {
  it('associates faces, ignores ones already on the user, and checks new faces against the user', async () => {
    const first = await associate('franck', [franck1]);
    expect(first).toMatchObject({ __typename: 'AssociateFacesSuccess', userStatus: 'ACTIVE', unsuccessfulFaceAssociations: [] });
    if (first.__typename !== 'AssociateFacesSuccess') return;
    expect(first.associatedFaces).toEqual([{ faceId: franck1, user: { userId: 'franck' } }]);

    const second = await associate('franck', [franck1, franck2]);
    if (second.__typename !== 'AssociateFacesSuccess') throw new Error(second.__typename);
    expect(second.associatedFaces.map((f) => f.faceId)).toEqual([franck2]);
    expect(second.unsuccessfulFaceAssociations).toEqual([]);
    expect(second.user).toEqual({ userId: 'franck', status: 'ACTIVE', faceCount: 2 });
  });

  it('reports LOW_MATCH_CONFIDENCE, ASSOCIATED_TO_A_DIFFERENT_USER and FACE_NOT_FOUND per face', async () => {
    const low = await associate('franck', [audrey1]);
    if (low.__typename !== 'AssociateFacesSuccess') throw new Error(low.__typename);
    expect(low.associatedFaces).toEqual([]);
    expect(low.unsuccessfulFaceAssociations).toHaveLength(1);
    expect(low.unsuccessfulFaceAssociations[0]).toMatchObject({ faceId: audrey1, reasons: ['LOW_MATCH_CONFIDENCE'] });
    expect(low.unsuccessfulFaceAssociations[0].confidence).toBeLessThan(75);

    expect(await associate('audrey', [audrey1])).toMatchObject({ __typename: 'AssociateFacesSuccess', userStatus: 'ACTIVE' });
    const missing = randomUUID();
    const mixed = await associate('audrey', [franck1, missing]);
    if (mixed.__typename !== 'AssociateFacesSuccess') throw new Error(mixed.__typename);
    expect(mixed.unsuccessfulFaceAssociations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ faceId: franck1, userId: 'franck', reasons: ['ASSOCIATED_TO_A_DIFFERENT_USER'] }),
        expect.objectContaining({ faceId: missing, reasons: ['FACE_NOT_FOUND'] }),
      ]),
    );
  });

  it('returns UserNotFound, CollectionNotFound and InvalidInput, changing nothing', async () => {
    const before = await collectionCounts(url, collectionId);
    expect(await associate('nobody', [franck3])).toMatchObject({ __typename: 'UserNotFound', userId: 'nobody', code: 'USER_NOT_FOUND' });
    const other = await request(url, AssociateFacesDocument, {
      input: { collection: ref('nope-' + collectionId), userId: 'franck', faceIds: [franck3] },
    });
    expect(other.associateFaces).toMatchObject({ __typename: 'CollectionNotFound', code: 'COLLECTION_NOT_FOUND' });
    expect(await associate('franck', [])).toMatchObject({ __typename: 'InvalidInput', field: 'input.faceIds' });
    expect(
      await associate(
        'franck',
        Array.from({ length: 101 }, () => randomUUID()),
      ),
    ).toMatchObject({ __typename: 'InvalidInput', field: 'input.faceIds' });
    expect(await associate('franck', ['NOT-A-UUID'])).toMatchObject({ __typename: 'InvalidInput', field: 'input.faceIds[0]' });
    expect(await associate('franck', [franck3], { userMatchThreshold: 101 })).toMatchObject({
      __typename: 'InvalidInput',
      field: 'input.userMatchThreshold',
    });
    expect(await collectionCounts(url, collectionId)).toEqual(before);
  });

  it('replays a clientRequestToken and refuses it for other input', async () => {
    const a = await associate('franck', [franck3], { clientRequestToken: 'assoc-1' });
    expect(a).toMatchObject({ __typename: 'AssociateFacesSuccess' });
    const replay = await associate('franck', [franck3], { clientRequestToken: 'assoc-1' });
    expect(replay).toEqual(a);
    expect(await associate('franck', [franck2], { clientRequestToken: 'assoc-1' })).toMatchObject({
      __typename: 'IdempotencyConflict',
      code: 'IDEMPOTENCY_CONFLICT',
      clientRequestToken: 'assoc-1',
    });
  });

  it('refuses a 101st face on a user with QuotaExceeded', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 101; i++) ids.push(await indexOne(photoPath('franck', 0), `quota-${i}`));
    expect(await associate('quota', ids.slice(0, 100))).toMatchObject({ __typename: 'AssociateFacesSuccess', user: { faceCount: 100 } });
    expect(await associate('quota', [ids[100]])).toMatchObject({ __typename: 'QuotaExceeded', code: 'QUOTA_EXCEEDED' });
    const cleanup = await disassociate('quota', ids.slice(0, 100));
    expect(cleanup).toMatchObject({ __typename: 'DisassociateFacesSuccess', userStatus: 'CREATED' });
    const deleted = await request(url, DeleteFacesDocument, { input: { collection: c, faceIds: ids } });
    expect(deleted.deleteFaces).toMatchObject({ __typename: 'DeleteFacesSuccess', unsuccessfulFaceDeletions: [] });
  });
});

describe('disassociateFaces', () => {
  it('disassociates, ignores faces not on the user, and reports faces of others and unknown faces', async () => {
    const res = await disassociate('franck', [franck3]);
    if (res.__typename !== 'DisassociateFacesSuccess') throw new Error(res.__typename);
    expect(res.disassociatedFaces).toEqual([{ faceId: franck3, user: null }]);
    expect(res.unsuccessfulFaceDisassociations).toEqual([]);
    expect(res.userStatus).toBe('ACTIVE');

    const again = await disassociate('franck', [franck3]);
    expect(again).toMatchObject({ __typename: 'DisassociateFacesSuccess', disassociatedFaces: [], unsuccessfulFaceDisassociations: [] });

    const missing = randomUUID();
    const mixed = await disassociate('franck', [audrey1, missing]);
    if (mixed.__typename !== 'DisassociateFacesSuccess') throw new Error(mixed.__typename);
    expect(mixed.disassociatedFaces).toEqual([]);
    expect(mixed.unsuccessfulFaceDisassociations).toEqual([
      { faceId: audrey1, userId: 'audrey', reasons: ['ASSOCIATED_TO_A_DIFFERENT_USER'] },
      { faceId: missing, userId: null, reasons: ['FACE_NOT_FOUND'] },
    ]);
  });

  it('returns UserNotFound, CollectionNotFound, InvalidInput and IdempotencyConflict, changing nothing', async () => {
    const before = await collectionCounts(url, collectionId);
    expect(await disassociate('nobody', [franck1])).toMatchObject({ __typename: 'UserNotFound', userId: 'nobody' });
    expect(await disassociate('franck', [franck1], { collection: ref('nope-' + collectionId) })).toMatchObject({
      __typename: 'CollectionNotFound',
    });
    expect(await disassociate('franck', [])).toMatchObject({ __typename: 'InvalidInput', field: 'input.faceIds' });
    expect(
      await disassociate(
        'franck',
        Array.from({ length: 101 }, () => randomUUID()),
      ),
    ).toMatchObject({ __typename: 'InvalidInput' });
    expect(await disassociate('bad user!', [franck1])).toMatchObject({ __typename: 'InvalidInput', field: 'input.userId' });
    expect(await disassociate('franck', [franck1], { clientRequestToken: 'bad token' })).toMatchObject({
      field: 'input.clientRequestToken',
    });
    expect(await collectionCounts(url, collectionId)).toEqual(before);

    const first = await disassociate('franck', [franck2], { clientRequestToken: 'dis-1' });
    expect(first).toMatchObject({ __typename: 'DisassociateFacesSuccess' });
    expect(await disassociate('franck', [franck2], { clientRequestToken: 'dis-1' })).toEqual(first);
    expect(await disassociate('franck', [franck1], { clientRequestToken: 'dis-1' })).toMatchObject({ __typename: 'IdempotencyConflict' });
  });

  it('refuses to delete an associated face until it is disassociated', async () => {
    const blocked = await request(url, DeleteFacesDocument, { input: { collection: c, faceIds: [franck1] } });
    expect(blocked.deleteFaces).toMatchObject({
      __typename: 'DeleteFacesSuccess',
      deletedFaceIds: [],
      unsuccessfulFaceDeletions: [{ faceId: franck1, userId: 'franck', reasons: ['ASSOCIATED_TO_AN_EXISTING_USER'] }],
    });
  });
});

describe('searchUsersByImage', () => {
  it('finds the right user for a new photo of a person, largest face first', async () => {
    const data = await request(url, SearchUsersByImageDocument, {
      input: { collection: c, image: { base64: b64(photoPath('franck', 3)) } },
    });
    if (data.searchUsersByImage.__typename !== 'SearchUsersByImageSuccess') throw new Error(data.searchUsersByImage.__typename);
    expect(data.searchUsersByImage.userMatches[0].user.userId).toBe('franck');
    expect(data.searchUsersByImage.userMatches[0].similarity).toBeGreaterThanOrEqual(80);
    expect(data.searchUsersByImage.userMatches.map((m) => m.user.userId)).not.toContain('audrey');
    expect(data.searchUsersByImage.searchedFace?.confidence).toBeGreaterThan(50);
  });

  it('returns no matches and no searched face for an image without a face', async () => {
    const blank = await sharp({ create: { width: 200, height: 200, channels: 3, background: '#888' } })
      .jpeg()
      .toBuffer();
    const data = await request(url, SearchUsersByImageDocument, { input: { collection: c, image: { base64: blank.toString('base64') } } });
    expect(data.searchUsersByImage).toEqual({ __typename: 'SearchUsersByImageSuccess', userMatches: [], searchedFace: null });
  });

  it('validates maxUsers and the threshold', async () => {
    const img = { base64: b64(photoPath('franck', 3)) };
    const a = await request(url, SearchUsersByImageDocument, { input: { collection: c, image: img, maxUsers: 0 } });
    expect(a.searchUsersByImage).toMatchObject({ __typename: 'InvalidInput', field: 'input.maxUsers' });
    const b = await request(url, SearchUsersByImageDocument, { input: { collection: c, image: img, userMatchThreshold: -1 } });
    expect(b.searchUsersByImage).toMatchObject({ __typename: 'InvalidInput', field: 'input.userMatchThreshold' });
  });
});
