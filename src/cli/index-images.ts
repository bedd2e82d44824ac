/**
 * `facegate index`: bulk enrolment from files and folders. Each image is
 * sent to indexFaces (a few at a time); with a user, its largest face is
 * associated with that user (created first when missing). Failures are
 * collected per file, never fatal to the batch.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { CliError, type GatewayClient } from './client.js';
import type { ProgressBar } from './progress-bar.js';

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png']);

export interface IndexOptions {
  provider: string;
  collectionId: string;
  /** Associate each image's largest face with this user. */
  userId?: string;
  /** Images in flight at once. @default 2 */
  concurrency: number;
}

export interface IndexSummary {
  images: number;
  faces: number;
  associated: number;
  failed: { file: string; code: string; message: string }[];
}

/** The image files named: files as given, folders' JPEG/PNG files (not recursive), sorted. */
export async function expandImagePaths(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const p of paths) {
    const info = await stat(p).catch(() => null);
    if (!info) throw new CliError(`${p}: expected an image file or a folder, got nothing at that path`);
    if (info.isDirectory()) {
      const names = (await readdir(p)).filter((n) => IMAGE_EXTENSIONS.has(path.extname(n).toLowerCase())).sort();
      files.push(...names.map((n) => path.join(p, n)));
    } else files.push(p);
  }
  if (files.length === 0) throw new CliError(`expected at least one .jpg, .jpeg or .png image in ${paths.join(', ')}, got none`);
  return files;
}

/** Rekognition's ExternalImageId alphabet ([a-zA-Z0-9_.\-:], ≤ 255). */
const externalImageId = (file: string): string =>
  path
    .basename(file)
    .replace(/[^a-zA-Z0-9_.\-:]/g, '_')
    .slice(0, 255);

const INDEX = `mutation($c: CollectionRef!, $b: String!, $x: String, $m: Int) {
  indexFaces(input: { collection: $c, image: { base64: $b }, externalImageId: $x, maxFaces: $m }) {
    __typename ... on IndexFacesSuccess { faces { faceId } } ... on Error { code message } } }`;
const CREATE_USER = `mutation($c: CollectionRef!, $u: String!) { createUser(input: { collection: $c, userId: $u }) {
  __typename ... on Error { code message } } }`;
const ASSOCIATE = `mutation($c: CollectionRef!, $u: String!, $f: [String!]!) { associateFaces(input: { collection: $c, userId: $u, faceIds: $f }) {
  __typename ... on AssociateFacesSuccess { associatedFaces { faceId } unsuccessfulFaceAssociations { faceId reasons } } ... on Error { code message } } }`;

/**
 * A result union member as these documents select it: the typename; `code` and `message` on an Error
 * member, the success fields otherwise.
 */
type Member<Success> = { __typename: string; code: string; message: string } & Success;

export async function indexImages(client: GatewayClient, files: string[], options: IndexOptions, bar: ProgressBar): Promise<IndexSummary> {
  const collection = { provider: options.provider, collectionId: options.collectionId };
  if (options.userId) {
    const { createUser } = await client.call<{ createUser: Member<object> }>(CREATE_USER, { c: collection, u: options.userId });
    if (createUser.__typename !== 'CreateUserSuccess' && createUser.__typename !== 'UserAlreadyExists') {
      throw new CliError(`${createUser.__typename} (${createUser.code}): ${createUser.message}`);
    }
  }
  const summary: IndexSummary = { images: files.length, faces: 0, associated: 0, failed: [] };
  let done = 0;
  bar.update(0, `0/${files.length}`);

  async function one(file: string): Promise<void> {
    try {
      const base64 = (await readFile(file)).toString('base64');
      const { indexFaces } = await client.call<{ indexFaces: Member<{ faces: { faceId: string }[] }> }>(INDEX, {
        c: collection,
        b: base64,
        x: externalImageId(file),
        m: options.userId ? 1 : null,
      });
      if (indexFaces.__typename !== 'IndexFacesSuccess')
        return void summary.failed.push({ file, code: indexFaces.code, message: indexFaces.message });
      const faceIds = indexFaces.faces.map((f) => f.faceId);
      summary.faces += faceIds.length;
      if (faceIds.length === 0) return void summary.failed.push({ file, code: 'NO_FACE_DETECTED', message: 'no face found in the image' });
      if (!options.userId) return;
      const { associateFaces } = await client.call<{
        associateFaces: Member<{ associatedFaces: unknown[]; unsuccessfulFaceAssociations: { faceId: string; reasons: string[] }[] }>;
      }>(ASSOCIATE, { c: collection, u: options.userId, f: faceIds });
      if (associateFaces.__typename !== 'AssociateFacesSuccess')
        return void summary.failed.push({ file, code: associateFaces.code, message: associateFaces.message });
      summary.associated += associateFaces.associatedFaces.length;
      for (const u of associateFaces.unsuccessfulFaceAssociations) {
        summary.failed.push({ file, code: u.reasons.join(','), message: `face ${u.faceId} was not associated with ${options.userId}` });
      }
    } catch (e) {
      summary.failed.push({ file, code: 'REQUEST_FAILED', message: e instanceof Error ? e.message : String(e) });
    } finally {
      done++;
      bar.update((done / files.length) * 100, `${done}/${files.length} ${path.basename(file)}`);
    }
  }

  const queue = [...files];
  await Promise.all(
    Array.from({ length: Math.min(options.concurrency, files.length) }, async () => {
      for (let file = queue.shift(); file !== undefined; file = queue.shift()) await one(file);
    }),
  );
  bar.done();
  return summary;
}
