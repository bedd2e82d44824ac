/**
 * searchFaces and searchFacesByImage (Rekognition SearchFaces /
 * SearchFacesByImage) on Azure FindSimilar against the collection's face
 * registry (./find-similar-call.ts). Findsimilars takes a detect faceId,
 * never a persisted face, so searchFaces detects the indexed face again in
 * its retained source image (Azure keeps none). Similarity = confidence ×
 * 100; results at or above `faceMatchThreshold`, highest first, never the
 * searched face, at most `maxFaces` — and at most 1000, findsimilars'
 * ceiling. Faces added to users by other tools are not in the registry and
 * are never found. Billed: 1 detect + 1 findsimilars, plus a list training
 * after changes.
 */
import { DomainError, invalidInput } from '../../domain/errors.js';
import { passesQualityFilter } from '../../domain/face-details.js';
import type { CallOptions } from '../provider.js';
import type {
  FaceMatchRecord,
  SearchFacesByImageInput,
  SearchFacesByImageOutcome,
  SearchFacesInput,
  SearchFacesOutcome,
} from '../face-operations.js';
import type { AdapterDeps } from './adapter-deps.js';
import { checkCollectionId } from './collection-id.js';
import type { CollectionIndex } from './collection-index.js';
import { faceRecord } from './contract-records.js';
import { detectImage, modelOf } from './detect-image.js';
import type { SimilarFaceOut } from './face-api-shapes.js';
import { faceDetail } from './face-detail.js';
import { bestMatch } from './face-geometry.js';
import { findSimilarInList, MAX_SIMILAR } from './find-similar-call.js';
import { noFaceDetected } from './no-face.js';
import { unsupported } from './refusals.js';

const DEFAULT_SET: ReadonlySet<never> = new Set();

/** Faces of the collection like indexed face `faceId` (INVALID_INPUT `input.faceId` when it is not in the collection). */
export async function searchFaces(deps: AdapterDeps, input: SearchFacesInput, call: CallOptions | undefined): Promise<SearchFacesOutcome> {
  const { collectionId, faceId } = input;
  checkCollectionId(collectionId);
  const loaded = await deps.cache.index(collectionId, call);
  const face = loaded.index.faces.get(faceId);
  if (!face) throw invalidInput('input.faceId', `a face of collection "${collectionId}"`, `unknown face "${faceId}"`);
  const data = face.data;
  const bytes = data ? await deps.images.get(collectionId, data.sha256) : null;
  if (!data || !bytes) {
    throw unsupported(
      deps.name,
      `face "${faceId}" cannot be searched by id: Azure AI Face finds similar faces only to a freshly detected face, and this gateway ${data ? 'no longer retains its source image' : 'did not index it'}; search by image instead`,
      'SearchFaces',
    );
  }
  const ctx = deps.callContext(collectionId);
  const { faces } = await detectImage(
    deps,
    bytes,
    { faceIds: true, attributes: DEFAULT_SET, ctx, recognitionModel: modelOf(loaded.index) },
    call,
  );
  const again = bestMatch(faces, data.rect);
  if (!again?.faceId) {
    throw new DomainError(
      'PROVIDER_UNAVAILABLE',
      `Azure Face no longer detects face "${faceId}" in its source image: expected the face at ${data.rect.join(',')}, got none`,
      { provider: deps.name, collectionId, operation: 'Detect' },
    );
  }
  // One more candidate: the searched face itself comes back and is left out.
  const similar = await findSimilarInList(deps, loaded, again.faceId, input.maxFaces + 1, call);
  return { searchedFaceId: faceId, faceMatches: matchesOf(loaded.index, similar, input.faceMatchThreshold, input.maxFaces, faceId) };
}

/** Faces of the collection like the largest face of the image (NO_FACE_DETECTED when there is none, or it fails `qualityFilter`). */
export async function searchFacesByImage(
  deps: AdapterDeps,
  input: SearchFacesByImageInput,
  call: CallOptions | undefined,
): Promise<SearchFacesByImageOutcome> {
  const { collectionId } = input;
  checkCollectionId(collectionId);
  const loaded = await deps.cache.index(collectionId, call);
  const ctx = deps.callContext(collectionId);
  const { size, faces } = await detectImage(
    deps,
    input.image,
    { faceIds: true, attributes: DEFAULT_SET, ctx, recognitionModel: modelOf(loaded.index) },
    call,
  );
  const face = faces[0];
  const searchedFace = face ? faceDetail(face, size, DEFAULT_SET) : null;
  if (!face?.faceId || !searchedFace || !passesQualityFilter(searchedFace.quality, input.qualityFilter)) throw noFaceDetected('image');
  const similar = await findSimilarInList(deps, loaded, face.faceId, input.maxFaces, call);
  return { searchedFace, faceMatches: matchesOf(loaded.index, similar, input.faceMatchThreshold, input.maxFaces) };
}

/** Registry answers as face matches: known faces at or above `threshold`, highest first, without `exclude`, at most `max`. */
function matchesOf(
  index: CollectionIndex,
  similar: readonly SimilarFaceOut[],
  threshold: number,
  max: number,
  exclude?: string,
): FaceMatchRecord[] {
  const matches: FaceMatchRecord[] = [];
  for (const s of similar) {
    const face = index.faces.get(s.persistedFaceId);
    const similarity = Math.round(s.confidence * 100 * 1000) / 1000;
    // A face deleted since the list's training is still in Azure's answer: dropped.
    if (!face || s.persistedFaceId === exclude || similarity < threshold) continue;
    matches.push({ similarity, face: faceRecord(index.collectionId, face) });
  }
  matches.sort((a, b) => b.similarity - a.similarity);
  return matches.slice(0, Math.min(max, MAX_SIMILAR));
}
