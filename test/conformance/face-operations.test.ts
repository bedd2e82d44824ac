/**
 * Provider conformance of the face operations (contract-face-operations):
 * detect, compare, verify, search faces (by id and by image), search users
 * and identify, run unchanged on every provider instance of the shared
 * gateway, like providers.test.ts. A scenario needing an operation is
 * skipped where the provider does not declare it; an undeclared operation,
 * or attribute, must answer UnsupportedOperation naming the capability.
 * No scenario names a provider.
 *
 * Each provider enrols three portraits once (franck twice, one of them left
 * unassociated, and audrey) in a collection of its own, and the scenarios
 * read it. Between them the scenarios reach every member of each result
 * union a provider can produce from a request (Forbidden and the provider
 * failures are test/conformance/faults.test.ts's).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { gqlData } from '../support/gateway.js';
import { createUsers, uniqueCollectionId } from '../support/fixtures.js';
import { client, FACE_OPERATIONS, NOT_AN_IMAGE, noFacePng, photo, type FaceOperationName } from './operations.js';

const url = inject('gatewayUrl');

interface ProviderInfo {
  name: string;
  kind: string;
  capabilities: string[];
}

const { providers } = await gqlData<{ providers: ProviderInfo[] }>(url, '{ providers { name kind capabilities } }');

/** The attributes of the contract's FaceAttribute, each with its FaceDetail field. */
const ATTRIBUTES = {
  AGE_RANGE: 'ageRange',
  GENDER: 'gender',
  EMOTIONS: 'emotions',
  SMILE: 'smile',
  EYEGLASSES: 'eyeglasses',
  SUNGLASSES: 'sunglasses',
  EYES_OPEN: 'eyesOpen',
  MOUTH_OPEN: 'mouthOpen',
  BEARD: 'beard',
  MUSTACHE: 'mustache',
  FACE_OCCLUDED: 'faceOccluded',
  LIVENESS: 'liveness',
} as const;

const UNKNOWN_FACE = '00000000-0000-4000-8000-000000000000';

describe.each(providers)('provider $name ($kind)', (provider) => {
  const caps = new Set(provider.capabilities);
  const lacks = (...needed: string[]) => needed.some((c) => !caps.has(c));
  const api = client(url, provider.name);
  const op = (name: FaceOperationName, input: Record<string, unknown>) => api.faceOp(name, input);
  const unsupported = (operation: string) => ({
    __typename: 'UnsupportedOperation',
    code: 'UNSUPPORTED_OPERATION',
    provider: provider.name,
    operation,
  });

  /** A valid input of each operation, on a collection that need not exist: an undeclared operation is refused before anything else. */
  const anyInput = (name: FaceOperationName): Record<string, unknown> => {
    const c = api.ref('conf-any');
    const image = photo('franck', 3);
    return {
      detectFaces: { provider: provider.name, image },
      compareFaces: { provider: provider.name, sourceImage: image, targetImage: image },
      verifyUser: { collection: c, userId: 'franck', image },
      searchFaces: { collection: c, faceId: UNKNOWN_FACE },
      searchFacesByImage: { collection: c, image },
      searchUsers: { collection: c, userId: 'franck' },
      identifyFaces: { collection: c, image },
    }[name];
  };

  describe('undeclared operations', () => {
    for (const name of Object.keys(FACE_OPERATIONS) as FaceOperationName[]) {
      const { capability } = FACE_OPERATIONS[name];
      it.skipIf(caps.has(capability))(`answers UnsupportedOperation for an undeclared ${capability}`, async () => {
        expect(await op(name, anyInput(name))).toMatchObject(unsupported(capability));
      });
    }

    it.skipIf(lacks('DETECT_FACES'))('answers UnsupportedOperation naming each undeclared FACE_ATTRIBUTE_* asked for', async () => {
      for (const attribute of Object.keys(ATTRIBUTES)) {
        const capability = `FACE_ATTRIBUTE_${attribute}`;
        if (caps.has(capability)) continue;
        const image = noFacePng();
        expect(await op('detectFaces', { provider: provider.name, image, attributes: ['DEFAULT', attribute] })).toMatchObject(
          unsupported(capability),
        );
      }
    });
  });

  // ---- image-only operations ------------------------------------------------

  describe.skipIf(lacks('DETECT_FACES'))('detectFaces', () => {
    it('finds the face of a portrait: a box inside the image, a confidence, 5 landmarks if any; [] without a face', async () => {
      const res = await op('detectFaces', { provider: provider.name, image: photo('franck', 3) });
      expect(res.__typename).toBe('DetectFacesSuccess');
      expect(res.faces.length).toBeGreaterThanOrEqual(1);
      const [face] = res.faces;
      expect(face.confidence).toBeGreaterThan(50);
      expect(face.confidence).toBeLessThanOrEqual(100);
      for (const v of [face.boundingBox.left, face.boundingBox.top]) expect(v).toBeGreaterThanOrEqual(-0.1);
      expect(face.boundingBox.width).toBeGreaterThan(0);
      if (face.landmarks)
        expect(face.landmarks.map((l: any) => l.type)).toEqual(['EYE_LEFT', 'EYE_RIGHT', 'NOSE', 'MOUTH_LEFT', 'MOUTH_RIGHT']);
      if (face.quality) expect(['LOW', 'MEDIUM', 'HIGH']).toContain(face.quality.forRecognition);
      // Not asked for: null.
      for (const field of Object.values(ATTRIBUTES)) expect(face[field]).toBeNull();
      expect(await op('detectFaces', { provider: provider.name, image: noFacePng() })).toEqual({
        __typename: 'DetectFacesSuccess',
        faces: [],
      });
    });

    it('with ALL, fills at most the attributes the provider declares', async () => {
      const res = await op('detectFaces', { provider: provider.name, image: photo('franck', 3), attributes: ['ALL'] });
      expect(res.__typename).toBe('DetectFacesSuccess');
      for (const [attribute, field] of Object.entries(ATTRIBUTES)) {
        if (!caps.has(`FACE_ATTRIBUTE_${attribute}`)) expect(res.faces[0][field]).toBeNull();
      }
      if (caps.has('FACE_ATTRIBUTE_EMOTIONS')) expect(res.faces[0].emotions.length).toBeGreaterThan(0);
    });

    it('answers InvalidImage and InvalidInput (an unknown provider)', async () => {
      expect(await op('detectFaces', { provider: provider.name, image: NOT_AN_IMAGE })).toMatchObject({
        __typename: 'InvalidImage',
        code: 'INVALID_IMAGE',
      });
      expect(await op('detectFaces', { provider: `${provider.name}-missing`, image: photo('franck', 3) })).toMatchObject({
        __typename: 'InvalidInput',
        field: 'input.provider',
      });
    });
  });

  describe.skipIf(lacks('COMPARE_FACES'))('compareFaces', () => {
    it('matches two photos of one person at ≥ 80 and leaves another person unmatched', async () => {
      const same = await op('compareFaces', { provider: provider.name, sourceImage: photo('franck', 3), targetImage: photo('franck', 4) });
      expect(same.__typename).toBe('CompareFacesSuccess');
      expect(same.faceMatches).toHaveLength(1);
      expect(same.faceMatches[0].similarity).toBeGreaterThanOrEqual(80);
      expect(same.unmatchedFaces).toEqual([]);
      const other = await op('compareFaces', { provider: provider.name, sourceImage: photo('franck', 3), targetImage: photo('audrey', 1) });
      expect(other).toMatchObject({ __typename: 'CompareFacesSuccess', faceMatches: [] });
      expect(other.unmatchedFaces).toHaveLength(1);
    });

    it('answers NoFaceDetected for a source without a face, and no match for a target without one', async () => {
      expect(
        await op('compareFaces', { provider: provider.name, sourceImage: noFacePng(), targetImage: photo('franck', 4) }),
      ).toMatchObject({
        __typename: 'NoFaceDetected',
        code: 'NO_FACE_DETECTED',
      });
      expect(
        await op('compareFaces', { provider: provider.name, sourceImage: photo('franck', 4), targetImage: noFacePng() }),
      ).toMatchObject({
        __typename: 'CompareFacesSuccess',
        faceMatches: [],
        unmatchedFaces: [],
      });
    });

    it('answers InvalidImage and InvalidInput (a threshold outside 0..100)', async () => {
      const image = photo('franck', 3);
      expect(await op('compareFaces', { provider: provider.name, sourceImage: image, targetImage: NOT_AN_IMAGE })).toMatchObject({
        __typename: 'InvalidImage',
      });
      expect(
        await op('compareFaces', { provider: provider.name, sourceImage: image, targetImage: image, similarityThreshold: 101 }),
      ).toMatchObject({ __typename: 'InvalidInput', field: 'input.similarityThreshold' });
    });
  });

  // ---- operations on an enrolled collection ---------------------------------

  const ON_COLLECTION = ['VERIFY_USER', 'SEARCH_FACES', 'SEARCH_FACES_BY_IMAGE', 'SEARCH_USERS', 'IDENTIFY_FACES'];
  describe.skipIf(lacks('CREATE_COLLECTION', 'CREATE_USER', 'INDEX_FACES', 'ASSOCIATE_FACES') || ON_COLLECTION.every((c) => !caps.has(c)))(
    'on an enrolled collection',
    () => {
      let col: string;
      /** franck[0] (franck's), franck[1] (unassociated), audrey[0] (audrey's). */
      let franckFace: string, looseFace: string, audreyFace: string;
      const indexed: Record<string, any>[] = [];
      const missing = () => api.ref(`missing-${col}`);

      beforeAll(async () => {
        col = uniqueCollectionId('conf-faceops');
        const created = await api.createCollection(col);
        if (created.__typename !== 'CreateCollectionSuccess') throw new Error(`createCollection: ${JSON.stringify(created)}`);
        await createUsers(url, col, ['franck', 'audrey'], provider.name);
        // Inference costs ~0.5 s an image on the local engine: three images, once.
        const faceIds: string[] = [];
        for (const [who, i] of [
          ['franck', 0],
          ['franck', 1],
          ['audrey', 0],
        ] as const) {
          const res = await api.indexFaces(col, photo(who, i), { externalImageId: `${who}-${i}` });
          if (res.__typename !== 'IndexFacesSuccess') throw new Error(`indexFaces ${who}[${i}]: ${JSON.stringify(res)}`);
          faceIds.push(res.faces[0].faceId);
          indexed.push(res);
        }
        [franckFace, looseFace, audreyFace] = faceIds;
        for (const [user, face] of [
          ['franck', franckFace],
          ['audrey', audreyFace],
        ]) {
          const res = await api.associate(col, user, [face], { userMatchThreshold: 0 });
          if (res.__typename !== 'AssociateFacesSuccess') throw new Error(`associate ${user}: ${JSON.stringify(res)}`);
        }
      });

      afterAll(async () => {
        if (caps.has('DELETE_COLLECTION')) await api.deleteCollection(col);
      });

      it('indexFaces answered a faceRecord per face: the face and what detection saw of it', () => {
        for (const res of indexed) {
          expect(res.faceRecords.map((r: any) => r.face.faceId)).toEqual(res.faces.map((f: any) => f.faceId));
          for (const [i, r] of res.faceRecords.entries()) {
            expect(r.faceDetail.boundingBox).toEqual(res.faces[i].boundingBox);
            if (r.faceDetail.landmarks) expect(r.faceDetail.landmarks).toHaveLength(5);
          }
        }
      });

      it.skipIf(lacks('SEARCH_USERS_BY_IMAGE'))(
        'searchUsersByImage: a portrait has no unsearched face; QualityFilter NONE is accepted',
        async () => {
          const res = await api.search(col, photo('franck', 3), { qualityFilter: 'NONE' });
          expect(res).toMatchObject({ __typename: 'SearchUsersByImageSuccess', unsearchedFaces: [] });
          expect(res.userMatches[0].user.userId).toBe('franck');
        },
      );

      describe.skipIf(lacks('VERIFY_USER'))('verifyUser', () => {
        it('verifies franck in another photo of him (isMatch, ≥ 80) and not audrey', async () => {
          const yes = await op('verifyUser', { collection: api.ref(col), userId: 'franck', image: photo('franck', 3) });
          expect(yes).toMatchObject({ __typename: 'VerifyUserSuccess', isMatch: true, user: { userId: 'franck' } });
          expect(yes.similarity).toBeGreaterThanOrEqual(80);
          const no = await op('verifyUser', { collection: api.ref(col), userId: 'audrey', image: photo('franck', 3) });
          expect(no).toMatchObject({ __typename: 'VerifyUserSuccess', isMatch: false, user: { userId: 'audrey' } });
          expect(no.similarity).toBeLessThan(80);
        });

        it('answers UserNotFound, CollectionNotFound, NoFaceDetected, InvalidImage and InvalidInput', async () => {
          const image = photo('franck', 3);
          expect(await op('verifyUser', { collection: api.ref(col), userId: 'nobody', image })).toMatchObject({
            __typename: 'UserNotFound',
            userId: 'nobody',
          });
          expect(await op('verifyUser', { collection: missing(), userId: 'franck', image })).toMatchObject({
            __typename: 'CollectionNotFound',
          });
          expect(await op('verifyUser', { collection: api.ref(col), userId: 'franck', image: noFacePng() })).toMatchObject({
            __typename: 'NoFaceDetected',
          });
          expect(await op('verifyUser', { collection: api.ref(col), userId: 'franck', image: NOT_AN_IMAGE })).toMatchObject({
            __typename: 'InvalidImage',
          });
          expect(await op('verifyUser', { collection: api.ref(col), userId: 'franck', image, userMatchThreshold: -1 })).toMatchObject({
            __typename: 'InvalidInput',
            field: 'input.userMatchThreshold',
          });
        });
      });

      describe.skipIf(lacks('SEARCH_FACES'))('searchFaces', () => {
        it("finds franck's other face (unassociated) and never the searched face or audrey's", async () => {
          const res = await op('searchFaces', { collection: api.ref(col), faceId: franckFace });
          expect(res).toMatchObject({ __typename: 'SearchFacesSuccess', searchedFaceId: franckFace });
          const found = res.faceMatches.map((m: any) => m.face.faceId);
          expect(found).toContain(looseFace);
          expect(found).not.toContain(franckFace);
          expect(found).not.toContain(audreyFace);
          for (const m of res.faceMatches) expect(m.similarity).toBeGreaterThanOrEqual(80);
        });

        it('answers InvalidInput (a face not in the collection, maxFaces outside 1..4096) and CollectionNotFound', async () => {
          expect(await op('searchFaces', { collection: api.ref(col), faceId: UNKNOWN_FACE })).toMatchObject({
            __typename: 'InvalidInput',
            field: 'input.faceId',
          });
          for (const maxFaces of [0, 4097]) {
            expect(await op('searchFaces', { collection: api.ref(col), faceId: franckFace, maxFaces })).toMatchObject({
              __typename: 'InvalidInput',
              field: 'input.maxFaces',
            });
          }
          expect(await op('searchFaces', { collection: missing(), faceId: franckFace })).toMatchObject({
            __typename: 'CollectionNotFound',
          });
        });
      });

      describe.skipIf(lacks('SEARCH_FACES_BY_IMAGE'))('searchFacesByImage', () => {
        it("finds franck's faces, associated or not, from another photo of him", async () => {
          const res = await op('searchFacesByImage', { collection: api.ref(col), image: photo('franck', 3) });
          expect(res.__typename).toBe('SearchFacesByImageSuccess');
          expect(res.searchedFace.confidence).toBeGreaterThan(50);
          expect(res.faceMatches.map((m: any) => m.face.faceId).sort()).toEqual([franckFace, looseFace].sort());
          expect(res.faceMatches.find((m: any) => m.face.faceId === franckFace).face.user).toEqual({ userId: 'franck' });
        });

        it('answers NoFaceDetected, InvalidImage, InvalidInput and CollectionNotFound', async () => {
          expect(await op('searchFacesByImage', { collection: api.ref(col), image: noFacePng() })).toMatchObject({
            __typename: 'NoFaceDetected',
          });
          expect(await op('searchFacesByImage', { collection: api.ref(col), image: NOT_AN_IMAGE })).toMatchObject({
            __typename: 'InvalidImage',
          });
          expect(
            await op('searchFacesByImage', { collection: api.ref(col), image: photo('franck', 3), faceMatchThreshold: 100.5 }),
          ).toMatchObject({ __typename: 'InvalidInput', field: 'input.faceMatchThreshold' });
          expect(await op('searchFacesByImage', { collection: missing(), image: photo('franck', 3) })).toMatchObject({
            __typename: 'CollectionNotFound',
          });
        });
      });

      describe.skipIf(lacks('SEARCH_USERS'))('searchUsers', () => {
        it('finds franck for his unassociated face, and not the searched user itself by userId', async () => {
          const byFace = await op('searchUsers', { collection: api.ref(col), faceId: looseFace });
          expect(byFace).toMatchObject({ __typename: 'SearchUsersSuccess', searchedFaceId: looseFace, searchedUserId: null });
          expect(byFace.userMatches.map((m: any) => m.user.userId)).toEqual(['franck']);
          const byUser = await op('searchUsers', { collection: api.ref(col), userId: 'franck', userMatchThreshold: 0 });
          expect(byUser).toMatchObject({ __typename: 'SearchUsersSuccess', searchedUserId: 'franck', searchedFaceId: null });
          expect(byUser.userMatches.map((m: any) => m.user.userId)).not.toContain('franck');
        });

        it('answers InvalidInput (both or neither of userId and faceId, maxUsers outside 1..500), UserNotFound and CollectionNotFound', async () => {
          expect(await op('searchUsers', { collection: api.ref(col), userId: 'franck', faceId: looseFace })).toMatchObject({
            __typename: 'InvalidInput',
            field: 'input.userId',
          });
          expect(await op('searchUsers', { collection: api.ref(col) })).toMatchObject({
            __typename: 'InvalidInput',
            field: 'input.userId',
          });
          expect(await op('searchUsers', { collection: api.ref(col), userId: 'franck', maxUsers: 501 })).toMatchObject({
            __typename: 'InvalidInput',
            field: 'input.maxUsers',
          });
          expect(await op('searchUsers', { collection: api.ref(col), userId: 'nobody' })).toMatchObject({
            __typename: 'UserNotFound',
            userId: 'nobody',
          });
          expect(await op('searchUsers', { collection: missing(), userId: 'franck' })).toMatchObject({ __typename: 'CollectionNotFound' });
        });
      });

      describe.skipIf(lacks('IDENTIFY_FACES'))('identifyFaces', () => {
        it('names franck in another photo of him; an image without a face has no faces', async () => {
          const res = await op('identifyFaces', { collection: api.ref(col), image: photo('franck', 3) });
          expect(res.__typename).toBe('IdentifyFacesSuccess');
          expect(res.faces).toHaveLength(1);
          expect(res.faces[0].userMatches.map((m: any) => m.user.userId)).toEqual(['franck']);
          expect(res.faces[0].userMatches[0].similarity).toBeGreaterThanOrEqual(80);
          expect(await op('identifyFaces', { collection: api.ref(col), image: noFacePng() })).toEqual({
            __typename: 'IdentifyFacesSuccess',
            faces: [],
            unsearchedFaces: [],
          });
        });

        it('answers InvalidInput (maxFaces outside 1..100, maxUsersPerFace outside 1..100), InvalidImage and CollectionNotFound', async () => {
          const image = photo('franck', 3);
          for (const [field, value] of [
            ['maxFaces', 101],
            ['maxFaces', 0],
            ['maxUsersPerFace', 0],
          ] as const) {
            expect(await op('identifyFaces', { collection: api.ref(col), image, [field]: value })).toMatchObject({
              __typename: 'InvalidInput',
              field: `input.${field}`,
            });
          }
          expect(await op('identifyFaces', { collection: api.ref(col), image: NOT_AN_IMAGE })).toMatchObject({
            __typename: 'InvalidImage',
          });
          expect(await op('identifyFaces', { collection: missing(), image })).toMatchObject({ __typename: 'CollectionNotFound' });
        });
      });
    },
  );
});
