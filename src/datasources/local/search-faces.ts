/**
 * SearchFaces and SearchFacesByImage on the local engine: a descriptor (an
 * indexed face's, or the image's largest face's) against every face of the
 * collection, associated or not.
 *
 * The in-memory indexes (user-face-index.ts) hold associated faces only, on
 * purpose (memory bounded by users × 100), so these two scan the
 * collection's descriptors from the store in pages: exact, and linear in
 * the collection's faces per call (a few ms per 10^4 faces). An all-faces
 * index kept current like the user one is the way up if this shows.
 */
import { invalidInput } from '../../domain/errors.js';
import { similarity } from '../../engine/similarity.js';
import type { CollectionRow } from '../../store/store.js';
import type {
  CallOptions,
  FaceMatchRecord,
  SearchFacesByImageInput,
  SearchFacesByImageOutcome,
  SearchFacesInput,
  SearchFacesOutcome,
} from '../provider.js';
import { detectFaces } from './detection.js';
import { toFaceDetail } from './face-detail.js';
import { requireSearchableFace } from './face-selection.js';
import type { LocalDeps } from './local-deps.js';
import { requireCollection } from './lookups.js';
import { toFaceRecord } from './records.js';

/** Rows read per page of the scan. */
const SCAN_PAGE = 1000;

/** Faces of the collection like the indexed face `faceId` (never itself); INVALID_INPUT when it is not in the collection. */
export async function searchFaces(deps: LocalDeps, input: SearchFacesInput): Promise<SearchFacesOutcome> {
  const collection = await requireCollection(deps.store, deps.name, input.collectionId);
  const [searched] = await deps.store.getFacesWithDescriptors(collection.key, [input.faceId]);
  if (!searched) throw invalidInput('input.faceId', `a face id of collection "${input.collectionId}"`, JSON.stringify(input.faceId));
  const faceMatches = await scan(deps, collection, searched.descriptor, input.maxFaces, input.faceMatchThreshold, input.faceId);
  return { searchedFaceId: input.faceId, faceMatches };
}

/** Faces of the collection like the image's largest face; NO_FACE_DETECTED when it has none that passes the filter. */
export async function searchFacesByImage(
  deps: LocalDeps,
  input: SearchFacesByImageInput,
  call?: CallOptions,
): Promise<SearchFacesByImageOutcome> {
  const collection = await requireCollection(deps.store, deps.name, input.collectionId);
  const detection = await detectFaces(deps, input.collectionId, input.image, call);
  const face = requireSearchableFace(detection.faces, input.qualityFilter, deps.name, 'image');
  const faceMatches = await scan(deps, collection, face.descriptor, input.maxFaces, input.faceMatchThreshold);
  return { searchedFace: toFaceDetail(face), faceMatches };
}

/** The `maxFaces` faces most like `query`, at least `threshold`, highest first (ties by index order), `exclude` left out. */
async function scan(
  deps: LocalDeps,
  collection: CollectionRow,
  query: Float32Array,
  maxFaces: number,
  threshold: number,
  exclude?: string,
): Promise<FaceMatchRecord[]> {
  type Hit = { similarity: number; seq: number; row: Parameters<typeof toFaceRecord>[0] };
  let hits: Hit[] = [];
  const byRank = (a: Hit, b: Hit) => b.similarity - a.similarity || a.seq - b.seq;
  let after: number | null = null;
  for (;;) {
    const page = await deps.store.listFacesWithDescriptors(collection.key, {}, { after, limit: SCAN_PAGE });
    for (const row of page) {
      if (row.faceId === exclude) continue;
      const s = similarity(query, row.descriptor);
      if (s >= threshold) hits.push({ similarity: s, seq: row.seq, row });
    }
    // Keeps memory bounded by 2 × maxFaces hits, whatever the collection's size.
    if (hits.length > 2 * maxFaces) hits = hits.sort(byRank).slice(0, maxFaces);
    if (page.length < SCAN_PAGE) break;
    after = page[page.length - 1].seq;
  }
  return hits
    .sort(byRank)
    .slice(0, maxFaces)
    .map((h) => ({ similarity: h.similarity, face: toFaceRecord(h.row, collection.collectionId) }));
}
