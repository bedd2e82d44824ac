/**
 * The self-hosted GraphiQL page: rendered once from our own bundle
 * (@graphql-yoga/render-graphiql inlines every script, ~9 MB), gzipped once,
 * and using graphql-ws for subscriptions. Nothing is loaded from a CDN.
 *
 * A fresh browser opens two tabs: a ready-to-run walk through the API
 * (create a collection, index a face from a sample photo, search; detect,
 * compare, verify and identify) and the
 * snapshotProgress subscription. The headers editor is prefilled with the
 * credential header the configuration expects.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { renderGraphiQL as RenderGraphiQL } from '@graphql-yoga/render-graphiql';
type GraphiQLOptions = NonNullable<Parameters<typeof RenderGraphiQL>[0]>;
import sharp from 'sharp';
import type { AuthConfig } from '../security/authenticator.js';

const WALKTHROUGH = `# Welcome to facegate. Press ▶ and pick the operations in order:
# CreateCollection, IndexFace, CreateUser, AssociateFace (paste the faceId
# IndexFace returned into the variables), SearchUsers, then TakeSnapshot and
# follow it in the "Snapshot progress" tab. $image is a sample group photo.
# Then the face operations: DetectFaces (every face, with landmarks, pose and
# quality), CompareFaces (1:1, here the photo against itself), VerifyUser
# (is the largest face alice?) and IdentifyFaces (every face, with its user).

query Providers {
  providers { name kind capabilities }
}

mutation CreateCollection {
  createCollection(input: { collection: { provider: "local", collectionId: "demo" } }) {
    __typename
    ... on CreateCollectionSuccess { collection { id collectionId } }
    ... on Error { code message }
  }
}

mutation IndexFace($image: String!) {
  indexFaces(input: { collection: { provider: "local", collectionId: "demo" }, image: { base64: $image }, maxFaces: 1 }) {
    __typename
    ... on IndexFacesSuccess { faces { faceId confidence boundingBox { left top width height } } }
    ... on Error { code message }
  }
}

mutation CreateUser {
  createUser(input: { collection: { provider: "local", collectionId: "demo" }, userId: "alice" }) {
    __typename
    ... on CreateUserSuccess { user { userId status } }
    ... on Error { code message }
  }
}

mutation AssociateFace($faceId: String!) {
  associateFaces(input: { collection: { provider: "local", collectionId: "demo" }, userId: "alice", faceIds: [$faceId] }) {
    __typename
    ... on AssociateFacesSuccess { userStatus associatedFaces { faceId } unsuccessfulFaceAssociations { faceId reasons } }
    ... on Error { code message }
  }
}

query SearchUsers($image: String!) {
  searchUsersByImage(input: { collection: { provider: "local", collectionId: "demo" }, image: { base64: $image } }) {
    __typename
    ... on SearchUsersByImageSuccess { userMatches { similarity user { userId faceCount } } }
    ... on Error { code message }
  }
}

query DetectFaces($image: String!) {
  detectFaces(input: { provider: "local", image: { base64: $image }, attributes: [ALL] }) {
    __typename
    ... on DetectFacesSuccess {
      faces { confidence boundingBox { left top width height } landmarks { type x y } pose { roll yaw pitch } quality { forRecognition } emotions { type confidence } }
    }
    ... on Error { code message }
  }
}

query CompareFaces($image: String!) {
  compareFaces(input: { provider: "local", sourceImage: { base64: $image }, targetImage: { base64: $image } }) {
    __typename
    ... on CompareFacesSuccess { sourceFace { boundingBox { left top width height } } faceMatches { similarity } unmatchedFaces { confidence } }
    ... on Error { code message }
  }
}

query VerifyUser($image: String!) {
  verifyUser(input: { collection: { provider: "local", collectionId: "demo" }, userId: "alice", image: { base64: $image } }) {
    __typename
    ... on VerifyUserSuccess { isMatch similarity user { userId } }
    ... on Error { code message }
  }
}

query IdentifyFaces($image: String!) {
  identifyFaces(input: { collection: { provider: "local", collectionId: "demo" }, image: { base64: $image } }) {
    __typename
    ... on IdentifyFacesSuccess { faces { face { boundingBox { left top width height } } userMatches { similarity user { userId } } } unsearchedFaces { confidence } }
    ... on Error { code message }
  }
}

query Users {
  collection(ref: { provider: "local", collectionId: "demo" }) {
    userCount
    faceCount
    users(first: 10) { edges { node { userId status faceCount } } }
  }
}

mutation TakeSnapshot {
  takeSnapshot(input: { collection: { provider: "local", collectionId: "demo" } }) {
    __typename
    ... on TakeSnapshotAccepted { operation { id status } }
    ... on Error { code message }
  }
}
`;

const PROGRESS = `# Paste the operation id from TakeSnapshot (or an applySnapshot) into the
# variables and press ▶: the current state arrives first, then every change
# until SUCCEEDED or FAILED.
subscription SnapshotProgress($operationId: ID!) {
  snapshotProgress(operationId: $operationId) {
    status
    percent
    processedItems
    totalItems
    message
    snapshot { id userCount faceCount }
  }
}
`;

/** The sample photo for $image: a group photo shipped with @vladmandic/face-api, made small enough to edit by hand. */
async function samplePhotoBase64(): Promise<string> {
  const require = createRequire(import.meta.url);
  const file = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', 'sample1.jpg');
  const jpeg = await sharp(await readFile(file))
    .resize({ width: 480 })
    .jpeg({ quality: 80 })
    .toBuffer();
  return jpeg.toString('base64');
}

/**
 * The credential header a caller of this configuration sends, prefilled so
 * one only pastes the value. With anonymous access on, an empty key means
 * "anonymous" and the page works as it opens.
 */
export function defaultHeaders(auth: AuthConfig): Record<string, string> {
  if (auth.anonymousTenant) return { 'x-api-key': '' };
  if (auth.apiKeys.length > 0) return { 'x-api-key': '<your API key>' };
  return { authorization: 'Bearer <your JWT>' };
}

export interface GraphiQLPage {
  html: Buffer;
  gzipped: Buffer;
}

const pages = new WeakMap<AuthConfig, Promise<GraphiQLPage>>();

/**
 * The page for one configuration, rendered on first use so start-up does not
 * pay for it, nor for loading the renderer (the longest import of the
 * gateway's start: about a second on a loaded machine, `npm run bench:start`).
 */
export function graphiqlPage(auth: AuthConfig): Promise<GraphiQLPage> {
  const cached = pages.get(auth);
  if (cached) return cached;
  const renderer = import('@graphql-yoga/render-graphiql');
  const page = Promise.all([samplePhotoBase64(), renderer]).then(([image, { renderGraphiQL }]) => {
    const headers = JSON.stringify(defaultHeaders(auth), null, 2);
    const variables = JSON.stringify({ faceId: '<paste the faceId IndexFace returned>', image }, null, 2);
    const options: GraphiQLOptions & { initialVariables: string } = {
      endpoint: '/graphql',
      subscriptionsProtocol: 'WS',
      title: 'facegate',
      defaultQuery: WALKTHROUGH,
      defaultHeaders: headers,
      defaultTabs: [
        { query: WALKTHROUGH, variables, headers },
        { query: PROGRESS, variables: JSON.stringify({ operationId: '<paste an operation id>' }, null, 2), headers },
      ],
      // GraphiQL 5 leaves the first tab's variables editor empty; its own prop fills it.
      initialVariables: variables,
    };
    const html = Buffer.from(renderGraphiQL(options));
    return { html, gzipped: gzipSync(html) };
  });
  pages.set(auth, page);
  page.catch(() => pages.delete(auth));
  return page;
}

/** Answers a browser with the page for `auth`, gzipped when it accepts gzip. */
export async function sendGraphiQL(req: IncomingMessage, res: ServerResponse, auth: AuthConfig): Promise<void> {
  const page = await graphiqlPage(auth);
  const gzip = (req.headers['accept-encoding'] ?? '').includes('gzip');
  const bytes = gzip ? page.gzipped : page.html;
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': bytes.length,
    // No other site may frame the page (clickjacking a developer's GraphiQL); scripts are inlined, so nothing else is restricted.
    'content-security-policy': "frame-ancestors 'none'",
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
  });
  res.end(bytes);
}
