/**
 * Faces on Rekognition as stored: listed (all, one user's, or the
 * unassociated ones), looked up and counted in batches, and deleted.
 * Indexing is in face-indexing.ts.
 */
import { DeleteFacesCommand } from '@aws-sdk/client-rekognition';
import { DomainError, invalidInput } from '../../domain/errors.js';
import { FACE_DELETION_FAILURE_REASONS, type FaceRecord } from '../../domain/records.js';
import { mapLimit } from '../../lib/map-limit.js';
import type { CallOptions, DeleteFacesOutcome, FaceFilter, Page, PageRequest } from '../provider.js';
import { listAllFaces, listFacesPage } from './face-pages.js';
import { MAX_LIST_RESULTS } from './limits.js';
import { decodePageToken, encodePageToken, type Listing } from './page-token.js';
import { collect, pageLimit } from './paging.js';
import type { RekognitionDeps } from './rekognition-deps.js';
import { listUnassociatedFaces } from './unassociated-faces.js';
import { source, splitReasons } from './reasons.js';

/**
 * ListFaces (UserId filter for `userId`). `unassociated` is emulated:
 * pages of ≥ 500 faces are read and faces without a UserId kept, so the
 * cost grows with the associated faces skipped over (unassociated-faces.ts).
 */
export async function listFaces(
  deps: RekognitionDeps,
  collectionId: string,
  filter: FaceFilter,
  page: PageRequest,
  call?: CallOptions,
): Promise<Page<FaceRecord>> {
  const limit = pageLimit(page.limit);
  if (filter.userId !== undefined && filter.unassociated === true) {
    throw invalidInput('unassociated', 'not true together with userId', 'both');
  }
  if (filter.unassociated === true) return listUnassociatedFaces(deps, collectionId, limit, page.after, call);
  const listing: Listing = filter.userId !== undefined ? 'user-faces' : 'faces';
  const start = decodePageToken(listing, page.after, filter.userId);
  const ctx = deps.calls.context('ListFaces', { collectionId, userId: filter.userId });
  const { items, nextToken } = await collect(limit, start?.t, MAX_LIST_RESULTS, (max, token) =>
    listFacesPage(deps, ctx, call, { CollectionId: collectionId, UserId: filter.userId, MaxResults: max, NextToken: token }),
  );
  const next =
    nextToken === undefined
      ? undefined
      : encodePageToken({ l: listing, t: nextToken, ...(filter.userId !== undefined ? { u: filter.userId } : {}) });
  return next === undefined ? { items } : { items, nextToken: next };
}

/** ListFaces with FaceIds, 4096 ids a call, `concurrency` calls at a time; null where a face does not exist. */
export async function getFaces(
  deps: RekognitionDeps,
  collectionId: string,
  faceIds: readonly string[],
  call?: CallOptions,
): Promise<(FaceRecord | null)[]> {
  const ids = [...new Set(faceIds)];
  const ctx = deps.calls.context('ListFaces', { collectionId });
  const chunks = await mapLimit(chunk(ids, MAX_LIST_RESULTS), deps.concurrency, (part) =>
    listAllFaces(deps, ctx, call, { CollectionId: collectionId, FaceIds: part }),
  );
  const byId = new Map(chunks.flat().map((f) => [f.faceId, f]));
  return faceIds.map((id) => byId.get(id) ?? null);
}

/** One ListFaces (UserId) per user, `concurrency` at a time. */
export async function countUserFaces(
  deps: RekognitionDeps,
  collectionId: string,
  userIds: readonly string[],
  call?: CallOptions,
): Promise<number[]> {
  return (await listUserFaces(deps, collectionId, userIds, call)).map((faces) => faces.length);
}

/** One ListFaces (UserId) per user, `concurrency` at a time; [] for an unknown user. */
export async function listUserFaces(
  deps: RekognitionDeps,
  collectionId: string,
  userIds: readonly string[],
  call?: CallOptions,
): Promise<FaceRecord[][]> {
  const unique = [...new Set(userIds)];
  const lists = await mapLimit(unique, deps.concurrency, (userId) =>
    listAllFaces(deps, deps.calls.context('ListFaces', { collectionId, userId, notFound: 'user' }), call, {
      CollectionId: collectionId,
      UserId: userId,
    }).catch((e: unknown) => {
      // Should Rekognition refuse an unknown UserId, it has no faces.
      if (e instanceof DomainError && e.code === 'USER_NOT_FOUND') return [];
      throw e;
    }),
  );
  const byUser = new Map(unique.map((id, i) => [id, lists[i]]));
  return userIds.map((id) => byUser.get(id) ?? []);
}

/** DeleteFaces, 4096 ids a call; with `retainImages`, the deleted faces' images are erased once no face uses them. */
export async function deleteFaces(
  deps: RekognitionDeps,
  collectionId: string,
  faceIds: readonly string[],
  call?: CallOptions,
): Promise<DeleteFacesOutcome> {
  const { calls } = deps;
  const outcome: DeleteFacesOutcome = { deletedFaceIds: [], unsuccessfulFaceDeletions: [] };
  const ctx = calls.context('DeleteFaces', { collectionId });
  // Sequential: the outcome lists keep the caller's order.
  for (const part of chunk([...new Set(faceIds)], MAX_LIST_RESULTS)) {
    const out = await calls.run(ctx, call, (o) =>
      calls.client.send(new DeleteFacesCommand({ CollectionId: collectionId, FaceIds: part }), o),
    );
    outcome.deletedFaceIds.push(...(out.DeletedFaces ?? []));
    await deps.images?.forgetFaces(collectionId, out.DeletedFaces ?? []);
    for (const u of out.UnsuccessfulFaceDeletions ?? []) {
      outcome.unsuccessfulFaceDeletions.push({
        faceId: u.FaceId ?? '',
        userId: u.UserId ?? null,
        ...splitReasons(FACE_DELETION_FAILURE_REASONS, u.Reasons, source(deps, 'DeleteFaces', u.FaceId)),
      });
    }
  }
  return outcome;
}

/** `items` in runs of at most `size` (the FaceIds cap of one call). */
function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
