/**
 * SearchUsersByImage on the local engine: the largest searchable face of
 * the image against the collection's in-memory index of associated faces
 * (user-face-index.ts), users ranked by their most similar face.
 */
import { invalidInput } from '../../domain/errors.js';
import type { CallOptions, SearchUsersByImageInput, SearchUsersByImageOutcome } from '../provider.js';
import { detectFaces } from './detection.js';
import { toFaceDetail } from './face-detail.js';
import { largestFirst, searchableFace } from './face-selection.js';
import type { LocalDeps } from './local-deps.js';
import { requireCollection } from './lookups.js';
import { userMatchesOf } from './user-matches.js';

/**
 * Users matching the image's largest face; no matches and `searchedFace:
 * null` when it has none big enough or it is below the quality filter
 * (@default NONE). The image's other faces are unsearched.
 */
export async function searchUsersByImage(
  deps: LocalDeps,
  input: SearchUsersByImageInput,
  call?: CallOptions,
): Promise<SearchUsersByImageOutcome> {
  const { collectionId, userMatchThreshold, maxUsers } = input;
  if (!Number.isInteger(maxUsers) || maxUsers < 1) throw invalidInput('maxUsers', 'an integer ≥ 1', String(maxUsers));
  if (!(userMatchThreshold >= 0 && userMatchThreshold <= 100)) {
    throw invalidInput('userMatchThreshold', 'a number 0..100', String(userMatchThreshold));
  }
  const collection = await requireCollection(deps.store, deps.name, collectionId);
  const detection = await detectFaces(deps, collectionId, input.image, call);
  const face = searchableFace(detection.faces, input.qualityFilter ?? 'NONE');
  const unsearchedFaces = largestFirst(detection.faces)
    .filter((f) => f !== face)
    .map((f) => toFaceDetail(f));
  if (!face) return { userMatches: [], searchedFace: null, unsearchedFaces };

  const index = await deps.indexes.get(collection.key);
  const userMatches = await userMatchesOf(deps, collection, await index.searchUsers(face.descriptor, maxUsers, userMatchThreshold));
  return {
    userMatches,
    searchedFace: { boundingBox: { ...face.boundingBox }, confidence: face.confidence },
    unsearchedFaces,
  };
}
