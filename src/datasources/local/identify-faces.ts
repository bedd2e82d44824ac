/**
 * IdentifyFaces on the local engine (Azure Identify): every usable face of
 * the image, largest first, against the collection's user index. Faces
 * under the minimum size, below the quality filter, or past `maxFaces` are
 * unsearched. One detection, then one index search a face (in memory).
 */
import type { CallOptions, IdentifyFacesInput, IdentifyFacesOutcome } from '../provider.js';
import { detectFaces } from './detection.js';
import { qualityShortfalls, toFaceDetail } from './face-detail.js';
import { isLargeEnough, largestFirst } from './face-selection.js';
import type { LocalDeps } from './local-deps.js';
import { requireCollection } from './lookups.js';
import { userMatchesOf } from './user-matches.js';

/** Every face with its users (at most `maxUsersPerFace` each); [] for an image without a face. */
export async function identifyFaces(deps: LocalDeps, input: IdentifyFacesInput, call?: CallOptions): Promise<IdentifyFacesOutcome> {
  const collection = await requireCollection(deps.store, deps.name, input.collectionId);
  const detection = await detectFaces(deps, input.collectionId, input.image, call);
  const index = await deps.indexes.get(collection.key);
  const faces: IdentifyFacesOutcome['faces'] = [];
  const unsearchedFaces: IdentifyFacesOutcome['unsearchedFaces'] = [];
  for (const face of largestFirst(detection.faces)) {
    if (faces.length >= input.maxFaces || !isLargeEnough(face) || qualityShortfalls(face, input.qualityFilter).length > 0) {
      unsearchedFaces.push(toFaceDetail(face));
      continue;
    }
    const hits = await index.searchUsers(face.descriptor, input.maxUsersPerFace, input.userMatchThreshold);
    faces.push({ face: toFaceDetail(face), userMatches: await userMatchesOf(deps, collection, hits) });
  }
  return { faces, unsearchedFaces };
}
