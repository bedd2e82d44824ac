/**
 * GraphQL helpers of the Azure gateway tests (real HTTP and graphql-ws
 * against a running gateway whose `azure` instance points at a fake).
 */
import { expect } from 'vitest';
import { collectSubscription, gqlData, wsClient } from '../support/gateway.js';
import { ERROR_FIELDS } from '../support/fixtures.js';

export const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

export const PROGRESS = `subscription($id: ID!) { snapshotProgress(operationId: $id) {
  operationId kind status percent processedItems totalItems message at snapshot { id userCount faceCount } } }`;

export interface ProgressEvent {
  snapshotProgress: {
    operationId: string;
    kind: string;
    status: string;
    percent: number;
    processedItems: number;
    totalItems: number | null;
    message: string | null;
    snapshot: { id: string; userCount: number; faceCount: number } | null;
  };
}

/** Every snapshotProgress event of an operation until it completes. */
export async function follow(wsUrl: string, operationId: string): Promise<ProgressEvent['snapshotProgress'][]> {
  const client = wsClient(wsUrl);
  try {
    return (await collectSubscription<ProgressEvent>(client, PROGRESS, { id: operationId })).map((e) => e.snapshotProgress);
  } finally {
    await client.dispose();
  }
}

/** Indexes one face of `image` into a collection and returns its face id. */
export async function indexFace(
  url: string,
  c: { provider: string; collectionId: string },
  image: Uint8Array,
  externalImageId?: string,
): Promise<string> {
  const d = await gqlData(
    url,
    `mutation($c: CollectionRef!, $img: String!, $ext: String) { indexFaces(input: { collection: $c, image: { base64: $img }, externalImageId: $ext, maxFaces: 1 }) {
      __typename ... on IndexFacesSuccess { faces { faceId } } ${ERROR_FIELDS} } }`,
    { c, img: b64(image), ext: externalImageId },
  );
  expect(d.indexFaces.__typename, JSON.stringify(d)).toBe('IndexFacesSuccess');
  return d.indexFaces.faces[0].faceId as string;
}

/** Associates faces with a user; returns the associated face ids. */
export async function associate(
  url: string,
  c: { provider: string; collectionId: string },
  userId: string,
  faceIds: string[],
): Promise<string[]> {
  const d = await gqlData(
    url,
    `mutation($c: CollectionRef!, $u: String!, $f: [String!]!) { associateFaces(input: { collection: $c, userId: $u, faceIds: $f }) {
      __typename ... on AssociateFacesSuccess { associatedFaces { faceId } unsuccessfulFaceAssociations { faceId reasons } } ${ERROR_FIELDS} } }`,
    { c, u: userId, f: faceIds },
  );
  expect(d.associateFaces.__typename, JSON.stringify(d)).toBe('AssociateFacesSuccess');
  return (d.associateFaces.associatedFaces as { faceId: string }[]).map((f) => f.faceId);
}

/** userIds found for an image, best first. */
export async function search(url: string, c: { provider: string; collectionId: string }, image: Uint8Array): Promise<string[]> {
  const d = await gqlData(
    url,
    `query($c: CollectionRef!, $img: String!) { searchUsersByImage(input: { collection: $c, image: { base64: $img } }) {
      __typename ... on SearchUsersByImageSuccess { userMatches { similarity user { userId } } } ${ERROR_FIELDS} } }`,
    { c, img: b64(image) },
  );
  expect(d.searchUsersByImage.__typename, JSON.stringify(d)).toBe('SearchUsersByImageSuccess');
  return (d.searchUsersByImage.userMatches as { user: { userId: string } }[]).map((m) => m.user.userId);
}

export const TRAIN = `mutation($c: CollectionRef!) { trainCollection(input: { collection: $c }) {
  __typename ... on TrainCollectionAccepted { operation { id kind status percent message targetCollection { collectionId } } }
  ... on CollectionNotFound { collectionId } ${ERROR_FIELDS} } }`;
