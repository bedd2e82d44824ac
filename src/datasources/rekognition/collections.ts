/**
 * Collections on Rekognition. Records carry counts and a creation time,
 * which only DescribeCollection gives: one call per collection listed or
 * looked up.
 */
import {
  CreateCollectionCommand,
  DeleteCollectionCommand,
  DescribeCollectionCommand,
  ListCollectionsCommand,
  type DescribeCollectionCommandOutput,
} from '@aws-sdk/client-rekognition';
import { DomainError } from '../../domain/errors.js';
import type { CollectionRecord } from '../../domain/records.js';
import { mapLimit } from '../../lib/map-limit.js';
import type { CallOptions, CollectionPageRequest, Page } from '../provider.js';
import { globToRegExp, matchesAll } from '../../lib/glob.js';
import { MAX_LIST_RESULTS } from './limits.js';
import { decodePageToken } from './page-token.js';
import { collect, pageLimit, withToken } from './paging.js';
import type { RekognitionDeps } from './rekognition-deps.js';

/** One ListCollections per 4096 ids, then one DescribeCollection per collection (counts, creation time). */
export async function listCollections(
  deps: RekognitionDeps,
  page: CollectionPageRequest,
  call?: CallOptions,
): Promise<Page<CollectionRecord>> {
  const { calls } = deps;
  const limit = pageLimit(page.limit);
  const start = decodePageToken('collections', page.after);
  const ctx = calls.context('ListCollections');
  const { items: ids, nextToken } = await collect(limit, start?.t, MAX_LIST_RESULTS, async (max, token) => {
    const out = await calls.run(ctx, call, (o) => calls.client.send(new ListCollectionsCommand({ MaxResults: max, NextToken: token }), o));
    return { items: out.CollectionIds ?? [], next: out.NextToken };
  });
  // Ids outside `idPatterns` are dropped before they are described: the page may come back short, the token still
  // resumes after everything read. A collection deleted between the two calls is left out, as a later list would.
  const keep = page.idPatterns && !matchesAll(page.idPatterns) ? page.idPatterns.map(globToRegExp) : undefined;
  const records = await getCollections(deps, keep ? ids.filter((id) => keep.some((re) => re.test(id))) : ids, call);
  return withToken(
    records.filter((r): r is CollectionRecord => r !== null),
    'collections',
    nextToken,
  );
}

/** DescribeCollection per id, `concurrency` at a time; null where a collection does not exist. */
export async function getCollections(
  deps: RekognitionDeps,
  collectionIds: readonly string[],
  call?: CallOptions,
): Promise<(CollectionRecord | null)[]> {
  return mapLimit(collectionIds, deps.concurrency, async (collectionId) => {
    try {
      return await describeCollection(deps, collectionId, call);
    } catch (e) {
      if (e instanceof DomainError && e.code === 'COLLECTION_NOT_FOUND') return null;
      throw e;
    }
  });
}

/** CreateCollection, then DescribeCollection for the record. */
export async function createCollection(deps: RekognitionDeps, collectionId: string, call?: CallOptions): Promise<CollectionRecord> {
  const { calls } = deps;
  const created = await calls.run(calls.context('CreateCollection', { collectionId }), call, (o) =>
    calls.client.send(new CreateCollectionCommand({ CollectionId: collectionId }), o),
  );
  try {
    return await describeCollection(deps, collectionId, call);
  } catch {
    // The collection exists now: failing here would make a retry see
    // COLLECTION_ALREADY_EXISTS. A new collection is empty.
    return {
      collectionId,
      faceModelVersion: created.FaceModelVersion ?? null,
      faceCount: 0,
      userCount: 0,
      createdAt: null,
    };
  }
}

/** DeleteCollection: the collection goes with all its users and faces, and (`retainImages`) their retained images. */
export async function deleteCollection(deps: RekognitionDeps, collectionId: string, call?: CallOptions): Promise<void> {
  const { calls } = deps;
  try {
    await calls.run(calls.context('DeleteCollection', { collectionId }), call, (o) =>
      calls.client.send(new DeleteCollectionCommand({ CollectionId: collectionId }), o),
    );
  } catch (e) {
    // Already gone on AWS: whatever the gateway kept of it goes too.
    if (e instanceof DomainError && e.code === 'COLLECTION_NOT_FOUND') await deps.images?.forgetCollection(collectionId);
    throw e;
  }
  await deps.images?.forgetCollection(collectionId);
}

/** DescribeCollection as a record; COLLECTION_NOT_FOUND for an unknown id. */
async function describeCollection(deps: RekognitionDeps, collectionId: string, call: CallOptions | undefined): Promise<CollectionRecord> {
  const { calls } = deps;
  const out: DescribeCollectionCommandOutput = await calls.run(calls.context('DescribeCollection', { collectionId }), call, (o) =>
    calls.client.send(new DescribeCollectionCommand({ CollectionId: collectionId }), o),
  );
  return {
    collectionId,
    faceModelVersion: out.FaceModelVersion ?? null,
    faceCount: out.FaceCount ?? 0,
    userCount: out.UserCount ?? 0,
    createdAt: out.CreationTimestamp ?? null,
  };
}
