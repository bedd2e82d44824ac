/**
 * GraphQL documents and helpers of the provider conformance suite. Every
 * helper takes the provider instance name, so the same scenario runs on
 * each provider of a gateway; nothing here knows which providers exist.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { fakePng } from '../fakes/azure-face/images.js';
import { gql, gqlData } from '../support/gateway.js';
import { PHOTOS, type Identity } from '../support/photos.js';

export type Ref = { provider: string; collectionId: string };
export const refOf = (provider: string, collectionId: string): Ref => ({ provider, collectionId });

/** Fields of each error member a result union may hold. */
const MEMBER_FIELDS: Record<string, string> = {
  InvalidInput: 'field',
  CollectionNotFound: 'collectionId',
  CollectionAlreadyExists: 'collectionId',
  UserNotFound: 'userId',
  UserAlreadyExists: 'userId',
  IdempotencyConflict: 'clientRequestToken',
  Throttled: 'retryAfterMs',
  ProviderUnavailable: 'provider',
  UnsupportedOperation: 'provider operation',
};

/** Selections for the error members of a union (GraphQL refuses fragments on types outside it). */
const errors = (...members: string[]): string =>
  ['... on Error { code message }', ...members.filter((m) => MEMBER_FIELDS[m]).map((m) => `... on ${m} { ${MEMBER_FIELDS[m]} }`)].join(
    '\n  ',
  );

const COMMON = ['InvalidInput', 'ProviderUnavailable', 'Throttled'];

export const CREATE_COLLECTION = `mutation($c: CollectionRef!) { createCollection(input: { collection: $c }) {
  __typename
  ... on CreateCollectionSuccess { collection { id collectionId faceCount userCount provider { name } } }
  ${errors(...COMMON, 'CollectionAlreadyExists', 'UnsupportedOperation')}
} }`;

export const DELETE_COLLECTION = `mutation($c: CollectionRef!) { deleteCollection(input: { collection: $c }) {
  __typename
  ... on DeleteCollectionSuccess { collectionId }
  ${errors(...COMMON, 'CollectionNotFound')}
} }`;

export const GET_COLLECTION = `query($c: CollectionRef!) { collection(ref: $c) { id collectionId faceCount userCount provider { name } } }`;

export const LIST_COLLECTIONS = `query($p: String!, $first: Int!, $after: String) { provider(name: $p) {
  collections(first: $first, after: $after) { edges { cursor node { collectionId } } pageInfo { hasNextPage endCursor } }
} }`;

export const CREATE_USER = `mutation($c: CollectionRef!, $u: String!, $t: String) {
  createUser(input: { collection: $c, userId: $u, clientRequestToken: $t }) {
    __typename
    ... on CreateUserSuccess { user { id userId status faceCount } }
    ${errors(...COMMON, 'CollectionNotFound', 'IdempotencyConflict', 'UnsupportedOperation', 'UserAlreadyExists')}
  }
}`;

export const DELETE_USER = `mutation($c: CollectionRef!, $u: String!, $t: String) {
  deleteUser(input: { collection: $c, userId: $u, clientRequestToken: $t }) {
    __typename
    ... on DeleteUserSuccess { userId }
    ${errors(...COMMON, 'CollectionNotFound', 'IdempotencyConflict', 'UserNotFound')}
  }
}`;

export const USERS_PAGE = `query($c: CollectionRef!, $first: Int!, $after: String) { collection(ref: $c) {
  users(first: $first, after: $after) { edges { cursor node { userId status } } pageInfo { hasNextPage endCursor } }
} }`;

const FACE = 'faceId externalImageId confidence boundingBox { left top width height } user { userId }';

export const INDEX_FACES = `mutation($input: IndexFacesInput!) { indexFaces(input: $input) {
  __typename
  ... on IndexFacesSuccess {
    faces { ${FACE} } unindexedFaces { reasons } faceModelVersion
    faceRecords { face { faceId } faceDetail { boundingBox { left top width height } confidence landmarks { type } quality { forRecognition } } }
  }
  ${errors(...COMMON, 'CollectionNotFound', 'UnsupportedOperation')}
} }`;

export const DELETE_FACES = `mutation($input: DeleteFacesInput!) { deleteFaces(input: $input) {
  __typename
  ... on DeleteFacesSuccess { deletedFaceIds unsuccessfulFaceDeletions { faceId userId reasons } }
  ${errors(...COMMON, 'CollectionNotFound')}
} }`;

export const ASSOCIATE_FACES = `mutation($input: AssociateFacesInput!) { associateFaces(input: $input) {
  __typename
  ... on AssociateFacesSuccess {
    associatedFaces { faceId user { userId } }
    unsuccessfulFaceAssociations { faceId userId confidence reasons }
    userStatus
    user { userId status faceCount }
  }
  ${errors(...COMMON, 'CollectionNotFound', 'IdempotencyConflict', 'UnsupportedOperation', 'UserNotFound')}
} }`;

export const DISASSOCIATE_FACES = `mutation($input: DisassociateFacesInput!) { disassociateFaces(input: $input) {
  __typename
  ... on DisassociateFacesSuccess {
    disassociatedFaces { faceId user { userId } }
    unsuccessfulFaceDisassociations { faceId userId reasons }
    userStatus
    user { userId status faceCount }
  }
  ${errors(...COMMON, 'CollectionNotFound', 'IdempotencyConflict', 'UnsupportedOperation', 'UserNotFound')}
} }`;

export const SEARCH_USERS = `query($input: SearchUsersByImageInput!) { searchUsersByImage(input: $input) {
  __typename
  ... on SearchUsersByImageSuccess { userMatches { similarity user { userId } } searchedFace { confidence } unsearchedFaces { confidence } }
  ${errors(...COMMON, 'CollectionNotFound', 'UnsupportedOperation')}
} }`;

/** Every field of a FaceDetail. */
export const FACE_DETAIL = `boundingBox { left top width height } confidence
  landmarks { type x y } pose { roll yaw pitch } quality { brightness sharpness forRecognition }
  ageRange { low high } gender { value confidence } emotions { type confidence }
  smile { value confidence } eyeglasses { value confidence } sunglasses { value confidence } eyesOpen { value confidence }
  mouthOpen { value confidence } beard { value confidence } mustache { value confidence } faceOccluded { value confidence }
  liveness { score isLive }`;

const FACE_OPS_ERRORS = [...COMMON, 'UnsupportedOperation', 'Forbidden'];

/** The seven face operations, each with its input type, every success field and its error members. */
export const FACE_OPERATIONS = {
  detectFaces: {
    capability: 'DETECT_FACES',
    query: `query($input: DetectFacesInput!) { detectFaces(input: $input) {
      __typename ... on DetectFacesSuccess { faces { ${FACE_DETAIL} } }
      ${errors(...FACE_OPS_ERRORS, 'InvalidImage')} } }`,
  },
  compareFaces: {
    capability: 'COMPARE_FACES',
    query: `query($input: CompareFacesInput!) { compareFaces(input: $input) {
      __typename ... on CompareFacesSuccess { sourceFace { ${FACE_DETAIL} } faceMatches { similarity face { ${FACE_DETAIL} } } unmatchedFaces { confidence } }
      ${errors(...FACE_OPS_ERRORS, 'InvalidImage', 'NoFaceDetected')} } }`,
  },
  verifyUser: {
    capability: 'VERIFY_USER',
    query: `query($input: VerifyUserInput!) { verifyUser(input: $input) {
      __typename ... on VerifyUserSuccess { isMatch similarity searchedFace { confidence } user { userId } }
      ${errors(...FACE_OPS_ERRORS, 'InvalidImage', 'NoFaceDetected', 'CollectionNotFound', 'UserNotFound')} } }`,
  },
  searchFaces: {
    capability: 'SEARCH_FACES',
    query: `query($input: SearchFacesInput!) { searchFaces(input: $input) {
      __typename ... on SearchFacesSuccess { searchedFaceId faceMatches { similarity face { faceId user { userId } } } }
      ${errors(...FACE_OPS_ERRORS, 'CollectionNotFound')} } }`,
  },
  searchFacesByImage: {
    capability: 'SEARCH_FACES_BY_IMAGE',
    query: `query($input: SearchFacesByImageInput!) { searchFacesByImage(input: $input) {
      __typename ... on SearchFacesByImageSuccess { searchedFace { confidence } faceMatches { similarity face { faceId user { userId } } } }
      ${errors(...FACE_OPS_ERRORS, 'InvalidImage', 'NoFaceDetected', 'CollectionNotFound')} } }`,
  },
  searchUsers: {
    capability: 'SEARCH_USERS',
    query: `query($input: SearchUsersInput!) { searchUsers(input: $input) {
      __typename ... on SearchUsersSuccess { searchedUserId searchedFaceId userMatches { similarity user { userId } } }
      ${errors(...FACE_OPS_ERRORS, 'CollectionNotFound', 'UserNotFound')} } }`,
  },
  identifyFaces: {
    capability: 'IDENTIFY_FACES',
    query: `query($input: IdentifyFacesInput!) { identifyFaces(input: $input) {
      __typename ... on IdentifyFacesSuccess { faces { face { ${FACE_DETAIL} } userMatches { similarity user { userId } } } unsearchedFaces { confidence } }
      ${errors(...FACE_OPS_ERRORS, 'InvalidImage', 'CollectionNotFound')} } }`,
  },
} as const;
export type FaceOperationName = keyof typeof FACE_OPERATIONS;

/** Everything observable about a collection's users and faces, for "nothing changed" checks. */
export const COLLECTION_STATE = `query($c: CollectionRef!) { collection(ref: $c) {
  faceCount userCount
  users(first: 500) { edges { node { userId status faceCount } } }
  faces(first: 500) { edges { node { faceId externalImageId user { userId } } } }
} }`;

/** A GraphQL client bound to one gateway and one provider instance. */
export function client(url: string, provider: string) {
  const c = (collectionId: string) => refOf(provider, collectionId);
  const one = async (query: string, variables: Record<string, unknown>) => {
    const data = await gqlData(url, query, variables);
    return Object.values(data)[0] as Record<string, any>;
  };
  return {
    ref: c,
    createCollection: (collectionId: string) => one(CREATE_COLLECTION, { c: c(collectionId) }),
    deleteCollection: (collectionId: string) => one(DELETE_COLLECTION, { c: c(collectionId) }),
    collection: (collectionId: string) => one(GET_COLLECTION, { c: c(collectionId) }),
    createUser: (collectionId: string, userId: string, token?: string) => one(CREATE_USER, { c: c(collectionId), u: userId, t: token }),
    deleteUser: (collectionId: string, userId: string, token?: string) => one(DELETE_USER, { c: c(collectionId), u: userId, t: token }),
    indexFaces: (collectionId: string, image: Buffer, extra: { externalImageId?: string; maxFaces?: number } = {}) =>
      one(INDEX_FACES, { input: { collection: c(collectionId), image: { base64: image.toString('base64') }, ...extra } }),
    deleteFaces: (collectionId: string, faceIds: string[]) => one(DELETE_FACES, { input: { collection: c(collectionId), faceIds } }),
    associate: (
      collectionId: string,
      userId: string,
      faceIds: string[],
      extra: { clientRequestToken?: string; userMatchThreshold?: number } = {},
    ) => one(ASSOCIATE_FACES, { input: { collection: c(collectionId), userId, faceIds, ...extra } }),
    disassociate: (collectionId: string, userId: string, faceIds: string[], extra: { clientRequestToken?: string } = {}) =>
      one(DISASSOCIATE_FACES, { input: { collection: c(collectionId), userId, faceIds, ...extra } }),
    search: (collectionId: string, image: Buffer, extra: { maxUsers?: number; userMatchThreshold?: number; qualityFilter?: string } = {}) =>
      one(SEARCH_USERS, { input: { collection: c(collectionId), image: { base64: image.toString('base64') }, ...extra } }),
    /** One of the seven face operations with `input` (images as Buffers become `{ base64 }`). */
    faceOp: (op: FaceOperationName, input: Record<string, unknown>) =>
      one(FACE_OPERATIONS[op].query, {
        input: Object.fromEntries(Object.entries(input).map(([k, v]) => [k, Buffer.isBuffer(v) ? { base64: v.toString('base64') } : v])),
      }),
    /** Users and faces sorted by id, with counts; null when the collection does not exist. */
    async state(collectionId: string) {
      const col = (await gqlData(url, COLLECTION_STATE, { c: c(collectionId) })).collection;
      if (!col) return null;
      const by = (k: string) => (a: any, b: any) => (a[k] < b[k] ? -1 : a[k] > b[k] ? 1 : 0);
      return {
        faceCount: col.faceCount as number,
        userCount: col.userCount as number,
        // UPDATING and ACTIVE both mean "has faces" (UPDATING: the provider is still applying a
        // change), and one becomes the other by itself.
        users: col.users.edges
          .map((e: any) => ({ ...e.node, status: e.node.status === 'UPDATING' ? 'ACTIVE' : e.node.status }))
          .sort(by('userId')),
        faces: col.faces.edges.map((e: any) => e.node).sort(by('faceId')),
      };
    },
    /** The raw response (data and errors) of any operation. */
    raw: (query: string, variables: Record<string, unknown> = {}) => gql(url, query, variables),
    data: (query: string, variables: Record<string, unknown> = {}) => gqlData(url, query, variables),
  };
}

export const photo = (who: Identity, i: number): Buffer => readFileSync(PHOTOS[who][i]);

/** A plain image without any face (on the fake Rekognition: one face of an unknown identity). */
export const blankPng = (): Promise<Buffer> =>
  sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 120, g: 160, b: 200 } } })
    .png()
    .toBuffer();

/**
 * A plain grey PNG without any face, on every provider: the local engine
 * finds none in it, and both fakes read its empty `facegate:faces` list.
 */
export const noFacePng = (): Buffer => Buffer.from(fakePng({ faces: [], label: 'no-face' }));

export const NOT_AN_IMAGE = Buffer.from('this is not an image at all, just text');

/** A ClientRequestToken unique to this run. */
export const token = (label: string): string => `${label}-${randomUUID().slice(0, 8)}`;

/** A syntactically valid face id that exists nowhere. */
export const unknownFaceId = (): string => randomUUID();
