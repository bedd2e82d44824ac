/**
 * The local provider's faces as stored: listed in index order (optionally
 * one user's or the unassociated ones), looked up and counted in batches,
 * and deleted. Indexing is in face-indexing.ts.
 */
import type { FaceRecord } from '../../domain/records.js';
import type { DeleteFacesOutcome, FaceFilter, Page, PageRequest } from '../provider.js';
import { toPage } from './keyset-page.js';
import type { LocalDeps } from './local-deps.js';
import { byFaceId, collectionNotFound, collectionRef, requireCollection } from './lookups.js';
import { decodePageToken, pageLimit } from './page-token.js';
import { toFaceRecord } from './records.js';
import { forgetDetections } from './detection.js';

/** One page of the collection's faces, in index order. */
export async function listFaces(deps: LocalDeps, collectionId: string, filter: FaceFilter, page: PageRequest): Promise<Page<FaceRecord>> {
  const limit = pageLimit(page.limit);
  const after = decodePageToken('faces', page.after);
  const collection = await requireCollection(deps.store, deps.name, collectionId);
  const rows = await deps.store.listFaces(
    collection.key,
    { userId: filter.userId, unassociated: filter.unassociated === true },
    { after, limit: limit + 1 },
  );
  return toPage(
    rows,
    limit,
    'faces',
    (r) => r.seq,
    (r) => toFaceRecord(r, collectionId),
  );
}

/** Batched lookup: null where a face does not exist. */
export async function getFaces(deps: LocalDeps, collectionId: string, faceIds: readonly string[]): Promise<(FaceRecord | null)[]> {
  const rows = (await deps.store.findFaces(collectionRef(deps.name, collectionId), faceIds)) ?? collectionNotFound(deps.name, collectionId);
  const byId = new Map(rows.map((r) => [r.faceId, toFaceRecord(r, collectionId)]));
  return faceIds.map((id) => byId.get(id) ?? null);
}

/** Batched count of each user's faces (0 for unknown users). */
export async function countUserFaces(deps: LocalDeps, collectionId: string, userIds: readonly string[]): Promise<number[]> {
  const counts =
    (await deps.store.countUserFaces(collectionRef(deps.name, collectionId), userIds)) ?? collectionNotFound(deps.name, collectionId);
  return userIds.map((id) => counts.get(id) ?? 0);
}

/** Batched: each user's faces in index order; [] for unknown users. */
export async function listUserFaces(deps: LocalDeps, collectionId: string, userIds: readonly string[]): Promise<FaceRecord[][]> {
  const rows =
    (await deps.store.findUserFaces(collectionRef(deps.name, collectionId), userIds)) ?? collectionNotFound(deps.name, collectionId);
  const byUser = new Map<string, FaceRecord[]>();
  for (const row of rows) {
    if (row.userId === null) continue;
    let faces = byUser.get(row.userId);
    if (!faces) byUser.set(row.userId, (faces = []));
    faces.push(toFaceRecord(row, collectionId));
  }
  return userIds.map((id) => byUser.get(id) ?? []);
}

/**
 * Deletes the unassociated faces among `faceIds` (duplicates count once);
 * a face of a user is refused (ASSOCIATED_TO_AN_EXISTING_USER), an unknown
 * one reported (FACE_NOT_FOUND). One transaction.
 */
export async function deleteFaces(deps: LocalDeps, collectionId: string, faceIds: readonly string[]): Promise<DeleteFacesOutcome> {
  const requested = [...new Set(faceIds)];
  return deps.store.transaction(async (tx) => {
    const collection = await requireCollection(tx, deps.name, collectionId);
    const found = byFaceId((await tx.findFaces(collectionRef(deps.name, collectionId), requested)) ?? []);
    const outcome: DeleteFacesOutcome = { deletedFaceIds: [], unsuccessfulFaceDeletions: [] };
    const seqs: number[] = [];
    const images: (string | null)[] = [];
    for (const faceId of requested) {
      const face = found.get(faceId);
      if (!face) {
        outcome.unsuccessfulFaceDeletions.push({ faceId, userId: null, reasons: ['FACE_NOT_FOUND'] });
      } else if (face.userId !== null) {
        outcome.unsuccessfulFaceDeletions.push({
          faceId,
          userId: face.userId,
          reasons: ['ASSOCIATED_TO_AN_EXISTING_USER'],
        });
      } else {
        outcome.deletedFaceIds.push(faceId);
        seqs.push(face.seq);
        images.push(face.imageSha256);
      }
    }
    // Only unassociated faces go, so the user indexes are unaffected.
    if (seqs.length > 0) {
      await tx.deleteFaces(collection.key, seqs);
      // Every image a deleted face came from: a detection of it held that face's descriptor.
      tx.afterCommit(() => forgetDetections(deps, collectionId, images));
    }
    return outcome;
  });
}
