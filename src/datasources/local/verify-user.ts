/**
 * VerifyUser on the local engine (Azure's Verify face-to-person): the
 * image's largest face against each of the user's faces; the similarity is
 * the best one, isMatch is similarity ≥ the threshold. A user without faces
 * has similarity 0 and never matches.
 */
import { DomainError } from '../../domain/errors.js';
import { similarity } from '../../engine/similarity.js';
import type { CallOptions, VerifyUserInput, VerifyUserOutcome } from '../provider.js';
import { detectFaces } from './detection.js';
import { toFaceDetail } from './face-detail.js';
import { requireSearchableFace } from './face-selection.js';
import type { LocalDeps } from './local-deps.js';
import { requireCollection } from './lookups.js';
import { toUserRecord } from './records.js';

/** USER_NOT_FOUND before any inference; NO_FACE_DETECTED when the image has no usable face. */
export async function verifyUser(deps: LocalDeps, input: VerifyUserInput, call?: CallOptions): Promise<VerifyUserOutcome> {
  const { collectionId, userId } = input;
  const collection = await requireCollection(deps.store, deps.name, collectionId);
  // Before inference: an unknown user costs no detection.
  const user = await deps.store.getUser(collection.key, userId);
  if (!user) {
    throw new DomainError(
      'USER_NOT_FOUND',
      `User "${userId}" not found in collection "${collectionId}": expected an existing user id, got an unknown one`,
      { collectionId, userId, provider: deps.name },
    );
  }
  const detection = await detectFaces(deps, collectionId, input.image, call);
  const face = requireSearchableFace(detection.faces, 'NONE', deps.name, 'image');
  const faces = await deps.store.getUserFaces(user.seq);
  const best = faces.reduce((max, f) => Math.max(max, similarity(face.descriptor, f.descriptor)), 0);
  return {
    isMatch: faces.length > 0 && best >= input.userMatchThreshold,
    similarity: best,
    searchedFace: toFaceDetail(face),
    user: toUserRecord(user, collectionId),
  };
}
